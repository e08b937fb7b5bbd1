//! Spill runs of edge records, one per (direction, rel group), and the streams that read them.
//!
//! [`Runs`] keeps each run's newest records in a memory buffer; when the buffers together pass
//! their budget, every buffer is appended to its run's temporary file (created on first use in
//! the spill directory) and emptied. A run is therefore its file (older records) followed by
//! its buffer (newer records), in append order.
//!
//! Bound: `memory_limit_bytes` of buffered records plus, after a spill, at most
//! `memory_limit_bytes / runs` of retained capacity per buffer; one open file per spilled run.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::record::{LEN_BYTES, Record, record_len};
use crate::error::{Result, StorageError};

/// Bytes of read buffer per run or sorted chunk file being read.
pub(crate) const READ_BUFFER_BYTES: usize = 64 << 10;

pub(crate) fn io(op: &'static str) -> impl FnOnce(std::io::Error) -> StorageError {
    move |source| StorageError::Io {
        op,
        offset: 0,
        source,
    }
}

/// One run: records spilled to `file` (`file_bytes` of them) and records still in `buf`.
#[derive(Debug, Default)]
pub(crate) struct Run {
    file: Option<File>,
    file_bytes: u64,
    buf: Vec<u8>,
}

impl Run {
    /// Bytes of records in the run.
    pub(crate) fn bytes(&self) -> u64 {
        self.file_bytes + self.buf.len() as u64
    }

    /// Whether the run holds no record.
    pub(crate) fn is_empty(&self) -> bool {
        self.bytes() == 0
    }

    /// Every record of the run, in append order, as one buffer (the file part read with one
    /// large read); the run is left empty.
    ///
    /// # Errors
    ///
    /// I/O errors; a file shorter than its records is corrupt.
    pub(crate) fn take_all(&mut self) -> Result<Vec<u8>> {
        let Some(mut f) = self.file.take() else {
            return Ok(std::mem::take(&mut self.buf));
        };
        let file_bytes = std::mem::take(&mut self.file_bytes);
        let len = usize::try_from(file_bytes).map_err(|_| {
            StorageError::corrupt("rel spill run", 0, "run larger than the address space")
        })?;
        let mut out = Vec::with_capacity(len + self.buf.len());
        f.seek(SeekFrom::Start(0))
            .map_err(io("rewind rel spill run"))?;
        f.take(file_bytes)
            .read_to_end(&mut out)
            .map_err(io("read rel spill run"))?;
        if out.len() != len {
            return Err(StorageError::corrupt(
                "rel spill run",
                out.len() as u64,
                "spill file shorter than its records",
            ));
        }
        out.extend_from_slice(&self.buf);
        self.buf = Vec::new();
        Ok(out)
    }

    /// A reader of every record of the run, in append order.
    pub(crate) fn reader(&mut self) -> Result<RunReader<'_>> {
        let file = match &mut self.file {
            Some(f) => {
                f.seek(SeekFrom::Start(0))
                    .map_err(io("rewind rel spill run"))?;
                Some(BufReader::with_capacity(READ_BUFFER_BYTES, f).take(self.file_bytes))
            }
            None => None,
        };
        Ok(RunReader {
            file,
            mem: &self.buf,
            at: 0,
        })
    }
}

/// Reads the records of a run: the file part, then the memory part.
pub(crate) struct RunReader<'r> {
    file: Option<std::io::Take<BufReader<&'r mut File>>>,
    mem: &'r [u8],
    at: usize,
}

impl RunReader<'_> {
    /// Appends the next record (length prefix included) to `out`; false at the end.
    ///
    /// # Errors
    ///
    /// I/O errors; a truncated record is corrupt.
    pub(crate) fn next_into(&mut self, out: &mut Vec<u8>) -> Result<bool> {
        if let Some(f) = &mut self.file {
            if read_record(f, out)? {
                return Ok(true);
            }
            self.file = None;
        }
        if self.at >= self.mem.len() {
            return Ok(false);
        }
        let len = record_len(&self.mem[self.at..])
            .filter(|&n| self.at + n <= self.mem.len())
            .ok_or_else(|| StorageError::corrupt("rel spill run", 0, "truncated record"))?;
        out.extend_from_slice(&self.mem[self.at..self.at + len]);
        self.at += len;
        Ok(true)
    }
}

/// Reads one length-prefixed record from `r` into `out`; false at a clean end.
pub(crate) fn read_record(r: &mut impl Read, out: &mut Vec<u8>) -> Result<bool> {
    let mut prefix = [0u8; LEN_BYTES];
    let mut got = 0;
    while got < LEN_BYTES {
        let n = r
            .read(&mut prefix[got..])
            .map_err(io("read rel spill run"))?;
        if n == 0 {
            if got == 0 {
                return Ok(false);
            }
            return Err(StorageError::corrupt(
                "rel spill run",
                0,
                "truncated record",
            ));
        }
        got += n;
    }
    let len = u32::from_le_bytes(prefix) as usize;
    let start = out.len();
    out.extend_from_slice(&prefix);
    out.resize(start + LEN_BYTES + len, 0);
    r.read_exact(&mut out[start + LEN_BYTES..])
        .map_err(io("read rel spill run"))?;
    Record::new(&out[start + LEN_BYTES..])?;
    Ok(true)
}

/// The runs of one import, by index.
#[derive(Debug)]
pub(crate) struct Runs {
    runs: Vec<Run>,
    /// Records held in the buffers.
    buffered_bytes: usize,
    memory_limit_bytes: usize,
    spill_dir: PathBuf,
    /// Whether any run went to disk (the import left the in-memory path).
    spilled: bool,
}

impl Runs {
    /// `count` empty runs, buffering at most `memory_limit_bytes` in memory.
    pub(crate) fn new(count: usize, memory_limit_bytes: usize, spill_dir: &Path) -> Self {
        Runs {
            runs: (0..count).map(|_| Run::default()).collect(),
            buffered_bytes: 0,
            memory_limit_bytes: memory_limit_bytes.max(1),
            spill_dir: spill_dir.to_path_buf(),
            spilled: false,
        }
    }

    /// Most bytes of records the buffers hold before they spill.
    pub(crate) fn memory_limit_bytes(&self) -> usize {
        self.memory_limit_bytes
    }

    /// Number of runs.
    pub(crate) fn count(&self) -> usize {
        self.runs.len()
    }

    /// Whether every run is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.runs.iter().all(Run::is_empty)
    }

    /// Whether any run was written to disk.
    pub(crate) fn spilled(&self) -> bool {
        self.spilled
    }

    /// Heap bytes held by the buffers (capacity).
    pub(crate) fn memory_bytes(&self) -> usize {
        self.runs.iter().map(|r| r.buf.capacity()).sum()
    }

    /// The buffer of run `run`, to append whole records to; call [`Runs::appended`] after.
    pub(crate) fn buffer(&mut self, run: usize) -> &mut Vec<u8> {
        &mut self.runs[run].buf
    }

    /// Records that `bytes` were appended to some buffer; spills when over the budget.
    ///
    /// # Errors
    ///
    /// I/O errors of the spill.
    pub(crate) fn appended(&mut self, bytes: usize) -> Result<()> {
        self.buffered_bytes += bytes;
        if self.buffered_bytes > self.memory_limit_bytes {
            self.spill()?;
        }
        Ok(())
    }

    /// Writes every buffer to its run's file.
    fn spill(&mut self) -> Result<()> {
        let keep = self.memory_limit_bytes / self.runs.len().max(1);
        for run in &mut self.runs {
            if run.buf.is_empty() {
                continue;
            }
            if run.file.is_none() {
                run.file = Some(
                    tempfile::tempfile_in(&self.spill_dir).map_err(io("create rel spill run"))?,
                );
            }
            let f = run.file.as_mut().expect("invariant: created above");
            f.seek(SeekFrom::End(0))
                .map_err(io("write rel spill run"))?;
            f.write_all(&run.buf).map_err(io("write rel spill run"))?;
            run.file_bytes += run.buf.len() as u64;
            run.buf.clear();
            run.buf.shrink_to(keep);
        }
        self.buffered_bytes = 0;
        self.spilled = true;
        Ok(())
    }

    /// Run `run`.
    pub(crate) fn run_mut(&mut self, run: usize) -> &mut Run {
        &mut self.runs[run]
    }

    /// Empties every run (files closed and deleted), keeping the budget.
    pub(crate) fn clear(&mut self) {
        for run in &mut self.runs {
            *run = Run::default();
        }
        self.buffered_bytes = 0;
    }
}

/// A buffered writer of sorted chunk files for the external sort.
pub(crate) fn chunk_writer(spill_dir: &Path) -> Result<BufWriter<File>> {
    let f = tempfile::tempfile_in(spill_dir).map_err(io("create rel sort run"))?;
    Ok(BufWriter::with_capacity(READ_BUFFER_BYTES, f))
}
