//! The memory budget of one import: how `MEMORY_LIMIT` is split, and what is in use.
//!
//! The split is fixed before the first byte is read, from the limit, the schema and the thread
//! count, never from the input:
//!
//! | part | share |
//! |---|---|
//! | sink ([`SinkContext::memory_bytes`](crate::SinkContext)) | 1/2 of the limit |
//! | reader: read buffer | 1/32 of the limit, 64 KiB .. 8 MiB |
//! | pipeline: chunks in flight + batch pool | the rest, less a reserve of 1/16 for the rejects kept, decoder state and the reorder queue |
//!
//! The pipeline holds `decoders + 2` chunks (one being filled, one per decoder, one queued) and
//! `decoders + 2` batches (one per decoder, one being written, one waiting in order); every
//! stage waits for a free one, so no stage ever holds more.

use std::sync::atomic::{AtomicUsize, Ordering};

use ruzu_csv::Schema;

/// Fewest rows in a batch, whatever the budget.
const MIN_BATCH_ROWS: usize = 64;
/// Smallest chunk of input handed to a decoder.
const MIN_CHUNK_BYTES: usize = 64 << 10;
/// Most decoder threads of one import, whatever is asked: past the cores of any machine we
/// run on, more threads only add buffers.
pub const MAX_DECODER_THREADS: usize = 64;

/// How one import's memory limit is split. Built by [`BudgetPlan::new`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BudgetPlan {
    /// The whole limit.
    pub memory_limit_bytes: usize,
    /// The sink's share, passed in [`SinkContext`](crate::SinkContext).
    pub sink_bytes: usize,
    /// Size of each large read from the input.
    pub read_buffer_bytes: usize,
    /// Decoder threads.
    pub decoders: usize,
    /// Chunks (whole records of input) circulating between reader and decoders.
    pub chunks: usize,
    /// Input bytes per chunk.
    pub chunk_bytes: usize,
    /// Batches circulating between decoders and the sink.
    pub pool_batches: usize,
    /// Most rows per batch.
    pub batch_rows: usize,
    /// Arena bytes each batch starts with.
    pub batch_arena_bytes: usize,
}

impl BudgetPlan {
    /// Splits `memory_limit_bytes` for an import of rows of `schema` on `decoders` threads,
    /// with batches of at most `max_batch_rows` and chunks of at most `max_chunk_bytes`.
    ///
    /// The threads are part of the budget: each one holds a chunk and a batch, so `decoders`
    /// is capped at [`MAX_DECODER_THREADS`] and at what the pipeline's share holds with chunks
    /// and batch arenas of their smallest size (64 KiB); [`BudgetPlan::decoders`] is the
    /// count the import runs.
    pub fn new(
        memory_limit_bytes: usize,
        schema: &Schema,
        decoders: usize,
        max_batch_rows: usize,
        max_chunk_bytes: usize,
    ) -> Self {
        let sink_bytes = memory_limit_bytes / 2;
        let read_buffer_bytes = (memory_limit_bytes / 32).clamp(64 << 10, 8 << 20);
        let reserve = memory_limit_bytes / 16;
        let pipeline = memory_limit_bytes
            .saturating_sub(sink_bytes + read_buffer_bytes + reserve)
            .max(1 << 20);
        // `decoders + 2` chunks and as many batches, each chunk and each batch arena at least
        // `MIN_CHUNK_BYTES`: that many fit the pipeline.
        let fitting = (pipeline / (4 * MIN_CHUNK_BYTES)).saturating_sub(2);
        let decoders = decoders.clamp(1, fitting.clamp(1, MAX_DECODER_THREADS));
        let chunks = decoders + 2;
        let pool_batches = decoders + 2;
        // A batch's arena holds at most its chunk's bytes (strings are sub-slices of records),
        // so a chunk costs about twice its size: once as input, once in a batch's arena.
        let max_chunk_bytes = max_chunk_bytes.max(1);
        let chunk_bytes = (pipeline / (chunks + pool_batches) / 2)
            .clamp(MIN_CHUNK_BYTES.min(max_chunk_bytes), max_chunk_bytes);
        let per_batch = pipeline / (chunks + pool_batches);
        let row_bytes = row_bytes(schema);
        let max_batch_rows = max_batch_rows.max(1);
        let batch_rows = (per_batch.saturating_sub(chunk_bytes) / row_bytes)
            .clamp(MIN_BATCH_ROWS.min(max_batch_rows), max_batch_rows);
        BudgetPlan {
            memory_limit_bytes,
            sink_bytes,
            read_buffer_bytes,
            decoders,
            chunks,
            chunk_bytes,
            pool_batches,
            batch_rows,
            batch_arena_bytes: chunk_bytes,
        }
    }

    /// Bytes the plan expects the pipeline (reader, chunks, batches) to use at most in steady
    /// state, for `schema`.
    pub fn pipeline_bytes(&self, schema: &Schema) -> usize {
        self.read_buffer_bytes
            + self.chunks * self.chunk_bytes
            + self.pool_batches * (self.batch_rows * row_bytes(schema) + self.batch_arena_bytes)
    }
}

/// Bytes one row takes in a batch, outside the arena: values, validity, string offsets, line
/// and byte offset.
fn row_bytes(schema: &Schema) -> usize {
    16 + schema
        .fields()
        .iter()
        .map(|f| f.data_type.fixed_width_bytes().unwrap_or(4) + 1)
        .sum::<usize>()
}

/// Memory in use by one import, as accounted by its parts, and its peak.
///
/// Each part reports its size when it changes hands ([`MemoryAccount::set`] with a slot per
/// buffer), so the account is exact at those points and costs one atomic add per batch.
#[derive(Debug)]
pub struct MemoryAccount {
    slots: Vec<AtomicUsize>,
    current: AtomicUsize,
    peak: AtomicUsize,
}

impl MemoryAccount {
    /// An account with `slots` buffers, all empty.
    pub fn new(slots: usize) -> Self {
        MemoryAccount {
            slots: (0..slots).map(|_| AtomicUsize::new(0)).collect(),
            current: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Records that buffer `slot` now holds `bytes`.
    ///
    /// # Panics
    ///
    /// If `slot` is not a slot of the account (a driver bug).
    pub fn set(&self, slot: usize, bytes: usize) {
        let old = self.slots[slot].swap(bytes, Ordering::Relaxed);
        let now = if bytes >= old {
            self.current.fetch_add(bytes - old, Ordering::Relaxed) + (bytes - old)
        } else {
            self.current.fetch_sub(old - bytes, Ordering::Relaxed) - (old - bytes)
        };
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    /// Bytes in use now.
    pub fn current(&self) -> usize {
        self.current.load(Ordering::Relaxed)
    }

    /// Most bytes in use at any time so far.
    pub fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ruzu_csv::{DataType, Field};

    fn schema() -> Schema {
        Schema::new(vec![
            Field::new("id", DataType::Int64),
            Field::new("name", DataType::String),
            Field::new("score", DataType::Double),
        ])
    }

    #[test]
    fn plan_stays_within_the_limit_for_any_limit() {
        for limit in [8usize << 20, 64 << 20, 256 << 20, 1 << 30] {
            for decoders in [1, 2, 8] {
                let plan = BudgetPlan::new(limit, &schema(), decoders, 16 * 1024, 4 << 20);
                assert!(
                    plan.pipeline_bytes(&schema()) + plan.sink_bytes <= limit,
                    "limit {limit}, decoders {decoders}: {plan:?}"
                );
                assert!(plan.batch_rows >= MIN_BATCH_ROWS);
            }
        }
    }

    #[test]
    fn threads_are_capped_so_their_buffers_fit_the_limit() {
        for limit in [8usize << 20, 64 << 20, 256 << 20] {
            let plan = BudgetPlan::new(limit, &schema(), 5000, 16 * 1024, 4 << 20);
            assert!(plan.decoders <= MAX_DECODER_THREADS, "{plan:?}");
            assert_eq!(plan.chunks, plan.decoders + 2);
            assert!(
                plan.pipeline_bytes(&schema()) + plan.sink_bytes <= limit,
                "limit {limit}: {plan:?}"
            );
        }
        assert!(BudgetPlan::new(8 << 20, &schema(), 5000, 16 * 1024, 4 << 20).decoders < 16);
        assert_eq!(
            BudgetPlan::new(256 << 20, &schema(), 4, 16 * 1024, 4 << 20).decoders,
            4
        );
    }

    #[test]
    fn batches_never_exceed_the_requested_rows() {
        let plan = BudgetPlan::new(256 << 20, &schema(), 2, 10, 4 << 20);
        assert_eq!(plan.batch_rows, 10);
        let plan = BudgetPlan::new(256 << 20, &schema(), 2, 0, 4 << 20);
        assert_eq!(plan.batch_rows, 1);
    }

    #[test]
    fn plan_does_not_depend_on_anything_but_its_arguments() {
        let a = BudgetPlan::new(128 << 20, &schema(), 2, 16 * 1024, 4 << 20);
        let b = BudgetPlan::new(128 << 20, &schema(), 2, 16 * 1024, 4 << 20);
        assert_eq!(a, b);
        assert_eq!(a.sink_bytes, 64 << 20);
    }

    #[test]
    fn account_tracks_current_and_peak() {
        let account = MemoryAccount::new(3);
        account.set(0, 100);
        account.set(1, 50);
        account.set(0, 20);
        assert_eq!(account.current(), 70);
        assert_eq!(account.peak(), 150);
        account.set(2, 100);
        assert_eq!(account.peak(), 170);
    }
}
