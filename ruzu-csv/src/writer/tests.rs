//! Golden outputs of the writer and read-back checks with arrow-csv and ruzu's parsers.

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
                    Value::Double(1.0 / (i as f64 + 3.0) * if i % 2 == 0 { 1e300 } else { 1e-300 }),
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
