//! Running one import of a benchmark shape: schemas, a progress bar, and a sink that discards.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use ruzu_copy::{
    BatchSink, CopyOptions, CopyReport, Import, Input, Progress, ResumePoint, SinkContext,
    SinkError, SinkReject,
};
use ruzu_csv::{Batch, Schema};

use crate::error::Result;

/// A sink that counts rows and keeps nothing: measures read + decode + driver alone.
#[derive(Debug, Default)]
pub struct DiscardSink {
    rows: u64,
}

impl DiscardSink {
    /// Rows written so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }
}

impl BatchSink for DiscardSink {
    fn begin(&mut self, _ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        self.rows = 0;
        Ok(None)
    }

    fn write(&mut self, batch: &Batch, _rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    fn checkpoint(&mut self, _resume: &ResumePoint) -> Result<(), SinkError> {
        Ok(())
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        Ok(())
    }

    fn abort(&mut self) -> Result<(), SinkError> {
        Ok(())
    }
}

/// A progress bar on stderr for one import: bytes of the file, rows, rate and ETA. indicatif
/// hides it when stderr is not a terminal.
fn progress_bar(label: &str, total_bytes: u64) -> ProgressBar {
    let bar = ProgressBar::new(total_bytes);
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>8} [{bar:30}] {bytes:>9}/{total_bytes:9} {bytes_per_sec:>11} ETA {eta:>3} {msg}",
        )
        .expect("invariant: the template is valid")
        .progress_chars("=> "),
    );
    bar.set_prefix(label.to_owned());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Imports `path` (CSV with a header) with `schema` into `sink`, showing a progress bar.
///
/// # Errors
///
/// What the import returns: a bad row (the default aborts), an I/O or sink failure.
pub fn import_file(
    label: &str,
    path: &Path,
    schema: Arc<Schema>,
    options: CopyOptions,
    sink: &mut dyn BatchSink,
) -> Result<CopyReport> {
    let total = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(label, total);
    let import = Import::new(label, schema, vec![Input::Path(path.to_owned())], options)
        .with_progress(|p: &Progress| {
            bar.set_position(p.bytes_read);
            let secs = p.elapsed.as_secs_f64().max(1e-9);
            bar.set_message(format!(
                "{} rows, {:.2} M rows/s",
                p.rows_written,
                p.rows_written as f64 / secs / 1e6
            ));
        });
    let report = import.run(sink);
    bar.finish_and_clear();
    Ok(report?)
}
