//! Spill runs: the keys of one hash partition, written to a temporary file while an index is
//! built out of core, read back when that partition is built.
//!
//! A run is an anonymous temporary file in the spill directory (unlinked at creation, so it
//! disappears with its handle even after a crash). It is a sequence of blocks:
//!
//! ```text
//! block   := payload_len u32 | crc32c(payload) u32 | payload
//! payload := record*                        (records never span blocks)
//! record  := key | node_offset u64 | line u64          fixed layouts: key is 8 or 16 bytes
//!          | key_len u32 | key | node_offset u64 | line u64      variable layout
//! ```
//!
//! All integers little-endian. Records keep insertion order, so within a run the first
//! occurrence of a key comes first. A block is at most the writer's block size, except a block
//! holding a single record larger than that (a very long key).

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::error::{PkIndexError, Result};
use super::key::KeyLayout;

const BLOCK_HEADER_BYTES: usize = 8;

/// Appends records to one run, a block at a time.
///
/// Bound: holds one block buffer of `block_bytes` (more only while one record is larger).
#[derive(Debug)]
pub(crate) struct SpillWriter {
    file: File,
    buf: Vec<u8>,
    block_bytes: usize,
    records: u64,
}

impl SpillWriter {
    /// A new run in `dir` with blocks of `block_bytes`.
    pub(crate) fn new(dir: &Path, block_bytes: usize) -> Result<Self> {
        let file = tempfile::tempfile_in(dir).map_err(PkIndexError::io("create spill run"))?;
        Ok(SpillWriter {
            file,
            buf: Vec::with_capacity(block_bytes),
            block_bytes,
            records: 0,
        })
    }

    /// Appends one record.
    #[inline]
    pub(crate) fn push(
        &mut self,
        layout: KeyLayout,
        key: &[u8],
        offset: u64,
        line: u64,
    ) -> Result<()> {
        let var = layout == KeyLayout::Var;
        let record_bytes = key.len() + 16 + if var { 4 } else { 0 };
        if self.buf.len() + record_bytes > self.block_bytes && !self.buf.is_empty() {
            self.flush_block()?;
        }
        if var {
            let len = u32::try_from(key.len()).expect("invariant: keys are < 4 GiB");
            self.buf.extend_from_slice(&len.to_le_bytes());
        }
        self.buf.extend_from_slice(key);
        self.buf.extend_from_slice(&offset.to_le_bytes());
        self.buf.extend_from_slice(&line.to_le_bytes());
        self.records += 1;
        Ok(())
    }

    fn flush_block(&mut self) -> Result<()> {
        let len = u32::try_from(self.buf.len()).expect("invariant: a block is < 4 GiB");
        let mut header = [0u8; BLOCK_HEADER_BYTES];
        header[..4].copy_from_slice(&len.to_le_bytes());
        header[4..].copy_from_slice(&crc32c::crc32c(&self.buf).to_le_bytes());
        self.file
            .write_all(&header)
            .and_then(|()| self.file.write_all(&self.buf))
            .map_err(PkIndexError::io("write spill run"))?;
        self.buf.clear();
        self.buf.shrink_to(self.block_bytes);
        Ok(())
    }

    /// Heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.buf.capacity()
    }

    /// Writes the last block and returns the run, rewound for reading.
    pub(crate) fn finish(mut self) -> Result<SpillRun> {
        if !self.buf.is_empty() {
            self.flush_block()?;
        }
        self.file
            .seek(SeekFrom::Start(0))
            .map_err(PkIndexError::io("rewind spill run"))?;
        Ok(SpillRun {
            file: self.file,
            records: self.records,
        })
    }
}

/// A finished run: its file and how many records it holds.
#[derive(Debug)]
pub(crate) struct SpillRun {
    file: File,
    records: u64,
}

impl SpillRun {
    /// Records in the run.
    pub(crate) fn records(&self) -> u64 {
        self.records
    }

    /// Reads the run from its start.
    pub(crate) fn reader(&mut self, layout: KeyLayout) -> Result<SpillReader<'_>> {
        self.file
            .seek(SeekFrom::Start(0))
            .map_err(PkIndexError::io("rewind spill run"))?;
        Ok(SpillReader {
            file: &mut self.file,
            layout,
            block: Vec::new(),
            pos: 0,
            block_position: 0,
            next_position: 0,
        })
    }
}

/// Reads the records of a run in order, one block in memory at a time.
#[derive(Debug)]
pub(crate) struct SpillReader<'a> {
    file: &'a mut File,
    layout: KeyLayout,
    block: Vec<u8>,
    /// Next record's position in `block`.
    pos: usize,
    /// File position of the block in `block` (for error reports).
    block_position: u64,
    /// File position of the next block.
    next_position: u64,
}

impl SpillReader<'_> {
    /// The next record as `(key, node_offset, line)`, or `None` at the end of the run.
    ///
    /// # Errors
    ///
    /// [`PkIndexError::CorruptSpill`] when a block is truncated or fails its checksum.
    #[inline]
    pub(crate) fn next_record(&mut self) -> Result<Option<(&[u8], u64, u64)>> {
        if self.pos == self.block.len() && !self.read_block()? {
            return Ok(None);
        }
        let corrupt = PkIndexError::CorruptSpill {
            position: self.block_position,
        };
        let block = &self.block[self.pos..];
        let (key_start, key_len) = match self.layout.fixed_width() {
            Some(w) => (0, w),
            None => {
                let len = block.get(..4).ok_or(corrupt)?;
                (
                    4,
                    u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize,
                )
            }
        };
        let end = key_start + key_len + 16;
        if block.len() < end {
            return Err(PkIndexError::CorruptSpill {
                position: self.block_position,
            });
        }
        let key = &block[key_start..key_start + key_len];
        let tail = &block[key_start + key_len..end];
        let offset = u64::from_le_bytes(tail[..8].try_into().expect("8 bytes"));
        let line = u64::from_le_bytes(tail[8..].try_into().expect("8 bytes"));
        self.pos += end;
        Ok(Some((key, offset, line)))
    }

    fn read_block(&mut self) -> Result<bool> {
        let corrupt = |position| PkIndexError::CorruptSpill { position };
        let mut header = [0u8; BLOCK_HEADER_BYTES];
        match read_full(self.file, &mut header) {
            Ok(0) => return Ok(false),
            Ok(BLOCK_HEADER_BYTES) => {}
            Ok(_) => return Err(corrupt(self.next_position)),
            Err(e) => return Err(PkIndexError::io("read spill run")(e)),
        }
        let len = u32::from_le_bytes(header[..4].try_into().expect("4 bytes")) as usize;
        let crc = u32::from_le_bytes(header[4..].try_into().expect("4 bytes"));
        self.block.clear();
        self.block.resize(len, 0);
        match read_full(self.file, &mut self.block) {
            Ok(n) if n == len => {}
            Ok(_) => return Err(corrupt(self.next_position)),
            Err(e) => return Err(PkIndexError::io("read spill run")(e)),
        }
        if crc32c::crc32c(&self.block) != crc {
            return Err(corrupt(self.next_position));
        }
        self.block_position = self.next_position;
        self.next_position += (BLOCK_HEADER_BYTES + len) as u64;
        self.pos = 0;
        Ok(len > 0 || self.read_block()?)
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Writes records into `2^bits` runs by the hash bits below the first `shift` bits.
///
/// Bound: `2^bits` block buffers.
#[derive(Debug)]
pub(crate) struct Partitioner {
    writers: Vec<SpillWriter>,
    layout: KeyLayout,
    shift: u32,
    bits: u32,
}

impl Partitioner {
    /// Runs in `dir`, one per value of hash bits `shift .. shift + bits` (counted from the top).
    pub(crate) fn new(
        dir: &Path,
        layout: KeyLayout,
        shift: u32,
        bits: u32,
        block_bytes: usize,
    ) -> Result<Self> {
        debug_assert!(bits >= 1 && shift + bits <= 64);
        let writers = (0..1usize << bits)
            .map(|_| SpillWriter::new(dir, block_bytes))
            .collect::<Result<Vec<_>>>()?;
        Ok(Partitioner {
            writers,
            layout,
            shift,
            bits,
        })
    }

    /// The run a hash goes to.
    #[inline]
    pub(crate) fn partition(&self, hash: u64) -> usize {
        ((hash << self.shift) >> (64 - self.bits)) as usize
    }

    /// Appends one record to its partition's run.
    #[inline]
    pub(crate) fn push(&mut self, hash: u64, key: &[u8], offset: u64, line: u64) -> Result<()> {
        let p = self.partition(hash);
        self.writers[p].push(self.layout, key, offset, line)
    }

    /// Heap bytes held.
    pub(crate) fn memory_bytes(&self) -> usize {
        self.writers
            .iter()
            .map(SpillWriter::memory_bytes)
            .sum::<usize>()
            + self.writers.capacity() * size_of::<SpillWriter>()
    }

    /// Finishes every run, in partition order.
    pub(crate) fn finish(self) -> Result<Vec<SpillRun>> {
        self.writers.into_iter().map(SpillWriter::finish).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_come_back_in_order_across_blocks() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut w = SpillWriter::new(dir.path(), 64).expect("run");
        let long = vec![7u8; 300];
        let keys: Vec<Vec<u8>> = (0..100u8)
            .map(|i| vec![i; usize::from(i % 5)])
            .chain([long.clone()])
            .collect();
        for (i, k) in keys.iter().enumerate() {
            w.push(KeyLayout::Var, k, i as u64, 1000 + i as u64)
                .expect("push");
        }
        let mut run = w.finish().expect("finish");
        assert_eq!(run.records(), keys.len() as u64);
        let mut r = run.reader(KeyLayout::Var).expect("reader");
        let mut i = 0;
        while let Some((k, o, l)) = r.next_record().expect("record") {
            assert_eq!(k, &keys[i][..]);
            assert_eq!((o, l), (i as u64, 1000 + i as u64));
            i += 1;
        }
        assert_eq!(i, keys.len());
    }

    #[test]
    fn corrupted_block_is_an_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut w = SpillWriter::new(dir.path(), 1024).expect("run");
        for i in 0..10u64 {
            w.push(KeyLayout::Fixed8, &i.to_le_bytes(), i, i)
                .expect("push");
        }
        let mut run = w.finish().expect("finish");
        run.file.seek(SeekFrom::Start(20)).expect("seek");
        run.file.write_all(&[0xff]).expect("write");
        let mut r = run.reader(KeyLayout::Fixed8).expect("reader");
        let err = r.next_record().expect_err("checksum must fail");
        assert!(matches!(err, PkIndexError::CorruptSpill { position: 0 }));
    }
}
