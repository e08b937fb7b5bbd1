//! `ruzu-bench ratio`: the command-line options and what the command does with them.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::report::ratio_report;
use super::rounds::{RatioConfig, measure_ratios};
use crate::error::{BenchError, Result};
use crate::run::Step;

/// Options of `ruzu-bench ratio`.
#[derive(Debug, Clone, Args)]
pub struct RatioArgs {
    /// The directory holding `person.csv` and `knows.csv` (as `ruzu-bench gen` writes them).
    #[arg(long)]
    pub data: PathBuf,
    /// Shapes to measure, comma-separated: person, knows.
    #[arg(long, value_delimiter = ',', default_value = "person,knows")]
    pub shapes: Vec<Step>,
    /// Rounds; the table shows medians over them.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Output directory: ratio.json, ratio.md, child logs, the database under test.
    #[arg(long, default_value = "target/bench-ratio")]
    pub out: PathBuf,
    /// MEMORY_LIMIT in bytes of the ruzu imports (ceiling and durable).
    #[arg(long)]
    pub memory_limit: Option<usize>,
    /// RSS sampling interval in milliseconds.
    #[arg(long, default_value_t = 50)]
    pub sample_ms: u64,
}

impl RatioArgs {
    /// Measures, prints progress and the table, and writes `ratio.json` and `ratio.md` into
    /// `--out`.
    ///
    /// # Errors
    ///
    /// What [`measure_ratios`] returns, or failing to write a result file.
    pub fn execute(&self) -> Result<()> {
        let exe = std::env::current_exe().map_err(|source| BenchError::Os {
            call: "current_exe",
            source,
        })?;
        let config = RatioConfig {
            data_dir: self.data.clone(),
            shapes: self.shapes.clone(),
            rounds: self.rounds.max(1),
            exe,
            out_dir: self.out.clone(),
            memory_limit_bytes: self.memory_limit,
            sample_interval: Duration::from_millis(self.sample_ms.max(1)),
        };
        let mut results = measure_ratios(&config, &mut |line| println!("{line}"))?;
        results.notes.push(format!(
            "Each round runs, per shape, the ceiling, the durable import and arrow-csv, each in \
             a fresh child process; data from {}.",
            self.data.display()
        ));
        let json = self.out.join("ratio.json");
        results.save(&json)?;
        let table = ratio_report(&results);
        let md = self.out.join("ratio.md");
        fs::write(&md, &table).map_err(|source| BenchError::Io {
            path: md.clone(),
            source,
        })?;
        println!("\n{table}");
        println!("wrote {}, {}", json.display(), md.display());
        Ok(())
    }
}
