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
    /// (nothing is written then); [`CsvError::Io`] when the inner writer fails.
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
    /// [`CsvError::Io`] when the inner writer fails.
    pub fn flush(&mut self) -> Result<()> {
        self.write_out()?;
        self.inner_mut().flush().map_err(io_error)
    }

    /// Writes the header if it is still due, flushes, and returns the inner writer.
    ///
    /// # Errors
    ///
    /// [`CsvError::Io`] when the inner writer fails.
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
    CsvError::Io { file: None, source }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Value;
    use crate::types::{DataType, Field, Interval};
    use arrow_array::cast::AsArray;

    fn schema(types: &[DataType]) -> Arc<Schema> {
        Arc::new(Schema::new(
            types
                .iter()
                .enumerate()
                .map(|(i, t)| Field::new(format!("c{i}"), *t))
                .collect(),
        ))
    }

    fn write(types: &[DataType], rows: &[Vec<Value<'_>>], options: WriterOptions) -> String {
        let schema = schema(types);
        let mut batch = Batch::new(Arc::clone(&schema), rows.len(), 1024);
        for row in rows {
            batch.push_row(row, 1, 0).expect("row matches schema");
        }
        let mut writer = Writer::new(Vec::new(), schema, options).expect("valid options");
        writer.write_batch(&batch).expect("schema matches");
        String::from_utf8(writer.finish().expect("Vec never fails")).expect("UTF-8 input")
    }

    fn strings(values: &[&str], options: WriterOptions) -> String {
        let rows: Vec<_> = values.iter().map(|s| vec![Value::String(s)]).collect();
        write(&[DataType::String], &rows, options)
    }

    #[test]
    fn null_is_empty_and_empty_string_is_quoted() {
        let out = write(
            &[DataType::Int64, DataType::String, DataType::Double],
            &[
                vec![Value::Int64(1), Value::String(""), Value::Null],
                vec![Value::Null, Value::Null, Value::Double(0.5)],
            ],
            WriterOptions::default(),
        );
        assert_eq!(out, "1,\"\",\n,,0.5\n");
    }

    #[test]
    fn strings_are_quoted_only_when_needed() {
        let out = strings(
            &[
                "plain",
                "a,b",
                "say \"hi\"",
                "two\nlines",
                "cr\r",
                " lead",
                "trail\t",
                "in side",
            ],
            WriterOptions::default(),
        );
        assert_eq!(
            out,
            "plain\n\"a,b\"\n\"say \"\"hi\"\"\"\n\"two\nlines\"\n\"cr\r\"\n\" lead\"\n\"trail\t\"\nin side\n"
        );
    }

    #[test]
    fn a_distinct_escape_precedes_quotes_and_itself() {
        let out = strings(
            &[r#"a"b"#, r"c\d", r#"e\"f"#],
            WriterOptions::default().with_escape(b'\\'),
        );
        assert_eq!(out, "\"a\\\"b\"\nc\\d\n\"e\\\\\\\"f\"\n");
    }

    #[test]
    fn strings_equal_to_a_null_string_are_quoted() {
        let options = WriterOptions::default().with_null_strings(vec!["NULL".into(), "".into()]);
        let out = strings(&["NULL", "null", "NULLS", "x"], options);
        assert_eq!(out, "\"NULL\"\n\"null\"\nNULLS\nx\n");
    }

    #[test]
    fn other_delimiters_quote_values_that_contain_them() {
        let out = write(
            &[
                DataType::Timestamp,
                DataType::Date,
                DataType::Int64,
                DataType::String,
            ],
            &[vec![
                Value::Timestamp(0),
                Value::Date(0),
                Value::Int64(-1),
                Value::String("a b"),
            ]],
            WriterOptions::default().with_delimiter(b' '),
        );
        assert_eq!(out, "\"1970-01-01 00:00:00\" 1970-01-01 -1 \"a b\"\n");
        let out = write(
            &[DataType::Date, DataType::Int64],
            &[vec![Value::Date(0), Value::Int64(-1)]],
            WriterOptions::default().with_delimiter(b'-'),
        );
        assert_eq!(out, "\"1970-01-01\"-\"-1\"\n");
    }

    #[test]
    fn every_type_uses_its_canonical_text() {
        let out = write(
            &DataType::ALL,
            &[vec![
                Value::Bool(true),
                Value::Int8(-8),
                Value::Int16(16),
                Value::Int32(-32),
                Value::Int64(64),
                Value::Int128(-128),
                Value::UInt8(8),
                Value::UInt16(16),
                Value::UInt32(32),
                Value::UInt64(u64::MAX),
                Value::Float(0.1),
                Value::Double(1e300),
                Value::String("s"),
                Value::Date(-1),
                Value::Timestamp(1),
                Value::Interval(Interval {
                    months: 12,
                    days: 2,
                    micros: 0,
                }),
                Value::Uuid(1),
                Value::Blob(&[b'a', 0, b',']),
            ]],
            WriterOptions::default(),
        );
        assert_eq!(
            out,
            "true,-8,16,-32,64,-128,8,16,32,18446744073709551615,0.1,1e300,s,1969-12-31,\
             1970-01-01 00:00:00.000001,1 year 2 days,00000000-0000-0000-0000-000000000001,\
             \"a\\x00,\"\n"
        );
    }

    #[test]
    fn header_is_written_once_and_even_without_rows() {
        let schema = schema(&[DataType::Int64, DataType::String]);
        let writer = Writer::new(
            Vec::new(),
            Arc::clone(&schema),
            WriterOptions::default().with_header(true),
        )
        .expect("valid options");
        assert_eq!(writer.finish().expect("Vec never fails"), b"c0,c1\n");
        let mut writer = Writer::new(
            Vec::new(),
            Arc::clone(&schema),
            WriterOptions::default().with_header(true),
        )
        .expect("valid options");
        let mut batch = Batch::new(Arc::clone(&schema), 1, 64);
        batch
            .push_row(&[Value::Int64(1), Value::String("a")], 1, 0)
            .expect("row matches schema");
        writer.write_batch(&batch).expect("schema matches");
        writer.write_batch(&batch).expect("schema matches");
        assert_eq!(writer.rows_written(), 2);
        assert_eq!(
            writer.finish().expect("Vec never fails"),
            b"c0,c1\n1,a\n1,a\n"
        );
    }

    #[test]
    fn large_output_is_flushed_in_chunks_and_complete() {
        let schema = schema(&[DataType::Int64, DataType::String]);
        let mut batch = Batch::new(Arc::clone(&schema), 1000, 64 * 1024);
        let mut expected = String::new();
        for i in 0..1000 {
            batch
                .push_row(&[Value::Int64(i), Value::String("some,text")], 1, 0)
                .expect("row matches schema");
            expected.push_str(&format!("{i},\"some,text\"\n"));
        }
        let mut writer =
            Writer::new(Vec::new(), schema, WriterOptions::default()).expect("valid options");
        for _ in 0..30 {
            writer.write_batch(&batch).expect("schema matches");
        }
        let out = writer.finish().expect("Vec never fails");
        assert_eq!(out, expected.repeat(30).as_bytes());
    }

    #[test]
    fn mismatched_schema_and_bad_options_are_refused() {
        let mut writer = Writer::new(
            Vec::new(),
            schema(&[DataType::Int64]),
            WriterOptions::default(),
        )
        .expect("valid options");
        let other = Batch::new(schema(&[DataType::String]), 1, 0);
        assert!(matches!(
            writer.write_batch(&other),
            Err(CsvError::ValueType { column: 1, .. })
        ));
        for options in [
            WriterOptions::default().with_delimiter(b'"'),
            WriterOptions::default().with_quote(b'\n'),
            WriterOptions::default().with_escape(b','),
            WriterOptions::default().with_delimiter(0xE9),
        ] {
            assert!(matches!(
                Writer::new(Vec::new(), schema(&[DataType::Int64]), options),
                Err(CsvError::InvalidOption { .. })
            ));
        }
    }

    #[test]
    fn arrow_csv_reads_the_output_back_to_equal_values() {
        let types = [
            DataType::Int64,
            DataType::String,
            DataType::Double,
            DataType::Bool,
            DataType::Date,
            DataType::Timestamp,
            DataType::Int32,
            DataType::UInt64,
        ];
        let schema = schema(&types);
        let mut batch = Batch::new(Arc::clone(&schema), 8, 1024);
        let texts = [
            "a,b",
            "quote \" inside",
            "line\nbreak",
            " spaced ",
            "ünï",
            "NULL",
        ];
        for (i, text) in texts.iter().enumerate() {
            let i = i as i64;
            batch
                .push_row(
                    &[
                        Value::Int64(i * 1_000_000_007 - 3),
                        Value::String(text),
                        Value::Double(
                            1.0 / (i as f64 + 3.0) * if i % 2 == 0 { 1e300 } else { 1e-300 },
                        ),
                        Value::Bool(i % 2 == 0),
                        Value::Date(i as i32 * 10_000 - 20_000),
                        Value::Timestamp(i * 123_456_789_012_345 - 300_000_000_000_000),
                        Value::Int32(i32::MIN + i as i32),
                        Value::UInt64(u64::MAX - i as u64),
                    ],
                    1,
                    0,
                )
                .expect("row matches schema");
        }
        batch
            .push_row(&[Value::Null; 8], 1, 0)
            .expect("row matches schema");
        let expected = batch.to_arrow().expect("representable");

        let mut writer = Writer::new(
            Vec::new(),
            Arc::clone(&schema),
            WriterOptions::default().with_header(true),
        )
        .expect("valid options");
        writer.write_batch(&batch).expect("schema matches");
        let csv = writer.finish().expect("Vec never fails");

        let mut reader = arrow_csv::ReaderBuilder::new(Arc::new(schema.to_arrow()))
            .with_header(true)
            .build(std::io::Cursor::new(csv))
            .expect("valid reader");
        let read = reader
            .next()
            .expect("one batch")
            .expect("arrow-csv parses ruzu's output");
        assert_eq!(read, expected);
    }

    /// Checks that `text` parses (with ruzu's own parsers) to exactly `expected`.
    fn assert_parses_to(text: &str, expected: Value<'_>) {
        use crate::decode::*;
        let b = text.as_bytes();
        let ok = match expected {
            Value::Null => false,
            Value::Bool(v) => parse_bool(b) == Ok(v),
            Value::Int8(v) => parse_int::<i8>(b) == Ok(v),
            Value::Int16(v) => parse_int::<i16>(b) == Ok(v),
            Value::Int32(v) => parse_int::<i32>(b) == Ok(v),
            Value::Int64(v) => parse_int::<i64>(b) == Ok(v),
            Value::Int128(v) => parse_i128(b) == Ok(v),
            Value::UInt8(v) => parse_int::<u8>(b) == Ok(v),
            Value::UInt16(v) => parse_int::<u16>(b) == Ok(v),
            Value::UInt32(v) => parse_int::<u32>(b) == Ok(v),
            Value::UInt64(v) => parse_int::<u64>(b) == Ok(v),
            Value::Float(v) => parse_f32(b).map(f32::to_bits) == Ok(v.to_bits()),
            Value::Double(v) => parse_f64(b).map(f64::to_bits) == Ok(v.to_bits()),
            Value::String(v) => text == v,
            Value::Date(v) => parse_date(b) == Ok(v),
            Value::Timestamp(v) => parse_timestamp(b) == Ok(v),
            Value::Interval(v) => parse_interval(b) == Ok(v),
            Value::Uuid(v) => parse_uuid(b) == Ok(v),
            Value::Blob(v) => {
                let mut out = Vec::new();
                parse_blob(b, &mut out).is_ok() && out == v
            }
        };
        assert!(ok, "{text:?} does not read back as {expected:?}");
    }

    #[test]
    fn every_type_reads_back_through_the_csv_with_both_escape_styles() {
        let rows: Vec<Vec<Value<'_>>> = vec![
            vec![
                Value::Bool(true),
                Value::Int8(i8::MIN),
                Value::Int16(i16::MAX),
                Value::Int32(i32::MIN),
                Value::Int64(i64::MIN),
                Value::Int128(i128::MIN),
                Value::UInt8(u8::MAX),
                Value::UInt16(u16::MAX),
                Value::UInt32(u32::MAX),
                Value::UInt64(u64::MAX),
                Value::Float(f32::MIN_POSITIVE),
                Value::Double(-f64::MAX),
                Value::String("a|b,\"c\"\\d\r\ne "),
                Value::Date(i32::MIN),
                Value::Timestamp(i64::MIN),
                Value::Interval(Interval {
                    months: i32::MIN,
                    days: i32::MAX,
                    micros: i64::MIN,
                }),
                Value::Uuid(u128::MAX),
                Value::Blob(b"\x00|,\"\\\xff"),
            ],
            vec![
                Value::Bool(false),
                Value::Int8(0),
                Value::Int16(-1),
                Value::Int32(7),
                Value::Int64(i64::MAX),
                Value::Int128(i128::MAX),
                Value::UInt8(0),
                Value::UInt16(1),
                Value::UInt32(2),
                Value::UInt64(3),
                Value::Float(-0.0),
                Value::Double(5e-324),
                Value::String("NULL"),
                Value::Date(i32::MAX),
                Value::Timestamp(i64::MAX),
                Value::Interval(Interval {
                    months: 13,
                    days: -1,
                    micros: 1,
                }),
                Value::Uuid(0),
                Value::Blob(b"plain"),
            ],
        ];
        for options in [
            WriterOptions::default(),
            WriterOptions::default()
                .with_delimiter(b'|')
                .with_escape(b'\\'),
        ] {
            let csv = write(&DataType::ALL, &rows, options.clone());
            let text_schema = Schema::new(
                (0..DataType::ALL.len())
                    .map(|i| Field::new(format!("c{i}"), DataType::String))
                    .collect(),
            );
            let mut reader = arrow_csv::ReaderBuilder::new(Arc::new(text_schema.to_arrow()))
                .with_delimiter(options.delimiter)
                .with_quote(options.quote)
                .with_escape(options.escape)
                .build(std::io::Cursor::new(csv))
                .expect("valid reader");
            let read = reader
                .next()
                .expect("one batch")
                .expect("arrow-csv splits ruzu's output");
            assert_eq!(read.num_rows(), rows.len());
            for (r, row) in rows.iter().enumerate() {
                for (c, value) in row.iter().enumerate() {
                    assert_parses_to(read.column(c).as_string::<i32>().value(r), *value);
                }
            }
        }
    }
}
