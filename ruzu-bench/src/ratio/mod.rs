//! `ruzu-bench ratio`: the measuring stick of import speed on a machine whose absolute speed
//! drifts. In one sitting, on the same files, round after round (interleaved), each in a fresh
//! child process, it measures per shape:
//!
//! - the **decode-only ceiling**: `ruzu-bench import --shape S FILE` into the discard sink
//!   (read, split, typed decode and the driver on every core, no storage);
//! - the **durable import**: `ruzu-bench import --shape S --db DB FILE`, timed until the commit
//!   is synced (person into a new database each round; knows into the database the person
//!   import of the same round made);
//! - the **arrow-csv yardstick**: `ruzu-bench decode-arrow --shape S FILE`, arrow-csv decoding
//!   the file into typed record batches on one core.
//!
//! and reports the medians of the per-round ratios durable / ceiling and durable / arrow-csv,
//! the CPU use of the durable import (its own CPU time over its import time: 200 % is both
//! cores of a 2-core machine busy) and its peak RSS (`wait4`).
//!
//! - [`RatioArgs`]: the command line; [`RatioConfig`] + [`measure_ratios`]: the rounds.
//! - [`RatioResults`]: what was measured (`ratio.json`); [`ratio_report`]: the table.

mod cli;
mod report;
mod rounds;

pub use cli::RatioArgs;
pub use report::{Probe, RatioResults, RoundRecord, ShapeRatios, ShapeSummary, ratio_report};
pub use rounds::{RatioConfig, measure_ratios};
