//! Peak RSS and CPU time from the kernel's resource accounting (`getrusage`, `wait4`).
#![expect(
    unsafe_code,
    reason = "getrusage and wait4 are libc FFI calls; std has no safe wrapper for either"
)]

use std::io;
use std::mem::MaybeUninit;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, ExitStatus};
use std::time::Duration;

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

/// Peak resident set size of this process so far, in bytes.
///
/// # Errors
///
/// [`BenchError::Os`] if `getrusage` fails.
pub fn peak_rss_self_bytes() -> Result<u64> {
    getrusage(libc::RUSAGE_SELF).map(|u| max_rss_bytes(&u))
}

/// The largest peak resident set size among the children of this process that were waited for,
/// in bytes (0 when none was).
///
/// # Errors
///
/// [`BenchError::Os`] if `getrusage` fails.
pub fn peak_rss_children_bytes() -> Result<u64> {
    getrusage(libc::RUSAGE_CHILDREN).map(|u| max_rss_bytes(&u))
}

/// Waits for `child` to end and returns its status and resource use. Takes the child, because
/// after `wait4` has reaped it, [`Child::wait`] could no longer be used.
///
/// # Errors
///
/// [`BenchError::Os`] if `wait4` fails (e.g. the child was already waited for).
pub fn wait_child(child: Child) -> Result<ChildUsage> {
    let pid = libc::pid_t::try_from(child.id()).expect("invariant: a Linux pid fits pid_t");
    let mut status: libc::c_int = 0;
    let mut usage = MaybeUninit::<libc::rusage>::zeroed();
    loop {
        // SAFETY: `status` and `usage` are valid, writable and live for the call; `pid` is our
        // own unreaped child (we hold its `Child`, whose `wait` was never called).
        let ret = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
        if ret == pid {
            break;
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(BenchError::Os {
                call: "wait4",
                source: err,
            });
        }
    }
    // SAFETY: wait4 returned the pid, so it filled `usage`; it was zeroed before in any case, and
    // all-zero is a valid `rusage` (plain integers).
    let usage = unsafe { usage.assume_init() };
    drop(child);
    Ok(ChildUsage {
        status: ExitStatus::from_raw(status),
        peak_rss_bytes: max_rss_bytes(&usage),
        user: duration(usage.ru_utime),
        system: duration(usage.ru_stime),
    })
}

fn getrusage(who: libc::c_int) -> Result<libc::rusage> {
    let mut usage = MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: `usage` is valid and writable for one `rusage`; `who` is one of the RUSAGE_*
    // constants passed by the two callers above.
    let ret = unsafe { libc::getrusage(who, usage.as_mut_ptr()) };
    if ret != 0 {
        return Err(BenchError::Os {
            call: "getrusage",
            source: io::Error::last_os_error(),
        });
    }
    // SAFETY: getrusage returned 0, so it filled `usage` (zeroed before, a valid value anyway).
    Ok(unsafe { usage.assume_init() })
}

/// `ru_maxrss` is in KiB on Linux.
fn max_rss_bytes(usage: &libc::rusage) -> u64 {
    u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024
}

fn duration(t: libc::timeval) -> Duration {
    let secs = u64::try_from(t.tv_sec).unwrap_or(0);
    let micros = u32::try_from(t.tv_usec).unwrap_or(0);
    Duration::from_secs(secs) + Duration::from_micros(u64::from(micros))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn own_peak_rss_is_at_least_current_rss() {
        let current = crate::measure::rss_bytes(std::process::id()).expect("own status");
        let peak = peak_rss_self_bytes().expect("getrusage works");
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
        assert!(peak_rss_children_bytes().expect("getrusage works") >= usage.peak_rss_bytes);
    }
}
