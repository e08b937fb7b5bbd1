//! A reusable buffer of whole records and where they start in the input.

use std::path::Path;
use std::sync::Arc;

/// A record longer than `MAX_LINE_SIZE`, skipped by the splitter without being buffered.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct LongRecord {
    /// 1-based line where the record starts.
    pub(crate) line: u64,
    /// 0-based byte offset where the record starts.
    pub(crate) byte: u64,
    /// 0-based record index.
    pub(crate) record: u64,
    /// The first bytes of the record, for the error text.
    pub(crate) snippet: Vec<u8>,
}

/// Whole records of one input, as the [`Splitter`](crate::Splitter) cut them, plus the position
/// of each record so that a chunk decodes the same alone as in sequence.
///
/// A chunk is either a run of records (at most `batch_rows`, about `chunk_bytes` bytes), or an
/// *error chunk* standing for one record longer than `MAX_LINE_SIZE` that was skipped; the
/// [`Decoder`](crate::Decoder) reports the latter as a `LineTooLong` row error.
///
/// Bound: the buffer holds `chunk_bytes` plus at most one record of up to `MAX_LINE_SIZE`; it is
/// reused, never shrunk below that.
#[derive(Debug, Default)]
pub struct Chunk {
    /// Initialized storage; the chunk's bytes are `data[..len]`.
    pub(crate) data: Vec<u8>,
    /// Bytes of whole records in `data`.
    pub(crate) len: usize,
    /// End (exclusive, after the terminator) of each record; record `k` starts at `ends[k-1]`
    /// (or 0). Non-decreasing, the last equals `len`.
    pub(crate) ends: Vec<u32>,
    /// 1-based physical line where each record starts.
    pub(crate) lines: Vec<u64>,
    /// Offset of the chunk's first byte in the input.
    pub(crate) first_byte: u64,
    /// 0-based index of the chunk's first record in the input (header and skipped included).
    pub(crate) first_record: u64,
    /// Line of the first record.
    pub(crate) first_line: u64,
    /// Position of the chunk in the input's order (0-based).
    pub(crate) seq: u64,
    /// The input file, if known.
    pub(crate) source: Option<Arc<Path>>,
    /// Set for an error chunk.
    pub(crate) long_record: Option<LongRecord>,
}

impl Chunk {
    /// An empty chunk; the splitter sizes its buffer on first use.
    pub fn new() -> Self {
        Chunk::default()
    }

    /// Position of this chunk in its input (0-based, in input order).
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Bytes of input held.
    pub fn len_bytes(&self) -> usize {
        self.len
    }

    /// 1-based line where the first record starts.
    pub fn first_line(&self) -> u64 {
        self.first_line
    }

    /// 0-based byte offset of the first record in the input.
    pub fn first_byte(&self) -> u64 {
        self.first_byte
    }

    /// 0-based index of the first record in the input (header and skipped records counted).
    pub fn first_record(&self) -> u64 {
        self.first_record
    }

    /// Number of records (blank lines included; 1 for an error chunk).
    pub fn num_records(&self) -> usize {
        if self.long_record.is_some() {
            1
        } else {
            self.ends.len()
        }
    }

    /// Whether this chunk stands for a record longer than `MAX_LINE_SIZE`.
    pub fn is_line_too_long(&self) -> bool {
        self.long_record.is_some()
    }

    /// The input file, if known.
    pub fn source(&self) -> Option<&Arc<Path>> {
        self.source.as_ref()
    }

    /// The bytes of whole records.
    pub fn bytes(&self) -> &[u8] {
        &self.data[..self.len]
    }

    /// Heap bytes held by the chunk's buffers.
    pub fn memory_bytes(&self) -> usize {
        self.data.capacity() + self.ends.capacity() * 4 + self.lines.capacity() * 8
    }

    /// Byte range of record `k` inside [`bytes`](Chunk::bytes), terminator included.
    pub(crate) fn record_range(&self, k: usize) -> (usize, usize) {
        let start = if k == 0 { 0 } else { self.ends[k - 1] as usize };
        (start, self.ends[k] as usize)
    }

    pub(crate) fn reset(&mut self) {
        self.len = 0;
        self.ends.clear();
        self.lines.clear();
        self.long_record = None;
    }
}
