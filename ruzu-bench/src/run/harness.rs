//! The benchmark loop: for every data set, system and run, the person import and then the
//! knows import into the same new database, each in a fresh child process.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::child::measure_child;
use super::data::DataSet;
use super::peers::Peers;
use super::results::{BenchResults, Machine, RunRecord, Step, StepResult, System};
use super::table::{format_mb, format_rate};
use crate::error::{BenchError, Result};

/// What [`run_benchmark`] runs.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// The data sets, in the order they run.
    pub data_sets: Vec<DataSet>,
    /// Where data sets are generated or found (`<data_dir>/<name>/{person,knows}.csv`).
    pub data_dir: PathBuf,
    /// Where results, logs and the databases under test go.
    pub out_dir: PathBuf,
    /// Runs per step; the report gives their median.
    pub runs: usize,
    /// The `ruzu-bench` program whose `import` subcommand runs ruzu's imports.
    pub exe: PathBuf,
    /// The peer systems to run beside ruzu, when available.
    pub peers: Option<Peers>,
    /// How often a child's RSS is sampled.
    pub sample_interval: Duration,
}

impl RunConfig {
    /// Directory of the child logs.
    pub fn log_dir(&self) -> PathBuf {
        self.out_dir.join("logs")
    }

    /// Directory of the databases under test (each removed after its run).
    pub fn work_dir(&self) -> PathBuf {
        self.out_dir.join("work")
    }

    fn command(&self, system: System, step: Step, db: &Path, file: &Path) -> Command {
        match (system, &self.peers) {
            (System::Ruzu, _) | (_, None) => {
                let mut command = Command::new(&self.exe);
                command
                    .args(["import", "--shape", step.name(), "--db"])
                    .arg(db)
                    .arg(file);
                command
            }
            (peer, Some(peers)) => peers.command(peer, step, db, file),
        }
    }
}

/// Runs the benchmark `config` describes and returns what it measured; `log` gets one line per
/// finished run (and per generated data set).
///
/// # Errors
///
/// [`BenchError::Io`] when data, logs or work directories cannot be written or a child cannot
/// be spawned; a failing child is a failed run in the results, not an error.
pub fn run_benchmark(config: &RunConfig, log: &mut dyn FnMut(&str)) -> Result<BenchResults> {
    let machine = Machine::current();
    for dir in [config.out_dir.clone(), config.log_dir(), config.work_dir()] {
        fs::create_dir_all(&dir).map_err(|source| BenchError::Io { path: dir, source })?;
    }
    let mut systems = vec![System::Ruzu];
    if config.peers.is_some() {
        systems.extend(System::PEERS);
    }
    let mut steps = Vec::new();
    for set in &config.data_sets {
        log(&format!(
            "data set {}: {} persons in {}",
            set.name,
            set.persons,
            set.dir(&config.data_dir).display()
        ));
        if set.ensure(&config.data_dir)? {
            log(&format!("data set {}: generated", set.name));
        }
        for &system in &systems {
            steps.extend(run_system(config, set, system, log)?);
        }
    }
    Ok(BenchResults {
        runs_per_step: config.runs,
        machine,
        steps,
        notes: Vec::new(),
    })
}

/// All runs of both steps of `set` in `system`.
fn run_system(
    config: &RunConfig,
    set: &DataSet,
    system: System,
    log: &mut dyn FnMut(&str),
) -> Result<[StepResult; 2]> {
    let mut results = Step::ALL.map(|step| {
        let file = set.file(&config.data_dir, step);
        StepResult {
            system,
            size: set.name.clone(),
            persons: set.persons,
            step,
            file_bytes: fs::metadata(&file).map_or(0, |m| m.len()),
            file,
            runs: Vec::with_capacity(config.runs),
        }
    });
    for run in 1..=config.runs.max(1) {
        let work = config.work_dir().join(format!("{system}-{}", set.name));
        reset_dir(&work)?;
        fs::create_dir_all(&work).map_err(|source| BenchError::Io {
            path: work.clone(),
            source,
        })?;
        let db = work.join(match system {
            System::Ruzu => "db",
            System::Kuzu => "kuzu.db",
            System::Duckdb => "duck.db",
        });
        let mut person_ok = true;
        for result in &mut results {
            let step = result.step;
            let record = if step == Step::Knows && !person_ok {
                skipped(run)
            } else {
                let stem = config
                    .log_dir()
                    .join(format!("{system}-{}-{step}-run{run}", set.name));
                let mut command = config.command(system, step, &db, &result.file);
                measure_child(&mut command, &stem, run, config.sample_interval)?
            };
            person_ok &= record.is_ok();
            log(&describe(system, &set.name, step, config.runs, &record));
            result.runs.push(record);
        }
        reset_dir(&work)?;
    }
    Ok(results)
}

/// The record of a knows run that did not start because its person run failed.
fn skipped(run: usize) -> RunRecord {
    RunRecord {
        run,
        error: Some("skipped: the person step of this run failed".to_owned()),
        rows: 0,
        seconds: 0.0,
        rows_per_s: 0.0,
        wall_seconds: 0.0,
        peak_rss_bytes: 0,
        user_seconds: 0.0,
        system_seconds: 0.0,
        import_cpu_seconds: None,
        rss_series: Vec::new(),
    }
}

/// One progress line for a finished run.
fn describe(system: System, size: &str, step: Step, runs: usize, record: &RunRecord) -> String {
    let head = format!("{system} {size} {step} run {}/{runs}", record.run);
    match &record.error {
        None => format!(
            "{head}: {} rows in {:.2} s = {} rows/s, peak RSS {}",
            record.rows,
            record.seconds,
            format_rate(record.rows_per_s),
            format_mb(record.peak_rss_bytes as f64)
        ),
        Some(error) => format!("{head}: FAILED: {error}"),
    }
}

/// Removes `dir` and everything in it, if it exists.
pub(crate) fn reset_dir(dir: &Path) -> Result<()> {
    match fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(BenchError::Io {
            path: dir.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}
