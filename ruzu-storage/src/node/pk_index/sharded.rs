//! The fast path's table: [`MemTable`]s sharded by the top hash bits.
//!
//! One large table makes every rebuild of its slot array hold old and new arrays at once (a
//! third more memory at the worst moment) and makes `finish` gather entries from all over
//! memory. Shards keep each rebuild small and let `finish` write one cache-friendly shard
//! after the other, in hash order, exactly as the out-of-core path writes its runs.

use ruzu_csv::{ColumnData, ColumnRef, DataType};

use super::error::Result;
use super::key::{KeyLayout, for_each_key};
use super::table::{Insert, MemTable};

/// Shard bits used when the table may grow large (budget of at least this many bytes).
const SHARDED_MIN_BYTES: usize = 32 << 20;
const SHARD_BITS: u32 = 6;

/// In-memory tables, one per value of the top `bits` hash bits.
///
/// Bound: checked once per batch by [`ShardedTable::prepare`].
#[derive(Debug)]
pub(crate) struct ShardedTable {
    shards: Vec<MemTable>,
    bits: u32,
    /// Per-shard rows and key bytes of the batch being prepared (scratch).
    counts: Vec<(usize, usize)>,
}

impl ShardedTable {
    /// Tables for about `expected` keys in total, sharded when `limit_bytes` is large.
    pub(crate) fn new(layout: KeyLayout, expected: usize, limit_bytes: usize) -> Self {
        let bits = if limit_bytes >= SHARDED_MIN_BYTES {
            SHARD_BITS
        } else {
            0
        };
        let shards = (0..1usize << bits)
            .map(|_| MemTable::new(layout, expected >> bits, bits))
            .collect();
        ShardedTable {
            shards,
            bits,
            counts: vec![(0, 0); 1 << bits],
        }
    }

    #[inline]
    fn shard(&self, hash: u64) -> usize {
        if self.bits == 0 {
            0
        } else {
            (hash >> (64 - self.bits)) as usize
        }
    }

    /// Heap bytes held now.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.shards
            .iter()
            .map(MemTable::memory_bytes)
            .sum::<usize>()
            + self.counts.capacity() * size_of::<(usize, usize)>()
    }

    /// Entries held.
    pub(crate) fn len(&self) -> usize {
        self.shards.iter().map(MemTable::len).sum()
    }

    /// Whether `keys` fit within `limit_bytes` once inserted; if so, makes room for them and
    /// loads their home slots (so that the inserts' cache misses overlap).
    pub(crate) fn prepare(
        &mut self,
        keys: ColumnRef<'_>,
        key_type: DataType,
        limit_bytes: usize,
    ) -> Result<bool> {
        self.counts.fill((0, 0));
        let var = matches!(keys.data(), ColumnData::String(_) | ColumnData::Blob(_));
        let bits = self.bits;
        let counts = &mut self.counts;
        for_each_key(keys, key_type, |_, key| {
            if let Some((hash, bytes)) = key {
                let shard = if bits == 0 {
                    0
                } else {
                    (hash >> (64 - bits)) as usize
                };
                counts[shard].0 += 1;
                if var {
                    counts[shard].1 += bytes.len();
                }
            }
        })?;
        let projected: usize = self
            .shards
            .iter()
            .zip(&self.counts)
            .map(|(t, &(rows, bytes))| t.memory_after(rows, bytes))
            .sum();
        if projected > limit_bytes {
            return Ok(false);
        }
        for (table, &(rows, _)) in self.shards.iter_mut().zip(&self.counts) {
            table.reserve(rows);
        }
        let mut touched = 0u64;
        for_each_key(keys, key_type, |_, key| {
            if let Some((hash, _)) = key {
                touched ^= self.shards[self.shard(hash)].touch(hash);
            }
        })?;
        std::hint::black_box(touched);
        Ok(true)
    }

    /// Inserts a key unless present; returns the line of the earlier occurrence if it was.
    #[inline]
    pub(crate) fn insert(&mut self, hash: u64, key: &[u8], offset: u64, line: u64) -> Option<u64> {
        let shard = self.shard(hash);
        let table = &mut self.shards[shard];
        match table.insert(hash, key, offset, line) {
            Insert::New => None,
            Insert::Exists(index) => Some(table.line(index)),
        }
    }

    /// The shards in hash order.
    pub(crate) fn shards(&self) -> &[MemTable] {
        &self.shards
    }

    /// The shards in hash order, for writing.
    pub(crate) fn into_shards(self) -> Vec<MemTable> {
        self.shards
    }
}
