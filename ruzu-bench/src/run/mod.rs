//! The benchmark program behind `ruzu-bench run`: imports of the benchmark files, each step
//! in a fresh child process, measured from outside (peak RSS from `wait4`, RSS over time from
//! `/proc/<pid>/status`) and inside (rows and seconds until durable, from the child's
//! `RESULT` line); medians of N runs, a Markdown table, `results.json` and plots.
//!
//! - [`RunArgs`]: the command line; [`RunConfig`] + [`run_benchmark`]: the loop.
//! - [`BenchResults`] and friends: what is recorded; [`markdown_report`]: the table.
//! - [`Peers`]: Kùzu and DuckDB through Python for `--compare`.
//! - [`plot_all`]: RSS over time and rows/s, SVG and PNG.

mod child;
mod cli;
mod data;
mod harness;
mod peers;
mod plot;
mod results;
mod stats;
mod table;

pub(crate) use child::measure_child;
pub use cli::RunArgs;
pub use data::DataSet;
pub(crate) use harness::reset_dir;
pub use harness::{RunConfig, run_benchmark};
pub use peers::{PEER_SCRIPT, PEER_SCRIPT_NAME, Peers};
pub use plot::{PLOT_FILES, plot_all};
pub use results::{BenchResults, ImportResult, Machine, RunRecord, Step, StepResult, System};
pub use stats::Summary;
pub use table::{format_mb, format_rate, format_ratio, markdown_report};
