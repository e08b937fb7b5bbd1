//! [`PkIndexBuilder`]: builds an index image from the key column of every batch of a COPY,
//! within a memory budget whatever the number of keys.
//!
//! HOW IT WORKS. The builder starts on the fast path: in-memory tables ([`ShardedTable`], 64
//! shards by the top hash bits once the budget is large) that find duplicates as they arrive. Before each batch it checks that the table, grown by the batch,
//! stays within the budget minus the spill buffers; when it would not, it switches for good to
//! the out-of-core path: the table's entries are written, in insertion order, into `2^bits`
//! spill runs by the top bits of their hash and freed, and every later key goes to its run.
//! `finish` then builds the runs one at a time, in hash order: each run is loaded into a
//! table (duplicates are found there, so on this path they are reported by `finish`); a run
//! whose table would pass the budget is split by the next hash bits into sub-runs, recursively.
//! Each built table is emptied into the [`PageWriter`] in hash order, so the image is written
//! front to back without seeking.
//!
//! Node offsets: the accepted rows of all batches are numbered 0, 1, 2, ... in order; a row
//! refused by [`PkIndexBuilder::insert_batch`] takes no number. On the out-of-core path a
//! duplicate found at `finish` already has its number: the caller must hide that row.

use std::io::Write;
use std::path::{Path, PathBuf};

use ruzu_csv::{ColumnRef, DataType};

use super::error::{PkIndexError, Result};
use super::key::{KeyLayout, for_each_key, hash_key, render_key};
use super::meta::IndexMeta;
use super::page::{PageWriter, entry_bytes, home_pages_for};
use super::sharded::ShardedTable;
use super::spill::{Partitioner, SpillRun};
use super::table::{Insert, MemTable};

/// Most spill runs written at once (`2^MAX_SPILL_BITS`).
const MAX_SPILL_BITS: u32 = 6;
const MIN_SPILL_BLOCK_BYTES: usize = 16 * 1024;
const MAX_SPILL_BLOCK_BYTES: usize = 1024 * 1024;
/// Memory of the page writer and other small buffers of a partition build.
const BUILD_OVERHEAD_BYTES: usize = 16 * 1024;
/// A run of at most this many records is built in memory whatever the budget says, so that
/// splitting always ends (for a budget too small to be useful, or very long keys).
const MIN_SPLIT_RECORDS: u64 = 1024;

/// A row that [`PkIndexBuilder::insert_batch`] refused: it is not in the index and got no node
/// offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyReject {
    /// Row index within the batch.
    pub row: usize,
    /// Line where the row's record starts.
    pub line: u64,
    /// Why the row was refused.
    pub kind: RejectKind,
}

/// Why a row was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectKind {
    /// The primary key is NULL.
    NullKey,
    /// The key was seen before, at `first_line`; the first occurrence is kept.
    Duplicate {
        /// The key as text, cut to [`ruzu_csv::MAX_SNIPPET_BYTES`].
        key: Box<str>,
        /// Line of the first occurrence.
        first_line: u64,
    },
}

/// A duplicate key found by [`PkIndexBuilder::finish`] (out-of-core path): the row at
/// `dup_offset` was stored but is not in the index, and the caller must hide it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duplicate {
    /// The key as text, cut to [`ruzu_csv::MAX_SNIPPET_BYTES`].
    pub key: Box<str>,
    /// Line of the first occurrence, which the index keeps.
    pub first_line: u64,
    /// Line of the duplicate row.
    pub dup_line: u64,
    /// Node offset the duplicate row was given.
    pub dup_offset: u64,
}

enum State {
    /// Fast path: every key so far in memory.
    Memory(ShardedTable),
    /// Out-of-core path: keys appended to spill runs.
    Spill(Partitioner),
}

/// Builds the primary-key index of one node table during COPY.
///
/// Bound: heap memory stays within `budget_bytes` plus one spill block (at most 1 MiB) and the
/// 64 KiB overflow-area buffer, whatever the number of keys. Very long keys (longer than a
/// spill block) are the exception: each is held once while it is moved.
///
/// # Example
///
/// ```
/// # use std::sync::Arc;
/// use ruzu_csv::{Batch, DataType, Field, Schema, Value};
/// use ruzu_storage::{PkIndexBuilder, PkIndexReader};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let spill_dir = tempfile::tempdir()?;
/// let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64)]));
/// let mut batch = Batch::new(schema, 4, 64);
/// for (i, id) in [10i64, 20, 10].into_iter().enumerate() {
///     batch.push_row(&[Value::Int64(id)], i as u64 + 2, 0)?;
/// }
/// let mut builder = PkIndexBuilder::new(DataType::Int64, 1 << 20, spill_dir.path())?;
/// let mut rejects = Vec::new();
/// let accepted = builder.insert_batch(batch.column(0), batch.lines(), &mut rejects)?;
/// assert_eq!(accepted, 2);
/// assert_eq!(rejects[0].line, 4); // the second 10
///
/// let mut image = Vec::new();
/// let (meta, duplicates) = builder.finish_to_vec(&mut image)?;
/// assert!(duplicates.is_empty());
/// let mut reader = PkIndexReader::open(image, meta, 16)?;
/// assert_eq!(reader.lookup(&Value::Int64(20))?, Some(1));
/// assert_eq!(reader.lookup(&Value::Int64(30))?, None);
/// # Ok(())
/// # }
/// ```
pub struct PkIndexBuilder {
    key_type: DataType,
    layout: KeyLayout,
    budget_bytes: usize,
    spill_dir: PathBuf,
    spill_bits: u32,
    spill_block_bytes: usize,
    state: State,
    /// Most memory the fast path's table may use (at most the budget minus spill buffers).
    memory_path_max_bytes: usize,
    /// Node offset of the next accepted row.
    next_offset: u64,
    /// Page bytes of all accepted keys (duplicates found later included).
    entry_bytes_total: u64,
}

impl PkIndexBuilder {
    /// A builder for keys of `key_type` that keeps its heap memory within `budget_bytes` and
    /// writes spill runs (anonymous temporary files) into `spill_dir`.
    ///
    /// A quarter of the budget goes to spill buffers; budgets under about 1 MiB work but
    /// make the out-of-core path split runs many times.
    ///
    /// # Errors
    ///
    /// [`PkIndexError::UnsupportedKeyType`] for `BOOL`, `FLOAT`, `DOUBLE` and `INTERVAL`.
    pub fn new(key_type: DataType, budget_bytes: usize, spill_dir: &Path) -> Result<Self> {
        let layout = KeyLayout::of(key_type).ok_or(PkIndexError::UnsupportedKeyType {
            data_type: key_type,
        })?;
        let buffers = budget_bytes / 4;
        let mut spill_bits = MAX_SPILL_BITS;
        while spill_bits > 1 && buffers >> spill_bits < MIN_SPILL_BLOCK_BYTES {
            spill_bits -= 1;
        }
        let spill_block_bytes =
            (buffers >> spill_bits).clamp(MIN_SPILL_BLOCK_BYTES, MAX_SPILL_BLOCK_BYTES);
        let memory_limit = memory_table_limit(budget_bytes, spill_bits, spill_block_bytes);
        Ok(PkIndexBuilder {
            key_type,
            layout,
            budget_bytes,
            spill_dir: spill_dir.to_path_buf(),
            spill_bits,
            spill_block_bytes,
            state: State::Memory(ShardedTable::new(layout, 0, memory_limit)),
            memory_path_max_bytes: usize::MAX,
            next_offset: 0,
            entry_bytes_total: 0,
        })
    }

    /// Sizes the builder for about `keys` keys: the in-memory table is allocated for them up
    /// front, or, when they cannot fit in the budget, the builder spills from the start.
    ///
    /// # Errors
    ///
    /// I/O errors creating spill runs.
    pub fn with_expected_keys(mut self, keys: u64) -> Result<Self> {
        if let State::Memory(table) = &self.state
            && table.len() == 0
        {
            let keys = usize::try_from(keys).unwrap_or(usize::MAX / 64);
            let key_bytes = if self.layout == KeyLayout::Var {
                keys * 16
            } else {
                0
            };
            let limit = self.memory_table_limit();
            if MemTable::new(self.layout, 0, 0).memory_after(keys, key_bytes) > limit {
                self.state = State::Spill(self.partitioner()?);
            } else {
                self.state = State::Memory(ShardedTable::new(self.layout, keys, limit));
            }
        }
        Ok(self)
    }

    /// Caps the memory of the fast path below the budget: once its table would pass
    /// `bytes`, the builder switches to the out-of-core path. Measured on 5 M keys, the
    /// out-of-core path costs about half the CPU of the fast path (its tables stay in cache)
    /// but reports duplicates only at [`PkIndexBuilder::finish`]; this knob picks the balance.
    pub fn with_memory_path_max_bytes(mut self, bytes: usize) -> Self {
        self.memory_path_max_bytes = bytes;
        self
    }

    /// The key type.
    pub fn key_type(&self) -> DataType {
        self.key_type
    }

    /// Node offset the next accepted row gets (= accepted rows so far).
    pub fn next_offset(&self) -> u64 {
        self.next_offset
    }

    /// Gives the next `n` node offsets to no key: rows stored but deleted (a late duplicate
    /// hidden by an earlier import) keep their offsets.
    pub(crate) fn skip_offsets(&mut self, n: u64) {
        self.next_offset += n;
    }

    /// Whether the builder has switched to the out-of-core path (duplicates are then reported
    /// by [`PkIndexBuilder::finish`]).
    pub fn is_spilling(&self) -> bool {
        matches!(self.state, State::Spill(_))
    }

    /// Heap bytes held now.
    pub fn memory_bytes(&self) -> usize {
        match &self.state {
            State::Memory(table) => table.memory_bytes(),
            State::Spill(partitioner) => partitioner.memory_bytes(),
        }
    }

    fn memory_table_limit(&self) -> usize {
        memory_table_limit(self.budget_bytes, self.spill_bits, self.spill_block_bytes)
            .min(self.memory_path_max_bytes)
    }

    fn partitioner(&self) -> Result<Partitioner> {
        Partitioner::new(
            &self.spill_dir,
            self.layout,
            0,
            self.spill_bits,
            self.spill_block_bytes,
        )
    }

    /// Adds the keys of one batch; `lines[i]` is the line of row `i`. Accepted rows get the
    /// next node offsets in row order. Refused rows are pushed to `rejects` (in row order):
    /// NULL keys always, duplicates when the builder can tell now (fast path). Returns the
    /// number of accepted rows.
    ///
    /// # Errors
    ///
    /// [`PkIndexError::KeyTypeMismatch`], [`PkIndexError::LinesMismatch`], or an I/O error
    /// writing a spill run (the builder is unusable then).
    pub fn insert_batch(
        &mut self,
        keys: ColumnRef<'_>,
        lines: &[u64],
        rejects: &mut Vec<KeyReject>,
    ) -> Result<usize> {
        if lines.len() != keys.len() {
            return Err(PkIndexError::LinesMismatch {
                keys: keys.len(),
                lines: lines.len(),
            });
        }
        if keys.data_type() != self.key_type {
            return Err(PkIndexError::KeyTypeMismatch {
                expected: self.key_type,
                found: keys.data_type(),
            });
        }
        let limit = self.memory_table_limit();
        if let State::Memory(table) = &mut self.state
            && !table.prepare(keys, self.key_type, limit)?
        {
            self.switch_to_spill()?;
        }
        let (layout, key_type) = (self.layout, self.key_type);
        let mut accepted = 0usize;
        let mut next_offset = self.next_offset;
        let mut entry_bytes_total = 0u64;
        match &mut self.state {
            State::Memory(table) => {
                for_each_key(keys, key_type, |row, key| {
                    let line = lines[row];
                    let Some((hash, bytes)) = key else {
                        rejects.push(KeyReject {
                            row,
                            line,
                            kind: RejectKind::NullKey,
                        });
                        return;
                    };
                    match table.insert(hash, bytes, next_offset, line) {
                        None => {
                            next_offset += 1;
                            accepted += 1;
                            entry_bytes_total += entry_bytes(layout, bytes.len()) as u64;
                        }
                        Some(first_line) => rejects.push(KeyReject {
                            row,
                            line,
                            kind: RejectKind::Duplicate {
                                key: render_key(key_type, bytes),
                                first_line,
                            },
                        }),
                    }
                })?;
            }
            State::Spill(partitioner) => {
                let mut failed = None;
                for_each_key(keys, key_type, |row, key| {
                    let line = lines[row];
                    let Some((hash, bytes)) = key else {
                        rejects.push(KeyReject {
                            row,
                            line,
                            kind: RejectKind::NullKey,
                        });
                        return;
                    };
                    if failed.is_some() {
                        return;
                    }
                    match partitioner.push(hash, bytes, next_offset, line) {
                        Ok(()) => {
                            next_offset += 1;
                            accepted += 1;
                            entry_bytes_total += entry_bytes(layout, bytes.len()) as u64;
                        }
                        Err(e) => failed = Some(e),
                    }
                })?;
                if let Some(e) = failed {
                    return Err(e);
                }
            }
        }
        self.next_offset = next_offset;
        self.entry_bytes_total += entry_bytes_total;
        Ok(accepted)
    }

    /// Moves every key of the in-memory table to spill runs and frees the table.
    fn switch_to_spill(&mut self) -> Result<()> {
        let mut partitioner = self.partitioner()?;
        if let State::Memory(tables) = &self.state {
            for table in tables.shards() {
                for index in 0..table.len() {
                    let key = table.key(index);
                    let hash = hash_key(self.layout, key);
                    partitioner.push(hash, key, table.offset(index), table.line(index))?;
                }
            }
        }
        self.state = State::Spill(partitioner);
        Ok(())
    }

    /// Writes the index image to `out`, front to back, and returns its [`IndexMeta`].
    /// Duplicates found now (out-of-core path only) are passed to `on_duplicate`, each once,
    /// in no particular order.
    ///
    /// # Errors
    ///
    /// I/O errors of `out` or of the spill runs; [`PkIndexError::CorruptSpill`] when a spill
    /// run does not read back as written.
    pub fn finish<W: Write>(
        self,
        out: &mut W,
        on_duplicate: &mut dyn FnMut(Duplicate),
    ) -> Result<IndexMeta> {
        let home_pages = home_pages_for(self.entry_bytes_total);
        let spill_dir = self.spill_dir.clone();
        let mut pages = PageWriter::new(out, self.layout, home_pages, &spill_dir);
        let ctx = BuildContext {
            key_type: self.key_type,
            layout: self.layout,
            table_budget: self
                .budget_bytes
                .saturating_sub(self.spill_block_bytes + BUILD_OVERHEAD_BYTES),
            spill_dir: &self.spill_dir,
            spill_bits: self.spill_bits,
            spill_block_bytes: self.spill_block_bytes,
        };
        match self.state {
            State::Memory(tables) => {
                for mut table in tables.into_shards() {
                    write_table(&mut table, &mut pages)?;
                }
            }
            State::Spill(partitioner) => {
                for mut run in partitioner.finish()? {
                    ctx.build_run(&mut run, self.spill_bits, true, &mut pages, on_duplicate)?;
                }
            }
        }
        let written = pages.finish()?;
        Ok(IndexMeta {
            key_type: self.key_type,
            keys: written.entries,
            home_pages,
            pages: written.pages,
            overflow_bytes: written.overflow_bytes,
        })
    }

    /// [`PkIndexBuilder::finish`] into a vector, collecting the duplicates (for tests and small
    /// tables: the list is not bounded).
    ///
    /// # Errors
    ///
    /// As [`PkIndexBuilder::finish`].
    pub fn finish_to_vec(self, image: &mut Vec<u8>) -> Result<(IndexMeta, Vec<Duplicate>)> {
        let mut duplicates = Vec::new();
        let meta = self.finish(image, &mut |d| duplicates.push(d))?;
        Ok((meta, duplicates))
    }
}

/// Memory the fast path's table may use: the budget minus the spill buffers it may have to
/// fill when it switches to the out-of-core path.
fn memory_table_limit(budget_bytes: usize, spill_bits: u32, spill_block_bytes: usize) -> usize {
    budget_bytes.saturating_sub(spill_block_bytes << spill_bits)
}

/// Writes a table's entries into pages in hash order.
fn write_table<W: Write>(table: &mut MemTable, pages: &mut PageWriter<'_, W>) -> Result<()> {
    /// How far ahead entries are touched: hash order is random in the entry columns, and
    /// loading a few entries early lets their cache misses overlap.
    const LOOKAHEAD: usize = 16;
    let slots = table.sorted_slots();
    let index_of = |slot: u64| (slot & 0xffff_ffff) as usize - 1;
    let mut touched = 0u64;
    for (i, &slot) in slots.iter().enumerate() {
        if let Some(&ahead) = slots.get(i + LOOKAHEAD) {
            let key = table.key(index_of(ahead));
            touched ^= table.offset(index_of(ahead)) ^ u64::from(key.first().copied().unwrap_or(0));
        }
        let index = index_of(slot);
        pages.push((slot >> 32) as u32, table.key(index), table.offset(index))?;
    }
    std::hint::black_box(touched);
    Ok(())
}

/// What a partition build needs from the builder.
struct BuildContext<'a> {
    key_type: DataType,
    layout: KeyLayout,
    table_budget: usize,
    spill_dir: &'a Path,
    spill_bits: u32,
    spill_block_bytes: usize,
}

impl BuildContext<'_> {
    /// Builds one run whose records share their top `shift` hash bits, splitting it by the
    /// next bits when its table would not fit (unless `allow_split` is false).
    fn build_run<W: Write>(
        &self,
        run: &mut SpillRun,
        shift: u32,
        allow_split: bool,
        pages: &mut PageWriter<'_, W>,
        on_duplicate: &mut dyn FnMut(Duplicate),
    ) -> Result<()> {
        if run.records() == 0 {
            return Ok(());
        }
        let split_bits = self.spill_bits.min(64 - shift);
        let may_split = allow_split && split_bits > 0 && run.records() > MIN_SPLIT_RECORDS;
        match self.try_build(run, shift, may_split, on_duplicate)? {
            Some(mut table) => write_table(&mut table, pages),
            None => {
                let mut partitioner = Partitioner::new(
                    self.spill_dir,
                    self.layout,
                    shift,
                    split_bits,
                    self.spill_block_bytes,
                )?;
                let mut reader = run.reader(self.layout)?;
                while let Some((key, offset, line)) = reader.next_record()? {
                    partitioner.push(hash_key(self.layout, key), key, offset, line)?;
                }
                drop(reader);
                for mut sub in partitioner.finish()? {
                    // All records in one sub-run: they share every hash bit used so far
                    // (copies of one key, most likely); splitting further would not help.
                    let progress = sub.records() < run.records();
                    self.build_run(&mut sub, shift + split_bits, progress, pages, on_duplicate)?;
                }
                Ok(())
            }
        }
    }

    /// Loads a run into a table, keeping the earliest node offset of each key. Returns `None`
    /// (and reports nothing) when the table would pass the budget and `may_give_up`.
    fn try_build(
        &self,
        run: &mut SpillRun,
        shift: u32,
        may_give_up: bool,
        on_duplicate: &mut dyn FnMut(Duplicate),
    ) -> Result<Option<MemTable>> {
        let records = usize::try_from(run.records()).unwrap_or(usize::MAX);
        let empty = MemTable::new(self.layout, 0, 0);
        let mut expected = records;
        while expected > 1024 && empty.memory_after(expected, 0) > self.table_budget {
            expected /= 2;
        }
        drop(empty);
        let mut table = MemTable::new(self.layout, expected, shift);
        let mut duplicates = 0u64;
        let mut reader = run.reader(self.layout)?;
        while let Some((key, offset, line)) = reader.next_record()? {
            if may_give_up && table.memory_after(1, key.len()) > self.table_budget {
                return Ok(None);
            }
            let hash = hash_key(self.layout, key);
            if let Insert::Exists(index) = table.insert(hash, key, offset, line) {
                duplicates += 1;
                if offset < table.offset(index) {
                    table.set_value(index, offset, line);
                }
            }
        }
        if duplicates > 0 {
            // Second pass: now that each key holds its earliest occurrence, every record
            // that is not that occurrence is a duplicate.
            let mut reader = run.reader(self.layout)?;
            while let Some((key, offset, line)) = reader.next_record()? {
                let hash = hash_key(self.layout, key);
                // Every record was inserted in the first pass; a miss means the run changed.
                let index = table
                    .find(hash, key)
                    .ok_or(PkIndexError::CorruptSpill { position: 0 })?;
                if table.offset(index) != offset {
                    on_duplicate(Duplicate {
                        key: render_key(self.key_type, key),
                        first_line: table.line(index),
                        dup_line: line,
                        dup_offset: offset,
                    });
                }
            }
        }
        Ok(Some(table))
    }
}
