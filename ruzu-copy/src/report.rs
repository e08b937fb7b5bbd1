//! What an import did: counts, speed, memory, rejected rows.

use std::path::PathBuf;
use std::time::Duration;

use crate::rejects::Rejection;
use crate::sink::ResumePoint;

/// The result of a finished import.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CopyReport {
    /// The table imported into.
    pub table: String,
    /// Records read from the input (rows imported + rows rejected, plus rows skipped by
    /// `RESUME`).
    pub rows_read: u64,
    /// Rows stored in the table.
    pub rows_imported: u64,
    /// Rows rejected (only with `IGNORE_ERRORS=true`; otherwise the first one is an error).
    pub rows_rejected: u64,
    /// Rows skipped because a resumed import had already stored them.
    pub rows_skipped: u64,
    /// Input bytes read (compressed bytes for compressed files).
    pub bytes_read: u64,
    /// Wall time of the whole import, commit included.
    pub elapsed: Duration,
    /// Highest memory the import used at any time, as accounted by the driver (read buffers,
    /// chunks, batches, kept rejections; not the sink's share).
    pub peak_memory_bytes: usize,
    /// The memory limit the import ran with.
    pub memory_limit_bytes: usize,
    /// Whether that limit was the options' `MEMORY_LIMIT`; `false` when the runner's default
    /// applied ([`Import::with_default_memory_limit_bytes`](crate::Import::with_default_memory_limit_bytes)).
    pub memory_limit_given: bool,
    /// The first rejected rows (at most `max_rejects_kept`, in input order).
    pub rejections: Vec<Rejection>,
    /// Where all rejected rows were written, when `REJECTS` was given.
    pub rejects_file: Option<PathBuf>,
    /// Where a resumed import started from.
    pub resumed_from: Option<ResumePoint>,
    /// Checkpoints taken (continue-partial mode).
    pub checkpoints: u64,
}

impl CopyReport {
    /// Rows imported per second of wall time.
    pub fn rows_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.rows_imported as f64 / secs
        } else {
            0.0
        }
    }
}
