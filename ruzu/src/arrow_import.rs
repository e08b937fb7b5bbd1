//! Importing Arrow record batches (e.g. DataFusion or Spark output) into a table through the
//! same sink as a CSV import, without a CSV detour.
//!
//! Each record batch is copied into one reused [`Batch`] (`Batch::push_arrow`) and written to
//! the table's sink; the caller's batches are not kept. The memory of the import is the
//! sink's share of `MEMORY_LIMIT` plus one batch.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;
use ruzu_copy::{
    Atomicity, BatchSink, CopyError, CopyOptions, LateReject, Rejection, ResumePoint, SinkCall,
    SinkContext, SinkError, SinkReject,
};
use ruzu_csv::{Batch, Position};
use ruzu_storage::{Store, TableDef};

use crate::error::{Error, Result};
use crate::result::ArrowReport;
use crate::tables;

/// Arena bytes the import's batch starts with (it grows for larger record batches and is
/// shrunk back by `Batch::clear`).
const ARENA_BYTES: usize = 1 << 20;

/// Imports `batches` into `def` within `memory_limit_bytes` (the options' `MEMORY_LIMIT` or
/// the database's).
pub(crate) fn run(
    store: &mut Store,
    def: &TableDef,
    spill_dir: &Path,
    batches: impl IntoIterator<Item = Result<RecordBatch, ArrowError>>,
    options: &CopyOptions,
    memory_limit_bytes: usize,
) -> Result<ArrowReport> {
    let start = Instant::now();
    let schema = Arc::new(tables::copy_schema(store, def)?);
    let mut sink = tables::sink(store, def, spill_dir)?;
    let checkpoint_every = match options.atomicity {
        Atomicity::RollbackAll => None,
        Atomicity::ContinuePartial { commit_every_rows } => Some(commit_every_rows),
    };
    let ctx = SinkContext::new(def.name.clone(), schema.clone(), memory_limit_bytes)
        .with_checkpoints(checkpoint_every.is_some());
    let mut import = ArrowImport {
        table: def.name.clone(),
        sink: sink.as_mut(),
        options,
        checkpoint_every,
        committed: None,
        report: ArrowReport {
            table: def.name.clone(),
            batches: 0,
            rows_imported: 0,
            rows_rejected: 0,
            rejections: Vec::new(),
            elapsed: start.elapsed(),
        },
    };
    let unfinished = import
        .sink
        .begin(&ctx)
        .map_err(|e| import.sink_error(SinkCall::Begin, e))?;
    if let Some(unfinished) = unfinished {
        // Importing now would leave the unfinished import's prefix in the table for good.
        let _ = import.sink.abort();
        return Err(CopyError::UnfinishedImport {
            table: def.name.clone(),
            unfinished: Box::new(unfinished),
        }
        .into());
    }
    let mut batch = Batch::new(schema, 0, ARENA_BYTES);
    let written = batches.into_iter().try_for_each(|record_batch| {
        let record_batch = record_batch.map_err(|e| import.arrow_error(e.to_string()))?;
        import.write(&mut batch, &record_batch)
    });
    let column_names: Vec<String> = batch
        .schema()
        .fields()
        .iter()
        .map(|f| f.name.clone())
        .collect();
    let result = written
        .and_then(|()| import.finish(&column_names))
        .and_then(|()| {
            import
                .sink
                .commit()
                .map_err(|e| import.sink_error(SinkCall::Commit, e))
        });
    match result {
        Ok(()) => {
            import.report.elapsed = start.elapsed();
            Ok(import.report)
        }
        Err(e) => {
            // The import failed already; an abort failure adds nothing the user can act on,
            // and the store discards the uncommitted rest on its own.
            let _ = import.sink.abort();
            Err(e)
        }
    }
}

struct ArrowImport<'a, 's> {
    table: String,
    sink: &'a mut (dyn BatchSink + 's),
    options: &'a CopyOptions,
    checkpoint_every: Option<u64>,
    /// The last checkpoint, in continue-partial mode.
    committed: Option<ResumePoint>,
    report: ArrowReport,
}

impl ArrowImport<'_, '_> {
    /// Writes one record batch; rows refused by the sink are rejected or fail the import.
    fn write(&mut self, batch: &mut Batch, record_batch: &RecordBatch) -> Result<()> {
        let first_row = self.report.rows_imported + self.report.rows_rejected;
        batch.clear();
        batch
            .push_arrow(record_batch, first_row + 1)
            .map_err(|e| self.arrow_error(e.to_string()))?;
        let mut rejects: Vec<SinkReject> = Vec::new();
        self.sink
            .write(batch, &mut rejects)
            .map_err(|e| self.sink_error(SinkCall::Write, e))?;
        for reject in rejects {
            let row = reject.row;
            let position = Position {
                file: None,
                line: first_row + row as u64 + 1,
                byte: 0,
                record: first_row + row as u64,
            };
            let column_name = reject
                .column
                .and_then(|c| batch.schema().fields().get(c.wrapping_sub(1)))
                .map(|f| f.name.clone());
            let rejection = Rejection::from_sink_reject(reject, position, column_name.as_deref());
            if !self.options.ignore_errors {
                return Err(Error::ArrowRow {
                    table: self.table.clone(),
                    stream_row: rejection.position.line,
                    reason: rejection.to_string(),
                });
            }
            self.report.rows_rejected += 1;
            if self.report.rejections.len() < self.options.max_rejects_kept {
                self.report.rejections.push(rejection);
            }
        }
        let rows = batch.num_rows() as u64;
        let rejected = self.report.rows_rejected;
        self.report.rows_imported = first_row + rows - rejected;
        self.report.batches += 1;
        self.checkpoint_if_due()
    }

    /// Collects the rows the sink refuses only at the end (`BatchSink::finish`: duplicate
    /// keys found out of core); they are rejected or fail the import like the others.
    fn finish(&mut self, column_names: &[String]) -> Result<()> {
        let mut failed: Option<Error> = None;
        let mut late = 0u64;
        let (table, options) = (self.table.clone(), self.options);
        let report = &mut self.report;
        let finished = self.sink.finish(&mut |reject: LateReject| {
            let column_name = reject
                .column
                .and_then(|c| column_names.get(c.wrapping_sub(1)))
                .map(String::as_str);
            let rejection = Rejection::from_late_reject(reject, column_name);
            if !options.ignore_errors {
                failed = Some(Error::ArrowRow {
                    table: table.clone(),
                    stream_row: rejection.position.line,
                    reason: rejection.to_string(),
                });
                return ControlFlow::Break(());
            }
            late += 1;
            if report.rejections.len() < options.max_rejects_kept {
                report.rejections.push(rejection);
            }
            ControlFlow::Continue(())
        });
        finished.map_err(|e| self.sink_error(SinkCall::Finish, e))?;
        if let Some(e) = failed {
            return Err(e);
        }
        self.report.rows_rejected += late;
        self.report.rows_imported -= late;
        Ok(())
    }

    fn checkpoint_if_due(&mut self) -> Result<()> {
        let Some(every) = self.checkpoint_every else {
            return Ok(());
        };
        let stored = self.committed.as_ref().map_or(0, |c| c.rows_stored);
        if self.report.rows_imported - stored < every {
            return Ok(());
        }
        let rows_read = self.report.rows_imported + self.report.rows_rejected;
        let point = ResumePoint {
            file_index: 0,
            file: None,
            line: rows_read,
            byte: 0,
            rows_stored: self.report.rows_imported,
            input: None,
        };
        self.sink
            .checkpoint(&point)
            .map_err(|e| self.sink_error(SinkCall::Checkpoint, e))?;
        self.committed = Some(point);
        Ok(())
    }

    fn arrow_error(&self, reason: String) -> Error {
        Error::Arrow {
            table: self.table.clone(),
            batch: self.report.batches,
            reason,
        }
    }

    fn sink_error(&self, call: SinkCall, source: SinkError) -> Error {
        CopyError::Sink {
            table: self.table.clone(),
            call,
            committed: self.committed.clone(),
            source,
        }
        .into()
    }
}
