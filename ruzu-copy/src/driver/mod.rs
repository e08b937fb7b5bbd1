//! The streaming import driver: input → chunks → batches → sink, in bounded memory.
//!
//! # How it works
//!
//! ```text
//!  reader thread            decoder threads (N)                calling thread
//!  open, decompress,  ──►   take a free batch, then a   ──►   reorder by seq, error policy,
//!  sniff, Splitter          full chunk; Decoder::decode,       sink.write_prepared,
//!  fills free chunks        LocalSink::prepare; returns        checkpoint, progress;
//!                           the chunk                          returns the batch
//!        ▲                          │ ▲                                  │
//!        └──── free chunks ◄────────┘ └──────── free batches ◄───────────┘
//! ```
//!
//! The parallel phase: when the sink offers [`LocalSink`](crate::LocalSink)s, each decoder
//! thread owns one and prepares every batch it decoded, so that the sink's per-batch work that
//! does not depend on order runs on all decoder threads; the calling thread only applies the
//! prepared batches in order. Each batch of the pool travels with its own
//! [`Prepared`](crate::Prepared) state, so the sink's per-batch buffers are recycled with it.
//!
//! Chunks and batches are fixed sets (sizes from [`BudgetPlan`]) circulating through bounded
//! channels; a stage with nothing free waits, so no stage ever holds more than its set. Chunks
//! carry a sequence number over all files, and the sink stage writes batches strictly in that
//! order, so rows reach the sink in input order with their lines.
//!
//! A decoder takes its batch *before* its chunk. That ordering is what rules out a deadlock
//! when every free batch sits in the reorder queue: the decoder holding the next chunk in
//! sequence always holds a batch for it.
//!
//! Shutdown on error: the sink stage aborts the sink, then drops its ends of the channels;
//! every thread waiting on a channel sees it disconnected and returns.

mod expand;
mod input;
mod resume_check;
mod sink_stage;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use ruzu_csv::{Batch, Chunk, CsvOptions, Decoder, Dialect, Schema, Splitter, detect_dialect};

use crate::budget::{BudgetPlan, MemoryAccount};
use crate::error::CopyError;
use crate::error::SinkCall;
use crate::options::DEFAULT_MEMORY_LIMIT_BYTES;
use crate::options::{Atomicity, CopyOptions};
use crate::output::{PathRole, ProtectedPaths};
use crate::progress::Progress;
use crate::report::CopyReport;
use crate::sink::{BatchSink, LocalSink, Prepared, SinkContext};
use crate::statement::CopyFrom;

pub use expand::expand_paths;
pub use input::Input;
pub use sink_stage::ProgressFn;

use resume_check::ChunkSum;
use sink_stage::{Decoded, SinkStage, StageSetup};

/// Cancels a running import from another thread.
///
/// The import stops at the next batch boundary, aborts the sink and returns
/// [`CopyError::Cancelled`].
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Asks the import to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](CancelToken::cancel) was called.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// One import: inputs, the schema of their fields, options, and the hooks of the caller.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use ruzu_copy::{CopyOptions, Import, Input};
/// use ruzu_copy::testing::{MemorySink, MemoryTable, TableSpec};
/// use ruzu_csv::{DataType, Field, Schema};
///
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("id", DataType::Int64),
///     Field::new("name", DataType::String),
/// ]));
/// let table = MemoryTable::new(TableSpec { schema: schema.clone(), primary_key: Some(0), endpoints: None });
/// let mut sink = MemorySink::new(table.clone());
/// let csv: &'static [u8] = b"id,name\n1,Ann\n2,Bob\n";
/// let report = Import::new("Person", schema, vec![Input::reader(None, csv)], CopyOptions::default())
///     .run(&mut sink)?;
/// assert_eq!(report.rows_imported, 2);
/// assert_eq!(table.lock().expect("table lock").rows().len(), 2);
/// # Ok::<(), ruzu_copy::CopyError>(())
/// ```
pub struct Import<'a> {
    table: String,
    schema: Arc<Schema>,
    inputs: Vec<Input>,
    options: CopyOptions,
    progress: Option<Box<ProgressFn<'a>>>,
    cancel: CancelToken,
    /// Paths the import must not write, besides its inputs.
    protected: ProtectedPaths,
    /// The memory limit when the options give no `MEMORY_LIMIT`.
    default_memory_limit_bytes: usize,
}

impl<'a> Import<'a> {
    /// An import of `inputs` (rows of `schema`, fields in file order) into `table`.
    pub fn new(
        table: impl Into<String>,
        schema: Arc<Schema>,
        inputs: Vec<Input>,
        options: CopyOptions,
    ) -> Self {
        Import {
            table: table.into(),
            schema,
            inputs,
            options,
            progress: None,
            cancel: CancelToken::new(),
            protected: ProtectedPaths::new(),
            default_memory_limit_bytes: DEFAULT_MEMORY_LIMIT_BYTES,
        }
    }

    /// The import a parsed `COPY ... FROM` describes; `schema` is the schema of the file's
    /// fields (the caller maps a column list to it).
    ///
    /// # Errors
    ///
    /// [`CopyError::Input`] when a glob matches nothing or is malformed.
    pub fn from_statement(copy: &CopyFrom, schema: Arc<Schema>) -> Result<Self, CopyError> {
        Ok(Import::new(
            copy.table.clone(),
            schema,
            expand_paths(&copy.paths)?,
            copy.options.clone(),
        ))
    }

    /// Calls `progress` at least every `PROGRESS_EVERY` rows and once at the end.
    pub fn with_progress(mut self, progress: impl FnMut(&Progress) + 'a) -> Self {
        self.progress = Some(Box::new(progress));
        self
    }

    /// Adds paths the import must never write (the database's directory and files): the
    /// rejects file is refused when it is one of them or one of the input files.
    pub fn with_protected_paths(mut self, protected: &ProtectedPaths) -> Self {
        self.protected.extend(protected);
        self
    }

    /// Sets the memory limit used when the options give no `MEMORY_LIMIT` (a database passes
    /// the default it derived from the machine); [`DEFAULT_MEMORY_LIMIT_BYTES`] otherwise.
    pub fn with_default_memory_limit_bytes(mut self, bytes: usize) -> Self {
        self.default_memory_limit_bytes = bytes;
        self
    }

    /// The memory limit the import runs with: the options' `MEMORY_LIMIT`, else the default.
    pub fn memory_limit_bytes(&self) -> usize {
        self.options
            .memory_limit_bytes
            .unwrap_or(self.default_memory_limit_bytes)
    }

    /// Lets `token` cancel the import.
    pub fn with_cancel(mut self, token: CancelToken) -> Self {
        self.cancel = token;
        self
    }

    /// How the memory limit will be split.
    pub fn plan(&self) -> BudgetPlan {
        let decoders = if self.options.csv.parallel {
            self.options.decoder_threads
        } else {
            1
        };
        let max_rows = self
            .options
            .csv
            .batch_rows
            .min(usize::try_from(self.options.progress_every_rows).unwrap_or(usize::MAX));
        BudgetPlan::new(
            self.memory_limit_bytes(),
            &self.schema,
            decoders,
            max_rows,
            self.options.csv.chunk_bytes,
        )
    }

    /// Runs the import into `sink` on this thread plus the plan's reader and decoder threads.
    ///
    /// # Errors
    ///
    /// The first bad row (unless `IGNORE_ERRORS`), a failed sink call, an input that cannot be
    /// read, cancellation. The sink is aborted first: with rollback-all nothing of the import
    /// is visible; with continue-partial the error says up to where the input is in the table.
    pub fn run(mut self, sink: &mut dyn BatchSink) -> Result<CopyReport, CopyError> {
        let plan = self.plan();
        let csv = self
            .options
            .csv
            .clone()
            .with_batch_rows(plan.batch_rows)
            .with_chunk_bytes(plan.chunk_bytes);
        // Slots: 0 rejects, 1 sample, then chunks, then batches.
        let account = MemoryAccount::new(2 + plan.chunks + plan.pool_batches);
        let bytes_read = Arc::new(AtomicU64::new(0));
        let bytes_total = self
            .inputs
            .iter()
            .map(Input::len_bytes)
            .sum::<Option<u64>>();
        let mut ctx = SinkContext::new(self.table.clone(), self.schema.clone(), plan.sink_bytes)
            .with_checkpoints(self.options.atomicity != Atomicity::RollbackAll)
            .with_resume(self.options.resume)
            .with_threads(plan.decoders)
            .with_batches(plan.pool_batches, plan.batch_rows);
        if let (Some(from), Some(to)) = (&self.options.rel_from, &self.options.rel_to) {
            ctx = ctx.with_rel_endpoints(from.clone(), to.clone());
        }
        let options = self.options.clone();
        let inputs = std::mem::take(&mut self.inputs);
        let mut protected = std::mem::take(&mut self.protected);
        for input in &inputs {
            if let Input::Path(path) = input {
                protected.add(path, PathRole::Input);
            }
        }
        let mut stage = SinkStage::begin(
            sink,
            &options,
            &ctx,
            StageSetup {
                table: self.table.clone(),
                progress: self.progress.as_deref_mut(),
                max_batch_rows: plan.batch_rows as u64,
                account: &account,
                rejects_slot: 0,
                bytes_read: bytes_read.clone(),
                bytes_total,
                cancel: self.cancel.clone(),
                protected: &protected,
                memory_limit_bytes: plan.memory_limit_bytes,
            },
            &inputs,
        )?;
        let first_file = stage.resume_from().map_or(0, |r| r.file_index);
        let mut inputs: Vec<(usize, Input)> = inputs
            .into_iter()
            .enumerate()
            .filter(|(i, _)| *i >= first_file)
            .collect();
        if inputs.is_empty() {
            return stage.finish();
        }
        let locals = stage.local_sinks(plan.decoders)?;
        let (first_index, first) = inputs.remove(0);
        let source = first.name();
        let opened = first.open(bytes_read.clone()).and_then(|r| {
            let (dialect, sampled) = detect_dialect(r, &self.schema, &csv, source.as_ref())?;
            account.set(1, sampled.sample_bytes());
            Ok((sampled, dialect))
        });
        let (sampled, dialect) = match opened {
            Ok(x) => x,
            Err(e) => return Err(stage.fail(e)),
        };
        let decoder = match Decoder::new(self.schema.clone(), dialect, &csv) {
            Ok(d) => d,
            Err(e) => return Err(stage.fail(e.into())),
        };
        let first_input: Box<dyn Read + Send> = Box::new(sampled);
        let pipeline = Pipeline {
            plan: &plan,
            csv: &csv,
            schema: &self.schema,
            dialect,
            account: &account,
            bytes_read: &bytes_read,
            cancel: &self.cancel,
        };
        let outcome = pipeline.run(
            &mut stage,
            decoder,
            locals,
            (first_index, source, first_input),
            inputs,
        );
        match outcome {
            Ok(()) => stage.finish(),
            Err(Failure::Handled(e)) => Err(e),
            Err(Failure::Unhandled(e)) => Err(stage.fail(e)),
        }
    }
}

/// An error of the pipeline: already handled by the sink stage (sink aborted), or not yet.
enum Failure {
    Handled(CopyError),
    Unhandled(CopyError),
}

type FullChunk = (u64, usize, usize, Chunk);

struct Pipeline<'p> {
    plan: &'p BudgetPlan,
    csv: &'p CsvOptions,
    schema: &'p Arc<Schema>,
    dialect: Dialect,
    account: &'p MemoryAccount,
    bytes_read: &'p Arc<AtomicU64>,
    cancel: &'p CancelToken,
}

impl Pipeline<'_> {
    fn run(
        &self,
        stage: &mut SinkStage<'_, '_>,
        decoder: Decoder,
        locals: Vec<Option<Box<dyn LocalSink>>>,
        first: (usize, Option<Arc<Path>>, Box<dyn Read + Send>),
        rest: Vec<(usize, Input)>,
    ) -> Result<(), Failure> {
        let plan = self.plan;
        let chunk_slot0 = 2;
        let batch_slot0 = 2 + plan.chunks;
        let (free_chunks_tx, free_chunks_rx) = bounded::<(usize, Chunk)>(plan.chunks);
        for slot in 0..plan.chunks {
            free_chunks_tx
                .send((chunk_slot0 + slot, Chunk::new()))
                .expect("invariant: the channel has room for every chunk");
        }
        let (full_tx, full_rx) = bounded::<FullChunk>(plan.chunks);
        let (free_batches_tx, free_batches_rx) = bounded::<FreeBatch>(plan.pool_batches);
        for slot in 0..plan.pool_batches {
            let batch = Batch::new(self.schema.clone(), plan.batch_rows, plan.batch_arena_bytes);
            self.account.set(batch_slot0 + slot, batch.memory_bytes());
            free_batches_tx
                .send((batch_slot0 + slot, batch, Prepared::new()))
                .expect("invariant: the channel has room for every batch");
        }
        let (decoded_tx, decoded_rx) = unbounded::<Result<Decoded, CopyError>>();
        std::thread::scope(|s| {
            let reader = {
                let bytes_read = self.bytes_read.clone();
                let cancel = self.cancel.clone();
                let csv = self.csv.clone();
                let dialect = self.dialect;
                s.spawn(move || {
                    read_all(ReaderEnds {
                        first,
                        rest,
                        dialect,
                        csv,
                        free: free_chunks_rx,
                        full: full_tx,
                        bytes_read,
                        cancel,
                    })
                })
            };
            let split = stage.prefix_split();
            let decoders: Vec<_> = locals
                .into_iter()
                .map(|local| {
                    let ends = DecoderEnds {
                        decoder: decoder.clone(),
                        local,
                        table: stage.table().to_owned(),
                        free_batches: free_batches_rx.clone(),
                        full: full_rx.clone(),
                        free_chunks: free_chunks_tx.clone(),
                        decoded: decoded_tx.clone(),
                        account: self.account,
                        split,
                    };
                    s.spawn(move || decode_all(ends))
                })
                .collect();
            drop((free_chunks_tx, full_rx, free_batches_rx, decoded_tx));
            let result = write_in_order(stage, &decoded_rx, free_batches_tx);
            drop(decoded_rx);
            let mut panicked = None;
            for d in decoders {
                if let Err(p) = d.join() {
                    panicked = Some(panic_text(p.as_ref()));
                }
            }
            let read = reader
                .join()
                .unwrap_or_else(|p| Err(CopyError::WorkerPanicked(panic_text(p.as_ref()))));
            result?;
            if let Some(p) = panicked {
                return Err(Failure::Unhandled(CopyError::WorkerPanicked(p)));
            }
            read.map_err(Failure::Unhandled)
        })
    }
}

/// A batch of the pool on its way back to a decoder: its slot, the batch, its prepared state.
type FreeBatch = (usize, Batch, Prepared);

/// The sink stage's loop: reorders decoded chunks and hands them to the stage in sequence.
fn write_in_order(
    stage: &mut SinkStage<'_, '_>,
    decoded: &Receiver<Result<Decoded, CopyError>>,
    free_batches: Sender<FreeBatch>,
) -> Result<(), Failure> {
    let mut waiting: BTreeMap<u64, Decoded> = BTreeMap::new();
    let mut next = 0u64;
    for message in decoded.iter() {
        let d = message.map_err(Failure::Unhandled)?;
        waiting.insert(d.seq, d);
        while let Some(mut d) = waiting.remove(&next) {
            stage.handle(&mut d).map_err(Failure::Handled)?;
            next += 1;
            // A decoder that exited leaves nobody to take the batch: that is fine.
            let _ = free_batches.send((d.slot, d.batch, d.prepared));
        }
    }
    if let Some(seq) = waiting.keys().next() {
        return Err(Failure::Unhandled(CopyError::WorkerPanicked(format!(
            "chunk {next} was never decoded (chunk {seq} was)"
        ))));
    }
    Ok(())
}

struct ReaderEnds {
    first: (usize, Option<Arc<Path>>, Box<dyn Read + Send>),
    rest: Vec<(usize, Input)>,
    dialect: Dialect,
    csv: CsvOptions,
    free: Receiver<(usize, Chunk)>,
    full: Sender<FullChunk>,
    bytes_read: Arc<AtomicU64>,
    cancel: CancelToken,
}

/// The reader thread: every input in turn through a splitter into free chunks.
fn read_all(ends: ReaderEnds) -> Result<(), CopyError> {
    let ReaderEnds {
        first,
        rest,
        dialect,
        csv,
        free,
        full,
        bytes_read,
        cancel,
    } = ends;
    let mut seq = 0u64;
    let mut spare: Option<(usize, Chunk)> = None;
    let mut next_input = Some(first);
    let mut rest = rest.into_iter();
    while let Some((file_index, source, input)) = next_input.take() {
        let mut splitter = Splitter::new(input, dialect, &csv, source);
        loop {
            if cancel.is_cancelled() {
                return Ok(());
            }
            let (slot, mut chunk) = match spare.take() {
                Some(c) => c,
                None => match free.recv() {
                    Ok(c) => c,
                    // The sink stage stopped: nothing more to do.
                    Err(_) => return Ok(()),
                },
            };
            if !splitter.next_chunk(&mut chunk)? {
                spare = Some((slot, chunk));
                break;
            }
            if full.send((seq, file_index, slot, chunk)).is_err() {
                return Ok(());
            }
            seq += 1;
        }
        if let Some((index, input)) = rest.next() {
            let source = input.name();
            next_input = Some((index, source, input.open(bytes_read.clone())?));
        }
    }
    Ok(())
}

struct DecoderEnds<'p> {
    decoder: Decoder,
    /// This thread's half of the sink's parallel phase, when the sink has one.
    local: Option<Box<dyn LocalSink>>,
    /// The table, for errors of the parallel phase.
    table: String,
    free_batches: Receiver<FreeBatch>,
    full: Receiver<FullChunk>,
    free_chunks: Sender<(usize, Chunk)>,
    decoded: Sender<Result<Decoded, CopyError>>,
    account: &'p MemoryAccount,
    /// File and end byte of a resumed file's prefix check, while it is open.
    split: Option<(usize, u64)>,
}

/// A decoder thread: a free batch, then the next chunk, decoded (and prepared by the sink's
/// local sink); the chunk goes back.
fn decode_all(mut ends: DecoderEnds<'_>) {
    loop {
        let Ok((slot, mut batch, mut prepared)) = ends.free_batches.recv() else {
            return;
        };
        let Ok((seq, file_index, chunk_slot, chunk)) = ends.full.recv() else {
            return;
        };
        let mut errors = Vec::new();
        // A panic here (a decoder bug) must reach the sink stage as an error: a lost chunk
        // would leave a gap in the sequence that the stage would wait on forever.
        let decoder = &mut ends.decoder;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            decoder.decode(&chunk, &mut batch, &mut |e| errors.push(e))
        }));
        let result = match result {
            Ok(r) => r.map_err(CopyError::from),
            Err(p) => Err(CopyError::WorkerPanicked(panic_text(p.as_ref()))),
        };
        let split = ends
            .split
            .and_then(|(file, end)| (file == file_index).then_some(end));
        let sum = ChunkSum::of(chunk.bytes(), chunk.first_byte(), split);
        prepared.set_ready(false);
        let result = match (result, &mut ends.local) {
            (Ok(_), Some(local)) => prepare(local.as_mut(), &batch, &mut prepared, &ends.table),
            (r, _) => r.map(drop),
        };
        ends.account.set(chunk_slot, chunk.memory_bytes());
        ends.account.set(
            slot,
            batch.memory_bytes() + errors.capacity() * std::mem::size_of::<ruzu_csv::RowError>(),
        );
        // The reader may have finished; a chunk nobody takes is simply dropped.
        let _ = ends.free_chunks.send((chunk_slot, chunk));
        let message = result.map(|_| Decoded {
            seq,
            file_index,
            slot,
            batch,
            prepared,
            errors,
            sum,
        });
        if ends.decoded.send(message).is_err() {
            return;
        }
    }
}

/// Runs the parallel phase on one decoded batch; a panic in the sink's code becomes an error.
fn prepare(
    local: &mut dyn LocalSink,
    batch: &Batch,
    prepared: &mut Prepared,
    table: &str,
) -> Result<(), CopyError> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        local.prepare(batch, prepared)
    }));
    match result {
        Ok(Ok(())) => {
            prepared.set_ready(true);
            Ok(())
        }
        Ok(Err(source)) => Err(CopyError::Sink {
            table: table.to_owned(),
            call: SinkCall::Prepare,
            committed: None,
            source,
        }),
        Err(p) => Err(CopyError::WorkerPanicked(panic_text(p.as_ref()))),
    }
}

fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}
