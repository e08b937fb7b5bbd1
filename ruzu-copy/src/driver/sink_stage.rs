//! The last stage of an import, on the calling thread: takes decoded batches in input order,
//! applies the error policy and the atomicity mode, writes to the sink, checkpoints, reports
//! progress, and builds the report.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use ruzu_csv::{Batch, Position, RowError, Schema};

use super::CancelToken;
use super::input::Input;
use super::resume_check::{
    ChunkSum, FileStamp, Mismatch, PrefixCheck, RunningSum, check_start, modified_since,
};
use crate::budget::MemoryAccount;
use crate::error::{CopyError, SinkCall};
use crate::options::{Atomicity, CopyOptions};
use crate::output::{OutputFile, PathRole, ProtectedPaths};
use crate::progress::{Phase, Progress, ProgressClock};
use crate::rejects::{RejectLog, Rejection};
use crate::report::CopyReport;
use crate::sink::{
    BatchSink, LateReject, LocalSink, Prepared, ResumePoint, SinkContext, SinkReject,
};

/// The progress callback of an import.
pub type ProgressFn<'a> = dyn FnMut(&Progress) + 'a;

/// One decoded chunk: its good rows in a batch, its bad records, in input order.
pub(crate) struct Decoded {
    /// Position of the chunk in the whole import (over all files), from 0.
    pub(crate) seq: u64,
    /// Index of the input file.
    pub(crate) file_index: usize,
    /// The batch's slot in the pool (for memory accounting).
    pub(crate) slot: usize,
    /// Good rows.
    pub(crate) batch: Batch,
    /// What the sink's parallel phase made of the batch (not ready when it has none).
    pub(crate) prepared: Prepared,
    /// Bad records, in input order.
    pub(crate) errors: Vec<RowError>,
    /// The checksum of the chunk's bytes (for resume points and their check).
    pub(crate) sum: ChunkSum,
}

/// The sink stage's state for one import.
pub(crate) struct SinkStage<'a, 'p> {
    sink: &'a mut dyn BatchSink,
    table: String,
    /// The batches' schema, for column names of late rejects.
    schema: Arc<Schema>,
    options: &'a CopyOptions,
    rejects: RejectLog,
    sink_rejects: Vec<SinkReject>,
    /// Scratch batch for the rows of a batch after a resume point (one per import).
    scratch: Option<Batch>,
    progress: Option<&'a mut ProgressFn<'p>>,
    clock: ProgressClock,
    account: &'a MemoryAccount,
    rejects_slot: usize,
    bytes_read: Arc<AtomicU64>,
    bytes_total: Option<u64>,
    cancel: CancelToken,
    started: Instant,
    /// The memory limit the import runs with.
    memory_limit_bytes: usize,
    rows_read: u64,
    rows_written: u64,
    rows_skipped: u64,
    rows_since_checkpoint: u64,
    checkpoints: u64,
    /// Everything up to here is handled.
    position: ResumePoint,
    /// The last durable checkpoint.
    committed: Option<ResumePoint>,
    resume_from: Option<ResumePoint>,
    /// Size and modification time of each input when the import started, by file index.
    stamps: Vec<FileStamp>,
    /// The checksum of the current file's records handled so far.
    running: RunningSum,
    /// The comparison of a resumed file's prefix with its resume point, until it matched.
    prefix_check: Option<PrefixCheck>,
    /// The resumed file's size or modification time changed since its resume point.
    resumed_file_modified: bool,
}

/// What the stage needs besides the sink and the options.
pub(crate) struct StageSetup<'a, 'p> {
    pub(crate) table: String,
    pub(crate) progress: Option<&'a mut ProgressFn<'p>>,
    pub(crate) max_batch_rows: u64,
    pub(crate) account: &'a MemoryAccount,
    pub(crate) rejects_slot: usize,
    pub(crate) bytes_read: Arc<AtomicU64>,
    pub(crate) bytes_total: Option<u64>,
    pub(crate) cancel: CancelToken,
    /// Paths the rejects file must not be.
    pub(crate) protected: &'a ProtectedPaths,
    /// The memory limit the import runs with.
    pub(crate) memory_limit_bytes: usize,
}

impl<'a, 'p> SinkStage<'a, 'p> {
    /// Opens the rejects file, calls `begin` on the sink, and decides what to do with the
    /// resume point it returns: resume from it after checking the inputs (`RESUME=true`), or
    /// refuse the import (an unfinished import's prefix is in the table, or there is nothing
    /// to resume).
    pub(crate) fn begin(
        sink: &'a mut dyn BatchSink,
        options: &'a CopyOptions,
        ctx: &SinkContext,
        setup: StageSetup<'a, 'p>,
        inputs: &[Input],
    ) -> Result<Self, CopyError> {
        let file = match &options.rejects_path {
            Some(path) => Some(OutputFile::create(
                path,
                PathRole::Rejects,
                setup.protected,
            )?),
            None => None,
        };
        let rejects = RejectLog::new(options.max_rejects_kept, file)?;
        let mut stage = SinkStage {
            sink,
            table: setup.table,
            schema: ctx.schema.clone(),
            options,
            rejects,
            sink_rejects: Vec::new(),
            scratch: None,
            progress: setup.progress,
            clock: ProgressClock::new(options.progress_every_rows, setup.max_batch_rows),
            account: setup.account,
            rejects_slot: setup.rejects_slot,
            bytes_read: setup.bytes_read,
            bytes_total: setup.bytes_total,
            cancel: setup.cancel,
            started: Instant::now(),
            memory_limit_bytes: setup.memory_limit_bytes,
            rows_read: 0,
            rows_written: 0,
            rows_skipped: 0,
            rows_since_checkpoint: 0,
            checkpoints: 0,
            position: ResumePoint::default(),
            committed: None,
            resume_from: None,
            stamps: inputs.iter().map(FileStamp::of).collect(),
            running: RunningSum::default(),
            prefix_check: None,
            resumed_file_modified: false,
        };
        let resume = match stage.sink.begin(ctx) {
            Ok(resume) => resume,
            Err(source) => return Err(stage.fail_sink(SinkCall::Begin, source)),
        };
        let table = stage.table.clone();
        match (options.resume, resume) {
            (false, None) => {}
            (false, Some(unfinished)) => {
                return Err(stage.fail(CopyError::UnfinishedImport {
                    table,
                    unfinished: Box::new(unfinished),
                }));
            }
            (true, None) => return Err(stage.fail(CopyError::NothingToResume { table })),
            (true, Some(r)) => {
                if let Err(change) = check_start(&r, inputs) {
                    return Err(stage.fail(CopyError::ResumeMismatch {
                        table,
                        unfinished: Box::new(r),
                        change,
                    }));
                }
                stage.prefix_check = PrefixCheck::new(&r);
                stage.resumed_file_modified = modified_since(
                    &r,
                    stage.stamps.get(r.file_index).copied().unwrap_or_default(),
                );
                stage.position = r.clone();
                stage.committed = Some(r.clone());
                stage.rows_written = 0;
                stage.resume_from = Some(r);
            }
        }
        Ok(stage)
    }

    /// The file and byte at which a decoder splits the checksum of the chunk that straddles
    /// the resumed file's checked prefix, while that check is open.
    pub(crate) fn prefix_split(&self) -> Option<(usize, u64)> {
        self.prefix_check.as_ref().map(PrefixCheck::split)
    }

    /// The error for a resumed file whose prefix is not the stored one.
    fn prefix_mismatch(&mut self, m: Mismatch) -> CopyError {
        let unfinished = self
            .resume_from
            .clone()
            .expect("invariant: a prefix check exists only when resuming");
        let path = unfinished
            .file
            .as_deref()
            .map_or_else(|| std::path::PathBuf::from("<input>"), Path::to_path_buf);
        self.fail(CopyError::ResumeMismatch {
            table: self.table.clone(),
            unfinished: Box::new(unfinished),
            change: crate::error::ResumeChange::Content {
                path,
                checked_bytes: m.checked_bytes,
                ended: m.ended,
                modified: self.resumed_file_modified,
            },
        })
    }

    /// Where the import resumes, if it does.
    pub(crate) fn resume_from(&self) -> Option<&ResumePoint> {
        self.resume_from.as_ref()
    }

    /// The table, as named in the statement.
    pub(crate) fn table(&self) -> &str {
        &self.table
    }

    /// One local sink per decoder thread (all `None` when the sink has no parallel phase).
    ///
    /// # Errors
    ///
    /// The sink could not make one: the sink is aborted.
    pub(crate) fn local_sinks(
        &mut self,
        threads: usize,
    ) -> Result<Vec<Option<Box<dyn LocalSink>>>, CopyError> {
        let mut locals = Vec::with_capacity(threads);
        for _ in 0..threads {
            match self.sink.local_sink() {
                Ok(l) => locals.push(l),
                Err(source) => {
                    drop(locals);
                    return Err(self.fail_sink(SinkCall::Prepare, source));
                }
            }
        }
        Ok(locals)
    }

    /// Handles one decoded chunk (in input order).
    ///
    /// # Errors
    ///
    /// A bad row under the abort policy, a failed sink call, a rejects file that cannot be
    /// written, or cancellation. The sink is aborted before the error is returned.
    pub(crate) fn handle(&mut self, decoded: &mut Decoded) -> Result<(), CopyError> {
        if self.cancel.is_cancelled() {
            return Err(self.fail(CopyError::Cancelled { committed: None }));
        }
        let file_index = decoded.file_index;
        if let Some(check) = &mut self.prefix_check
            && let Err(m) = check.add(file_index, &decoded.sum)
        {
            return Err(self.prefix_mismatch(m));
        }
        self.running.add(file_index, &decoded.sum);
        let mut errors = std::mem::take(&mut decoded.errors);
        let last_error = errors.last().map(|e| (e.position.line, e.position.byte));
        let mut skipped = 0;
        if let Some(r) = &self.resume_from {
            let done = |line: u64| {
                file_index < r.file_index || (file_index == r.file_index && line <= r.line)
            };
            errors.retain(|e| !done(e.position.line));
            let batch = &mut decoded.batch;
            let keep_from = batch
                .lines()
                .iter()
                .position(|&l| !done(l))
                .unwrap_or(batch.num_rows());
            if keep_from > 0 {
                skipped = keep_from as u64;
                let scratch = self
                    .scratch
                    .get_or_insert_with(|| Batch::new(batch.schema().clone(), 64, 0));
                scratch.clear();
                copy_rows(batch, keep_from, scratch);
                // The trimmed rows go on in the decoded batch; the original becomes scratch.
                std::mem::swap(batch, scratch);
                // What was prepared was the whole batch: the sink prepares the rest itself.
                decoded.prepared.set_ready(false);
            }
        }
        let batch = &decoded.batch;
        self.rows_skipped += skipped;
        let records = batch.num_rows() as u64 + errors.len() as u64;
        self.rows_read += records + skipped;
        if let (false, Some(first)) = (self.options.ignore_errors, errors.first()) {
            let rejection = Rejection::from_row_error(first.clone());
            return Err(self.fail(CopyError::Row {
                rejection: Box::new(rejection),
                committed: None,
            }));
        }
        self.sink_rejects.clear();
        let written =
            self.sink
                .write_prepared(batch, &mut decoded.prepared, &mut self.sink_rejects);
        if let Err(source) = written {
            return Err(self.fail_sink(SinkCall::Write, source));
        }
        let refused = self.sink_rejects.len() as u64;
        if let (false, Some(first)) = (self.options.ignore_errors, self.sink_rejects.first()) {
            let rejection = sink_rejection(batch, first.clone());
            return Err(self.fail(CopyError::Row {
                rejection: Box::new(rejection),
                committed: None,
            }));
        }
        self.rows_written += batch.num_rows() as u64 - refused;
        self.rows_since_checkpoint += batch.num_rows() as u64 - refused;
        // Record decode errors and sink rejects merged by line, so the rejects file is in
        // input order.
        let mut sink_rejects = std::mem::take(&mut self.sink_rejects);
        let mut csv = errors.drain(..).peekable();
        let mut refused_rows = sink_rejects.drain(..).peekable();
        loop {
            let take_csv = match (csv.peek(), refused_rows.peek()) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(e), Some(r)) => e.position.line <= batch.line(r.row),
            };
            let rejection = if take_csv {
                Rejection::from_row_error(csv.next().expect("invariant: peeked"))
            } else {
                sink_rejection(batch, refused_rows.next().expect("invariant: peeked"))
            };
            if let Err(source) = self.rejects.record(rejection) {
                drop(refused_rows);
                self.sink_rejects = sink_rejects;
                return Err(self.fail(source));
            }
        }
        drop(refused_rows);
        drop(csv);
        self.sink_rejects = sink_rejects;
        decoded.errors = errors;
        self.account
            .set(self.rejects_slot, self.rejects.memory_bytes());
        // Everything of this chunk is handled.
        let last_line = batch.lines().last().copied().unwrap_or(0);
        let last_byte = batch.byte_offsets().last().copied().unwrap_or(0);
        let (line, byte) = match last_error {
            Some((l, b)) if l > last_line => (l, b),
            _ => (last_line, last_byte),
        };
        if line > 0 {
            self.position.file_index = file_index;
            self.position.file = batch.source().cloned();
            self.position.line = line;
            self.position.byte = byte;
            let file = self.stamps.get(file_index).copied().unwrap_or_default();
            self.position.input = Some(Box::new(self.running.stamp(file)));
        }
        self.position.rows_stored = self.rows_written + self.committed_before();
        if let Atomicity::ContinuePartial { commit_every_rows } = self.options.atomicity
            && self.rows_since_checkpoint >= commit_every_rows
        {
            if let Err(source) = self.sink.checkpoint(&self.position) {
                return Err(self.fail_sink(SinkCall::Checkpoint, source));
            }
            self.checkpoints += 1;
            self.rows_since_checkpoint = 0;
            self.committed = Some(self.position.clone());
        }
        if self.clock.due(self.rows_read) {
            self.report(Phase::Loading);
        }
        Ok(())
    }

    /// Rows stored by the interrupted import this one resumes.
    fn committed_before(&self) -> u64 {
        self.resume_from.as_ref().map_or(0, |r| r.rows_stored)
    }

    /// Commits and builds the report.
    ///
    /// # Errors
    ///
    /// The commit failed (the sink is aborted), or the rejects file cannot be flushed.
    pub(crate) fn finish(mut self) -> Result<CopyReport, CopyError> {
        // The reader also stops on cancellation, which ends the input early: never commit
        // that as if it were the whole input.
        if self.cancel.is_cancelled() {
            return Err(self.fail(CopyError::Cancelled { committed: None }));
        }
        if let Some(check) = &mut self.prefix_check
            && let Err(m) = check.finish()
        {
            return Err(self.prefix_mismatch(m));
        }
        self.report(Phase::Committing);
        self.late_rejects()?;
        if let Err(source) = self.sink.commit() {
            return Err(self.fail_sink(SinkCall::Commit, source));
        }
        self.report(Phase::Done);
        let rows_rejected = self.rejects.count();
        let rejects_file = self.rejects.path().map(Path::to_path_buf);
        let rejections = self.rejects.finish()?;
        Ok(CopyReport {
            table: self.table,
            rows_read: self.rows_read,
            rows_imported: self.rows_written,
            rows_rejected,
            rows_skipped: self.rows_skipped,
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            elapsed: self.started.elapsed(),
            peak_memory_bytes: self.account.peak(),
            memory_limit_bytes: self.memory_limit_bytes,
            memory_limit_given: self.options.memory_limit_bytes.is_some(),
            rejections,
            rejects_file,
            resumed_from: self.resume_from,
            checkpoints: self.checkpoints,
        })
    }

    /// Calls [`BatchSink::finish`] and applies the error policy to the rows it refuses late:
    /// the first one fails the import under the abort policy; with `IGNORE_ERRORS` each is
    /// recorded (after the rejects found in input order) and no longer counted as imported.
    fn late_rejects(&mut self) -> Result<(), CopyError> {
        let ignore = self.options.ignore_errors;
        let schema = self.schema.clone();
        let rejects = &mut self.rejects;
        let mut first: Option<Rejection> = None;
        let mut recorded = 0u64;
        let mut log_error = None;
        let result = self.sink.finish(&mut |late: LateReject| {
            let name = late
                .column
                .and_then(|c| schema.fields().get(c.wrapping_sub(1)))
                .map(|f| f.name.clone());
            let rejection = Rejection::from_late_reject(late, name.as_deref());
            if !ignore {
                first = Some(rejection);
                return ControlFlow::Break(());
            }
            match rejects.record(rejection) {
                Ok(()) => {
                    recorded += 1;
                    ControlFlow::Continue(())
                }
                Err(e) => {
                    log_error = Some(e);
                    ControlFlow::Break(())
                }
            }
        });
        self.rows_written = self.rows_written.saturating_sub(recorded);
        self.position.rows_stored = self.rows_written + self.committed_before();
        self.account
            .set(self.rejects_slot, self.rejects.memory_bytes());
        if let Err(source) = result {
            return Err(self.fail_sink(SinkCall::Finish, source));
        }
        if let Some(source) = log_error {
            return Err(self.fail(source));
        }
        if let Some(rejection) = first {
            return Err(self.fail(CopyError::Row {
                rejection: Box::new(rejection),
                committed: None,
            }));
        }
        Ok(())
    }

    /// Aborts the sink after a failed sink call and wraps the error.
    pub(crate) fn fail_sink(
        &mut self,
        call: SinkCall,
        source: crate::sink::SinkError,
    ) -> CopyError {
        self.fail(CopyError::Sink {
            table: self.table.clone(),
            call,
            committed: None,
            source,
        })
    }

    /// Aborts the sink, makes the final progress report and fills in what is committed.
    pub(crate) fn fail(&mut self, mut error: CopyError) -> CopyError {
        // An abort that fails too leaves the original error the one to report: recovery
        // discards the uncommitted rest either way.
        let _ = self.sink.abort();
        // The rejected rows found so far are kept; when even that fails, the error that
        // stopped the import is still the one to report.
        let _ = self.rejects_flush();
        self.report(Phase::Done);
        let committed = match self.options.atomicity {
            Atomicity::RollbackAll => None,
            Atomicity::ContinuePartial { .. } => self.committed.clone(),
        };
        match &mut error {
            CopyError::Sink { committed: c, .. }
            | CopyError::Cancelled { committed: c }
            | CopyError::Row { committed: c, .. } => {
                *c = committed;
            }
            _ => {}
        }
        error
    }

    fn rejects_flush(&mut self) -> Result<(), CopyError> {
        let empty = RejectLog::new(0, None).expect("invariant: a log without a file cannot fail");
        let log = std::mem::replace(&mut self.rejects, empty);
        log.finish().map(drop)
    }

    fn report(&mut self, phase: Phase) {
        let Some(progress) = self.progress.as_mut() else {
            return;
        };
        progress(&Progress {
            phase,
            rows_read: self.rows_read,
            rows_written: self.rows_written,
            rows_rejected: self.rejects.count(),
            bytes_read: self.bytes_read.load(Ordering::Relaxed),
            bytes_total: self.bytes_total,
            elapsed: self.started.elapsed(),
        });
    }
}

fn sink_rejection(batch: &Batch, r: SinkReject) -> Rejection {
    let position = Position {
        file: batch.source().cloned(),
        line: batch.line(r.row),
        byte: batch.byte_offset(r.row),
        record: 0,
    };
    let name = r
        .column
        .and_then(|c| batch.schema().fields().get(c.wrapping_sub(1)))
        .map(|f| f.name.clone());
    Rejection::from_sink_reject(r, position, name.as_deref())
}

/// Copies rows `from..` of `src` into `dst` (the slow path, used once per resumed import).
fn copy_rows(src: &Batch, from: usize, dst: &mut Batch) {
    dst.set_source(src.source().cloned());
    dst.set_seq(src.seq());
    let mut values = Vec::with_capacity(src.schema().len());
    for row in from..src.num_rows() {
        values.clear();
        values.extend((0..src.schema().len()).map(|c| src.value(row, c)));
        dst.push_row(&values, src.line(row), src.byte_offset(row))
            .expect("invariant: rows of a batch fit a batch of the same schema");
    }
}
