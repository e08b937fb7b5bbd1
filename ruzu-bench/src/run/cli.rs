//! `ruzu-bench run`: the command-line options and what the command does with them.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::data::DataSet;
use super::harness::{RunConfig, run_benchmark};
use super::peers::Peers;
use super::plot::plot_all;
use super::table::markdown_report;
use crate::Size;
use crate::error::{BenchError, Result};

/// Options of `ruzu-bench run`.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Data set sizes, comma-separated: 100mb, 500mb, 1gb, 5gb.
    #[arg(long, value_delimiter = ',', default_value = "100mb")]
    pub sizes: Vec<Size>,
    /// One data set of this many persons instead of --sizes (named `<N>p`; for quick runs).
    #[arg(long, conflicts_with = "sizes")]
    pub persons: Option<u64>,
    /// Output directory: results.json, results.md, plots, child logs, databases under test.
    #[arg(long)]
    pub out: PathBuf,
    /// Runs per step; the table shows their median.
    #[arg(long, default_value_t = 3)]
    pub runs: usize,
    /// Where the data sets are generated or reused (`<DIR>/<size>/{person,knows}.csv`).
    #[arg(long, default_value = "target/bench-data")]
    pub data: PathBuf,
    /// Also run the files through Kùzu and DuckDB (Python packages `kuzu`, `duckdb`).
    #[arg(long)]
    pub compare: bool,
    /// The Python interpreter for --compare.
    #[arg(long, default_value = "python3")]
    pub python: PathBuf,
    /// RSS sampling interval in milliseconds.
    #[arg(long, default_value_t = 50)]
    pub sample_ms: u64,
}

impl RunArgs {
    /// Runs the benchmark, prints progress and the table, and writes `results.json`,
    /// `results.md` and the plots into `--out`.
    ///
    /// # Errors
    ///
    /// What [`run_benchmark`] returns, or failing to write a result file or plot.
    pub fn execute(&self) -> Result<()> {
        let data_sets = match self.persons {
            Some(n) => vec![DataSet::persons(n)],
            None => self.sizes.iter().map(|&s| DataSet::from(s)).collect(),
        };
        let exe = std::env::current_exe().map_err(|source| BenchError::Os {
            call: "current_exe",
            source,
        })?;
        let mut notes = Vec::new();
        let peers = if self.compare {
            match Peers::detect(&self.python, &self.out)? {
                Ok(peers) => {
                    let versions = peers
                        .versions()
                        .unwrap_or_else(|| "versions unknown".into());
                    notes.push(format!("peers: {versions}, through Python"));
                    Some(peers)
                }
                Err(reason) => {
                    notes.push(format!("comparison skipped: {reason}"));
                    None
                }
            }
        } else {
            None
        };
        for note in &notes {
            println!("{note}");
        }
        let config = RunConfig {
            data_sets,
            data_dir: self.data.clone(),
            out_dir: self.out.clone(),
            runs: self.runs.max(1),
            exe,
            peers,
            sample_interval: Duration::from_millis(self.sample_ms.max(1)),
        };
        let mut results = run_benchmark(&config, &mut |line| println!("{line}"))?;
        results.notes.extend(notes);
        let machine = &results.machine;
        results.notes.push(format!(
            "machine: {} cores, {:.1} GiB RAM, load average {:.2} at start",
            machine.cores,
            machine.memory_bytes as f64 / f64::from(1u32 << 30),
            machine.load_average
        ));
        let json = self.out.join("results.json");
        results.save(&json)?;
        let table = markdown_report(&results);
        let md = self.out.join("results.md");
        fs::write(&md, &table).map_err(|source| BenchError::Io {
            path: md.clone(),
            source,
        })?;
        let plots = plot_all(&results, &self.out)?;
        println!("\n{table}");
        println!("wrote {}, {}", json.display(), md.display());
        for plot in plots {
            println!("wrote {}", plot.display());
        }
        Ok(())
    }
}
