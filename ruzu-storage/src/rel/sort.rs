//! Sorting a group's run by bound node within a byte budget, and merging sorted streams.
//!
//! Records sort by (bound node, sequence number): a node's edges in import order whatever
//! order the records reached the run in (the out-of-core endpoint join reorders them). A run
//! that fits the budget is sorted in memory (an index of `((bound, seq), start)` over the
//! record bytes, then the records gathered into a second buffer in that order). A larger run (a hub's group) is cut into budget-sized pieces, each sorted and
//! written to a temporary file, and the pieces are merged: [`Merge`] takes the smallest key, on
//! ties the earliest source. A stored group is merged in front of the new edges the same way:
//! its records have sequence number 0 and its source comes first. Every piece being merged
//! holds a read buffer, so at most `budget / READ_BUFFER_BYTES` pieces are merged at once:
//! more are first merged, consecutive ones together, into larger pieces.

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::Path;

use super::record::{LEN_BYTES, Record, record_len};
use super::spill::{READ_BUFFER_BYTES, Run, chunk_writer, io, read_record};
use crate::error::{Result, StorageError};

/// Bytes of sort index per record (the index entry and its place in the order).
const INDEX_BYTES: usize = 32;

/// The order of records: bound node, then sequence number (import order).
pub(crate) type Key = (u64, u64);

/// A stream of records sorted by bound node.
pub(crate) trait Source {
    /// Replaces the contents of `out` with the next record (length prefix included) and
    /// returns its key; `None` at the end.
    ///
    /// # Errors
    ///
    /// I/O errors; corrupt records.
    fn next_into(&mut self, out: &mut Vec<u8>) -> Result<Option<Key>>;
}

/// A run sorted in memory: its records copied into sorted order.
struct MemSorted {
    buf: Vec<u8>,
    /// Where the next record starts in `buf`.
    next: usize,
}

impl MemSorted {
    fn new(buf: Vec<u8>) -> Result<Self> {
        let mut index: Vec<(u64, u64, usize)> = Vec::new();
        let (mut lo, mut hi) = (u64::MAX, 0u64);
        let mut at = 0;
        while at < buf.len() {
            let len = record_len(&buf[at..])
                .filter(|&n| at + n <= buf.len())
                .ok_or_else(|| StorageError::corrupt("rel spill run", 0, "truncated record"))?;
            let r = Record::new(&buf[at + LEN_BYTES..at + len])?;
            let (bound, seq) = r.key();
            lo = lo.min(bound);
            hi = hi.max(bound);
            index.push((bound, seq, at));
            at += len;
        }
        let order = sort_by_bound(&index, lo, hi);
        // Gather the records into sorted order in one tight loop: the random reads overlap
        // there (many cache misses in flight), unlike one read per `next_into` between the
        // consumer's work. Costs a second buffer, counted by `sorted_sources`.
        let mut sorted = Vec::with_capacity(buf.len());
        for i in order {
            let at = index[i].2;
            let len = record_len(&buf[at..]).expect("invariant: indexed above");
            sorted.extend_from_slice(&buf[at..at + len]);
        }
        Ok(MemSorted {
            buf: sorted,
            next: 0,
        })
    }

    fn write_to(&self, w: &mut impl Write) -> Result<()> {
        w.write_all(&self.buf).map_err(io("write rel sort run"))
    }
}

impl Source for MemSorted {
    fn next_into(&mut self, out: &mut Vec<u8>) -> Result<Option<Key>> {
        out.clear();
        let at = self.next;
        if at >= self.buf.len() {
            return Ok(None);
        }
        let len = record_len(&self.buf[at..]).expect("invariant: gathered whole records");
        let record = &self.buf[at..at + len];
        self.next += len;
        out.extend_from_slice(record);
        Ok(Some(Record::new(&record[LEN_BYTES..])?.key()))
    }
}

/// Most distinct bound nodes a run is counting-sorted over (a rel group's nodes, 2^17 by
/// default); a wider run falls back to a comparison sort.
const MAX_COUNTING_RANGE: u64 = 1 << 22;

/// The positions of `index` (bound, sequence number, start) in (bound, sequence number,
/// start) order, every bound in `lo ..= hi`.
///
/// A stable counting sort by bound (a run's bounds lie in one rel group): two passes, no
/// comparison. Records of one bound usually arrive in sequence order already (a run is
/// appended in import order); a bound whose records do not (the out-of-core join reorders
/// them) gets its few records sorted.
fn sort_by_bound(index: &[(u64, u64, usize)], lo: u64, hi: u64) -> Vec<usize> {
    if index.is_empty() {
        return Vec::new();
    }
    let range = hi - lo + 1;
    if range > MAX_COUNTING_RANGE {
        let mut order: Vec<usize> = (0..index.len()).collect();
        order.sort_unstable_by_key(|&i| index[i]);
        return order;
    }
    let mut starts = vec![0usize; range as usize + 1];
    for &(b, _, _) in index {
        starts[(b - lo) as usize + 1] += 1;
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    let mut next = starts.clone();
    let mut order = vec![0usize; index.len()];
    for (i, &(b, _, _)) in index.iter().enumerate() {
        let slot = &mut next[(b - lo) as usize];
        order[*slot] = i;
        *slot += 1;
    }
    for w in starts.windows(2) {
        let bucket = &mut order[w[0]..w[1]];
        let sorted = bucket
            .windows(2)
            .all(|p| (index[p[0]].1, index[p[0]].2) <= (index[p[1]].1, index[p[1]].2));
        if !sorted {
            bucket.sort_unstable_by_key(|&i| (index[i].1, index[i].2));
        }
    }
    order
}

/// A sorted piece written to a temporary file.
struct FileSource {
    reader: BufReader<File>,
}

impl Source for FileSource {
    fn next_into(&mut self, out: &mut Vec<u8>) -> Result<Option<Key>> {
        out.clear();
        if !read_record(&mut self.reader, out)? {
            return Ok(None);
        }
        Ok(Some(Record::new(&out[LEN_BYTES..])?.key()))
    }
}

/// The records of `run` as sorted sources (one when the run fits `budget_bytes`, else one per
/// sorted piece), to be merged in order.
///
/// # Errors
///
/// I/O errors; corrupt records.
pub(crate) fn sorted_sources(
    run: &mut Run,
    budget_bytes: usize,
    spill_dir: &Path,
) -> Result<Vec<Box<dyn Source>>> {
    let mut out: Vec<Box<dyn Source>> = Vec::new();
    let mut reader = run.reader()?;
    let mut buf = Vec::new();
    let mut records = 0usize;
    // Sorted pieces, rewound; opened with a read buffer only when merged.
    let mut pieces: Vec<File> = Vec::new();
    loop {
        let more = reader.next_into(&mut buf)?;
        if more {
            records += 1;
        }
        // The in-memory sort holds the run, its index and the gathered copy.
        let full = 2 * buf.len() + records * INDEX_BYTES >= budget_bytes;
        if !full && more {
            continue;
        }
        if !more && pieces.is_empty() {
            if !buf.is_empty() {
                out.push(Box::new(MemSorted::new(buf)?));
            }
            return Ok(out);
        }
        if !buf.is_empty() {
            let sorted = MemSorted::new(std::mem::take(&mut buf))?;
            let mut w = chunk_writer(spill_dir)?;
            sorted.write_to(&mut w)?;
            let mut f = w
                .into_inner()
                .map_err(|e| io("write rel sort run")(e.into_error()))?;
            f.seek(SeekFrom::Start(0))
                .map_err(io("rewind rel sort run"))?;
            pieces.push(f);
            records = 0;
        }
        if !more {
            break;
        }
    }
    // Bounded fan-in: each piece being merged holds a read buffer, so merge consecutive
    // pieces into larger ones (keeping their order, hence stability) until few are left.
    let fan_in = (budget_bytes / READ_BUFFER_BYTES).max(2);
    while pieces.len() > fan_in {
        let mut merged = Vec::with_capacity(pieces.len().div_ceil(fan_in));
        let mut rest = pieces.into_iter().peekable();
        while rest.peek().is_some() {
            let group: Vec<Box<dyn Source>> = rest.by_ref().take(fan_in).map(file_source).collect();
            merged.push(merge_to_file(group, spill_dir)?);
        }
        pieces = merged;
    }
    out.extend(pieces.into_iter().map(file_source));
    Ok(out)
}

fn file_source(f: File) -> Box<dyn Source> {
    Box::new(FileSource {
        reader: BufReader::with_capacity(READ_BUFFER_BYTES, f),
    })
}

/// Merges `sources` into one sorted temporary file, rewound.
fn merge_to_file(sources: Vec<Box<dyn Source>>, spill_dir: &Path) -> Result<File> {
    let mut merge = Merge::new(sources)?;
    let mut w = chunk_writer(spill_dir)?;
    let mut record = Vec::new();
    while merge.next_into(&mut record)?.is_some() {
        w.write_all(&record).map_err(io("write rel sort run"))?;
    }
    let mut f = w
        .into_inner()
        .map_err(|e| io("write rel sort run")(e.into_error()))?;
    f.seek(SeekFrom::Start(0))
        .map_err(io("rewind rel sort run"))?;
    Ok(f)
}

/// Merges sorted sources by bound node, earlier sources first on ties.
pub(crate) struct Merge {
    sources: Vec<Box<dyn Source>>,
    heads: Vec<Option<Key>>,
    bufs: Vec<Vec<u8>>,
}

impl Merge {
    /// Starts merging `sources`.
    ///
    /// # Errors
    ///
    /// As [`Source::next_into`].
    pub(crate) fn new(mut sources: Vec<Box<dyn Source>>) -> Result<Self> {
        let mut bufs = vec![Vec::new(); sources.len()];
        let heads = sources
            .iter_mut()
            .zip(&mut bufs)
            .map(|(s, b)| s.next_into(b))
            .collect::<Result<Vec<_>>>()?;
        Ok(Merge {
            sources,
            heads,
            bufs,
        })
    }
}

impl Source for Merge {
    fn next_into(&mut self, out: &mut Vec<u8>) -> Result<Option<Key>> {
        let mut best: Option<(Key, usize)> = None;
        for (i, h) in self.heads.iter().enumerate() {
            if let Some(b) = *h
                && best.is_none_or(|(bb, _)| b < bb)
            {
                best = Some((b, i));
            }
        }
        let Some((key, i)) = best else {
            out.clear();
            return Ok(None);
        };
        std::mem::swap(out, &mut self.bufs[i]);
        self.heads[i] = self.sources[i].next_into(&mut self.bufs[i])?;
        Ok(Some(key))
    }
}
