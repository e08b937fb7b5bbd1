//! Resident set size over time: a thread that reads `/proc/<pid>/status` at a fixed interval.

use std::fs;
use std::path::PathBuf;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::error::{BenchError, Result};

/// The sampling interval the benchmark program uses.
pub const DEFAULT_SAMPLE_INTERVAL: Duration = Duration::from_millis(50);

/// One reading of a process's resident set size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RssSample {
    /// Milliseconds since the sampler started.
    pub elapsed_ms: u64,
    /// `VmRSS`, in bytes.
    pub rss_bytes: u64,
}

/// The current resident set size (`VmRSS`) of process `pid`, in bytes.
///
/// # Errors
///
/// [`BenchError::Io`] when the process does not exist (any more) or `/proc` is not there,
/// [`BenchError::MissingStatusLine`] when the status has no `VmRSS` (a zombie).
pub fn rss_bytes(pid: u32) -> Result<u64> {
    status_kib(pid, "VmRSS").map(|kib| kib * 1024)
}

/// Reads `key:   <n> kB` from `/proc/<pid>/status`.
pub(crate) fn status_kib(pid: u32, key: &'static str) -> Result<u64> {
    let path = PathBuf::from(format!("/proc/{pid}/status"));
    let status = fs::read_to_string(&path).map_err(|source| BenchError::Io {
        path: path.clone(),
        source,
    })?;
    parse_status_kib(&status, key).ok_or(BenchError::MissingStatusLine { path, key })
}

/// The value of a `key:   <n> kB` line of a `/proc/<pid>/status` (or `/proc/meminfo`) text, in
/// KiB; `None` when no line has that key and a value in kB.
pub fn parse_status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        rest.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// A thread sampling one process's RSS until stopped or until the process is gone.
///
/// Samples are taken at start, every interval, and once more at [`RssSampler::stop`]; memory
/// grows by 16 bytes a sample (20 a minute at the default interval).
#[derive(Debug)]
pub struct RssSampler {
    stop: Sender<()>,
    thread: JoinHandle<Vec<RssSample>>,
}

impl RssSampler {
    /// Starts sampling process `pid` (use [`std::process::id`] for this process) every
    /// `interval`.
    ///
    /// # Errors
    ///
    /// [`BenchError::Io`] when the thread cannot be spawned.
    pub fn start(pid: u32, interval: Duration) -> Result<Self> {
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = thread::Builder::new()
            .name(format!("rss-sampler-{pid}"))
            .spawn(move || {
                let start = Instant::now();
                let mut samples = Vec::new();
                let sample = |samples: &mut Vec<RssSample>| {
                    let rss = rss_bytes(pid).ok()?;
                    let elapsed_ms = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
                    samples.push(RssSample {
                        elapsed_ms,
                        rss_bytes: rss,
                    });
                    Some(())
                };
                while sample(&mut samples).is_some() {
                    match stopped.recv_timeout(interval) {
                        Err(RecvTimeoutError::Timeout) => {}
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                            sample(&mut samples);
                            break;
                        }
                    }
                }
                samples
            })
            .map_err(|source| BenchError::Os {
                call: "spawn sampler thread",
                source,
            })?;
        Ok(Self { stop, thread })
    }

    /// Stops sampling and returns the samples, oldest first.
    pub fn stop(self) -> Vec<RssSample> {
        // A send error means the thread already ended because the process is gone.
        let _ = self.stop.send(());
        self.thread
            .join()
            .expect("invariant: the sampler thread does not panic")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_parser_reads_the_named_kib_line_only() {
        let status = "Name:\truzu-bench\nVmPeak:\t  123456 kB\nVmHWM:\t   98304 kB\n\
                      VmRSS:\t   65536 kB\nVmRSSX:\t 1 kB\nThreads:\t3\n";
        assert_eq!(parse_status_kib(status, "VmRSS"), Some(65536));
        assert_eq!(parse_status_kib(status, "VmHWM"), Some(98304));
        // A key is the whole name before the colon; values need their unit.
        assert_eq!(parse_status_kib(status, "VmRS"), None);
        assert_eq!(parse_status_kib(status, "Threads"), None);
        assert_eq!(parse_status_kib("VmRSS:\t   12 MB\n", "VmRSS"), None);
        assert_eq!(parse_status_kib("", "VmRSS"), None);
    }

    #[test]
    fn zombie_status_without_vmrss_is_a_missing_line() {
        // A zombie's status has no Vm lines at all; the parser reports the absence.
        let zombie = "Name:\tsh\nState:\tZ (zombie)\nThreads:\t1\n";
        assert_eq!(parse_status_kib(zombie, "VmRSS"), None);
    }

    #[test]
    fn own_rss_is_positive() {
        let rss = rss_bytes(std::process::id()).expect("this process has a status");
        assert!(rss > 1024 * 1024, "{rss} bytes");
    }

    #[test]
    fn missing_process_is_an_io_error() {
        // Above the kernel's pid_max limit (4_194_304), so no such process can exist.
        let err = rss_bytes(u32::MAX).expect_err("no such process");
        assert!(matches!(err, BenchError::Io { .. }), "{err}");
    }

    #[test]
    fn sampler_collects_ordered_samples_of_this_process() {
        let sampler =
            RssSampler::start(std::process::id(), Duration::from_millis(1)).expect("thread spawns");
        // Allocate and touch memory while sampling, so there is something to see.
        let block = vec![1u8; 8 << 20];
        let samples = sampler.stop();
        assert!(block.iter().all(|&b| b == 1));
        assert!(samples.len() >= 2, "start and stop samples: {samples:?}");
        assert!(samples.iter().all(|s| s.rss_bytes > 0));
        assert!(
            samples
                .windows(2)
                .all(|w| w[0].elapsed_ms <= w[1].elapsed_ms)
        );
    }

    #[test]
    fn sampler_of_a_missing_process_returns_no_samples() {
        let sampler = RssSampler::start(u32::MAX, Duration::from_millis(1)).expect("spawns");
        assert!(sampler.stop().is_empty());
    }
}
