//! The splitter: reads an input into chunks of whole records.

use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use super::chunk::{Chunk, LongRecord};
use super::scan::{ScanState, Scanner, Step};
use crate::error::{CsvError, MAX_SNIPPET_BYTES, Result};

use crate::options::{CsvOptions, Dialect};

/// The UTF-8 byte order mark, stripped at byte 0 only.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Largest `chunk_bytes` and `MAX_LINE_SIZE` the splitter accepts (larger values are clamped):
/// a chunk buffer then stays under 1 GiB, so offsets inside it fit the decoder's 30-bit field
/// ranges.
pub(crate) const MAX_CHUNK_BYTES: usize = 1 << 28;

/// The smallest buffer a chunk gets.
const MIN_BUFFER_BYTES: usize = 64;

/// A record too long to buffer, being skipped.
#[derive(Debug)]
struct PendingLong {
    record: LongRecord,
    state: ScanState,
    quoted_lines: u64,
    /// Bytes of the record already scanned and dropped.
    consumed: u64,
    /// The record is one of the SKIP/header records: drop it without an error.
    drop: bool,
}

/// Reads an input (any `io::Read`, already decompressed) into [`Chunk`]s of whole records: at
/// most `batch_rows` records and about `chunk_bytes` bytes each.
///
/// It strips a UTF-8 BOM at byte 0, drops the `SKIP` records and then the header record (when
/// the dialect has one), and numbers lines, bytes and records exactly, so that every chunk can
/// be decoded on its own. Record boundaries are found by the quote-aware scan described in the
/// `scan` module (the RFC 4180 state machine, with `memchr3` jumps).
///
/// A record longer than `max_line_size_bytes` is not buffered: the splitter delivers the records
/// before it, then scans past it (still quote-aware) and delivers an *error chunk* in its place,
/// so errors stay in input order.
///
/// Bound: besides the caller's chunk, the splitter keeps only the partial record carried over
/// from the last chunk (shorter than `max_line_size_bytes`).
#[derive(Debug)]
pub struct Splitter<R: Read> {
    input: R,
    source: Option<Arc<Path>>,
    scanner: Scanner,
    max_line_bytes: usize,
    chunk_bytes: usize,
    batch_rows: usize,
    /// SKIP and header records still to drop.
    to_drop: u64,
    /// Bytes after the last chunk's last record: the start of the next chunk.
    carry: Vec<u8>,
    /// The input has returned end-of-file.
    eof: bool,
    /// The BOM check ran.
    started: bool,
    /// Every record has been delivered (pending error chunk aside).
    done: bool,
    /// Line, byte and record index of `carry[0]`.
    next_line: u64,
    next_byte: u64,
    next_record: u64,
    seq: u64,
    bytes_read: u64,
    pending_long: Option<PendingLong>,
}

impl<R: Read> Splitter<R> {
    /// A splitter over `input` with a resolved `dialect`; `options` give `SKIP`,
    /// `MAX_LINE_SIZE`, `batch_rows` and `chunk_bytes` (sizes are clamped to 256 MiB).
    /// `source` names the file in positions.
    pub fn new(
        input: R,
        dialect: Dialect,
        options: &CsvOptions,
        source: Option<Arc<Path>>,
    ) -> Self {
        Splitter {
            input,
            source,
            scanner: Scanner::new(dialect.delimiter, dialect.quote, dialect.escape),
            max_line_bytes: options.max_line_size_bytes.clamp(1, MAX_CHUNK_BYTES),
            chunk_bytes: options.chunk_bytes.clamp(1, MAX_CHUNK_BYTES),
            batch_rows: options.batch_rows.max(1),
            to_drop: options.skip_rows + u64::from(dialect.header),
            carry: Vec::new(),
            eof: false,
            started: false,
            done: false,
            next_line: 1,
            next_byte: 0,
            next_record: 0,
            seq: 0,
            bytes_read: 0,
            pending_long: None,
        }
    }

    /// Bytes read from the input so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read
    }

    /// Fills `chunk` with the next records (or the next error chunk).
    ///
    /// Returns `false`, with `chunk` empty, when the input has no more records.
    ///
    /// # Errors
    ///
    /// [`CsvError::Io`] when reading the input fails. Malformed records are not errors here:
    /// the decoder reports them.
    pub fn next_chunk(&mut self, chunk: &mut Chunk) -> Result<bool> {
        loop {
            chunk.reset();
            chunk.source.clone_from(&self.source);
            if let Some(pending) = self.pending_long.take() {
                if self.skip_long(chunk, pending)? {
                    return Ok(self.deliver(chunk));
                }
                continue;
            }
            if self.done {
                return Ok(false);
            }
            self.fill(chunk)?;
            if !chunk.ends.is_empty() {
                return Ok(self.deliver(chunk));
            }
        }
    }

    fn deliver(&mut self, chunk: &mut Chunk) -> bool {
        chunk.seq = self.seq;
        self.seq += 1;
        true
    }

    fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        loop {
            match self.input.read(buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(0);
                }
                Ok(n) => {
                    self.bytes_read += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(source) => {
                    return Err(CsvError::Io {
                        file: self.source.clone(),
                        source,
                    });
                }
            }
        }
    }

    /// Moves the carried bytes to the front of `chunk.data`; returns their length.
    fn take_carry(&mut self, chunk: &mut Chunk) -> usize {
        let want = self
            .chunk_bytes
            .max(MIN_BUFFER_BYTES)
            .max(self.carry.len() + MIN_BUFFER_BYTES);
        if chunk.data.len() < want {
            chunk.data.resize(want, 0);
        }
        let len = self.carry.len();
        chunk.data[..len].copy_from_slice(&self.carry);
        self.carry.clear();
        len
    }

    /// Scans records into `chunk` until it is full, the input ends or a too-long record starts.
    fn fill(&mut self, chunk: &mut Chunk) -> Result<()> {
        let mut len = self.take_carry(chunk);
        if !self.started {
            self.started = true;
            while len < BOM.len() && !self.eof {
                let n = self.read(&mut chunk.data[len..])?;
                len += n;
            }
            if chunk.data[..len].starts_with(BOM) {
                chunk.data.copy_within(BOM.len()..len, 0);
                len -= BOM.len();
                self.next_byte += BOM.len() as u64;
            }
        }
        chunk.first_byte = self.next_byte;
        chunk.first_line = self.next_line;
        chunk.first_record = self.next_record;
        let mut rec_start = 0;
        let mut scan_pos = 0;
        let mut state = ScanState::default();
        let mut quoted_lines = 0u64;
        'fill: loop {
            loop {
                let step = self.scanner.next_end(
                    &chunk.data[..len],
                    scan_pos,
                    self.eof,
                    &mut state,
                    &mut quoted_lines,
                );
                match step {
                    Step::RecordEnd { end } => {
                        let line = self.next_line;
                        self.next_line += 1 + quoted_lines;
                        self.next_record += 1;
                        quoted_lines = 0;
                        state = ScanState::default();
                        if self.to_drop > 0 {
                            // Only before the first kept record, so `rec_start` is 0.
                            self.to_drop -= 1;
                            chunk.data.copy_within(end..len, rec_start);
                            len -= end - rec_start;
                            self.next_byte += (end - rec_start) as u64;
                            chunk.first_byte = self.next_byte;
                            chunk.first_line = self.next_line;
                            chunk.first_record = self.next_record;
                            scan_pos = rec_start;
                        } else {
                            chunk.ends.push(end as u32);
                            chunk.lines.push(line);
                            rec_start = end;
                            scan_pos = end;
                            if chunk.ends.len() >= self.batch_rows {
                                break 'fill;
                            }
                        }
                    }
                    Step::NeedMore { pos } => {
                        scan_pos = pos;
                        break;
                    }
                }
            }
            if scan_pos - rec_start > self.max_line_bytes {
                let snippet_end = rec_start + long_snippet_len(self.max_line_bytes);
                self.pending_long = Some(PendingLong {
                    record: LongRecord {
                        line: self.next_line,
                        byte: self.next_byte + rec_start as u64,
                        record: self.next_record,
                        snippet: chunk.data[rec_start..snippet_end].to_vec(),
                    },
                    state,
                    quoted_lines,
                    consumed: (scan_pos - rec_start) as u64,
                    drop: self.to_drop > 0,
                });
                // Keep only the unscanned tail (a `\r` waiting for its next byte).
                self.carry.extend_from_slice(&chunk.data[scan_pos..len]);
                len = rec_start;
                break;
            }
            if self.eof {
                if len > rec_start {
                    // The last record has no terminator (or ends inside quotes).
                    self.next_record += 1;
                    if self.to_drop > 0 {
                        self.to_drop -= 1;
                        len = rec_start;
                    } else {
                        chunk.ends.push(len as u32);
                        chunk.lines.push(self.next_line);
                        rec_start = len;
                    }
                }
                self.done = true;
                break;
            }
            if len >= self.chunk_bytes && !chunk.ends.is_empty() {
                break;
            }
            if len == chunk.data.len() {
                if !chunk.ends.is_empty() {
                    break;
                }
                let grown = (chunk.data.len() * 2).max(MIN_BUFFER_BYTES);
                chunk.data.resize(grown, 0);
            }
            let n = self.read(&mut chunk.data[len..])?;
            len += n;
        }
        self.carry.extend_from_slice(&chunk.data[rec_start..len]);
        chunk.len = rec_start;
        self.next_byte += rec_start as u64;
        Ok(())
    }

    /// Scans past a too-long record without keeping it. Returns whether `chunk` became an error
    /// chunk (it does not for a SKIP/header record).
    fn skip_long(&mut self, chunk: &mut Chunk, pending: PendingLong) -> Result<bool> {
        let mut len = self.take_carry(chunk);
        let mut consumed = pending.consumed;
        let mut state = pending.state;
        let mut quoted_lines = pending.quoted_lines;
        loop {
            let step = self.scanner.next_end(
                &chunk.data[..len],
                0,
                self.eof,
                &mut state,
                &mut quoted_lines,
            );
            match step {
                Step::RecordEnd { end } => {
                    consumed += end as u64;
                    self.carry.extend_from_slice(&chunk.data[end..len]);
                    break;
                }
                Step::NeedMore { pos } => {
                    if self.eof {
                        consumed += len as u64;
                        self.done = true;
                        break;
                    }
                    consumed += pos as u64;
                    chunk.data.copy_within(pos..len, 0);
                    len -= pos;
                    let n = self.read(&mut chunk.data[len..])?;
                    len += n;
                }
            }
        }
        let record = pending.record;
        self.next_line = record.line + 1 + quoted_lines;
        self.next_byte = record.byte + consumed;
        self.next_record = record.record + 1;
        if pending.drop {
            self.to_drop -= 1;
            return Ok(false);
        }
        chunk.first_byte = record.byte;
        chunk.first_line = record.line;
        chunk.first_record = record.record;
        chunk.long_record = Some(record);
        Ok(true)
    }
}

/// Bytes of a too-long record kept for its error text: the same whether the splitter or the
/// decoder finds it (both have at least `max_line_bytes + 1` bytes of it at hand).
pub(crate) fn long_snippet_len(max_line_bytes: usize) -> usize {
    (MAX_SNIPPET_BYTES + 1).min(max_line_bytes + 1)
}
