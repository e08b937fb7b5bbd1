//! Running a command under measurement: wall time, RSS over time, peak RSS, CPU time.

use std::process::Command;
use std::time::Duration;

use super::rusage::{ChildUsage, wait_child};
use super::sampler::{RssSample, RssSampler};
use super::timer::Timer;
use crate::error::{BenchError, Result};

/// What [`run_measured`] saw of one run.
#[derive(Debug, Clone)]
pub struct MeasuredRun {
    /// Exit status, peak RSS and CPU time, from `wait4`.
    pub usage: ChildUsage,
    /// Wall time from spawn to exit.
    pub wall: Duration,
    /// The child's RSS over time, oldest first.
    pub samples: Vec<RssSample>,
}

/// Spawns `command`, samples its RSS every `interval` while it runs, waits for it and returns
/// the measurements. The command's standard streams are whatever `command` says.
///
/// # Errors
///
/// [`BenchError::Io`] (with the program as path) when it cannot be spawned,
/// [`BenchError::Os`] when the sampler thread cannot start or `wait4` fails.
pub fn run_measured(command: &mut Command, interval: Duration) -> Result<MeasuredRun> {
    let timer = Timer::start();
    let child = command.spawn().map_err(|source| BenchError::Io {
        path: command.get_program().into(),
        source,
    })?;
    let sampler = RssSampler::start(child.id(), interval)?;
    let usage = wait_child(child);
    let wall = timer.elapsed();
    // Stop the sampler before returning a wait error, so the thread never outlives the call.
    let samples = sampler.stop();
    Ok(MeasuredRun {
        usage: usage?,
        wall,
        samples,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measured_child_reports_status_time_and_memory() {
        let run = run_measured(
            Command::new("sh").args(["-c", "exit 4"]),
            Duration::from_millis(1),
        )
        .expect("sh runs");
        assert_eq!(run.usage.status.code(), Some(4));
        assert!(run.usage.peak_rss_bytes > 0);
        assert!(
            run.samples
                .iter()
                .all(|s| s.rss_bytes > 0 && s.rss_bytes <= 1 << 30)
        );
    }

    #[test]
    fn missing_program_is_an_io_error_naming_it() {
        let err = run_measured(
            &mut Command::new("/nonexistent/ruzu"),
            Duration::from_millis(1),
        )
        .expect_err("cannot spawn");
        assert!(err.to_string().starts_with("/nonexistent/ruzu:"), "{err}");
    }
}
