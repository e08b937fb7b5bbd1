//! String data compressed ahead of the group encoder: [`BatchFrames`] holds the zstd frames
//! of one batch's string columns, made on a decoder thread (the import sink's parallel
//! phase), and [`NodeTableWriter`](super::NodeTableWriter) hands them to the column encoders
//! with the batch's rows, so that finishing the group copies them instead of compressing
//! those bytes on the group encoder's thread.
//!
//! Which columns are worth compressing ahead is learnt from the groups already written
//! ([`FrameHints`]): a column whose last chunk was stored as VARLEN_ZSTD (every string column
//! before the first group is finished). Frames of a column
//! whose next chunk takes a dictionary (or stays plain) are simply not used, so a stale hint
//! costs CPU, never correctness: the chunk decodes to the same values either way.

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};

use ruzu_csv::{Batch, ColumnData, DataType};

use crate::node::column::FrameCompressor;

/// Per column of a node table: whether its string data is worth compressing ahead. Shared
/// (read-only but for the hints themselves) by the writer and the sink's local sinks.
#[derive(Debug)]
pub(crate) struct FrameHints {
    /// One flag per column; only STRING/BLOB columns are ever set.
    compress: Box<[AtomicBool]>,
    /// The zstd level of the table's string chunks (`None`: nothing is compressed).
    level: Option<i32>,
}

impl FrameHints {
    /// Hints for columns of `types`: every STRING/BLOB column on until its first chunk says
    /// otherwise (a low-cardinality column then wastes the frames of one group's worth of
    /// batches; a high-cardinality one, the costly kind, is compressed ahead from the start).
    pub(crate) fn new(types: &[DataType], level: Option<i32>) -> Self {
        FrameHints {
            compress: types
                .iter()
                .map(|t| AtomicBool::new(matches!(t, DataType::String | DataType::Blob)))
                .collect(),
            level,
        }
    }

    /// The zstd level frames are made at.
    pub(crate) fn level(&self) -> Option<i32> {
        self.level
    }

    /// Records whether column `column`'s last chunk was stored compressed.
    pub(crate) fn set(&self, column: usize, compressed: bool) {
        if let Some(flag) = self.compress.get(column) {
            flag.store(compressed, Ordering::Relaxed);
        }
    }

    /// Whether column `column`'s data should be compressed ahead.
    pub(crate) fn wants(&self, column: usize) -> bool {
        self.level.is_some()
            && self
                .compress
                .get(column)
                .is_some_and(|f| f.load(Ordering::Relaxed))
    }
}

/// The zstd frames of one batch's string columns, each inflating to exactly the string bytes
/// of all the batch's rows of that column. Reused from batch to batch.
///
/// Bound: the compressed bytes of one batch's strings.
#[derive(Debug, Default)]
pub(crate) struct BatchFrames {
    /// The frames of every compressed column, back to back.
    bytes: Vec<u8>,
    /// Per column: the range of `bytes` holding its frame, when compressed.
    columns: Vec<Option<Range<usize>>>,
    /// Rows of the batch the frames were made of.
    rows: usize,
}

impl BatchFrames {
    /// Compresses the columns of `batch` that `hints` asks for, replacing what was held.
    ///
    /// # Errors
    ///
    /// zstd failed (out of memory): the frames are dropped and the batch goes without them.
    pub(crate) fn compress(
        &mut self,
        batch: &Batch,
        hints: &FrameHints,
        compressor: &mut FrameCompressor,
    ) -> std::io::Result<()> {
        self.bytes.clear();
        self.columns.clear();
        self.rows = batch.num_rows();
        for (c, column) in batch.columns().enumerate() {
            let range = match column.data() {
                ColumnData::String(v) | ColumnData::Blob(v) if hints.wants(c) => {
                    let offsets = v.offsets();
                    let data = &v.data()[offsets[0] as usize..offsets[offsets.len() - 1] as usize];
                    let start = self.bytes.len();
                    if let Err(e) = compressor.compress(data, &mut self.bytes) {
                        self.columns.clear();
                        return Err(e);
                    }
                    Some(start..self.bytes.len())
                }
                _ => None,
            };
            self.columns.push(range);
        }
        Ok(())
    }

    /// Holds no frame.
    pub(crate) fn clear(&mut self) {
        self.bytes.clear();
        self.columns.clear();
        self.rows = 0;
    }

    /// The frames of column `column` when they cover all `rows` rows of the batch.
    pub(crate) fn column(&self, column: usize, rows: usize) -> Option<&[u8]> {
        if rows != self.rows {
            return None;
        }
        let range = self.columns.get(column)?.clone()?;
        Some(&self.bytes[range])
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ruzu_csv::{Field, Schema, Value};

    use super::*;
    use crate::node::column::{ChunkEncoder, ChunkReader, Encoding};

    fn batch(rows: usize, salt: usize) -> Batch {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64),
            Field::new("bio", DataType::String),
        ]));
        let mut batch = Batch::new(schema, rows, 64 * rows);
        for i in 0..rows {
            let bio = format!("row {i} of batch {salt} says {} words", i * 7919 % 1013);
            batch
                .push_row(&[Value::Int64(i as i64), Value::String(&bio)], 2, 0)
                .expect("row matches");
        }
        batch
    }

    /// A chunk made of precompressed runs, raw runs between them, reads back value for value.
    #[test]
    fn chunk_of_frames_and_raw_runs_reads_back() {
        let hints = FrameHints::new(&[DataType::Int64, DataType::String], Some(1));
        assert!(!hints.wants(0) && hints.wants(1));
        hints.set(1, false);
        assert!(!hints.wants(1));
        hints.set(1, true);
        let mut compressor = FrameCompressor::new(1).expect("zstd context");
        let mut encoder = ChunkEncoder::new(DataType::String)
            .expect("supported")
            .with_zstd_level(Some(1));
        let mut frames = BatchFrames::default();
        let batches: Vec<Batch> = (0..4).map(|b| batch(700, b)).collect();
        for (b, batch) in batches.iter().enumerate() {
            frames
                .compress(batch, &hints, &mut compressor)
                .expect("compresses");
            assert!(frames.column(0, batch.num_rows()).is_none());
            let rows = batch.num_rows();
            if b == 2 {
                // A run split by a reject: no frame covers it, the encoder compresses it.
                assert!(frames.column(1, 300).is_none());
                encoder.append(batch.column(1), 0..300).expect("appends");
                encoder.append(batch.column(1), 301..rows).expect("appends");
            } else {
                let f = frames.column(1, rows).expect("compressed");
                encoder
                    .append_with_frames(batch.column(1), 0..rows, f)
                    .expect("appends");
            }
        }
        let mut image = Vec::new();
        let meta = encoder.finish(&mut image);
        assert_eq!(meta.encoding, Encoding::VarLenZstd);
        let reader = ChunkReader::new(&image).expect("valid image");
        let mut row = 0;
        for (b, batch) in batches.iter().enumerate() {
            for r in 0..batch.num_rows() {
                if b == 2 && r == 300 {
                    continue;
                }
                assert_eq!(reader.value(row), batch.value(r, 1), "batch {b} row {r}");
                row += 1;
            }
        }
        assert_eq!(row, meta.rows as usize);
    }
}
