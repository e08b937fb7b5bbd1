//! Sorting a group's run by bound node within a byte budget, and merging sorted streams.
//!
//! Records sort by (bound node, sequence number): a node's edges in import order whatever
//! order the records reached the run in (the out-of-core endpoint join reorders them). A run
//! that fits the budget is sorted in memory by a counting sort that scatters the records
//! into a second buffer ([`sort_records`]); the builder then reads it in place
//! ([`Sorted::Memory`]). A larger run (a hub's group) is cut into budget-sized pieces, each
//! sorted and written to a temporary file, and the pieces are merged: [`Merge`] takes the
//! smallest key, on ties the earliest source. A stored group is merged in front of the new edges the same way:
//! its records have sequence number 0 and its source comes first. Every piece being merged
//! holds a read buffer, so at most `budget / READ_BUFFER_BYTES` pieces are merged at once:
//! more are first merged, consecutive ones together, into larger pieces.

use std::fs::File;
use std::io::{BufReader, Seek, SeekFrom, Write};
use std::path::Path;

use super::record::{HEAD_BYTES, LEN_BYTES, Record, record_len};
use super::spill::{READ_BUFFER_BYTES, Run, chunk_writer, io, read_record};
use crate::error::{Result, StorageError};

/// Bytes per record a sort sets aside beyond the two copies of the records: the comparison
/// sort's index of a run wider than [`MAX_COUNTING_RANGE`]. (The counting sort's two offsets
/// per node of the group are counted with the group's degrees, per build thread.)
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
        Ok(MemSorted {
            buf: sort_records(buf)?,
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
        let len = record_len(&self.buf[at..]).expect("invariant: sorted whole records");
        let record = &self.buf[at..at + len];
        self.next += len;
        out.extend_from_slice(record);
        Ok(Some(Record::new(&record[LEN_BYTES..])?.key()))
    }
}

/// Most distinct bound nodes a run is counting-sorted over (a rel group's nodes, 2^15 by
/// default); a wider run falls back to a comparison sort.
const MAX_COUNTING_RANGE: u64 = 1 << 22;

/// Calls `f(start, len, bound)` for every record of `buf`, in order.
///
/// # Errors
///
/// A truncated or short record is corrupt.
fn for_each_record(buf: &[u8], mut f: impl FnMut(usize, usize, u64)) -> Result<()> {
    let mut at = 0;
    while at < buf.len() {
        let len = record_len(&buf[at..])
            .filter(|&n| at + n <= buf.len())
            .ok_or_else(|| StorageError::corrupt("rel spill run", 0, "truncated record"))?;
        f(
            at,
            len,
            Record::new(&buf[at + LEN_BYTES..at + len])?.bound(),
        );
        at += len;
    }
    Ok(())
}

/// The records of `buf` in (bound, sequence number) order, records of equal keys in their
/// order in `buf`.
///
/// A run's bounds lie in one rel group, so this is a counting sort that scatters each record
/// straight to its place: one pass finds the range of bounds, one sums each bound's bytes, one
/// copies every record to the next free byte of its bound's slot (no index of the records, no
/// comparison). Records of one bound usually arrive in sequence order already (a run is
/// appended in import order); a bound whose records do not (the out-of-core join reorders
/// them) gets its few records sorted afterwards. A run whose bounds span more than
/// [`MAX_COUNTING_RANGE`] nodes is sorted by comparison.
///
/// # Errors
///
/// A truncated or short record is corrupt.
fn sort_records(buf: Vec<u8>) -> Result<Vec<u8>> {
    let (mut lo, mut hi) = (u64::MAX, 0u64);
    for_each_record(&buf, |_, _, bound| {
        lo = lo.min(bound);
        hi = hi.max(bound);
    })?;
    if buf.is_empty() {
        return Ok(buf);
    }
    if hi - lo >= MAX_COUNTING_RANGE {
        return sort_by_comparison(&buf);
    }
    let slot = |bound: u64| (bound - lo) as usize;
    // `ends[b]` ends bound `lo + b`'s bytes once the sums run; `next[b]` is where its next
    // record goes while scattering (it ends at `ends[b]`).
    let mut ends = vec![0usize; slot(hi) + 1];
    for_each_record(&buf, |_, len, bound| ends[slot(bound)] += len)?;
    let mut next = Vec::with_capacity(ends.len());
    let mut sum = 0;
    for e in &mut ends {
        next.push(sum);
        sum += *e;
        *e = sum;
    }
    let mut sorted = vec![0u8; buf.len()];
    for_each_record(&buf, |at, len, bound| {
        let to = &mut next[slot(bound)];
        sorted[*to..*to + len].copy_from_slice(&buf[at..at + len]);
        *to += len;
    })?;
    drop(buf);
    let mut start = 0;
    for &end in &ends {
        if end - start > 0 {
            sort_bound_by_seq(&mut sorted[start..end])?;
        }
        start = end;
    }
    Ok(sorted)
}

/// Puts the records of one bound node in sequence number order, if they are not already.
fn sort_bound_by_seq(records: &mut [u8]) -> Result<()> {
    let seq_at = |at: usize| -> Result<(u64, usize)> {
        let len = record_len(&records[at..]).expect("invariant: scattered whole records");
        Ok((Record::new(&records[at + LEN_BYTES..at + len])?.seq(), len))
    };
    let (mut last, mut at) = seq_at(0)?;
    let mut in_order = true;
    while in_order && at < records.len() {
        let (seq, len) = seq_at(at)?;
        in_order = seq >= last;
        last = seq;
        at += len;
    }
    if in_order {
        return Ok(());
    }
    let mut index: Vec<(u64, usize, usize)> = Vec::new();
    let mut at = 0;
    while at < records.len() {
        let (seq, len) = seq_at(at)?;
        index.push((seq, at, len));
        at += len;
    }
    index.sort_unstable();
    let mut sorted = Vec::with_capacity(records.len());
    for (_, at, len) in index {
        sorted.extend_from_slice(&records[at..at + len]);
    }
    records.copy_from_slice(&sorted);
    Ok(())
}

/// The records of `buf` (already checked whole) sorted by (bound, sequence number, start).
fn sort_by_comparison(buf: &[u8]) -> Result<Vec<u8>> {
    let mut index: Vec<(Key, usize, usize)> = Vec::new();
    let mut at = 0;
    while at < buf.len() {
        let len = record_len(&buf[at..]).expect("invariant: checked by sort_records");
        index.push((Record::new(&buf[at + LEN_BYTES..at + len])?.key(), at, len));
        at += len;
    }
    index.sort_unstable();
    let mut sorted = Vec::with_capacity(buf.len());
    for (_, at, len) in index {
        sorted.extend_from_slice(&buf[at..at + len]);
    }
    Ok(sorted)
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

/// A run sorted within its budget.
pub(crate) enum Sorted {
    /// The whole run, sorted in memory: whole records (length prefix included) back to back.
    Memory(Vec<u8>),
    /// Sorted pieces, to be merged in order (earlier pieces first on ties).
    Pieces(Vec<Box<dyn Source>>),
}

impl Sorted {
    /// The run as sources to merge.
    pub(crate) fn into_sources(self) -> Vec<Box<dyn Source>> {
        match self {
            Sorted::Memory(buf) if buf.is_empty() => Vec::new(),
            Sorted::Memory(buf) => vec![Box::new(MemSorted { buf, next: 0 })],
            Sorted::Pieces(pieces) => pieces,
        }
    }
}

/// Calls `f` with every record (length prefix excluded) of `sorted`, a buffer of
/// [`Sorted::Memory`], in order.
///
/// # Errors
///
/// What `f` returns; a truncated record is corrupt.
pub(crate) fn for_each_sorted(
    sorted: &[u8],
    mut f: impl FnMut(Record<'_>) -> Result<()>,
) -> Result<()> {
    let mut at = 0;
    while at < sorted.len() {
        let len = record_len(&sorted[at..])
            .filter(|&n| at + n <= sorted.len())
            .ok_or_else(|| StorageError::corrupt("rel spill run", 0, "truncated record"))?;
        f(Record::new(&sorted[at + LEN_BYTES..at + len])?)?;
        at += len;
    }
    Ok(())
}

/// The records of `run` sorted: in memory when the run fits `budget_bytes` (read with one
/// large read and sorted in place of a copy), else as sorted pieces to merge.
///
/// # Errors
///
/// I/O errors; corrupt records.
pub(crate) fn sorted_sources(
    run: &mut Run,
    budget_bytes: usize,
    spill_dir: &Path,
) -> Result<Sorted> {
    // The in-memory sort holds the run and the sorted copy; records are at least
    // `LEN_BYTES + HEAD_BYTES` long, which bounds their number.
    let bytes = run.bytes();
    let most_records = bytes / (LEN_BYTES + HEAD_BYTES) as u64;
    if 2 * bytes + most_records * INDEX_BYTES as u64 <= budget_bytes as u64 {
        return Ok(Sorted::Memory(sort_records(run.take_all()?)?));
    }
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
        // The in-memory sort holds the run, its counts and the sorted copy.
        let full = 2 * buf.len() + records * INDEX_BYTES >= budget_bytes;
        if !full && more {
            continue;
        }
        if !more && pieces.is_empty() {
            if !buf.is_empty() {
                return Ok(Sorted::Memory(sort_records(buf)?));
            }
            return Ok(Sorted::Pieces(out));
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
    Ok(Sorted::Pieces(out))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rel::record::push_record;
    use crate::rel::spill::Runs;

    /// A run of records `(bound, seq)` in that order; each record's neighbour and properties
    /// (of varying length) are derived from its key so moved bytes can be checked.
    fn run_of(keys: &[Key]) -> Vec<u8> {
        let mut buf = Vec::new();
        for &(bound, seq) in keys {
            push_record(&mut buf, bound, bound ^ seq, seq, &props_of(bound, seq));
        }
        buf
    }

    fn props_of(bound: u64, seq: u64) -> Vec<u8> {
        vec![(bound + seq) as u8; ((bound * 7 + seq) % 23) as usize]
    }

    /// The keys of `sorted`, checking each record's bytes against its key.
    fn keys_of(sorted: &[u8]) -> Vec<Key> {
        let mut keys = Vec::new();
        let mut at = 0;
        while at < sorted.len() {
            let len = record_len(&sorted[at..]).expect("a whole record");
            let (bound, seq) = Record::new(&sorted[at + LEN_BYTES..at + len])
                .expect("a record")
                .key();
            let mut expected = Vec::new();
            push_record(
                &mut expected,
                bound,
                bound ^ seq,
                seq,
                &props_of(bound, seq),
            );
            assert_eq!(&sorted[at..at + len], &expected[..], "record {bound}/{seq}");
            keys.push((bound, seq));
            at += len;
        }
        keys
    }

    /// Pseudo-random keys: bounds in `base .. base + span`, sequence numbers unique, in
    /// import order unless `shuffled`.
    fn keys(n: u64, base: u64, span: u64, shuffled: bool) -> Vec<Key> {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut keys: Vec<Key> = (1..=n).map(|seq| (base + next() % span, seq)).collect();
        if shuffled {
            for i in (1..keys.len()).rev() {
                keys.swap(i, (next() % (i as u64 + 1)) as usize);
            }
        }
        keys
    }

    #[test]
    fn counting_sort_orders_by_bound_then_import_order() {
        for shuffled in [false, true] {
            let input = keys(5000, 1 << 20, 300, shuffled);
            let mut expected = input.clone();
            expected.sort_unstable();
            let sorted = sort_records(run_of(&input)).expect("sorts");
            assert_eq!(keys_of(&sorted), expected, "shuffled: {shuffled}");
        }
    }

    #[test]
    fn run_wider_than_the_counting_range_is_sorted_by_comparison() {
        let input = keys(2000, 7, 3 * MAX_COUNTING_RANGE, true);
        let mut expected = input.clone();
        expected.sort_unstable();
        let sorted = sort_records(run_of(&input)).expect("sorts");
        assert_eq!(keys_of(&sorted), expected);
    }

    #[test]
    fn truncated_run_is_corrupt() {
        let mut buf = run_of(&keys(10, 0, 5, false));
        buf.truncate(buf.len() - 3);
        assert!(matches!(
            sort_records(buf),
            Err(StorageError::Corrupt { .. })
        ));
    }

    #[test]
    fn spilled_run_is_sorted_whole_in_memory_or_in_pieces_alike() {
        let input = keys(20_000, 0, 1000, true);
        let mut expected = input.clone();
        expected.sort_unstable();
        let spill = tempfile::tempdir().expect("temp dir");
        for budget in [64 << 20, 256 << 10] {
            // Small buffers: most of the run goes to its file before it is sorted.
            let mut runs = Runs::new(1, 32 << 10, spill.path());
            for &(bound, seq) in &input {
                let buf = runs.buffer(0);
                let before = buf.len();
                push_record(buf, bound, bound ^ seq, seq, &props_of(bound, seq));
                let added = runs.buffer(0).len() - before;
                runs.appended(added).expect("spills");
            }
            assert!(runs.spilled());
            let sorted = sorted_sources(runs.run_mut(0), budget, spill.path()).expect("sorts");
            let keys = match sorted {
                Sorted::Memory(buf) => {
                    assert_eq!(budget, 64 << 20, "a run over its budget is cut in pieces");
                    keys_of(&buf)
                }
                Sorted::Pieces(pieces) => {
                    assert_eq!(budget, 256 << 10, "a run within its budget is sorted whole");
                    let mut merge = Merge::new(pieces).expect("merges");
                    let mut all = Vec::new();
                    let mut record = Vec::new();
                    while merge.next_into(&mut record).expect("reads").is_some() {
                        all.extend_from_slice(&record);
                    }
                    keys_of(&all)
                }
            };
            assert_eq!(keys, expected, "budget {budget}");
        }
    }
}
