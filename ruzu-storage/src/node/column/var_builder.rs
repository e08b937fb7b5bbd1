//! String and blob chunks: values accumulated as lengths + bytes, a dictionary built on the
//! side, and the choice between DICT, VARLEN_ZSTD and VARLEN when the chunk is finished.

use std::io::Cursor;
use std::ops::Range;

use super::VAR_BLOCK_ROWS;
use super::bitpack::{bits_needed, pack, packed_len};
use super::dict::Dict;
use super::header::Encoding;
use super::int_keys::bit;

/// String data shorter than this is stored as is: compressing it saves too little.
const ZSTD_MIN_BYTES: usize = 4096;

/// Default zstd level for string data: the fastest regular level (bytes written cost more
/// than bytes computed, but the encoder must keep up with the import).
pub(crate) const DEFAULT_ZSTD_LEVEL: i32 = 1;

/// Rows after which a dictionary that does not pay off is dropped.
pub(crate) const DICT_PROBE_ROWS: usize = 16 * 1024;

/// Chunks of a column that skip the dictionary after one whose dictionary was given up.
pub(crate) const DICT_RETRY_CHUNKS: u32 = 7;

#[derive(Debug, Default)]
pub(crate) struct VarStore {
    pub(crate) lengths: Vec<u32>,
    pub(crate) bytes: Vec<u8>,
    pub(crate) max_len: u32,
    pub(crate) dict: Dict,
    /// One code per row, built by `finish` (0 for NULL rows).
    pub(crate) codes: Vec<u32>,
    pub(crate) dict_active: bool,
    /// Chunks left that skip the dictionary (see [`VarStore::next_chunk`]).
    pub(crate) dict_skip: u32,
    /// zstd level for the data; `None` never compresses.
    pub(crate) zstd_level: Option<i32>,
    /// Made on the first chunk whose data is worth compressing, then reused.
    pub(crate) zstd: Option<Zstd>,
    /// Runs of `bytes` that arrived already compressed ([`VarStore::add_frames`]), in order
    /// and disjoint: `(raw bytes, frame bytes)` as ranges of `bytes` and `frames`.
    pub(crate) segments: Vec<(Range<usize>, Range<usize>)>,
    /// The zstd frames of `segments`, back to back.
    pub(crate) frames: Vec<u8>,
}

/// A reusable zstd compression context.
pub(crate) struct Zstd(zstd::bulk::Compressor<'static>);

impl std::fmt::Debug for Zstd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Zstd")
    }
}

impl VarStore {
    /// Builds the chunk's dictionary from the appended values (NULL rows, marked 0 in
    /// `valid`, get code 0); `false` when it is given up: it overflows, it does not pay off
    /// after some multiple of [`DICT_PROBE_ROWS`] rows, or it does not pay off for the whole chunk.
    ///
    /// Runs in `finish`, i.e. on the group encoder's thread, not on the writer's: interning
    /// while appending cost the (serial) sink thread 13% of a durable person import's samples.
    fn build_dict(&mut self, rows: usize, valid: Option<&[u64]>) -> bool {
        self.dict.clear();
        self.codes.clear();
        self.codes.reserve(rows);
        let mut start = 0usize;
        let mut max_len = 0u32;
        for (row, &len) in self.lengths.iter().enumerate() {
            max_len = max_len.max(len);
            let end = start + len as usize;
            let code = if valid.is_some_and(|v| !bit(v, row)) {
                Some(0)
            } else {
                self.dict.intern(&self.bytes[start..end])
            };
            start = end;
            let Some(code) = code else {
                return false;
            };
            self.codes.push(code);
            // Checked every probe interval (appending checked after every batch): a
            // dictionary that is about as big as the plain data is dropped early.
            let seen = row + 1;
            if seen.is_multiple_of(DICT_PROBE_ROWS)
                && self.dict_bytes(seen) > Self::plain_bytes_upto(seen, max_len, end)
            {
                return false;
            }
        }
        self.dict.len() > 0 && self.dict_bytes(rows) < self.plain_bytes(rows)
    }

    /// Whether the next chunk tries a dictionary: after a chunk whose dictionary was given
    /// up, the next [`DICT_RETRY_CHUNKS`] chunks of the column skip it (the column is most
    /// likely of high cardinality throughout: unique emails, texts). On the person shape this
    /// saves the 16 Ki-row probe per group on three unique columns.
    pub(crate) fn next_chunk(&mut self) {
        self.dict.clear();
        self.codes.clear();
        self.segments.clear();
        self.frames.clear();
        if self.dict_skip > 0 {
            self.dict_skip -= 1;
            self.dict_active = false;
        } else {
            self.dict_active = true;
        }
    }

    pub(crate) fn plain_bytes(&self, rows: usize) -> usize {
        5 + 4 * rows.div_ceil(VAR_BLOCK_ROWS)
            + packed_len(rows, bits_needed(u64::from(self.max_len)))
            + self.bytes.len()
    }

    /// [`Self::plain_bytes`] of the first `rows` rows (longest `max_len`, data `data_bytes`).
    fn plain_bytes_upto(rows: usize, max_len: u32, data_bytes: usize) -> usize {
        5 + 4 * rows.div_ceil(VAR_BLOCK_ROWS)
            + packed_len(rows, bits_needed(u64::from(max_len)))
            + data_bytes
    }

    pub(crate) fn dict_bytes(&self, rows: usize) -> usize {
        let entries = self.dict.len();
        10 + packed_len(entries + 1, bits_needed(self.dict.bytes().len() as u64))
            + self.dict.bytes().len()
            + packed_len(rows, bits_needed(entries.saturating_sub(1) as u64))
    }

    /// Writes the values section of a chunk of `rows` rows; `valid` are the validity words
    /// when the chunk holds NULLs.
    pub(crate) fn write(
        &mut self,
        rows: usize,
        valid: Option<&[u64]>,
        out: &mut Vec<u8>,
    ) -> Encoding {
        if self.dict_active && !self.build_dict(rows, valid) {
            self.dict_skip = DICT_RETRY_CHUNKS;
            self.dict_active = false;
        }
        if self.dict_active {
            let entries = self.dict.len();
            let data = self.dict.bytes();
            out.extend_from_slice(&(entries as u32).to_le_bytes());
            let off_width = bits_needed(data.len() as u64);
            out.push(off_width);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            pack_u32(self.dict.offsets(), off_width, out);
            out.extend_from_slice(data);
            let code_width = bits_needed((entries - 1) as u64);
            out.push(code_width);
            pack_u32(&self.codes, code_width, out);
            return Encoding::Dictionary;
        }
        let width = bits_needed(u64::from(self.max_len));
        let start = out.len();
        if self.zstd_level.is_some() && self.bytes.len() >= ZSTD_MIN_BYTES {
            // VARLEN_ZSTD, compressed straight into `out`; taken back for VARLEN when it did
            // not save enough.
            self.write_prefix(width, Some(0), out);
            if let Some(compressed) = self.compress_into(out)
                && compressed * 8 <= self.bytes.len() * 7
            {
                // The compressed size follows the width (1 byte) and the data bytes (4).
                let at = start + 5;
                out[at..at + 4].copy_from_slice(&(compressed as u32).to_le_bytes());
                return Encoding::VarLenZstd;
            }
            out.truncate(start);
        }
        self.write_prefix(width, None, out);
        out.extend_from_slice(&self.bytes);
        Encoding::VarLen
    }

    /// Writes a VARLEN section up to its data: width, data bytes, the compressed bytes when
    /// `compressed` is given (VARLEN_ZSTD), block starts, packed lengths.
    fn write_prefix(&self, width: u8, compressed: Option<u32>, out: &mut Vec<u8>) {
        out.push(width);
        out.extend_from_slice(&(self.bytes.len() as u32).to_le_bytes());
        if let Some(c) = compressed {
            out.extend_from_slice(&c.to_le_bytes());
        }
        let mut offset = 0u32;
        for (i, &len) in self.lengths.iter().enumerate() {
            if i.is_multiple_of(VAR_BLOCK_ROWS) {
                out.extend_from_slice(&offset.to_le_bytes());
            }
            offset += len;
        }
        pack_u32(&self.lengths, width, out);
    }

    /// Records that `raw`, a run of `bytes` just appended, is also held compressed as
    /// `frames` (zstd frames that inflate to exactly those bytes), so that `finish` copies
    /// them instead of compressing the run again. Runs must come in order.
    pub(crate) fn add_frames(&mut self, raw: Range<usize>, frames: &[u8]) {
        debug_assert!(raw.end <= self.bytes.len());
        debug_assert!(self.segments.last().is_none_or(|(r, _)| r.end <= raw.start));
        if raw.is_empty() || self.zstd_level.is_none() {
            return;
        }
        let at = self.frames.len();
        self.frames.extend_from_slice(frames);
        self.segments.push((raw, at..self.frames.len()));
    }

    /// Appends the data to `out` as zstd frames (the runs that came compressed are copied,
    /// the others compressed, each run a frame of its own); the bytes appended, or `None`
    /// when zstd failed (what was appended is then garbage to truncate).
    fn compress_into(&mut self, out: &mut Vec<u8>) -> Option<usize> {
        let level = self.zstd_level?;
        if self.zstd.is_none() {
            self.zstd = Some(Zstd(zstd::bulk::Compressor::new(level).ok()?));
        }
        let Zstd(compressor) = self.zstd.as_mut()?;
        let start = out.len();
        let mut at = 0usize;
        for (raw, frame) in &self.segments {
            if raw.start > at {
                compress_append(compressor, &self.bytes[at..raw.start], out).ok()?;
            }
            out.extend_from_slice(&self.frames[frame.clone()]);
            at = raw.end;
        }
        if at < self.bytes.len() {
            compress_append(compressor, &self.bytes[at..], out).ok()?;
        }
        Some(out.len() - start)
    }
}

/// Appends one zstd frame of `data` to `out`.
pub(crate) fn compress_append(
    compressor: &mut zstd::bulk::Compressor<'static>,
    data: &[u8],
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    out.reserve(zstd::zstd_safe::compress_bound(data.len()));
    let start = out.len();
    let mut cursor = Cursor::new(out);
    cursor.set_position(start as u64);
    compressor.compress_to_buffer(data, &mut cursor).map(|_| ())
}

/// Compresses runs of string bytes into zstd frames at the level of node group chunks, off
/// the group encoder (the sink's parallel phase): the frames are handed to
/// [`ChunkEncoder::append_with_frames`](super::ChunkEncoder::append_with_frames).
pub(crate) struct FrameCompressor(zstd::bulk::Compressor<'static>);

impl std::fmt::Debug for FrameCompressor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FrameCompressor")
    }
}

impl FrameCompressor {
    /// A compressor at zstd level `level`.
    pub(crate) fn new(level: i32) -> std::io::Result<Self> {
        zstd::bulk::Compressor::new(level).map(FrameCompressor)
    }

    /// Appends one frame of `data` to `out`.
    pub(crate) fn compress(&mut self, data: &[u8], out: &mut Vec<u8>) -> std::io::Result<()> {
        compress_append(&mut self.0, data, out)
    }
}

/// Packs `u32` values (reference 0) through a small stack buffer of `u64` keys.
pub(crate) fn pack_u32(values: &[u32], width: u8, out: &mut Vec<u8>) {
    // Groups of 64 keep the packed stream contiguous: 64 * width bits is a whole number of
    // bytes, so each group's stream starts on a byte boundary of the whole.
    let mut buf = [0u64; 64];
    for group in values.chunks(64) {
        for (b, &v) in buf.iter_mut().zip(group) {
            *b = u64::from(v);
        }
        pack(&buf[..group.len()], 0, width, out);
    }
}
