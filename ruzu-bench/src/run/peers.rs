//! `--compare`: the same files through Kùzu and DuckDB, via their Python packages, each step
//! in a fresh interpreter measured like ruzu's children.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::results::{Step, System};
use crate::error::{BenchError, Result};

/// The peer import script (see its docstring), written to the output directory.
pub const PEER_SCRIPT: &str = include_str!("peers.py");

/// File name of [`PEER_SCRIPT`] in the output directory.
pub const PEER_SCRIPT_NAME: &str = "peers.py";

/// A Python interpreter that has the `kuzu` and `duckdb` modules, and the written script.
#[derive(Debug, Clone)]
pub struct Peers {
    python: PathBuf,
    script: PathBuf,
}

impl Peers {
    /// Checks that `python` can import `kuzu` and `duckdb`; if so, writes the script into
    /// `out_dir` and returns the runner. `Ok(Err(reason))` says why the comparison cannot run
    /// (no interpreter, a module missing), to report and go on.
    ///
    /// # Errors
    ///
    /// [`BenchError::Io`] when the script cannot be written.
    pub fn detect(python: &Path, out_dir: &Path) -> Result<Result<Self, String>> {
        let probe = Command::new(python)
            .args([
                "-c",
                "import kuzu, duckdb; print(kuzu.__version__, duckdb.__version__)",
            ])
            .stdin(Stdio::null())
            .output();
        let output = match probe {
            Err(e) => return Ok(Err(format!("cannot run {}: {e}", python.display()))),
            Ok(output) => output,
        };
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let why = stderr.lines().last().unwrap_or("").trim().to_owned();
            return Ok(Err(format!(
                "{} cannot import kuzu and duckdb ({why}); try `pip install kuzu duckdb`",
                python.display()
            )));
        }
        fs::create_dir_all(out_dir).map_err(|source| BenchError::Io {
            path: out_dir.to_owned(),
            source,
        })?;
        let script = out_dir.join(PEER_SCRIPT_NAME);
        fs::write(&script, PEER_SCRIPT).map_err(|source| BenchError::Io {
            path: script.clone(),
            source,
        })?;
        Ok(Ok(Self {
            python: python.to_owned(),
            script,
        }))
    }

    /// The versions the interpreter reports, e.g. `kuzu 0.11.3, duckdb 2.0.1`.
    pub fn versions(&self) -> Option<String> {
        let output = Command::new(&self.python)
            .args([
                "-c",
                "import kuzu, duckdb; print(kuzu.__version__, duckdb.__version__)",
            ])
            .output()
            .ok()?;
        let text = String::from_utf8_lossy(&output.stdout);
        let mut parts = text.split_whitespace();
        Some(format!("kuzu {}, duckdb {}", parts.next()?, parts.next()?))
    }

    /// The command of one step of `system` into the database at `db`.
    pub(crate) fn command(&self, system: System, step: Step, db: &Path, file: &Path) -> Command {
        let mut command = Command::new(&self.python);
        command
            .arg(&self.script)
            .args(["--system", system.name(), "--step", step.name(), "--db"])
            .arg(db)
            .arg(file);
        command
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_interpreter_is_a_reason_not_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let reason = Peers::detect(Path::new("/nonexistent/python3"), dir.path())
            .expect("no I/O error")
            .expect_err("cannot run");
        assert!(
            reason.contains("cannot run /nonexistent/python3"),
            "{reason}"
        );
        assert!(!dir.path().join(PEER_SCRIPT_NAME).exists());
    }

    #[test]
    fn script_prints_the_result_line_ruzu_parses() {
        // The script and the Rust side agree on the line's fields.
        for field in [
            "table",
            "rows",
            "rejected",
            "bytes",
            "seconds",
            "rows_per_s",
            "peak_rss_bytes",
        ] {
            assert!(PEER_SCRIPT.contains(&format!("\"{field}\":")), "{field}");
        }
        assert!(PEER_SCRIPT.contains("print(\"RESULT \" + json.dumps(result)"));
    }
}
