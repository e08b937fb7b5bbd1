//! CSV writing of batches, for `COPY Table TO 'file.csv'`.
//!
//! Output rules (chosen so that ruzu reads the file back to the same values):
//! - fields are the [`format`](crate::format) texts, separated by the delimiter, one record per
//!   line ended by `\n`;
//! - NULL is an empty unquoted field, the empty string is `""`;
//! - a field is quoted when it is empty, holds the delimiter, the quote, `\r` or `\n`, or, for
//!   STRING values, starts or ends with a space or tab or equals (in any case) one of the
//!   `null_strings` a reader would take as NULL;
//! - inside quotes, the quote is written twice when the escape is the quote (the default),
//!   otherwise the quote and the escape are each preceded by the escape.
//!
//! Output is buffered in one reusable buffer and handed to the inner writer in large writes;
//! nothing is allocated per row.

#[cfg(test)]
mod tests;

use std::io::Write;
use std::sync::Arc;

use crate::batch::{Batch, ColumnData, ColumnRef};
use crate::error::{CsvError, Result};
use crate::format;
use crate::types::Schema;

/// Bytes buffered before they are written to the inner writer.
const FLUSH_BYTES: usize = 256 * 1024;

/// How [`Writer`] writes CSV: Kùzu's `COPY TO` options.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriterOptions {
    /// `DELIM`: the field separator (default `,`).
    pub delimiter: u8,
    /// `QUOTE`: the quote character (default `"`).
    pub quote: u8,
    /// `ESCAPE`: escapes a quote inside quotes (default `"`, i.e. quotes are doubled).
    ///
    /// Kùzu's `COPY TO` defaults to `\`, but its `COPY FROM` (and ruzu's reader) default to
    /// `"`: ruzu writes with `"` so that a file written and read back with default options
    /// round-trips.
    pub escape: u8,
    /// `HEADER`: write the column names first (default false, as Kùzu).
    pub header: bool,
    /// Texts a reader takes as NULL in STRING columns (default `[""]`, as the reader's
    /// `NULL_STRINGS`): STRING values equal to one of them are quoted.
    pub null_strings: Vec<String>,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            delimiter: b',',
            quote: b'"',
            escape: b'"',
            header: false,
            null_strings: vec![String::new()],
        }
    }
}

impl WriterOptions {
    /// Sets the delimiter.
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = delimiter;
        self
    }

    /// Sets the quote character.
    pub fn with_quote(mut self, quote: u8) -> Self {
        self.quote = quote;
        self
    }

    /// Sets the escape character.
    pub fn with_escape(mut self, escape: u8) -> Self {
        self.escape = escape;
        self
    }

    /// Sets whether a header line is written.
    pub fn with_header(mut self, header: bool) -> Self {
        self.header = header;
        self
    }

    /// Sets the texts a reader takes as NULL in STRING columns.
    pub fn with_null_strings(mut self, null_strings: Vec<String>) -> Self {
        self.null_strings = null_strings;
        self
    }

    fn validate(&self) -> Result<()> {
        let invalid = |option, reason: &str| {
            Err(CsvError::InvalidOption {
                option,
                reason: reason.into(),
            })
        };
        for (option, byte) in [
            ("DELIM", self.delimiter),
            ("QUOTE", self.quote),
            ("ESCAPE", self.escape),
        ] {
            if matches!(byte, b'\r' | b'\n') || !byte.is_ascii() {
                return invalid(option, "must be an ASCII character other than a line end");
            }
        }
        if self.delimiter == self.quote || self.delimiter == self.escape {
            return invalid("DELIM", "must differ from QUOTE and ESCAPE");
        }
        Ok(())
    }
}

/// Writes batches as CSV to any `io::Write`.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use ruzu_csv::{Batch, DataType, Field, Schema, Value, Writer, WriterOptions};
///
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("id", DataType::Int64),
///     Field::new("name", DataType::String),
/// ]));
/// let mut batch = Batch::new(schema.clone(), 4, 256);
/// batch.push_row(&[Value::Int64(1), Value::String("Ann, Jr.")], 2, 0)?;
/// batch.push_row(&[Value::Null, Value::String("")], 3, 0)?;
/// let mut writer = Writer::new(Vec::new(), schema, WriterOptions::default().with_header(true))?;
/// writer.write_batch(&batch)?;
/// let out = writer.finish()?;
/// assert_eq!(out, b"id,name\n1,\"Ann, Jr.\"\n,\"\"\n");
/// # Ok::<(), ruzu_csv::CsvError>(())
/// ```
#[derive(Debug)]
pub struct Writer<W: Write> {
    /// `None` only after [`Writer::finish`] took it.
    inner: Option<W>,
    options: WriterOptions,
    schema: Arc<Schema>,
    /// Output not yet handed to `inner`; flushed past [`FLUSH_BYTES`].
    buf: Vec<u8>,
    /// One formatted value before quoting.
    scratch: Vec<u8>,
    /// Bytes that force quoting: delimiter, quote, `\r`, `\n`.
    forces_quotes: [bool; 256],
    header_done: bool,
    rows_written: u64,
}

impl<W: Write> Writer<W> {
    /// A writer of rows of `schema` to `inner`.
    ///
    /// # Errors
    ///
    /// [`CsvError::InvalidOption`] when the delimiter equals the quote or escape, or one of
    /// them is a line end or not ASCII.
    pub fn new(inner: W, schema: Arc<Schema>, options: WriterOptions) -> Result<Self> {
        options.validate()?;
        let mut forces_quotes = [false; 256];
        for b in [options.delimiter, options.quote, b'\r', b'\n'] {
            forces_quotes[usize::from(b)] = true;
        }
        Ok(Writer {
            inner: Some(inner),
            header_done: !options.header,
            options,
            schema,
            buf: Vec::with_capacity(FLUSH_BYTES + 64 * 1024),
            scratch: Vec::with_capacity(64),
            forces_quotes,
            rows_written: 0,
        })
    }

    /// Rows written so far.
    pub fn rows_written(&self) -> u64 {
        self.rows_written
    }

    /// Writes every row of `batch` (and the header first, if asked for and not yet written).
    ///
    /// # Errors
    ///
    /// [`CsvError::ValueType`] when the batch's column types differ from the writer's schema
    /// (nothing is written then); [`CsvError::Write`] when the inner writer fails.
    pub fn write_batch(&mut self, batch: &Batch) -> Result<()> {
        self.check_schema(batch.schema())?;
        self.write_header_once()?;
        let columns: Vec<ColumnRef<'_>> = batch.columns().collect();
        for row in 0..batch.num_rows() {
            for (i, column) in columns.iter().enumerate() {
                if i > 0 {
                    self.buf.push(self.options.delimiter);
                }
                if column.is_valid(row) {
                    self.write_value(column, row);
                }
            }
            self.buf.push(b'\n');
            if self.buf.len() >= FLUSH_BYTES {
                self.write_out()?;
            }
        }
        self.rows_written += batch.num_rows() as u64;
        Ok(())
    }

    /// Hands buffered output to the inner writer and flushes it.
    ///
    /// # Errors
    ///
    /// [`CsvError::Write`] when the inner writer fails.
    pub fn flush(&mut self) -> Result<()> {
        self.write_out()?;
        self.inner_mut().flush().map_err(io_error)
    }

    /// Writes the header if it is still due, flushes, and returns the inner writer.
    ///
    /// # Errors
    ///
    /// [`CsvError::Write`] when the inner writer fails.
    pub fn finish(mut self) -> Result<W> {
        self.write_header_once()?;
        self.flush()?;
        Ok(self
            .inner
            .take()
            .expect("invariant: inner is only taken by finish, which consumes the writer"))
    }

    fn inner_mut(&mut self) -> &mut W {
        self.inner
            .as_mut()
            .expect("invariant: inner is only taken by finish, which consumes the writer")
    }

    fn write_out(&mut self) -> Result<()> {
        if !self.buf.is_empty() {
            let inner = self
                .inner
                .as_mut()
                .expect("invariant: inner is only taken by finish, which consumes the writer");
            inner.write_all(&self.buf).map_err(io_error)?;
            self.buf.clear();
        }
        Ok(())
    }

    fn check_schema(&self, schema: &Arc<Schema>) -> Result<()> {
        if Arc::ptr_eq(schema, &self.schema) {
            return Ok(());
        }
        let (want, got) = (self.schema.fields(), schema.fields());
        if want.len() != got.len() {
            return Err(CsvError::ValueType {
                column: want.len().min(got.len()) + 1,
                expected: format!("{} columns", want.len()),
                found: format!("{} columns", got.len()),
            });
        }
        for (i, (w, g)) in want.iter().zip(got).enumerate() {
            if w.data_type != g.data_type {
                return Err(CsvError::ValueType {
                    column: i + 1,
                    expected: w.data_type.to_string(),
                    found: g.data_type.to_string(),
                });
            }
        }
        Ok(())
    }

    fn write_header_once(&mut self) -> Result<()> {
        if self.header_done {
            return Ok(());
        }
        self.header_done = true;
        let schema = Arc::clone(&self.schema);
        for (i, field) in schema.fields().iter().enumerate() {
            if i > 0 {
                self.buf.push(self.options.delimiter);
            }
            write_field(
                &mut self.buf,
                field.name.as_bytes(),
                true,
                &self.options,
                &self.forces_quotes,
            );
        }
        self.buf.push(b'\n');
        Ok(())
    }

    /// Appends the (possibly quoted) text of a non-NULL value.
    fn write_value(&mut self, column: &ColumnRef<'_>, row: usize) {
        let s = &mut self.scratch;
        s.clear();
        match column.data() {
            ColumnData::String(v) => {
                let text = v.get(row);
                write_field(
                    &mut self.buf,
                    text,
                    true,
                    &self.options,
                    &self.forces_quotes,
                );
                return;
            }
            ColumnData::Bool(v) => format::write_bool(s, v.get(row)),
            ColumnData::Int8(v) => format::write_i64(s, v[row].into()),
            ColumnData::Int16(v) => format::write_i64(s, v[row].into()),
            ColumnData::Int32(v) => format::write_i64(s, v[row].into()),
            ColumnData::Int64(v) => format::write_i64(s, v[row]),
            ColumnData::Int128(v) => format::write_i128(s, v[row]),
            ColumnData::UInt8(v) => format::write_u64(s, v[row].into()),
            ColumnData::UInt16(v) => format::write_u64(s, v[row].into()),
            ColumnData::UInt32(v) => format::write_u64(s, v[row].into()),
            ColumnData::UInt64(v) => format::write_u64(s, v[row]),
            ColumnData::Float(v) => format::write_f32(s, v[row]),
            ColumnData::Double(v) => format::write_f64(s, v[row]),
            ColumnData::Date(v) => format::write_date(s, v[row]),
            ColumnData::Timestamp(v) => format::write_timestamp(s, v[row]),
            ColumnData::Interval(v) => format::write_interval(s, v[row]),
            ColumnData::Uuid(v) => format::write_uuid(s, v[row]),
            ColumnData::Blob(v) => format::write_blob(s, v.get(row)),
        }
        write_field(&mut self.buf, s, false, &self.options, &self.forces_quotes);
    }
}

impl<W: Write> Drop for Writer<W> {
    /// Hands buffered output to the inner writer, ignoring errors (as `BufWriter`); call
    /// [`Writer::finish`] or [`Writer::flush`] to see them.
    fn drop(&mut self) {
        if self.inner.is_some() {
            let _ = self.write_out();
        }
    }
}

fn io_error(source: std::io::Error) -> CsvError {
    CsvError::Write { source }
}

/// Appends `text` as one field, quoted when the rules in the module docs ask for it.
fn write_field(
    out: &mut Vec<u8>,
    text: &[u8],
    is_string: bool,
    options: &WriterOptions,
    forces_quotes: &[bool; 256],
) {
    let needs_quotes = text.is_empty()
        || text.iter().any(|&b| forces_quotes[usize::from(b)])
        || (is_string && string_needs_quotes(text, options));
    if !needs_quotes {
        out.extend_from_slice(text);
        return;
    }
    let (quote, escape) = (options.quote, options.escape);
    out.reserve(text.len() + 2);
    out.push(quote);
    let mut rest = text;
    loop {
        let next = if escape == quote {
            memchr::memchr(quote, rest)
        } else {
            memchr::memchr2(quote, escape, rest)
        };
        match next {
            None => {
                out.extend_from_slice(rest);
                break;
            }
            Some(i) => {
                out.extend_from_slice(&rest[..i]);
                out.push(escape);
                out.push(rest[i]);
                rest = &rest[i + 1..];
            }
        }
    }
    out.push(quote);
}

/// STRING-only reasons to quote: surrounding blanks, or text a reader would take as NULL.
fn string_needs_quotes(text: &[u8], options: &WriterOptions) -> bool {
    let blank = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    blank(text.first())
        || blank(text.last())
        || options
            .null_strings
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(text))
}
