//! The `BatchSink` contract: how the import driver hands decoded rows to a table.

use std::any::Any;
use std::error::Error;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use ruzu_csv::{Batch, Position, Schema};

/// The error a sink returns: any error of the storage layer, boxed, so that this crate never
/// names storage types. The driver wraps it in [`CopyError::Sink`](crate::CopyError::Sink)
/// with the call that failed and keeps it as the error's source.
pub type SinkError = Box<dyn Error + Send + Sync>;

/// What the driver tells a sink when an import starts.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SinkContext {
    /// The table being imported into, as named in the statement.
    pub table: String,
    /// The schema of every batch the sink will receive.
    pub schema: Arc<Schema>,
    /// For a rel table: the node tables of the `FROM` and `TO` endpoints, when the statement
    /// names them (`COPY Knows FROM 'k.csv' (from='Person', to='Person')`).
    pub rel_endpoints: Option<(String, String)>,
    /// The sink's share of the import's `MEMORY_LIMIT`: buffer pool, index and CSR build
    /// buffers, spill buffers. The sink must size every structure that grows with the input
    /// from this, never from the input.
    pub memory_bytes: usize,
    /// Whether the import runs in continue-partial mode (`COMMIT_EVERY`): the driver will call
    /// [`BatchSink::checkpoint`] along the way. In rollback-all mode it never does.
    pub checkpoints: bool,
    /// Whether the statement asked to resume an interrupted import (`RESUME=true`). The sink
    /// returns the [`ResumePoint`] stored by its last durable checkpoint from
    /// [`BatchSink::begin`] either way; the driver decides what to do with it.
    pub resume: bool,
    /// Threads the import runs the parallel phase on (the decoder threads, each asking for
    /// one [`LocalSink`]); also what a sink may use for work of its own, such as building its
    /// structures at `commit`. At least 1.
    pub threads: usize,
    /// Batches in the driver's pool, each with its [`Prepared`] state (what the parallel
    /// phase's memory is multiplied by).
    pub pool_batches: usize,
    /// Most rows in one batch.
    pub max_batch_rows: usize,
}

impl SinkContext {
    /// A context for `table` with `schema`, `memory_bytes` for the sink, no checkpoints and no
    /// resume.
    pub fn new(table: impl Into<String>, schema: Arc<Schema>, memory_bytes: usize) -> Self {
        SinkContext {
            table: table.into(),
            schema,
            rel_endpoints: None,
            memory_bytes,
            checkpoints: false,
            resume: false,
            threads: 1,
            pool_batches: 1,
            max_batch_rows: 1 << 16,
        }
    }

    /// Sets the rel table's endpoint node tables.
    pub fn with_rel_endpoints(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.rel_endpoints = Some((from.into(), to.into()));
        self
    }

    /// Sets whether the driver will checkpoint.
    pub fn with_checkpoints(mut self, checkpoints: bool) -> Self {
        self.checkpoints = checkpoints;
        self
    }

    /// Sets whether the import resumes an interrupted one.
    pub fn with_resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// Sets the threads of the import (at least 1).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Sets the batches of the pool and the most rows per batch (each at least 1).
    pub fn with_batches(mut self, pool_batches: usize, max_batch_rows: usize) -> Self {
        self.pool_batches = pool_batches.max(1);
        self.max_batch_rows = max_batch_rows.max(1);
        self
    }
}

/// Where in the input an import has got to: every record up to and including this one has
/// been handled (stored or rejected). Stored by the sink with each checkpoint, so that a
/// resumed import can skip exactly what is already in the table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResumePoint {
    /// 0-based index of the file in the statement's (expanded, sorted) file list.
    pub file_index: usize,
    /// The file, when known.
    pub file: Option<Arc<Path>>,
    /// 1-based line where the last handled record starts (0: nothing of this file yet).
    pub line: u64,
    /// 0-based byte offset of the last handled record in the decompressed input.
    pub byte: u64,
    /// Rows of this import stored in the table so far (over all files).
    pub rows_stored: u64,
    /// What identifies the file at `file_index`, so that a resumed import can refuse another
    /// or an edited file instead of skipping rows it never stored. `None` only for a resume
    /// point stored by an older version, which a resumed import refuses as unverifiable.
    pub input: Option<Box<InputStamp>>,
}

/// The identity of the file a [`ResumePoint`] is in: checked when an import resumes, before
/// anything is skipped or stored.
///
/// `len_bytes` and `modified_nanos` are compared up front; the checksum when the resumed
/// import has read the input up to `checked_end_byte`, before it stores any row after the
/// resume point.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InputStamp {
    /// Size of the file in bytes (of the compressed file, for a compressed one) when the
    /// import started; `None` for standard input or a reader.
    pub len_bytes: Option<u64>,
    /// The file's modification time when the import started, in nanoseconds since the Unix
    /// epoch; `None` when unknown (standard input, a reader, a time before 1970).
    pub modified_nanos: Option<u64>,
    /// 0-based byte offset, in the decompressed input, just past the last chunk of records
    /// the import had handled: the end of what `records_crc32c` covers.
    pub checked_end_byte: u64,
    /// CRC-32C of the bytes of the input's records before `checked_end_byte`, in input order.
    /// A byte order mark, the `SKIP` records, the header and records longer than
    /// `MAX_LINE_SIZE` are not records and are left out.
    pub records_crc32c: u32,
}

/// Why a sink refused one row of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SinkRejectKind {
    /// The row's primary key is already in the table (from this import or before it).
    DuplicateKey {
        /// The line of the row that holds the key, when the sink knows it.
        first_line: Option<u64>,
    },
    /// The row's primary key is NULL.
    NullKey,
    /// A rel row's endpoint key names no node of the endpoint table.
    MissingEndpoint {
        /// Which endpoint: `"from"` or `"to"`.
        endpoint: &'static str,
    },
    /// A value breaks another rule of the table (a NOT NULL column, a check).
    Constraint {
        /// What the rule says, in lower case, for the error message.
        reason: Box<str>,
    },
}

/// One row a sink refused in [`BatchSink::write`]: not stored, reported by the driver with the
/// row's file, line and byte offset (which it reads from the batch).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SinkReject {
    /// 0-based row index in the batch handed to `write`.
    pub row: usize,
    /// 1-based column the problem is about, when it is about one column.
    pub column: Option<usize>,
    /// What is wrong.
    pub kind: SinkRejectKind,
    /// The offending value as text (the key), cut short by the sink to at most
    /// [`ruzu_csv::MAX_SNIPPET_BYTES`] (use [`ruzu_csv::snippet`]).
    pub text: Option<Box<str>>,
}

/// A row a sink found bad only after its batch was written: a duplicate key that an
/// out-of-core index finds when it is finished, a rel endpoint resolved at the end of the
/// import. Reported by [`BatchSink::finish`]; since the batch is long gone, the sink keeps the
/// row's position itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LateReject {
    /// Where the row's record starts: file, 1-based line, byte offset (`record` may be 0 when
    /// the sink did not keep it).
    pub position: Position,
    /// 1-based column the problem is about, when it is about one column.
    pub column: Option<usize>,
    /// What is wrong.
    pub kind: SinkRejectKind,
    /// The offending value as text, cut short with [`ruzu_csv::snippet`].
    pub text: Option<Box<str>>,
}

/// What a sink's parallel phase made of one batch, carried with the batch from
/// [`LocalSink::prepare`] to [`BatchSink::write_prepared`].
///
/// The driver keeps one `Prepared` per batch of its pool and hands the same one back with the
/// batch every time, so a sink keeps its buffers in it (through
/// [`Prepared::get_or_insert_with`]) and reuses them from batch to batch instead of allocating.
/// What it holds is the sink's own type; the driver never looks inside. Its memory is part of
/// the sink's share ([`SinkContext::memory_bytes`]): the pool holds up to
/// [`SinkContext::pool_batches`] of them.
#[derive(Default)]
pub struct Prepared {
    state: Option<Box<dyn Any + Send>>,
    /// Whether [`LocalSink::prepare`] ran for the batch this travels with.
    ready: bool,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("state", &self.state.is_some())
            .field("ready", &self.ready)
            .finish()
    }
}

impl Prepared {
    /// An empty one.
    pub fn new() -> Self {
        Prepared::default()
    }

    /// The state of type `T`, created by `make` when there is none yet (or one of another
    /// type): what [`LocalSink::prepare`] calls to get its reusable buffers.
    pub fn get_or_insert_with<T: Any + Send>(&mut self, make: impl FnOnce() -> T) -> &mut T {
        if !self.state.as_ref().is_some_and(|s| s.is::<T>()) {
            self.state = Some(Box::new(make()));
        }
        self.state
            .as_mut()
            .and_then(|s| s.downcast_mut::<T>())
            .expect("invariant: a state of type T was just made")
    }

    /// The state of type `T`, when the last [`LocalSink::prepare`] left one: what
    /// [`BatchSink::write_prepared`] reads. `None` when the batch was not prepared (see
    /// [`Prepared::is_ready`]) or holds another type.
    pub fn get_mut<T: Any + Send>(&mut self) -> Option<&mut T> {
        if !self.ready {
            return None;
        }
        self.state.as_mut().and_then(|s| s.downcast_mut::<T>())
    }

    /// Whether [`LocalSink::prepare`] ran for the batch this travels with (the driver sets
    /// it; a sink that calls `prepare` itself sets it with [`Prepared::set_ready`]).
    pub fn is_ready(&self) -> bool {
        self.ready
    }

    /// Marks the state as prepared (`true`) or stale (`false`) for the batch it travels with.
    pub fn set_ready(&mut self, ready: bool) {
        self.ready = ready;
    }
}

/// The per-thread half of a sink's optional parallel phase (DuckDB's local sink state): work on
/// one batch that needs nothing but the batch and what the sink shared when it made the local
/// sink, such as resolving keys against a read-only index or encoding rows.
///
/// The driver asks the sink for one local sink per decoder thread after
/// [`BatchSink::begin`] ([`BatchSink::local_sink`]); each decoder thread then calls
/// [`LocalSink::prepare`] on every batch it decoded, in parallel with the other threads and
/// with the sink's own calls, and in no particular order. The prepared batches reach
/// [`BatchSink::write_prepared`] in input order, on the sink's thread (the ordered apply).
///
/// # Contract
///
/// - `prepare` must not depend on which batches were prepared or applied before: a batch may
///   be prepared long before the batches ahead of it are applied, before or after a
///   `checkpoint`, and it may never be applied (the import failed or stopped). It must not
///   change what the table stores; only `write_prepared` does.
/// - Local sinks are `Send` and owned by their thread: they must not borrow the sink (share
///   read-only state through `Arc`).
/// - The driver drops every local sink before it calls `finish` or `commit`. `abort` may come
///   while local sinks still exist (other threads may be in `prepare`): whatever they share
///   must stay valid after `abort`, and their results are then simply dropped.
/// - An `Err` from `prepare` fails the import as a failed `write` would: the driver calls
///   `abort` and reports the error.
pub trait LocalSink: Send {
    /// Prepares `batch` into `prepared` (whose state the sink keeps from batch to batch; see
    /// [`Prepared::get_or_insert_with`]). Must not keep any reference into `batch`.
    ///
    /// # Errors
    ///
    /// The work failed as a whole (I/O error, corrupt index): the driver aborts the import.
    fn prepare(&mut self, batch: &Batch, prepared: &mut Prepared) -> Result<(), SinkError>;
}

/// A table that receives an import, batch by batch.
///
/// `ruzu-storage` implements it for node and rel tables; tests implement it in memory
/// (`testing::MemorySink`, feature `testing`). The contract below is checked for any
/// implementation by `testing::check_contract`, with and without the parallel phase.
///
/// # Call order
///
/// One import calls, from one thread (the sink is `Send`, never shared):
///
/// ```text
/// begin  local_sink*  (write | write_prepared | checkpoint)*  (finish commit | abort)
/// ```
///
/// `begin` exactly once, first. Then `local_sink` once per decoder thread (see *Parallel
/// phase*). Then `write` or `write_prepared` any number of times (zero included), with
/// `checkpoint` between writes in continue-partial mode. Then either `finish` followed by
/// `commit`, or `abort` (also after a failed or stopped `finish`), except that after a crash
/// neither comes: the process is gone, and the next open of the database must find the state
/// of the last checkpoint (or the state before `begin`). After any error the driver calls only
/// `abort` (and a failing `abort` ends the import).
///
/// # Parallel phase (optional)
///
/// A sink whose per-batch work can run on several threads offers [`LocalSink`]s: the decoder
/// threads prepare batches with them in parallel, and the sink applies each prepared batch in
/// input order in [`BatchSink::write_prepared`]. Work in `prepare` runs on every core; work in
/// `write_prepared` runs on one, so a sink puts there only what depends on the order (row
/// numbers, duplicate checks against earlier rows, appends). The default (`local_sink`
/// returns `None`) keeps the serial path: every batch goes to `write`. Whatever the path,
/// the table must end up exactly the same: `write(batch)` and `prepare(batch)` followed by
/// `write_prepared(batch)` store the same rows and refuse the same rows with the same
/// rejects.
///
/// # Batches are borrowed
///
/// `write` gets a `&Batch` that the driver clears and refills as soon as `write` returns (the
/// batch's arena is reset). The sink must copy whatever it keeps; it cannot hold references
/// into the batch, and the borrow checker enforces that.
///
/// # Rejected rows
///
/// A row the sink cannot store for a reason that is the row's fault (duplicate or NULL primary
/// key, missing rel endpoint, broken constraint) is not an error of the call: the sink leaves
/// the row out, pushes a [`SinkReject`] with its row index to `rejects`, and stores the other
/// rows. The driver turns each reject into a rejected row with the file, line and byte offset
/// of the batch's row, and applies the error policy (abort the import, or skip and record).
/// Rows a sink rejects must not change what it stores; in particular a duplicate key keeps the
/// row stored first.
///
/// # Errors
///
/// An `Err` from any method means the call failed as a whole (I/O error, disk full, corrupt
/// state): nothing is known about the rows of that call. The driver then calls `abort` and
/// reports the error. A sink that failed refuses further `write`, `write_prepared`,
/// `checkpoint` and `commit` calls (with an error) instead of retrying.
pub trait BatchSink: Send {
    /// Starts the import. Called once, before any other method.
    ///
    /// Returns the [`ResumePoint`] stored by the last checkpoint of an interrupted import into
    /// this table, or `None` when there is none (no import was interrupted after a checkpoint,
    /// or the last one completed), whether or not `ctx.resume` is set. With `ctx.resume` the
    /// driver skips every input record up to it; without, the driver refuses the import (the
    /// table holds the prefix of an unfinished one) and calls `abort`.
    ///
    /// # Errors
    ///
    /// The table cannot take an import (schema mismatch, no space): nothing was changed.
    fn begin(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError>;

    /// Stores the rows of `batch` except those it pushes to `rejects`.
    ///
    /// Called any number of times between `begin` and `commit`/`abort`; batches arrive in input
    /// order. `rejects` is empty on entry; each reject names a distinct row, in increasing row
    /// order. The rows become visible to readers only with `checkpoint` or `commit`.
    ///
    /// Must not keep any reference into `batch` after returning.
    ///
    /// # Errors
    ///
    /// The write failed as a whole (I/O error, disk full): the driver aborts.
    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<(), SinkError>;

    /// A [`LocalSink`] for one decoder thread of the parallel phase, or `None` (the default)
    /// for a sink without one: the driver then calls `write` for every batch.
    ///
    /// Called after `begin` and before the first write, once per decoder thread; a sink
    /// returns either a local sink every time or `None` every time.
    ///
    /// # Errors
    ///
    /// The local state cannot be made (no memory, I/O error): the driver aborts the import.
    fn local_sink(&mut self) -> Result<Option<Box<dyn LocalSink>>, SinkError> {
        Ok(None)
    }

    /// Stores the rows of `batch`, which a [`LocalSink`] of this import prepared into
    /// `prepared`, except those it pushes to `rejects`: the ordered apply of the parallel
    /// phase. Exactly as [`BatchSink::write`] otherwise (same call order, rejects and errors).
    ///
    /// The driver may also call it with a batch that was not prepared
    /// ([`Prepared::is_ready`] is false, e.g. after it trimmed the batch on resume): the sink
    /// must then do the work of `prepare` itself. The default ignores `prepared` and calls
    /// `write`, which is right for sinks without a parallel phase.
    ///
    /// # Errors
    ///
    /// As [`BatchSink::write`].
    fn write_prepared(
        &mut self,
        batch: &Batch,
        prepared: &mut Prepared,
        rejects: &mut Vec<SinkReject>,
    ) -> Result<(), SinkError> {
        let _ = prepared;
        self.write(batch, rejects)
    }

    /// Makes every row written so far durable and visible, together with `resume`, the input
    /// position up to which this import is now complete.
    ///
    /// After it returns `Ok`, a crash or a later `abort` leaves exactly these rows (plus the
    /// table's rows from before the import) in the table. Called only in continue-partial
    /// mode, between writes.
    ///
    /// # Errors
    ///
    /// The checkpoint failed: the state of the previous checkpoint (or of before `begin`) is
    /// what a crash or an `abort` must leave.
    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<(), SinkError>;

    /// Reports the rows the sink refuses only now that all rows are written (see
    /// [`LateReject`]); called once after the last `write` and before `commit`, never on the
    /// abort path.
    ///
    /// The sink passes each such row to `on_reject`, in any order; none of them may be
    /// visible after `commit`. When `on_reject` returns [`ControlFlow::Break`] (the abort
    /// policy stops at the first bad row) the sink stops reporting and returns `Ok(())`; the
    /// driver then calls `abort`. The default reports nothing: sinks that refuse rows only in
    /// `write` need not implement it.
    ///
    /// # Errors
    ///
    /// Finding the rows failed (I/O error): the driver calls `abort`.
    fn finish(
        &mut self,
        on_reject: &mut dyn FnMut(LateReject) -> ControlFlow<()>,
    ) -> Result<(), SinkError> {
        let _ = on_reject;
        Ok(())
    }

    /// Ends the import successfully: every row written is durable and visible, atomically
    /// with any earlier checkpoint's rows.
    ///
    /// # Errors
    ///
    /// The commit failed: nothing since the last checkpoint is visible, now or after a crash;
    /// the driver still calls `abort` to release resources.
    fn commit(&mut self) -> Result<(), SinkError>;

    /// Ends the import unsuccessfully: nothing written since the last checkpoint (or since
    /// `begin`, if there was none) is visible, now or after a crash; checkpointed rows stay.
    ///
    /// Must be accepted after any failed call.
    ///
    /// # Errors
    ///
    /// Cleaning up failed. The database must still open in the state above (recovery discards
    /// the uncommitted rest).
    fn abort(&mut self) -> Result<(), SinkError>;
}
