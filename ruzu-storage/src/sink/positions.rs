//! [`PositionLog`]: where each stored row of an import came from (file, line, byte), kept on
//! disk from the moment the primary-key index spills, so that a duplicate key found only when
//! the index is finished can be reported with its position.
//!
//! Rows are logged in node offset order, 16 bytes each (`u64` line, `u64` byte offset) in an
//! anonymous temporary file of the spill directory; the source file of each run of rows is
//! kept in memory, one entry per change of file (bounded by the number of input files).
//! Looking a row up is one positioned read.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use ruzu_csv::{Batch, Position};

use crate::error::{Result, StorageError};

/// Bytes per logged row.
const ENTRY_BYTES: u64 = 16;
/// Write buffer of the log.
const BUFFER_BYTES: usize = 256 << 10;

/// The positions of the rows stored since the index began to spill.
#[derive(Debug)]
pub(crate) struct PositionLog {
    /// Node offset of the first logged row.
    start: u64,
    /// Rows logged.
    rows: u64,
    out: BufWriter<File>,
    /// `(first node offset, source file)`, one entry per change of source.
    sources: Vec<(u64, Option<Arc<Path>>)>,
}

fn io(op: &'static str) -> impl FnOnce(std::io::Error) -> StorageError {
    move |source| StorageError::Io {
        op,
        offset: 0,
        source,
    }
}

impl PositionLog {
    /// An empty log in `dir` whose first row will have node offset `start`.
    pub(crate) fn new(dir: &Path, start: u64) -> Result<Self> {
        let file = tempfile::tempfile_in(dir).map_err(io("create position log"))?;
        Ok(PositionLog {
            start,
            rows: 0,
            out: BufWriter::with_capacity(BUFFER_BYTES, file),
            sources: Vec::new(),
        })
    }

    /// Heap bytes held (the write buffer and the source table).
    pub(crate) fn memory_bytes(&self) -> usize {
        self.out.capacity() + self.sources.capacity() * 24
    }

    /// Logs rows `rows` of `batch`, the next stored rows.
    pub(crate) fn append(&mut self, batch: &Batch, rows: std::ops::Range<usize>) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let source = batch.source();
        if self
            .sources
            .last()
            .is_none_or(|(_, s)| s.as_ref() != source)
        {
            self.sources.push((self.start + self.rows, source.cloned()));
        }
        for r in rows.clone() {
            let mut entry = [0u8; ENTRY_BYTES as usize];
            entry[..8].copy_from_slice(&batch.line(r).to_le_bytes());
            entry[8..].copy_from_slice(&batch.byte_offset(r).to_le_bytes());
            self.out
                .write_all(&entry)
                .map_err(io("write position log"))?;
        }
        self.rows += rows.len() as u64;
        Ok(())
    }

    /// Makes every logged row readable by [`PositionLog::position`].
    pub(crate) fn flush(&mut self) -> Result<()> {
        self.out.flush().map_err(io("write position log"))
    }

    /// A position that knows only its line.
    pub(crate) fn line_only(line: u64) -> Result<Position> {
        Ok(Position {
            file: None,
            line,
            byte: 0,
            record: 0,
        })
    }

    /// The position of the row at node offset `offset` (after [`PositionLog::flush`]); only
    /// `line` (and no file) for a row logged before the log began.
    pub(crate) fn position(&self, offset: u64, line: u64) -> Result<Position> {
        let Some(index) = offset.checked_sub(self.start).filter(|&i| i < self.rows) else {
            return Self::line_only(line);
        };
        let mut entry = [0u8; ENTRY_BYTES as usize];
        self.out
            .get_ref()
            .read_exact_at(&mut entry, index * ENTRY_BYTES)
            .map_err(io("read position log"))?;
        let at = self.sources.partition_point(|(first, _)| *first <= offset);
        let file = at.checked_sub(1).and_then(|i| self.sources[i].1.clone());
        Ok(Position {
            file,
            line: u64::from_le_bytes(entry[..8].try_into().expect("invariant: 8 bytes")),
            byte: u64::from_le_bytes(entry[8..].try_into().expect("invariant: 8 bytes")),
            record: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use ruzu_csv::{DataType, Field, Schema, Value};

    use super::*;

    fn batch(source: &str, first_line: u64, rows: i64) -> Batch {
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64)]));
        let mut b = Batch::new(schema, rows as usize, 0);
        b.set_source(Some(Arc::from(Path::new(source))));
        for i in 0..rows {
            b.push_row(
                &[Value::Int64(i)],
                first_line + i as u64,
                100 * (first_line + i as u64),
            )
            .expect("row matches");
        }
        b
    }

    #[test]
    fn rows_are_found_by_node_offset_with_their_file_line_and_byte() -> Result<()> {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut log = PositionLog::new(dir.path(), 50)?;
        log.append(&batch("a.csv", 2, 10), 0..10)?;
        log.append(&batch("a.csv", 12, 10), 3..10)?;
        log.append(&batch("b.csv", 2, 5), 1..4)?;
        log.flush()?;
        let p = log.position(50, 0)?;
        assert_eq!((p.line, p.byte), (2, 200));
        assert_eq!(p.file.as_deref(), Some(Path::new("a.csv")));
        let p = log.position(60, 0)?;
        assert_eq!((p.line, p.byte), (15, 1500));
        let p = log.position(67, 0)?;
        assert_eq!((p.line, p.byte), (3, 300));
        assert_eq!(p.file.as_deref(), Some(Path::new("b.csv")));
        // Before the log began: the caller's line, no file.
        let p = log.position(10, 7)?;
        assert_eq!((p.file, p.line, p.byte), (None, 7, 0));
        Ok(())
    }
}
