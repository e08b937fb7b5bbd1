//! Batches: a bounded number of decoded rows in Arrow-style column buffers, recycled.
//!
//! A [`Batch`] owns its buffers and a bump arena for variable-size data. Clearing it keeps
//! every allocation (vectors keep their capacity, the arena is reset), so a batch that
//! circulates through a [`BatchPool`] allocates nothing in steady state. Buffers and arenas
//! that grew past twice their normal size for an unusual batch are shrunk back on clear.

mod arena;
mod arrow;
mod bitmap;
mod column;
mod owned;
mod pool;
mod value;

use std::path::Path;
use std::sync::Arc;

pub use bitmap::Bitmap;
pub use column::{ColumnData, ColumnRef, VarView};
pub use owned::OwnedValue;
pub use pool::BatchPool;
pub use value::Value;

pub(crate) use arena::Arena;
pub(crate) use column::{Column, Values};

use crate::error::CsvError;
use crate::types::Schema;

/// Decoded rows of one schema, column by column, with the input position of every row.
///
/// Bound: a batch holds at most what one chunk of input decodes to; its steady-state memory is
/// [`Batch::memory_bytes`], which [`Batch::clear`] brings back to the normal capacity.
#[derive(Debug)]
pub struct Batch {
    schema: Arc<Schema>,
    /// One per schema field; each has exactly `num_rows` values.
    columns: Vec<Column>,
    num_rows: usize,
    /// 1-based physical line where each row's record starts.
    lines: Vec<u64>,
    /// 0-based byte offset (in the decompressed input) where each row's record starts.
    byte_offsets: Vec<u64>,
    /// Variable-size values of every column.
    arena: Arena,
    /// The file the rows came from, shared by the whole import.
    source: Option<Arc<Path>>,
    /// Position of this batch in its import's order (0-based), set by the producer.
    seq: u64,
    /// Rows the buffers are sized for.
    capacity_rows: usize,
}

impl Batch {
    /// An empty batch for `schema`, with buffers for `capacity_rows` rows and an arena of
    /// `arena_bytes` bytes allocated up front.
    pub fn new(schema: Arc<Schema>, capacity_rows: usize, arena_bytes: usize) -> Self {
        let columns = schema
            .fields()
            .iter()
            .map(|f| Column::with_capacity(f.data_type, capacity_rows))
            .collect();
        Batch {
            schema,
            columns,
            num_rows: 0,
            lines: Vec::with_capacity(capacity_rows),
            byte_offsets: Vec::with_capacity(capacity_rows),
            arena: Arena::with_capacity(arena_bytes),
            source: None,
            seq: 0,
            capacity_rows,
        }
    }

    /// The schema of every row.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// Number of rows.
    pub fn num_rows(&self) -> usize {
        self.num_rows
    }

    /// Whether the batch holds no row.
    pub fn is_empty(&self) -> bool {
        self.num_rows == 0
    }

    /// Column `index`, borrowed.
    ///
    /// # Panics
    ///
    /// If `index` is not a column of the schema.
    pub fn column(&self, index: usize) -> ColumnRef<'_> {
        self.columns[index].view(&self.arena)
    }

    /// Every column in schema order.
    pub fn columns(&self) -> impl ExactSizeIterator<Item = ColumnRef<'_>> {
        self.columns.iter().map(|c| c.view(&self.arena))
    }

    /// The value at `row` of column `column`.
    ///
    /// # Panics
    ///
    /// If `row` or `column` is out of range.
    pub fn value(&self, row: usize, column: usize) -> Value<'_> {
        let col = self.column(column);
        if !col.is_valid(row) {
            return Value::Null;
        }
        match col.data() {
            ColumnData::Bool(b) => Value::Bool(b.get(row)),
            ColumnData::Int8(v) => Value::Int8(v[row]),
            ColumnData::Int16(v) => Value::Int16(v[row]),
            ColumnData::Int32(v) => Value::Int32(v[row]),
            ColumnData::Int64(v) => Value::Int64(v[row]),
            ColumnData::Int128(v) => Value::Int128(v[row]),
            ColumnData::UInt8(v) => Value::UInt8(v[row]),
            ColumnData::UInt16(v) => Value::UInt16(v[row]),
            ColumnData::UInt32(v) => Value::UInt32(v[row]),
            ColumnData::UInt64(v) => Value::UInt64(v[row]),
            ColumnData::Float(v) => Value::Float(v[row]),
            ColumnData::Double(v) => Value::Double(v[row]),
            ColumnData::Date(v) => Value::Date(v[row]),
            ColumnData::Timestamp(v) => Value::Timestamp(v[row]),
            ColumnData::Interval(v) => Value::Interval(v[row]),
            ColumnData::Uuid(v) => Value::Uuid(v[row]),
            ColumnData::String(v) => Value::String(
                std::str::from_utf8(v.get(row))
                    .expect("invariant: string columns hold UTF-8 validated at decode"),
            ),
            ColumnData::Blob(v) => Value::Blob(v.get(row)),
        }
    }

    /// 1-based physical line where row `row`'s record starts.
    pub fn line(&self, row: usize) -> u64 {
        self.lines[row]
    }

    /// 0-based byte offset where row `row`'s record starts.
    pub fn byte_offset(&self, row: usize) -> u64 {
        self.byte_offsets[row]
    }

    /// Start lines of all rows.
    pub fn lines(&self) -> &[u64] {
        &self.lines
    }

    /// Start byte offsets of all rows.
    pub fn byte_offsets(&self) -> &[u64] {
        &self.byte_offsets
    }

    /// The file the rows came from, if known.
    pub fn source(&self) -> Option<&Arc<Path>> {
        self.source.as_ref()
    }

    /// Sets the file the rows came from.
    pub fn set_source(&mut self, source: Option<Arc<Path>>) {
        self.source = source;
    }

    /// Position of this batch in its import (0-based), as set by the producer.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Sets the position of this batch in its import.
    pub fn set_seq(&mut self, seq: u64) {
        self.seq = seq;
    }

    /// Appends one row given as values in schema order.
    ///
    /// This is the slow, row-at-a-time path for tests and small imports; the CSV decoder fills
    /// columns directly.
    ///
    /// # Errors
    ///
    /// [`CsvError::ValueType`] when the row has the wrong number of values or a value's type
    /// does not match its column; the batch is unchanged then.
    pub fn push_row(
        &mut self,
        row: &[Value<'_>],
        line: u64,
        byte_offset: u64,
    ) -> Result<(), CsvError> {
        if row.len() != self.columns.len() {
            return Err(CsvError::ValueType {
                column: row.len().min(self.columns.len()) + 1,
                expected: format!("{} values", self.columns.len()),
                found: format!("{} values", row.len()),
            });
        }
        for (i, (value, column)) in row.iter().zip(&self.columns).enumerate() {
            if let Some(t) = value.data_type()
                && t != column.data_type
            {
                return Err(CsvError::ValueType {
                    column: i + 1,
                    expected: column.data_type.to_string(),
                    found: t.to_string(),
                });
            }
        }
        for (value, column) in row.iter().zip(&mut self.columns) {
            push_value(column, &mut self.arena, value);
        }
        self.lines.push(line);
        self.byte_offsets.push(byte_offset);
        self.num_rows += 1;
        Ok(())
    }

    /// Removes every row, keeping the buffers; the arena is reset. Buffers and arena that grew
    /// past twice their normal size are shrunk back.
    pub fn clear(&mut self) {
        for column in &mut self.columns {
            column.clear();
            column.shrink_if_grown(self.capacity_rows);
        }
        self.lines.clear();
        self.byte_offsets.clear();
        self.lines.shrink_to(self.capacity_rows * 2);
        self.byte_offsets.shrink_to(self.capacity_rows * 2);
        self.arena.reset();
        self.num_rows = 0;
        self.source = None;
        self.seq = 0;
    }

    /// Heap bytes held by the batch: every buffer's capacity plus the arena's chunks.
    pub fn memory_bytes(&self) -> usize {
        self.columns
            .iter()
            .map(Column::capacity_bytes)
            .sum::<usize>()
            + (self.lines.capacity() + self.byte_offsets.capacity()) * 8
            + self.arena.allocated_bytes()
    }

    /// Rows the buffers are sized for.
    pub fn capacity_rows(&self) -> usize {
        self.capacity_rows
    }

    /// Columns, arena and positions at once, for decoders that fill columns directly.
    /// After filling, call [`Batch::finish_rows`].
    pub(crate) fn parts_mut(&mut self) -> BatchParts<'_> {
        BatchParts {
            columns: &mut self.columns,
            arena: &mut self.arena,
            lines: &mut self.lines,
            byte_offsets: &mut self.byte_offsets,
        }
    }

    /// Sets the row count after a decoder filled columns through [`Batch::parts_mut`].
    ///
    /// # Panics
    ///
    /// If a column or the positions do not have exactly `num_rows` entries (a decoder bug).
    pub(crate) fn finish_rows(&mut self, num_rows: usize) {
        assert!(
            self.columns
                .iter()
                .all(|c| c.validity.len() == num_rows && c.values.len() == num_rows)
                && self.lines.len() == num_rows
                && self.byte_offsets.len() == num_rows,
            "invariant: every column and position list has one entry per row"
        );
        self.num_rows = num_rows;
    }
}

/// Mutable access to a batch's buffers for decoders.
pub(crate) struct BatchParts<'a> {
    pub(crate) columns: &'a mut [Column],
    pub(crate) arena: &'a mut Arena,
    pub(crate) lines: &'a mut Vec<u64>,
    pub(crate) byte_offsets: &'a mut Vec<u64>,
}

fn push_value(column: &mut Column, arena: &mut Arena, value: &Value<'_>) {
    if value.is_null() {
        column.push_null();
        return;
    }
    column.validity.push(true);
    match (&mut column.values, *value) {
        (Values::Bool(b), Value::Bool(x)) => b.push(x),
        (Values::Int8(v), Value::Int8(x)) => v.push(x),
        (Values::Int16(v), Value::Int16(x)) => v.push(x),
        (Values::Int32(v), Value::Int32(x)) => v.push(x),
        (Values::Int64(v), Value::Int64(x)) => v.push(x),
        (Values::Int128(v), Value::Int128(x)) => v.push(x),
        (Values::UInt8(v), Value::UInt8(x)) => v.push(x),
        (Values::UInt16(v), Value::UInt16(x)) => v.push(x),
        (Values::UInt32(v), Value::UInt32(x)) => v.push(x),
        (Values::UInt64(v), Value::UInt64(x)) => v.push(x),
        (Values::Float(v), Value::Float(x)) => v.push(x),
        (Values::Double(v), Value::Double(x)) => v.push(x),
        (Values::Date(v), Value::Date(x)) => v.push(x),
        (Values::Timestamp(v), Value::Timestamp(x)) => v.push(x),
        (Values::Interval(v), Value::Interval(x)) => v.push(x),
        (Values::Uuid(v), Value::Uuid(x)) => v.push(x),
        (Values::String(w), Value::String(x)) => w.push(arena, x.as_bytes()),
        (Values::Blob(w), Value::Blob(x)) => w.push(arena, x),
        _ => unreachable!("invariant: push_row checked every value's type first"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{DataType, Field};

    fn schema() -> Arc<Schema> {
        Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64),
            Field::new("name", DataType::String),
            Field::new("ok", DataType::Bool),
        ]))
    }

    #[test]
    fn rows_pushed_are_read_back() {
        let mut b = Batch::new(schema(), 4, 64);
        b.push_row(
            &[Value::Int64(1), Value::String("ann"), Value::Bool(true)],
            2,
            10,
        )
        .expect("row matches schema");
        b.push_row(&[Value::Null, Value::String(""), Value::Null], 3, 20)
            .expect("row matches schema");
        b.push_row(&[Value::Int64(3), Value::Null, Value::Bool(false)], 5, 30)
            .expect("row matches schema");
        assert_eq!(b.num_rows(), 3);
        assert_eq!(b.value(0, 1), Value::String("ann"));
        assert_eq!(b.value(1, 0), Value::Null);
        assert_eq!(b.value(1, 1), Value::String(""));
        assert_eq!(b.value(2, 1), Value::Null);
        assert_eq!(b.value(2, 2), Value::Bool(false));
        assert_eq!(b.lines(), &[2, 3, 5]);
        assert_eq!(b.column(1).null_count(), 1);
    }

    #[test]
    fn wrong_type_is_refused_and_batch_unchanged() {
        let mut b = Batch::new(schema(), 4, 64);
        let err = b
            .push_row(&[Value::Int64(1), Value::Int64(2), Value::Bool(true)], 1, 0)
            .expect_err("INT64 in a STRING column");
        assert!(matches!(err, CsvError::ValueType { column: 2, .. }));
        assert_eq!(b.num_rows(), 0);
        assert_eq!(b.column(0).len(), 0);
    }

    #[test]
    fn clear_keeps_memory_flat_across_many_batches() {
        let mut b = Batch::new(schema(), 1024, 64 * 1024);
        let long = "x".repeat(50);
        let mut steady = 0;
        for round in 0..50 {
            for i in 0..1024 {
                b.push_row(
                    &[Value::Int64(i), Value::String(&long), Value::Bool(true)],
                    1,
                    0,
                )
                .expect("row matches schema");
            }
            b.clear();
            if round == 2 {
                steady = b.memory_bytes();
            }
        }
        assert!(steady > 0);
        assert_eq!(b.memory_bytes(), steady);
    }

    #[test]
    fn clear_shrinks_after_an_unusually_large_batch() {
        let mut b = Batch::new(schema(), 16, 1024);
        let normal = b.memory_bytes();
        let long = "y".repeat(10_000);
        for i in 0..1000 {
            b.push_row(
                &[Value::Int64(i), Value::String(&long), Value::Bool(true)],
                1,
                0,
            )
            .expect("row matches schema");
        }
        assert!(b.memory_bytes() > 100 * normal);
        b.clear();
        assert!(
            b.memory_bytes() < 4 * normal + 4096,
            "{} vs {normal}",
            b.memory_bytes()
        );
    }
}
