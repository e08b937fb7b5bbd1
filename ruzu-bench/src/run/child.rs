//! One measured import in a child process: its output goes to log files, its `RESULT` line
//! gives rows and import time, `wait4` its peak RSS, and a sampler its RSS over time.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::results::{ImportResult, RunRecord};
use crate::error::{BenchError, Result};
use crate::measure::run_measured;

/// The log files of one child: `<stem>.out` (stdout) and `<stem>.err` (stderr).
fn log_paths(stem: &Path) -> (PathBuf, PathBuf) {
    (stem.with_extension("out"), stem.with_extension("err"))
}

/// Runs `command` as run number `run`, its stdout and stderr written to the log files of
/// `log_stem`, sampling its RSS every `interval`. A child that fails, or ends without a
/// `RESULT` line, gives a record with its error (and what was measured of it), not an error.
///
/// # Errors
///
/// [`BenchError::Io`] when a log file cannot be created or read, or the program cannot be
/// spawned; [`BenchError::Os`] when measuring fails.
pub(crate) fn measure_child(
    command: &mut Command,
    log_stem: &Path,
    run: usize,
    interval: Duration,
) -> Result<RunRecord> {
    let (out_path, err_path) = log_paths(log_stem);
    let create = |path: &Path| {
        File::create(path).map_err(|source| BenchError::Io {
            path: path.to_owned(),
            source,
        })
    };
    command
        .stdin(Stdio::null())
        .stdout(create(&out_path)?)
        .stderr(create(&err_path)?);
    let measured = run_measured(command, interval)?;
    let read = |path: &Path| {
        fs::read_to_string(path).map_err(|source| BenchError::Io {
            path: path.to_owned(),
            source,
        })
    };
    let stdout = read(&out_path)?;
    let stderr = read(&err_path)?;
    let status = measured.usage.status;
    let last_err = last_line(&stderr);
    let result = match ImportResult::find_in(&stdout) {
        _ if !status.success() => Err(format!("{status}: {last_err}")),
        None => Err(format!("{status} without a RESULT line: {last_err}")),
        Some(Err(e)) => Err(format!("bad RESULT line: {e}")),
        Some(Ok(result)) => Ok(result),
    };
    let (error, rows, seconds, rows_per_s, import_cpu_seconds) = match result {
        Ok(r) => (None, r.rows, r.seconds, r.rows_per_s, r.cpu_seconds),
        Err(e) => (
            Some(format!("{e} (logs: {})", err_path.display())),
            0,
            0.0,
            0.0,
            None,
        ),
    };
    Ok(RunRecord {
        run,
        error,
        rows,
        seconds,
        rows_per_s,
        wall_seconds: measured.wall.as_secs_f64(),
        peak_rss_bytes: measured.usage.peak_rss_bytes,
        user_seconds: measured.usage.user.as_secs_f64(),
        system_seconds: measured.usage.system.as_secs_f64(),
        import_cpu_seconds,
        rss_series: measured
            .samples
            .iter()
            .map(|s| [s.elapsed_ms, s.rss_bytes])
            .collect(),
    })
}

/// The last non-empty line of `text`, or `(no output)`.
fn last_line(text: &str) -> &str {
    text.lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("(no output)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str) -> Command {
        let mut command = Command::new("sh");
        command.args(["-c", script]);
        command
    }

    #[test]
    fn child_with_a_result_line_gives_its_rows_and_rate() {
        let dir = tempfile::tempdir().expect("temp dir");
        let line = ImportResult {
            table: "Person".into(),
            rows: 42,
            rejected: 0,
            bytes: 4200,
            seconds: 0.5,
            rows_per_s: 84.0,
            peak_rss_bytes: 1 << 20,
            cpu_seconds: Some(0.75),
        }
        .to_line();
        let record = measure_child(
            &mut sh(&format!("echo progress; echo '{line}'")),
            &dir.path().join("ok"),
            2,
            Duration::from_millis(5),
        )
        .expect("measures");
        assert_eq!(record.error, None);
        assert_eq!((record.run, record.rows, record.rows_per_s), (2, 42, 84.0));
        assert_eq!(record.import_cpu_seconds, Some(0.75));
        assert_eq!(record.cpu_percent(), 150.0);
        assert!(record.peak_rss_bytes > 0 && record.wall_seconds > 0.0);
        assert!(dir.path().join("ok.out").exists());
    }

    #[test]
    fn child_without_a_result_line_is_a_failed_run_naming_its_stderr() {
        let dir = tempfile::tempdir().expect("temp dir");
        let record = measure_child(
            &mut sh("echo 'error: rel tables are not built yet' >&2"),
            &dir.path().join("quiet"),
            1,
            Duration::from_millis(5),
        )
        .expect("measures");
        let error = record.error.expect("failed");
        assert!(
            error.contains("without a RESULT line: error: rel tables are not built yet"),
            "{error}"
        );
        assert_eq!((record.rows, record.rows_per_s), (0, 0.0));
    }

    #[test]
    fn failing_child_is_a_failed_run_with_its_status() {
        let dir = tempfile::tempdir().expect("temp dir");
        let record = measure_child(
            &mut sh("echo 'RESULT {}'; echo boom >&2; exit 3"),
            &dir.path().join("bad"),
            1,
            Duration::from_millis(5),
        )
        .expect("measures");
        let error = record.error.expect("failed");
        assert!(error.contains("3") && error.contains("boom"), "{error}");
    }
}
