//! The rounds of `ruzu-bench ratio`: per round and shape the ceiling, the durable import and
//! arrow-csv, one after the other, each in a fresh child process.

use std::fs;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::report::{Probe, RatioResults, RoundRecord, ShapeRatios};
use crate::error::{BenchError, Result};
use crate::run::{Machine, RunRecord, Step, format_mb, format_ratio, measure_child, reset_dir};

/// What [`measure_ratios`] runs.
#[derive(Debug, Clone)]
pub struct RatioConfig {
    /// The directory holding `person.csv` and `knows.csv`.
    pub data_dir: PathBuf,
    /// The shapes to measure; knows imports into the persons of the same round (imported
    /// unmeasured when person is not among them).
    pub shapes: Vec<Step>,
    /// Rounds; the report gives medians over them.
    pub rounds: usize,
    /// The `ruzu-bench` program whose `import` and `decode-arrow` subcommands are the children.
    pub exe: PathBuf,
    /// Where `ratio.json`, `ratio.md`, the child logs and the databases under test go.
    pub out_dir: PathBuf,
    /// `MEMORY_LIMIT` of the ruzu imports (their default when `None`).
    pub memory_limit_bytes: Option<usize>,
    /// How often a child's RSS is sampled.
    pub sample_interval: Duration,
}

impl RatioConfig {
    fn file(&self, step: Step) -> PathBuf {
        self.data_dir.join(format!("{}.csv", step.name()))
    }

    fn log_dir(&self) -> PathBuf {
        self.out_dir.join("logs")
    }

    fn db(&self) -> PathBuf {
        self.out_dir.join("work").join("db")
    }

    /// The child command of `probe` on `step`'s file.
    fn command(&self, probe: Probe, step: Step) -> Command {
        let mut command = Command::new(&self.exe);
        match probe {
            Probe::ArrowCsv => {
                command.args(["decode-arrow", "--shape", step.name()]);
            }
            Probe::Ceiling | Probe::Durable => {
                command.args(["import", "--shape", step.name()]);
                if probe == Probe::Durable {
                    command.arg("--db").arg(self.db());
                }
                if let Some(limit) = self.memory_limit_bytes {
                    command.arg("--memory-limit").arg(limit.to_string());
                }
            }
        }
        command.arg(self.file(step));
        command
    }

    fn measure(&self, probe: Probe, step: Step, round: usize) -> Result<RunRecord> {
        let stem = self.log_dir().join(format!("{step}-{probe}-round{round}"));
        measure_child(
            &mut self.command(probe, step),
            &stem,
            round,
            self.sample_interval,
        )
    }
}

/// Runs the rounds `config` describes and returns what they measured; `log` gets one line
/// per finished shape of a round.
///
/// # Errors
///
/// [`BenchError::Io`] when a data file is missing, or logs or the work directory cannot be
/// written, or a child cannot be spawned; a failing child is a failed measurement in the
/// results (its round gives no ratios), not an error.
pub fn measure_ratios(config: &RatioConfig, log: &mut dyn FnMut(&str)) -> Result<RatioResults> {
    let machine = Machine::current();
    let measured: Vec<Step> = Step::ALL
        .into_iter()
        .filter(|s| config.shapes.contains(s))
        .collect();
    // Knows needs the persons: their file is read even when only knows is measured.
    let mut needed = measured.clone();
    if measured.contains(&Step::Knows) && !measured.contains(&Step::Person) {
        needed.insert(0, Step::Person);
    }
    let mut shapes = Vec::new();
    for &step in &needed {
        let file = config.file(step);
        let file_bytes = fs::metadata(&file)
            .map_err(|source| BenchError::Io {
                path: file.clone(),
                source,
            })?
            .len();
        if measured.contains(&step) {
            shapes.push(ShapeRatios {
                step,
                file,
                file_bytes,
                rounds: Vec::with_capacity(config.rounds),
            });
        }
    }
    let log_dir = config.log_dir();
    fs::create_dir_all(&log_dir).map_err(|source| BenchError::Io {
        path: log_dir,
        source,
    })?;
    for round in 1..=config.rounds.max(1) {
        let db = config.db();
        reset_dir(&db)?;
        let mut persons_ok = true;
        if !measured.contains(&Step::Person) && measured.contains(&Step::Knows) {
            let setup = config.measure(Probe::Durable, Step::Person, round)?;
            persons_ok = setup.is_ok();
            log(&format!(
                "round {round}: persons imported for knows: {}",
                setup.error.as_deref().unwrap_or("ok")
            ));
        }
        for shape in &mut shapes {
            let step = shape.step;
            let ceiling = config.measure(Probe::Ceiling, step, round)?;
            let durable = if step == Step::Knows && !persons_ok {
                not_run(round, "skipped: the person import of this round failed")
            } else {
                config.measure(Probe::Durable, step, round)?
            };
            if step == Step::Person {
                persons_ok = durable.is_ok();
            }
            let arrow_csv = config.measure(Probe::ArrowCsv, step, round)?;
            let record = RoundRecord {
                round,
                ceiling,
                durable,
                arrow_csv,
            };
            log(&describe(step, config.rounds, &record));
            shape.rounds.push(record);
        }
        reset_dir(&db)?;
    }
    Ok(RatioResults {
        machine,
        load_average_end: Machine::current().load_average,
        shapes,
        notes: Vec::new(),
    })
}

/// The record of a measurement that did not run, with the reason.
fn not_run(round: usize, why: &str) -> RunRecord {
    RunRecord {
        run: round,
        error: Some(why.to_owned()),
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

/// One progress line for a finished round of a shape.
fn describe(step: Step, rounds: usize, r: &RoundRecord) -> String {
    let head = format!("{step} round {}/{rounds}", r.round);
    if let Some((probe, error)) = Probe::ALL
        .iter()
        .find_map(|&p| r.get(p).error.as_deref().map(|e| (p, e)))
    {
        return format!("{head}: {probe} FAILED: {error}");
    }
    format!(
        "{head}: ceiling {:.2} M, durable {:.2} M ({:.0} % CPU, peak RSS {}), arrow-csv {:.2} M \
         rows/s: durable/ceiling {}, durable/arrow-csv {}",
        r.ceiling.rows_per_s / 1e6,
        r.durable.rows_per_s / 1e6,
        r.durable.cpu_percent(),
        format_mb(r.durable.peak_rss_bytes as f64),
        r.arrow_csv.rows_per_s / 1e6,
        format_ratio(r.durable_over_ceiling()),
        format_ratio(r.durable_over_arrow()),
    )
}
