//! What a benchmark run records: the `RESULT` line a child prints, every measured run, and the
//! `results.json` file they are saved in.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use ruzu_copy::CopyReport;
use serde::{Deserialize, Serialize};

use super::stats::Summary;
use crate::error::{BenchError, Result};

/// The two imports of a data set, in the order they run (edges need their persons).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    /// `person.csv` into the node table `Person`.
    Person,
    /// `knows.csv` into the rel table `Knows`, into the database the person step made.
    Knows,
}

impl Step {
    /// Both steps, in the order they run.
    pub const ALL: [Step; 2] = [Step::Person, Step::Knows];

    /// `person` or `knows`: the name of the step, of its file (`<name>.csv`) and of the
    /// `import --shape` value.
    pub fn name(self) -> &'static str {
        match self {
            Step::Person => "person",
            Step::Knows => "knows",
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The system an import ran in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum System {
    /// This project, through `ruzu-bench import --db`.
    Ruzu,
    /// Kùzu, through its Python package.
    Kuzu,
    /// DuckDB, through its Python package.
    Duckdb,
}

impl System {
    /// The systems `--compare` runs beside ruzu.
    pub const PEERS: [System; 2] = [System::Kuzu, System::Duckdb];

    /// Lower-case name, as in `results.json` and the peer script's `--system`.
    pub fn name(self) -> &'static str {
        match self {
            System::Ruzu => "ruzu",
            System::Kuzu => "kuzu",
            System::Duckdb => "duckdb",
        }
    }
}

impl fmt::Display for System {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The machine-readable summary line an import child prints on stdout: `RESULT {json}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportResult {
    /// The table imported into.
    pub table: String,
    /// Rows stored.
    pub rows: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Input bytes read.
    pub bytes: u64,
    /// Seconds from the start of the import until its data was durable.
    pub seconds: f64,
    /// `rows / seconds`.
    pub rows_per_s: f64,
    /// The child's own view of its peak RSS (`VmHWM`), in bytes.
    pub peak_rss_bytes: u64,
    /// CPU seconds (user + system, all threads) the child spent during the import alone,
    /// when it measured them (peers do not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_seconds: Option<f64>,
}

impl ImportResult {
    /// What starts the line, before the JSON object.
    pub const PREFIX: &'static str = "RESULT ";

    /// The result of an import that `report` describes, in a process that peaked at
    /// `peak_rss_bytes` and spent `cpu_seconds` of CPU time during the import.
    pub fn from_report(report: &CopyReport, peak_rss_bytes: u64, cpu_seconds: Option<f64>) -> Self {
        Self {
            table: report.table.clone(),
            rows: report.rows_imported,
            rejected: report.rows_rejected,
            bytes: report.bytes_read,
            seconds: report.elapsed.as_secs_f64(),
            rows_per_s: report.rows_per_second(),
            peak_rss_bytes,
            cpu_seconds,
        }
    }

    /// The line to print: [`ImportResult::PREFIX`] and one JSON object, no newline.
    pub fn to_line(&self) -> String {
        let json = serde_json::to_string(self).expect("invariant: plain fields serialize");
        format!("{}{json}", Self::PREFIX)
    }

    /// The last `RESULT` line in `output`, parsed; `None` when there is none.
    ///
    /// # Errors
    ///
    /// The JSON error when the last `RESULT` line does not parse.
    pub fn find_in(output: &str) -> Option<Result<Self, serde_json::Error>> {
        let line = output
            .lines()
            .rev()
            .find_map(|line| line.strip_prefix(Self::PREFIX))?;
        Some(serde_json::from_str(line.trim()))
    }
}

/// One measured run of one step in a child process.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// 1-based number of the run.
    pub run: usize,
    /// Why the run failed; `None` for a good run.
    pub error: Option<String>,
    /// Rows imported (0 for a failed run).
    pub rows: u64,
    /// Import seconds until durable, as the child measured them.
    pub seconds: f64,
    /// Rows per second until durable (0 for a failed run).
    pub rows_per_s: f64,
    /// Seconds from spawning the child to its exit.
    pub wall_seconds: f64,
    /// The child's peak RSS from `wait4`, in bytes.
    pub peak_rss_bytes: u64,
    /// CPU seconds in user mode.
    pub user_seconds: f64,
    /// CPU seconds in the kernel.
    pub system_seconds: f64,
    /// CPU seconds (user + system) of the import alone, as the child measured them; `None`
    /// when it did not (peers, failed runs, results of older versions).
    #[serde(default)]
    pub import_cpu_seconds: Option<f64>,
    /// RSS over time, `[milliseconds since spawn, bytes]`, oldest first.
    pub rss_series: Vec<[u64; 2]>,
}

impl RunRecord {
    /// Whether the run imported its file.
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }

    /// CPU use during the import in percent of one core (200 % = both cores of a 2-core
    /// machine busy): the child's own CPU time of the import over its import time when it
    /// measured it, else its whole life's CPU time (`wait4`) over its wall time.
    pub fn cpu_percent(&self) -> f64 {
        let (cpu, secs) = match self.import_cpu_seconds {
            Some(cpu) => (cpu, self.seconds),
            None => (self.user_seconds + self.system_seconds, self.wall_seconds),
        };
        if secs > 0.0 { 100.0 * cpu / secs } else { 0.0 }
    }
}

/// All runs of one step of one data set in one system.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResult {
    /// The system that ran it.
    pub system: System,
    /// The data set's name, e.g. `100mb`.
    pub size: String,
    /// Persons in the data set (the knows file has twice as many rows).
    pub persons: u64,
    /// Which import.
    pub step: Step,
    /// The CSV file imported.
    pub file: PathBuf,
    /// Its length in bytes.
    pub file_bytes: u64,
    /// Every run, in order.
    pub runs: Vec<RunRecord>,
}

impl StepResult {
    fn ok_runs(&self) -> impl Iterator<Item = &RunRecord> {
        self.runs.iter().filter(|r| r.is_ok())
    }

    /// Rows of the good runs (the last one's; all good runs import the same file).
    pub fn rows(&self) -> Option<u64> {
        self.ok_runs().last().map(|r| r.rows)
    }

    /// Median, min and max rows/s of the good runs; `None` when none succeeded.
    pub fn rows_per_s(&self) -> Option<Summary> {
        Summary::of(self.ok_runs().map(|r| r.rows_per_s))
    }

    /// Median, min and max peak RSS of the good runs, in bytes.
    pub fn peak_rss(&self) -> Option<Summary> {
        Summary::of(self.ok_runs().map(|r| r.peak_rss_bytes as f64))
    }

    /// The good run whose peak RSS is the median one (the run a plot shows).
    pub fn median_run(&self) -> Option<&RunRecord> {
        let mut ok: Vec<&RunRecord> = self.ok_runs().collect();
        ok.sort_by_key(|r| r.peak_rss_bytes);
        ok.get(ok.len().saturating_sub(1) / 2).copied()
    }

    /// The error of the first failed run, when any failed.
    pub fn first_error(&self) -> Option<&str> {
        self.runs.iter().find_map(|r| r.error.as_deref())
    }
}

/// The machine a benchmark ran on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    /// Cores this process may use.
    pub cores: usize,
    /// `MemTotal` of `/proc/meminfo`, in bytes (0 when unknown).
    pub memory_bytes: u64,
    /// The 1-minute load average when the benchmark started (a busy machine shows here).
    pub load_average: f64,
}

impl Machine {
    /// This machine, now.
    pub fn current() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let memory_bytes = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|text| crate::measure::parse_status_kib(&text, "MemTotal"))
            .map_or(0, |kib| kib * 1024);
        let load_average = fs::read_to_string("/proc/loadavg")
            .ok()
            .and_then(|text| text.split_whitespace().next()?.parse().ok())
            .unwrap_or(0.0);
        Self {
            cores,
            memory_bytes,
            load_average,
        }
    }
}

/// Everything one `ruzu-bench run` measured: the content of `results.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BenchResults {
    /// Runs per step (the N of "median of N").
    pub runs_per_step: usize,
    /// Where it ran.
    pub machine: Machine,
    /// Every step of every data set and system, in the order they ran.
    pub steps: Vec<StepResult>,
    /// Remarks for the reader, e.g. why the comparison was skipped.
    pub notes: Vec<String>,
}

impl BenchResults {
    /// The step of `system`, data set `size` and `step`.
    pub fn step(&self, system: System, size: &str, step: Step) -> Option<&StepResult> {
        self.steps
            .iter()
            .find(|s| s.system == system && s.size == size && s.step == step)
    }

    /// Writes the results as pretty JSON to `path`.
    ///
    /// # Errors
    ///
    /// [`BenchError::Io`] when the file cannot be written.
    pub fn save(&self, path: &Path) -> Result<()> {
        let json = serde_json::to_string_pretty(self).expect("invariant: plain fields serialize");
        fs::write(path, json).map_err(|source| BenchError::Io {
            path: path.to_owned(),
            source,
        })
    }

    /// Reads results written by [`BenchResults::save`].
    ///
    /// # Errors
    ///
    /// [`BenchError::Io`] when the file cannot be read, [`BenchError::Json`] when it does not
    /// hold results.
    pub fn load(path: &Path) -> Result<Self> {
        let text = fs::read_to_string(path).map_err(|source| BenchError::Io {
            path: path.to_owned(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| BenchError::Json {
            path: path.to_owned(),
            source,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn record(run: usize, rows_per_s: f64, peak_rss_bytes: u64) -> RunRecord {
        RunRecord {
            run,
            error: None,
            rows: 1000,
            seconds: 1000.0 / rows_per_s,
            rows_per_s,
            wall_seconds: 1.5,
            peak_rss_bytes,
            user_seconds: 0.5,
            system_seconds: 0.25,
            import_cpu_seconds: None,
            rss_series: vec![[0, 1 << 20], [50, peak_rss_bytes]],
        }
    }

    /// A run that failed with `error`, as the harness records one.
    pub(crate) fn failed(run: usize, error: &str) -> RunRecord {
        RunRecord {
            error: Some(error.to_owned()),
            rows: 0,
            seconds: 0.0,
            rows_per_s: 0.0,
            ..record(run, 1.0, 1 << 20)
        }
    }

    #[test]
    fn result_line_round_trips_and_the_last_one_wins() {
        let first = ImportResult {
            table: "Person".into(),
            rows: 500_000,
            rejected: 0,
            bytes: 98_000_000,
            seconds: 0.25,
            rows_per_s: 2_000_000.0,
            peak_rss_bytes: 98 << 20,
            cpu_seconds: Some(0.4),
        };
        let second = ImportResult {
            rows: 7,
            ..first.clone()
        };
        let output = format!(
            "progress\n{}\nother\n{}\n",
            first.to_line(),
            second.to_line()
        );
        let found = ImportResult::find_in(&output)
            .expect("a line")
            .expect("parses");
        assert_eq!(found, second);
        assert!(ImportResult::find_in("no result here\n").is_none());
        assert!(
            ImportResult::find_in("RESULT {broken\n")
                .expect("a line")
                .is_err()
        );
    }

    #[test]
    fn results_json_round_trips_through_a_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("results.json");
        let failed = failed(2, "exited with 1: boom");
        let results = BenchResults {
            runs_per_step: 2,
            machine: Machine::current(),
            steps: vec![StepResult {
                system: System::Ruzu,
                size: "100mb".into(),
                persons: 500_000,
                step: Step::Knows,
                file: PathBuf::from("/tmp/knows.csv"),
                file_bytes: 98_000_000,
                runs: vec![record(1, 3e6, 90 << 20), failed],
            }],
            notes: vec!["compare skipped".into()],
        };
        results.save(&path).expect("saves");
        let loaded = BenchResults::load(&path).expect("loads");
        assert_eq!(loaded, results);
        let text = fs::read_to_string(&path).expect("readable");
        assert!(
            text.contains("\"step\": \"knows\"") && text.contains("\"system\": \"ruzu\""),
            "{text}"
        );
    }

    #[test]
    fn summaries_use_only_good_runs() {
        let failed = failed(3, "killed");
        let step = StepResult {
            system: System::Ruzu,
            size: "1gb".into(),
            persons: 5_000_000,
            step: Step::Person,
            file: PathBuf::from("person.csv"),
            file_bytes: 1,
            runs: vec![record(1, 2e6, 300), failed, record(2, 1e6, 100)],
        };
        let rate = step.rows_per_s().expect("two good runs");
        assert_eq!((rate.min, rate.median, rate.max), (1e6, 1.5e6, 2e6));
        assert_eq!(step.peak_rss().expect("good runs").max, 300.0);
        assert_eq!(step.median_run().expect("good runs").run, 2);
        assert_eq!(step.first_error(), Some("killed"));
    }

    #[test]
    fn a_step_without_good_runs_has_no_summary() {
        let failed = failed(1, "no RESULT line");
        let step = StepResult {
            system: System::Kuzu,
            size: "100mb".into(),
            persons: 1,
            step: Step::Knows,
            file: PathBuf::from("knows.csv"),
            file_bytes: 1,
            runs: vec![failed],
        };
        assert!(step.rows_per_s().is_none() && step.peak_rss().is_none());
        assert!(step.median_run().is_none() && step.rows().is_none());
    }
}
