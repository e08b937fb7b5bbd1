//! What `ruzu-bench ratio` records (`ratio.json`) and its Markdown table.

use std::fmt::{self, Write};
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{BenchError, Result};
use crate::run::{Machine, RunRecord, Step, Summary, format_mb, format_rate, format_ratio};

/// The three measurements of a round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Probe {
    /// The driver into the discard sink: read + split + decode on every core, no storage.
    Ceiling,
    /// The import into a database, until the commit is synced.
    Durable,
    /// arrow-csv decoding the file on one core.
    ArrowCsv,
}

impl Probe {
    /// The three, in the order a round runs them.
    pub const ALL: [Probe; 3] = [Probe::Ceiling, Probe::Durable, Probe::ArrowCsv];

    /// Name in logs and file names.
    pub fn name(self) -> &'static str {
        match self {
            Probe::Ceiling => "ceiling",
            Probe::Durable => "durable",
            Probe::ArrowCsv => "arrow-csv",
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One round of one shape: the three measurements, one right after the other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundRecord {
    /// 1-based round number.
    pub round: usize,
    /// The decode-only ceiling.
    pub ceiling: RunRecord,
    /// The durable import.
    pub durable: RunRecord,
    /// arrow-csv on one core.
    pub arrow_csv: RunRecord,
}

impl RoundRecord {
    /// The measurement of `probe`.
    pub fn get(&self, probe: Probe) -> &RunRecord {
        match probe {
            Probe::Ceiling => &self.ceiling,
            Probe::Durable => &self.durable,
            Probe::ArrowCsv => &self.arrow_csv,
        }
    }

    /// Whether all three succeeded (only such rounds give ratios).
    pub fn is_ok(&self) -> bool {
        Probe::ALL.iter().all(|&p| self.get(p).is_ok())
    }

    /// Durable rows/s over the ceiling's.
    pub fn durable_over_ceiling(&self) -> f64 {
        self.durable.rows_per_s / self.ceiling.rows_per_s
    }

    /// Durable rows/s over arrow-csv's.
    pub fn durable_over_arrow(&self) -> f64 {
        self.durable.rows_per_s / self.arrow_csv.rows_per_s
    }
}

/// Every round of one shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShapeRatios {
    /// The shape (`person`, `knows`).
    pub step: Step,
    /// The CSV file.
    pub file: PathBuf,
    /// Its length in bytes.
    pub file_bytes: u64,
    /// The rounds, in order.
    pub rounds: Vec<RoundRecord>,
}

/// Medians (with min and max) over the good rounds of a shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShapeSummary {
    /// Rounds whose three measurements all succeeded.
    pub good_rounds: usize,
    /// Rows of the file.
    pub rows: u64,
    /// Ceiling rows/s.
    pub ceiling: Summary,
    /// Durable rows/s.
    pub durable: Summary,
    /// arrow-csv rows/s.
    pub arrow_csv: Summary,
    /// Per-round durable / ceiling.
    pub durable_over_ceiling: Summary,
    /// Per-round durable / arrow-csv.
    pub durable_over_arrow: Summary,
    /// CPU of the durable import, percent of one core.
    pub durable_cpu_percent: Summary,
    /// CPU of the ceiling, percent of one core.
    pub ceiling_cpu_percent: Summary,
    /// Peak RSS of the durable import, bytes.
    pub durable_peak_rss: Summary,
}

impl ShapeRatios {
    fn good(&self) -> impl Iterator<Item = &RoundRecord> + Clone {
        self.rounds.iter().filter(|r| r.is_ok())
    }

    /// The summary of the good rounds; `None` when no round succeeded.
    pub fn summary(&self) -> Option<ShapeSummary> {
        let good = self.good();
        let of = |f: &dyn Fn(&RoundRecord) -> f64| Summary::of(good.clone().map(f));
        Some(ShapeSummary {
            good_rounds: good.clone().count(),
            rows: good.clone().last()?.durable.rows,
            ceiling: of(&|r| r.ceiling.rows_per_s)?,
            durable: of(&|r| r.durable.rows_per_s)?,
            arrow_csv: of(&|r| r.arrow_csv.rows_per_s)?,
            durable_over_ceiling: of(&RoundRecord::durable_over_ceiling)?,
            durable_over_arrow: of(&RoundRecord::durable_over_arrow)?,
            durable_cpu_percent: of(&|r| r.durable.cpu_percent())?,
            ceiling_cpu_percent: of(&|r| r.ceiling.cpu_percent())?,
            durable_peak_rss: of(&|r| r.durable.peak_rss_bytes as f64)?,
        })
    }
}

/// Everything one `ruzu-bench ratio` measured: the content of `ratio.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatioResults {
    /// Where it ran (load average at the start).
    pub machine: Machine,
    /// The 1-minute load average when the last round ended.
    pub load_average_end: f64,
    /// The shapes, in the order they ran within each round.
    pub shapes: Vec<ShapeRatios>,
    /// Remarks for the reader.
    pub notes: Vec<String>,
}

impl RatioResults {
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

    /// Reads results written by [`RatioResults::save`].
    ///
    /// # Errors
    ///
    /// [`BenchError::Io`] when the file cannot be read, [`BenchError::Json`] when it does not
    /// hold ratio results.
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

fn cell(summary: &Summary, format: fn(f64) -> String) -> String {
    format!(
        "{} ({}–{})",
        format(summary.median),
        format(summary.min),
        format(summary.max)
    )
}

fn percent(value: f64) -> String {
    format!("{value:.0} %")
}

/// The Markdown report: one row of medians (min–max) per shape, then every round, the failed
/// measurements and the notes.
pub fn ratio_report(results: &RatioResults) -> String {
    let mut out = String::from(
        "| shape | rows | rounds | decode-only ceiling rows/s | durable rows/s | arrow-csv 1 core \
         rows/s | durable / ceiling | durable / arrow-csv | durable CPU | ceiling CPU | durable \
         peak RSS |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for shape in &results.shapes {
        let Some(s) = shape.summary() else {
            let _ = writeln!(
                out,
                "| {} | — | 0/{} | failed | failed | failed | — | — | — | — | — |",
                shape.step,
                shape.rounds.len()
            );
            continue;
        };
        let _ = writeln!(
            out,
            "| {} | {} | {}/{} | {} | {} | {} | **{}** ({}–{}) | **{}** ({}–{}) | {} | {} | {} |",
            shape.step,
            s.rows,
            s.good_rounds,
            shape.rounds.len(),
            cell(&s.ceiling, format_rate),
            cell(&s.durable, format_rate),
            cell(&s.arrow_csv, format_rate),
            format_ratio(s.durable_over_ceiling.median),
            format_ratio(s.durable_over_ceiling.min),
            format_ratio(s.durable_over_ceiling.max),
            format_ratio(s.durable_over_arrow.median),
            format_ratio(s.durable_over_arrow.min),
            format_ratio(s.durable_over_arrow.max),
            cell(&s.durable_cpu_percent, percent),
            cell(&s.ceiling_cpu_percent, percent),
            cell(&s.durable_peak_rss, format_mb),
        );
    }
    out.push_str(
        "\nEvery round:\n\n| shape | round | ceiling | durable | arrow-csv | durable / ceiling \
         | durable / arrow-csv | durable CPU | durable peak RSS |\n|---|---|---|---|---|---|---|---|---|\n",
    );
    let mut failures = Vec::new();
    for shape in &results.shapes {
        for r in &shape.rounds {
            let mut rate = |probe: Probe| {
                let record = r.get(probe);
                match &record.error {
                    None => format_rate(record.rows_per_s),
                    Some(error) => {
                        failures.push(format!("{} round {} {probe}: {error}", shape.step, r.round));
                        "failed".to_owned()
                    }
                }
            };
            let (ceiling, durable, arrow) = (
                rate(Probe::Ceiling),
                rate(Probe::Durable),
                rate(Probe::ArrowCsv),
            );
            let (over_ceiling, over_arrow) = if r.is_ok() {
                (
                    format_ratio(r.durable_over_ceiling()),
                    format_ratio(r.durable_over_arrow()),
                )
            } else {
                ("—".to_owned(), "—".to_owned())
            };
            let _ = writeln!(
                out,
                "| {} | {} | {ceiling} | {durable} | {arrow} | {over_ceiling} | {over_arrow} | {} | {} |",
                shape.step,
                r.round,
                percent(r.durable.cpu_percent()),
                format_mb(r.durable.peak_rss_bytes as f64),
            );
        }
    }
    if !failures.is_empty() {
        out.push_str("\nFailed measurements:\n\n");
        for failure in failures {
            let _ = writeln!(out, "- {failure}");
        }
    }
    let _ = writeln!(
        out,
        "\nLoad average {:.2} at the start, {:.2} at the end; {} cores.",
        results.machine.load_average, results.load_average_end, results.machine.cores
    );
    for note in &results.notes {
        let _ = writeln!(out, "{note}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::RunRecord;

    fn record(rows_per_s: f64, cpu: Option<f64>) -> RunRecord {
        RunRecord {
            run: 1,
            error: None,
            rows: 1000,
            seconds: 1000.0 / rows_per_s,
            rows_per_s,
            wall_seconds: 2000.0 / rows_per_s,
            peak_rss_bytes: 100 << 20,
            user_seconds: 1.0,
            system_seconds: 0.5,
            import_cpu_seconds: cpu,
            rss_series: Vec::new(),
        }
    }

    fn round(round: usize, ceiling: f64, durable: f64, arrow: f64) -> RoundRecord {
        RoundRecord {
            round,
            ceiling: record(ceiling, None),
            durable: record(durable, Some(1.9 * 1000.0 / durable)),
            arrow_csv: record(arrow, None),
        }
    }

    fn shape(rounds: Vec<RoundRecord>) -> ShapeRatios {
        ShapeRatios {
            step: Step::Person,
            file: PathBuf::from("person.csv"),
            file_bytes: 200_000,
            rounds,
        }
    }

    #[test]
    fn ratios_are_medians_of_the_per_round_ratios() {
        // Round 2 runs on a slower machine: its ratios stay those of the others.
        let s = shape(vec![
            round(1, 4e6, 3e6, 1e6),
            round(2, 2e6, 1.5e6, 0.5e6),
            round(3, 4e6, 2e6, 1e6),
        ])
        .summary()
        .expect("good rounds");
        assert_eq!(s.good_rounds, 3);
        assert_eq!(s.durable_over_ceiling.median, 0.75);
        assert_eq!(
            (s.durable_over_arrow.min, s.durable_over_arrow.median),
            (2.0, 3.0)
        );
        assert!((s.durable_cpu_percent.median - 190.0).abs() < 1e-9);
        assert_eq!(s.durable.median, 2e6);
    }

    #[test]
    fn a_failed_measurement_drops_its_round_and_is_listed() {
        let mut bad = round(2, 4e6, 1e6, 1e6);
        bad.durable.error = Some("exit status: 1: disk full".into());
        let results = RatioResults {
            machine: Machine::current(),
            load_average_end: 0.5,
            shapes: vec![shape(vec![round(1, 4e6, 3e6, 1e6), bad])],
            notes: vec!["a note".into()],
        };
        let s = results.shapes[0].summary().expect("one good round");
        assert_eq!((s.good_rounds, s.durable_over_ceiling.median), (1, 0.75));
        let table = ratio_report(&results);
        assert!(table.contains("| person | 1000 | 1/2 |"), "{table}");
        assert!(
            table.contains("**0.75×**") && table.contains("**3.00×**"),
            "{table}"
        );
        assert!(
            table.contains("person round 2 durable: exit status: 1: disk full"),
            "{table}"
        );
        assert!(table.contains("a note"), "{table}");
    }

    #[test]
    fn a_shape_without_good_rounds_says_failed() {
        let mut bad = round(1, 4e6, 1e6, 1e6);
        bad.ceiling.error = Some("boom".into());
        let shape = shape(vec![bad]);
        assert!(shape.summary().is_none());
        let results = RatioResults {
            machine: Machine::current(),
            load_average_end: 0.0,
            shapes: vec![shape],
            notes: Vec::new(),
        };
        assert!(ratio_report(&results).contains("| person | — | 0/1 | failed"));
    }
}
