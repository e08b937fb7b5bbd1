//! Console output of imports: a progress bar on stderr, the summary line, peak memory.
//!
//! Used by the `ruzu` program and the demo; a library user who prints progress can use it
//! too.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ruzu_copy::{CopyReport, Phase, Progress};

use crate::memory_limit::MemoryLimit;
use crate::result::ReportLine;

/// A progress bar of one import on stderr: bytes read of the total, rows, rate and ETA.
/// Hidden when stderr is not a terminal (indicatif draws nothing then).
#[derive(Debug)]
pub struct ProgressDisplay {
    label: String,
    bar: Option<ProgressBar>,
}

impl ProgressDisplay {
    /// A display for an import into `label` (a table name); the bar appears with the first
    /// update.
    pub fn new(label: impl Into<String>) -> Self {
        ProgressDisplay {
            label: label.into(),
            bar: None,
        }
    }

    /// Shows `progress`; removes the bar when the import is done.
    pub fn update(&mut self, progress: &Progress) {
        let bar = self
            .bar
            .get_or_insert_with(|| new_bar(&self.label, progress.bytes_total));
        bar.set_position(progress.bytes_read);
        let secs = progress.elapsed.as_secs_f64().max(1e-9);
        let rejected = if progress.rows_rejected > 0 {
            format!(", {} bad", progress.rows_rejected)
        } else {
            String::new()
        };
        bar.set_message(format!(
            "{} rows ({:.2} M/s){rejected}",
            progress.rows_written,
            progress.rows_written as f64 / secs / 1e6,
        ));
        if progress.phase == Phase::Done {
            self.finish();
        }
    }

    /// Removes the bar (also on failure, before the error is printed).
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for ProgressDisplay {
    fn drop(&mut self) {
        self.finish();
    }
}

fn new_bar(label: &str, total_bytes: Option<u64>) -> ProgressBar {
    let target = ProgressDrawTarget::stderr();
    let bar = match total_bytes {
        Some(total) => {
            let bar = ProgressBar::with_draw_target(Some(total), target);
            bar.set_style(
                ProgressStyle::with_template(
                    "{prefix} [{wide_bar}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
                )
                .expect("invariant: the template is valid")
                .progress_chars("=> "),
            );
            bar
        }
        None => {
            let bar = ProgressBar::with_draw_target(None, target);
            bar.set_style(
                ProgressStyle::with_template("{prefix} {spinner} {bytes} {msg}")
                    .expect("invariant: the template is valid"),
            );
            bar
        }
    };
    bar.set_prefix(label.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The summary line of an import: rows imported, rejected (and the rejects file), elapsed,
/// rows/s, the peak resident memory of this process when known, and the memory limit that
/// applied with why: the statement's `MEMORY_LIMIT`, or `default` (the database's, see
/// [`Config::memory_limit`](crate::Config::memory_limit)).
///
/// `Person: 200000 rows imported, 0 rejected in 0.41 s (487000 rows/s), peak RSS 98.1 MB,
/// memory limit 48 MiB (half of the cgroup v1 memory limit of 128 MiB in ... after 32 MiB for
/// the rest of the process)`
pub fn summary_line(report: &CopyReport, default: &MemoryLimit) -> String {
    let mut line = ReportLine(report).to_string();
    if let Some(peak) = peak_rss_bytes() {
        line.push_str(&format!(", peak RSS {:.1} MB", peak as f64 / 1e6));
    }
    let mib = report.memory_limit_bytes as f64 / f64::from(1u32 << 20);
    if report.memory_limit_given {
        line.push_str(&format!(", memory limit {mib:.0} MiB (MEMORY_LIMIT)"));
    } else if report.memory_limit_bytes == default.bytes {
        line.push_str(&format!(", memory limit {default}"));
    } else {
        line.push_str(&format!(", memory limit {mib:.0} MiB"));
    }
    line
}

/// Peak resident memory of this process in bytes (`VmHWM` of `/proc/self/status`); `None`
/// where that file does not exist (not Linux) or has no such line.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status_kib(&status, "VmHWM").map(|kib| kib * 1024)
}

/// The value in KiB of line `key` of a `/proc/<pid>/status` text.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.strip_prefix(':')?;
        rest.split_whitespace().next()?.parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_read_in_kib() {
        let status = "Name:\truzu\nVmPeak:\t  9000 kB\nVmHWM:\t   1234 kB\nVmRSS:\t 1000 kB\n";
        assert_eq!(status_kib(status, "VmHWM"), Some(1234));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn this_process_has_a_peak_rss_on_linux() {
        if cfg!(target_os = "linux") {
            assert!(peak_rss_bytes().is_some_and(|b| b > 0));
        }
    }
}
