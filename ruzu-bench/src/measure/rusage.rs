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
