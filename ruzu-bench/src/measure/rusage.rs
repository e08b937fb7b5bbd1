//! Peak RSS and CPU time: this process's from `/proc/self/status`, a finished child's from
//! the kernel's `wait4` accounting (through the `wait4` crate, so this crate stays free of
//! unsafe code).

use std::process::{Child, ExitStatus};
use std::time::Duration;

use wait4::Wait4;

use super::sampler::status_kib;
use crate::error::{BenchError, Result};

/// How a waited-for child ended and what it used.
#[derive(Debug, Clone, Copy)]
pub struct ChildUsage {
    /// Its exit status.
    pub status: ExitStatus,
    /// Its peak resident set size in bytes ("Maximum resident set size" of `time -v`).
    pub peak_rss_bytes: u64,
    /// CPU time in user mode.
    pub user: Duration,
    /// CPU time in the kernel.
    pub system: Duration,
}

/// Peak resident set size of this process so far, in bytes (`VmHWM`).
///
/// # Errors
///
/// [`BenchError::Io`] or [`BenchError::MissingStatusLine`] if `/proc/self/status` cannot be read.
pub fn peak_rss_self_bytes() -> Result<u64> {
    status_kib(std::process::id(), "VmHWM").map(|kib| kib * 1024)
}

/// Clock ticks per second of the times in `/proc/<pid>/stat` (`USER_HZ`, fixed at 100 by the
/// Linux ABI whatever the kernel's own tick rate).
const USER_HZ: f64 = 100.0;

/// CPU time this process has used so far, user plus system, over all its threads (those that
/// ended included), in seconds, from `/proc/self/stat` (10 ms resolution). The difference of
/// two calls is the CPU time of what ran between them.
///
/// # Errors
///
/// [`BenchError::Io`] if `/proc/self/stat` cannot be read or does not hold the two times.
pub fn cpu_seconds_self() -> Result<f64> {
    let path = "/proc/self/stat";
    let stat = std::fs::read_to_string(path).map_err(|source| BenchError::Io {
        path: path.into(),
        source,
    })?;
    parse_stat_cpu_seconds(&stat).ok_or_else(|| BenchError::Io {
        path: path.into(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "no utime/stime fields"),
    })
}

/// User plus system seconds of a `/proc/<pid>/stat` line: fields 14 and 15 (`utime`,
/// `stime`), counted after the command name, which is in parentheses and may hold spaces.
fn parse_stat_cpu_seconds(stat: &str) -> Option<f64> {
    let (_, after_name) = stat.rsplit_once(')')?;
    // `after_name` starts at field 3 (state), so utime (14) is its 12th token.
    let mut fields = after_name.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / USER_HZ)
}

/// Waits for `child` to end and returns its status and resource use. Takes the child, because
/// after `wait4` has reaped it, [`Child::wait`] could no longer be used.
///
/// # Errors
///
/// [`BenchError::Os`] if `wait4` fails (e.g. the child was already waited for).
pub fn wait_child(child: Child) -> Result<ChildUsage> {
    let used = child.wait4().map_err(|source| BenchError::Os {
        call: "wait4",
        source,
    })?;
    Ok(ChildUsage {
        status: used.status,
        peak_rss_bytes: used.rusage.maxrss,
        user: used.rusage.utime,
        system: used.rusage.stime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn own_peak_rss_is_at_least_current_rss() {
        let current = crate::measure::rss_bytes(std::process::id()).expect("own status");
        let peak = peak_rss_self_bytes().expect("own status");
        assert!(
            peak >= current.min(peak) && peak > 1024 * 1024,
            "peak {peak}"
        );
        assert!(peak >= current / 2, "peak {peak} vs current {current}");
    }

    #[test]
    fn stat_times_are_read_after_a_command_name_with_spaces() {
        let stat = "4242 (ruzu bench) R 1 4242 4242 0 -1 4194304 100 0 0 0 250 37 0 0 20 0 3";
        assert_eq!(parse_stat_cpu_seconds(stat), Some(2.87));
        assert_eq!(parse_stat_cpu_seconds("4242 (cut) R 1"), None);
    }

    #[test]
    fn own_cpu_time_grows_with_work() {
        // Spin until the reading moves (on a busy machine this thread may get little CPU, so
        // no fixed duration is assumed); a reader that never moved would fail after 30 s.
        let before = cpu_seconds_self().expect("own stat");
        let start = std::time::Instant::now();
        let mut x = 1u64;
        let mut after = before;
        while after < before + 0.02 && start.elapsed() < std::time::Duration::from_secs(30) {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
            }
            after = cpu_seconds_self().expect("own stat");
        }
        assert!(after >= before + 0.02, "{before} -> {after}");
    }

    #[test]
    fn waited_child_reports_its_status_and_peak_rss() {
        // `sh -c 'exit 3'` is tiny but still maps a few hundred KiB.
        let child = Command::new("sh")
            .args(["-c", "exit 3"])
            .spawn()
            .expect("sh runs");
        let usage = wait_child(child).expect("wait4 works");
        assert_eq!(usage.status.code(), Some(3));
        assert!(
            usage.peak_rss_bytes > 100 * 1024,
            "{} bytes",
            usage.peak_rss_bytes
        );
    }
}
