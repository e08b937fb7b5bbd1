//! Kùzu's and DuckDB's own CSV test files, read in place from `../shared/corpus/`.
//!
//! Each case names a file, the table it is read into, the options, and what a strict reader
//! under ruzu's decided semantics (docs/copy.md, "Differences from Kùzu") must produce: the
//! rows kept in continue mode and every rejected record's line and error code, in input order.
//! Abort mode is the first of those errors, so one run checks both. Every case is decoded
//! several ways (whole file, tiny chunks, tiny batches, a reader that returns one byte at a
//! time), which must all agree.
//!
//! The corpus belongs to other projects and is never copied into this repository. When the
//! folder is absent the tests say they skipped, except under `CI=true`, where that is a failure.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;

use ruzu_csv::{Batch, CsvOptions, DataType, Field, Reader, RowError, Schema, Value};

/// The corpus root, or `None` (with a message) when it is not there.
fn corpus_root() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
    if root.is_dir() {
        return Some(root);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "the CSV corpus is missing at {} (required under CI=true)",
        root.display()
    );
    eprintln!("skipped: CSV corpus not found at {}", root.display());
    None
}

/// Opens `path`, decompressing `.gz` and `.zst` by extension.
fn open(path: &Path) -> Box<dyn Read + Send> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match path.extension().and_then(|e| e.to_str()) {
        Some("gz") => Box::new(flate2::read::MultiGzDecoder::new(file)),
        Some("zst") => Box::new(zstd::Decoder::new(file).expect("zstd decoder")),
        _ => Box::new(file),
    }
}

/// A reader that hands out at most `step` bytes per call, to put buffer edges everywhere.
struct Trickle<R> {
    inner: R,
    step: usize,
}

impl<R: Read> Read for Trickle<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.step);
        self.inner.read(&mut buf[..n])
    }
}

/// `"3"` = three STRING columns; otherwise `name:TYPE,...` (a bare name is STRING).
fn schema(spec: &str) -> Arc<Schema> {
    if let Ok(n) = spec.parse::<usize>() {
        return Arc::new(Schema::new(
            (0..n)
                .map(|i| Field::new(format!("c{i}"), DataType::String))
                .collect(),
        ));
    }
    Arc::new(Schema::new(
        spec.split(',')
            .map(|col| match col.split_once(':') {
                Some((name, ty)) => Field::new(name, ty.parse().expect("type name in case table")),
                None => Field::new(col, DataType::String),
            })
            .collect(),
    ))
}

/// `header`, `auto`, `delim=;`, `quote='`, `escape=\`, `skip=N`, `max_line=N`,
/// `null=a|b|` (the last entry empty means ""), separated by spaces. Auto-detection is off
/// unless `auto` is given, so each case states its dialect.
fn options(spec: &str) -> CsvOptions {
    let mut o = CsvOptions::default().with_auto_detect(false);
    for item in spec.split(' ').filter(|s| !s.is_empty()) {
        let (key, value) = item.split_once('=').unwrap_or((item, ""));
        let byte = || match value {
            "\\t" => b'\t',
            "space" => b' ',
            v => v.as_bytes()[0],
        };
        o = match key {
            "header" => o.with_header(true),
            "auto" => o.with_auto_detect(true),
            "delim" => o.with_delimiter(byte()),
            "quote" => o.with_quote(byte()),
            "escape" => o.with_escape(byte()),
            "skip" => o.with_skip_rows(value.parse().expect("skip count")),
            "max_line" => o.with_max_line_size_bytes(value.parse().expect("max line size")),
            "null" => o.with_null_strings(value.split('|').map(str::to_owned).collect()),
            other => panic!("unknown option {other} in case table"),
        };
    }
    o
}

/// What one decode produced: rows rendered as text (NULL as `∅`) and the rejected records.
#[derive(Debug, PartialEq)]
struct Outcome {
    rows: Vec<Vec<String>>,
    errors: Vec<(u64, &'static str, Option<usize>)>,
}

fn render(v: Value<'_>) -> String {
    match v {
        Value::Null => "∅".to_owned(),
        Value::String(s) => s.to_owned(),
        Value::Blob(b) => format!("{b:?}"),
        Value::Int64(x) => x.to_string(),
        Value::Int32(x) => x.to_string(),
        Value::Int16(x) => x.to_string(),
        Value::Double(x) => x.to_string(),
        other => format!("{other:?}"),
    }
}

fn decode(input: Box<dyn Read + Send>, schema: &Arc<Schema>, options: &CsvOptions) -> Outcome {
    let mut reader =
        Reader::new(input, schema.clone(), options, None).expect("options and dialect are valid");
    let mut batch = Batch::new(schema.clone(), options.batch_rows, 1 << 16);
    let mut rows = Vec::new();
    let mut errors: Vec<RowError> = Vec::new();
    loop {
        let more = reader
            .read_batch(&mut batch, &mut |e| errors.push(e))
            .expect("no I/O error");
        for r in 0..batch.num_rows() {
            rows.push(
                (0..schema.len())
                    .map(|c| render(batch.value(r, c)))
                    .collect(),
            );
        }
        if !more {
            break;
        }
    }
    Outcome {
        rows,
        errors: errors
            .iter()
            .map(|e| (e.position.line, e.kind.code(), e.column))
            .collect(),
    }
}

/// One corpus expectation.
struct Case {
    file: &'static str,
    columns: &'static str,
    options: &'static str,
    /// Rows kept in continue mode.
    rows: usize,
    /// Rejected records: (line, error code), in input order.
    errors: &'static [(u64, &'static str)],
    /// Spot checks: (row, column, rendered value).
    values: &'static [(usize, usize, &'static str)],
}

const fn case(
    file: &'static str,
    columns: &'static str,
    options: &'static str,
    rows: usize,
    errors: &'static [(u64, &'static str)],
) -> Case {
    Case {
        file,
        columns,
        options,
        rows,
        errors,
        values: &[],
    }
}

const UQ: &str = "UNQUOTED_VALUE";
const UT: &str = "UNTERMINATED_QUOTE";
const MISS: &str = "MISSING_COLUMNS";
const MANY: &str = "TOO_MANY_COLUMNS";
const CAST: &str = "CAST";
const UTF8: &str = "INVALID_UTF8";
const LONG: &str = "LINE_TOO_LONG";

#[rustfmt::skip]
const CASES: &[Case] = &[
    // --- DuckDB §1 quoting faults
    case("duckdb/unescaped_quotes/end_quote.csv", "1", "", 0, &[(1, UQ), (2, UQ)]),
    case("duckdb/unescaped_quotes/unescaped_quote.csv", "2", "delim=;", 0, &[(1, UQ), (2, UQ), (3, UQ), (4, UQ), (5, UQ), (6, UQ)]),
    Case { values: &[(0, 0, "Pedro \"the\" legend"), (1, 0, "Pedro \"the")],
        ..case("duckdb/unescaped_quotes/some_escaped_some_not.csv", "1", "", 2, &[(2, UQ), (4, UQ)]) },
    case("duckdb/unescaped_quotes/stops.csv", "4", "header", 7, &[(9, UQ), (10, UQ)]),
    case("duckdb/test/unterminated.csv", "1", "", 0, &[(1, UT)]),
    case("duckdb/multidelimiter/simple_unterminated_quote.csv", "1", "", 0, &[(1, UT)]),
    case("duckdb/multidelimiter/unterminated_quote_escape.csv", "1", "", 0, &[(1, UT)]),
    Case { values: &[(0, 0, "")],
        ..case("duckdb/multidelimiter/file_ends_in_quoted_value.csv", "1", "", 1, &[]) },
    case("duckdb/rejects/unquoted/basic.csv", "a,b:INT64", "header", 6, &[(5, UQ)]),
    case("duckdb/rejects/unquoted/unquoted_new_line.csv", "a,b:INT64", "header", 6, &[(5, UQ)]),
    case("duckdb/rejects/unquoted/unquoted_last_value.csv", "1", "", 4, &[(5, UT)]),
    case("duckdb/bad_escape.csv", "2", "header", 1, &[(3, UQ)]),
    // With ESCAPE '\', `\,` is an escape before neither quote nor escape: an error, as in Kùzu
    // (DuckDB keeps the comma).
    Case { values: &[(0, 1, "foo (\"foo\")")],
        ..case("duckdb/bad_escape.csv", "2", "header escape=\\", 1, &[(2, UQ)]) },
    case("duckdb/escape.csv", "1", "", 0, &[(1, UQ)]),
    Case { values: &[(0, 0, "\"bla\"")], ..case("duckdb/escape.csv", "1", "escape=]", 1, &[]) },
    Case { values: &[(1, 2, "text\"2\"text"), (2, 0, "567")],
        ..case("duckdb/auto/quote_escape.csv", "a:INT64,b,c", "delim=|", 3, &[]) },
    Case { values: &[(0, 0, "'Doc'")], ..case("duckdb/single_quote.csv", "1", "header", 1, &[]) },
    case("duckdb/headers/unescaped_quote.csv", "2", "header", 2, &[]),
    // --- §2 line endings (lone CR, CRLF and LF all end records, mixed allowed)
    case("duckdb/test/mixed_line_endings.csv", "3", "", 3, &[]),
    case("duckdb/mixed_new_line.csv", "3", "", 3, &[]),
    case("duckdb/mixed_new_line_2.csv", "2", "", 3, &[(3, MISS)]),
    case("duckdb/one_n_two.csv", "1", "", 2, &[]),
    case("duckdb/one_r_two.csv", "1", "", 2, &[]),
    // `one\r\r\ntwo\r\r\nthree`: each stray CR ends a record, so a 1-column table gets NULL rows.
    Case { values: &[(0, 0, "one"), (1, 0, "∅"), (2, 0, "two"), (4, 0, "three")],
        ..case("duckdb/one_r_n_two.csv", "1", "", 5, &[]) },
    case("duckdb/lineitem-carriage.csv", "16", "header delim=|", 10, &[]),
    case("duckdb/issue5077.csv", "3", "", 1, &[(1, MISS)]),
    case("duckdb/test/windows_newline_empty.csv", "a:INT64", "", 20_000, &[]),
    Case { values: &[(0, 2, " test")], ..case("duckdb/test/no_newline.csv", "a:INT64,b:INT64,c", "", 1024, &[]) },
    // --- §3 encodings
    case("duckdb/auto/utf8bom.csv", "id:INT64,name", "header", 2, &[]),
    case("duckdb/encodings/latin1.csv", "name,age:INT64", "header", 0,
        &[(2, UTF8), (3, UTF8), (4, UTF8), (5, UTF8), (6, UTF8), (7, UTF8), (8, UTF8), (9, UTF8), (10, UTF8), (11, UTF8), (12, UTF8), (13, UTF8)]),
    case("duckdb/test/invalid_utf.csv", "3", "delim=|", 0, &[(1, UTF8)]),
    case("duckdb/test/invalid_utf_quoted.csv", "3", "", 20, &[(11, UTF8)]),
    case("duckdb/real/greek_utf8.csv", "a:INT64,b,c:INT64", "delim=|", 8, &[]),
    case("duckdb/test/nfc.csv", "1", "", 2, &[]),
    // --- §4 column counts
    case("duckdb/test/error_too_many.csv", "i:INT64,j:INT64", "header", 5, &[(6, MANY)]),
    case("duckdb/test/error_too_little.csv", "i:INT64,j:INT64", "header", 5, &[(7, MISS)]),
    case("duckdb/test/error_too_little_single.csv", "i:INT64,j:INT64", "header", 0, &[(2, MISS)]),
    case("duckdb/test/too_many_values.csv", "3", "", 0, &[(1, MANY)]),
    case("duckdb/rejects/incorrect_columns/small_mix.csv", "4", "header", 2, &[(3, MANY), (4, MISS)]),
    case("duckdb/rejects/incorrect_columns/few_columns.csv", "4", "header", 2768, &[(1814, MISS), (1823, MISS), (2378, MISS), (2762, MISS)]),
    case("duckdb/rejects/incorrect_columns/many_columns.csv", "4", "header", 2768, &[(1096, MANY), (1159, MANY), (1206, MANY), (2769, MANY)]),
    case("duckdb/missing_column.csv", "h1:INT64,h2", "header", 19, &[(7, MISS), (10, MISS), (17, MISS)]),
    case("duckdb/inconsistent_cells.csv", "5", "", 2, &[(2, MISS), (3, MISS), (4, MISS)]),
    case("duckdb/extra_delimiters.csv", "3", "header", 3, &[(4, MANY)]),
    case("duckdb/nullpadding.csv", "4", "", 1, &[(1, MISS), (3, MISS), (4, MISS), (5, MANY)]),
    case("duckdb/evil_nullpadding.csv", "4", "delim=;", 1, &[(2, MISS), (3, MISS)]),
    Case { values: &[(0, 0, "AAA")], ..case("duckdb/multidelimiter/trailing_delimiter.csv", "1", "delim=|", 1, &[]) },
    case("duckdb/locations_row_trailing_comma.csv", "4", "header", 0, &[(2, MANY)]),
    // --- §5 long lines
    case("duckdb/test/test_long_line.csv", "a:INT64,b,c:INT64", "", 2, &[]),
    case("duckdb/test/test_long_line.csv", "a:INT64,b,c:INT64", "max_line=15000", 1, &[(2, LONG)]),
    case("duckdb/rejects/maximum_line/max_10.csv", "a,b:INT64", "header max_line=10", 6, &[(5, LONG)]),
    case("duckdb/line_too_long.csv.gz", "1", "max_line=2000000", 0, &[(1, LONG)]),
    case("duckdb/line_too_long_with_newline.csv.gz", "1", "max_line=2000000", 0, &[(1, LONG)]),
    case("duckdb/multiple_line_too_long.csv.gz", "1", "max_line=2000000", 0, &[(1, LONG), (2, LONG), (3, LONG), (4, LONG)]),
    // --- §6 NULLs and NUL bytes
    Case { values: &[(1, 1, "∅"), (1, 2, "∅"), (2, 2, "∅")],
        ..case("duckdb/null/multiple_nulls.csv", "name,age:INT64,height:DOUBLE", "header null=null|none|", 3, &[]) },
    // Without NULL_STRINGS, `null` (any case) is still NULL in non-STRING columns; `none` is not.
    case("duckdb/null/multiple_nulls.csv", "name,age:INT64,height:DOUBLE", "header", 2, &[(4, CAST)]),
    Case { values: &[(1, 1, "null"), (1, 2, ""), (2, 2, "none")],
        ..case("duckdb/null/multiple_quoted_nulls.csv", "3", "header null=null|none|", 3, &[]) },
    Case { values: &[(0, 1, "val\u{0}2")], ..case("duckdb/nullbyte.csv", "3", "header delim=|", 1, &[]) },
    Case { values: &[(0, 0, "a\u{0}b")], ..case("duckdb/null_terminator.csv", "1", "", 1, &[]) },
    Case { values: &[(0, 1, "∅"), (0, 2, "test")], ..case("duckdb/test/test_null_csv.csv", "a:INT64,b,c", "delim=|", 1, &[]) },
    case("duckdb/error/mid_null.csv", "3", "header delim=;", 2, &[(3, MANY)]),
    // --- §7 empty files, blank lines, headers
    case("duckdb/empty.csv", "2", "", 0, &[]),
    case("duckdb/empty.csv", "2", "header", 0, &[]),
    case("duckdb/empty_first_line.csv", "a,b:INT64", "delim=space", 3, &[]),
    Case { values: &[(9, 0, "∅"), (10, 0, "11")], ..case("duckdb/blank_line.csv", "col:INT64", "header", 11, &[]) },
    case("duckdb/test/many_empty_lines.csv", "a:INT64", "", 20_000, &[]),
    case("duckdb/header_only.csv", "1", "header", 0, &[]),
    case("duckdb/header_only.csv", "1", "", 1, &[]),
    case("duckdb/header_only_2.csv", "2", "header delim=;", 0, &[]),
    case("duckdb/headers/single_line.csv", "2", "header", 0, &[]),
    case("duckdb/dirty_line.csv", "a:DOUBLE,b,c:INT64", "skip=1 header", 2, &[]),
    case("duckdb/dirty_line.csv", "3", "", 3, &[(1, MISS)]),
    // --- §8 quoted newlines
    Case { values: &[(0, 0, "cell with\nnewline")], ..case("duckdb/quoted_newline.csv", "1", "header", 1, &[]) },
    case("duckdb/test/quoted_newline.csv", "a,b:INT64", "", 2, &[]),
    case("duckdb/test/new_line_string.csv", "a:INT64,b:INT64,c:INT64,d", "delim=|", 3, &[]),
    case("duckdb/test/new_line_string_rn.csv", "a:INT64,b:INT64,c:INT64,d", "delim=|", 3, &[]),
    case("duckdb/csv_quoted_newline_odd.csv", "1", "header", 1, &[(11, MANY)]),
    case("duckdb/all_quotes.csv", "4", "header", 4, &[(7, UQ)]),
    // --- §9 type errors
    case("duckdb/test/error_invalid_type.csv", "i:INT64,j:INT64", "header", 5, &[(6, CAST)]),
    case("duckdb/wrongtype.csv", "h1:INT64,h2", "header", 19, &[(8, CAST), (14, CAST), (19, CAST)]),
    case("duckdb/small_bad.csv", "a:INT64,b", "", 3, &[(3, CAST)]),
    case("duckdb/rejects/frankstein/nightmare.csv", "a:INT64,b:INT64,c", "header max_line=20", 41,
        &[(10, MISS), (14, MANY), (19, CAST), (22, UQ), (32, LONG), (38, UTF8)]),
    case("duckdb/big_number.csv", "a:INT64", "header", 0, &[(2, CAST)]),
    case("duckdb/test/error_too_little_end_of_filled_chunk.csv", "2", "header", 1024, &[(1026, MISS)]),
    case("duckdb/test/vsize.csv", "3", "", 1024, &[]),
    case("duckdb/real/lineitem_sample.csv", "16", "delim=|", 10, &[]),
    // --- §10 compressed input
    case("duckdb/test/test_comp.csv.gz", "3", "header", 2, &[]),
    case("duckdb/broken/test.csv.zst", "5", "header", 100, &[]),
    case("duckdb/zstd/ncvoter.csv.zst", "94", "delim=\\t", 10, &[]),
    // --- Kùzu csv-edge-case-tests
    Case { values: &[(0, 0, "data"), (1, 1, "\u{feff}\u{feff}bomdata\u{feff}")],
        ..case("kuzu/dataset/csv-edge-case-tests/bom-and-data.csv", "2", "", 2, &[]) },
    case("kuzu/dataset/csv-edge-case-tests/bom-and-header.csv", "2", "header", 0, &[]),
    case("kuzu/dataset/csv-edge-case-tests/bom.csv", "2", "", 0, &[]),
    case("kuzu/dataset/csv-edge-case-tests/carriage-return-then-eof.csv", "2", "", 2, &[]),
    Case { values: &[(0, 0, "abc")], ..case("kuzu/dataset/csv-edge-case-tests/delimiter-then-eof.csv", "1", "", 1, &[]) },
    case("kuzu/dataset/csv-edge-case-tests/empty-first-line.csv", "2", "", 2, &[]),
    case("kuzu/dataset/csv-edge-case-tests/empty-lines-multiple-columns.csv", "2", "", 2, &[]),
    Case { values: &[(1, 0, "∅")], ..case("kuzu/dataset/csv-edge-case-tests/empty-lines-single-column.csv", "1", "", 3, &[]) },
    case("kuzu/dataset/csv-edge-case-tests/empty.csv", "2", "", 0, &[]),
    case("kuzu/dataset/csv-edge-case-tests/eof-after-unquote.csv", "2", "", 1, &[]),
    Case { values: &[(0, 0, "abc\\\"")], ..case("kuzu/dataset/csv-edge-case-tests/escapes-in-quote.csv", "1", "escape=\\", 1, &[]) },
    Case { values: &[(1, 0, "\\"), (1, 1, "\\")], ..case("kuzu/dataset/csv-edge-case-tests/escapes-out-of-quote.csv", "2", "", 2, &[]) },
    case("kuzu/dataset/csv-edge-case-tests/mixed-empty-lines-multiple-columns.csv", "2", "", 2, &[]),
    Case { values: &[(0, 0, "abc"), (1, 0, "∅"), (2, 0, "def"), (3, 0, "∅"), (4, 0, "∅"), (5, 0, "ghi")],
        ..case("kuzu/dataset/csv-edge-case-tests/mixed-empty-lines-single-column.csv", "1", "", 6, &[]) },
    case("kuzu/dataset/csv-edge-case-tests/mixed-newlines.csv", "1", "", 3, &[]),
    case("kuzu/dataset/csv-edge-case-tests/quoted-values.csv", "2", "", 1, &[]),
    case("kuzu/dataset/csv-edge-case-tests/tab-as-delim.csv", "2", "delim=\\t", 2, &[]),
    case("kuzu/dataset/csv-edge-case-tests/tab-as-delim.csv", "2", "auto", 2, &[]),
    Case { values: &[(0, 0, "abc\"def")], ..case("kuzu/dataset/csv-edge-case-tests/unquote-escape.csv", "1", "", 1, &[]) },
    case("kuzu/dataset/csv-edge-case-tests/long-string.csv", "id:INT64,s", "", 1, &[]),
    case("kuzu/dataset/csv-edge-case-tests/large-header.csv", "2", "header", 1, &[]),
    // --- Kùzu csv-error-tests
    case("kuzu/dataset/csv-error-tests/escape-then-eof.csv", "1", "escape=\\", 1, &[(2, UT)]),
    case("kuzu/dataset/csv-error-tests/quote-then-eof.csv", "1", "", 1, &[(2, UT)]),
    case("kuzu/dataset/csv-error-tests/escape-then-bad-char.csv", "1", "escape=\\", 1, &[(2, UQ)]),
    case("kuzu/dataset/csv-error-tests/too-few-values.csv", "2", "", 1, &[(2, MISS)]),
    case("kuzu/dataset/csv-error-tests/too-many-values.csv", "1", "", 1, &[(2, MANY)]),
    case("kuzu/dataset/csv-error-tests/large-conversion-failure.csv", "col:INT64", "header", 1000, &[(1002, CAST)]),
    case("kuzu/dataset/csv-error-tests/sniff_first_row.csv", "a,b:INT64", "", 2, &[(3, CAST), (4, CAST)]),
    // --- Kùzu multiline quotes (ruzu supports quoted newlines in every mode)
    case("kuzu/dataset/csv-multiline-quote-tests/basic.csv", "1", "", 1, &[]),
    Case { values: &[(0, 0, "abc\rdef"), (0, 1, "ghi\r\njkl")],
        ..case("kuzu/dataset/csv-multiline-quote-tests/mixed-newlines.csv", "2", "", 1, &[]) },
    // --- Kùzu copy-fault-tests
    case("kuzu/dataset/copy-fault-tests/invalid-row/vPerson.csv", "id:INT16,gender:INT32", "", 5, &[(2, CAST), (5, CAST)]),
    case("kuzu/dataset/copy-fault-tests/invalid-row/vPersonInvalidValueAtEOF.csv", "id:INT16,gender:INT32", "", 1, &[(2, CAST)]),
    case("kuzu/dataset/copy-fault-tests/invalid-row/vMovie.csv", "id:INT16,length:INT32,name", "header escape=~", 5,
        &[(2, CAST), (4, UQ), (6, UQ), (8, MISS), (11, UT)]),
    case("kuzu/dataset/copy-fault-tests/invalid-row/vMovie.csv.gz", "id:INT16,length:INT32,name", "header escape=~", 5,
        &[(2, CAST), (4, UQ), (6, UQ), (8, MISS), (11, UT)]),
    case("kuzu/dataset/copy-fault-tests/invalid-row/vPersonLongRow.csv", "id:INT16,s", "", 5, &[(6, CAST), (7, UQ)]),
    case("kuzu/dataset/copy-fault-tests/invalid-row/Comment.csv",
        "id:INT64,creationDate:INT64,locationIP,browserUsed,content,length:INT32", "header delim=|", 996,
        &[(26, CAST), (536, CAST), (995, CAST)]),
    case("kuzu/dataset/copy-fault-tests/invalid-utf8/invalid-utf8.csv", "1", "", 0, &[(1, UTF8)]),
    case("kuzu/dataset/copy-dos-style-newline/vPerson.csv", "id:INT64", "", 5, &[]),
    case("kuzu/dataset/copy-fault-tests/wrong-header/vPerson.csv", "id:INT64,fName", "header", 3, &[]),
    case("kuzu/dataset/copy-fault-tests/wrong-header/vPerson.csv", "id,fName:INT64", "header", 0, &[(2, CAST), (3, CAST), (4, CAST)]),
    case("kuzu/dataset/demo-db/csv/user.csv", "name,age:INT64", "auto", 4, &[]),
    case("kuzu/test/answers/long_string_valid.csv", "1", "", 1, &[]),
    case("kuzu/test/answers/long_string_invalid.csv", "1", "", 2, &[]),
    case("kuzu/test/answers/long_string_invalid.csv", "1", "max_line=100000", 1, &[(1, LONG)]),
];

/// Decodes `case` every way that must agree and returns the whole-file outcome.
fn run_all_ways(root: &Path, case: &Case) -> Outcome {
    let path = root.join(case.file);
    let schema = schema(case.columns);
    let base = options(case.options);
    let whole = decode(open(&path), &schema, &base);
    for (chunk_bytes, batch_rows, step) in [(64, 3, usize::MAX), (1 << 20, 1, 7), (17, 2, 1)] {
        let o = base
            .clone()
            .with_chunk_bytes(chunk_bytes)
            .with_batch_rows(batch_rows);
        let trickled = Box::new(Trickle {
            inner: open(&path),
            step,
        });
        let other = decode(trickled, &schema, &o);
        assert_eq!(
            other, whole,
            "{}: chunk_bytes={chunk_bytes} batch_rows={batch_rows} read step={step} disagrees with one pass",
            case.file
        );
    }
    whole
}

#[test]
fn corpus_cases_decode_to_their_expected_rows_and_errors() {
    let Some(root) = corpus_root() else { return };
    let mut failures = Vec::new();
    for case in CASES {
        let outcome = run_all_ways(&root, case);
        let lines: Vec<(u64, &str)> = outcome.errors.iter().map(|&(l, k, _)| (l, k)).collect();
        if outcome.rows.len() != case.rows || lines != case.errors {
            failures.push(format!(
                "{} ({}; {}): expected {} rows and errors {:?}, got {} rows and errors {:?}",
                case.file,
                case.columns,
                case.options,
                case.rows,
                case.errors,
                outcome.rows.len(),
                lines
            ));
            continue;
        }
        for &(row, col, want) in case.values {
            let got = &outcome.rows[row][col];
            if got != want {
                failures.push(format!(
                    "{}: row {row} column {col}: expected {want:?}, got {got:?}",
                    case.file
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} corpus cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn error_positions_name_line_column_and_record_start_byte() {
    let Some(root) = corpus_root() else { return };
    // DuckDB's reject table gives the byte where each rejected record starts.
    let path = root.join("duckdb/rejects/incorrect_columns/few_columns.csv");
    let schema = schema("4");
    let mut reader =
        Reader::new(open(&path), schema.clone(), &options("header"), None).expect("valid options");
    let mut batch = Batch::new(schema, 1024, 1 << 16);
    let mut errors = Vec::new();
    while reader
        .read_batch(&mut batch, &mut |e| errors.push(e))
        .expect("no I/O error")
    {}
    let bytes: Vec<u64> = errors.iter().map(|e| e.position.byte).collect();
    // DuckDB reports these 1-based (14505, ...); ruzu's byte offsets are 0-based.
    assert_eq!(bytes, [14504, 14574, 19008, 22074]);

    let path = root.join("duckdb/rejects/unquoted/basic.csv");
    let schema = self::schema("a,b:INT64");
    let mut reader =
        Reader::new(open(&path), schema.clone(), &options("header"), None).expect("valid options");
    let mut batch = Batch::new(schema, 1024, 1 << 16);
    let mut errors = Vec::new();
    while reader
        .read_batch(&mut batch, &mut |e| errors.push(e))
        .expect("no I/O error")
    {}
    assert_eq!(errors.len(), 1);
    assert_eq!(
        (
            errors[0].position.line,
            errors[0].position.byte,
            errors[0].column
        ),
        (5, 28, Some(1))
    );
}

/// Every file of both corpora, fuzzer outputs included, in several schemas and with hostile
/// options: rows or clean errors, never a panic or a hang.
#[test]
fn every_corpus_file_decodes_or_fails_cleanly() {
    let Some(root) = corpus_root() else { return };
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable corpus folder") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e != "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    assert!(
        files.len() > 400,
        "expected the whole corpus, found {} files",
        files.len()
    );
    let variants = [
        ("1", "auto"),
        ("3", ""),
        ("a:INT64,b:DOUBLE,c", "header escape=\\"),
        ("2", "auto max_line=64"),
    ];
    for path in files {
        let (tx, rx) = mpsc::channel();
        let worker_path = path.clone();
        std::thread::spawn(move || {
            for (columns, opts) in variants {
                let schema = schema(columns);
                // Compressed files that are broken on purpose may fail to open: that is a clean error.
                let Ok(input) = std::panic::catch_unwind(|| open(&worker_path)) else {
                    continue;
                };
                let mut reader = match Reader::new(
                    input,
                    schema.clone(),
                    &options(opts).with_chunk_bytes(100),
                    None,
                ) {
                    Ok(r) => r,
                    Err(_) => continue,
                };
                let mut batch = Batch::new(schema, 16, 1024);
                while let Ok(true) = reader.read_batch(&mut batch, &mut |_| {}) {}
            }
            tx.send(()).expect("test thread waits");
        });
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(()) => {}
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("{}: decoding hangs", path.display()),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("{}: decoder panicked", path.display())
            }
        }
    }
}
