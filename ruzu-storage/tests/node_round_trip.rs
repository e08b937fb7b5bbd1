//! Round trips into node tables: corpus files (Kùzu's and DuckDB's CSV test files, read in
//! place from `../../shared/corpus`) and generated person files with NULLs are imported, scanned
//! back as Arrow, and compared with what `ruzu-csv` decodes from the same bytes.
//!
//! The corpus is never copied into this repository. When it is absent the corpus test says it
//! skipped, except under `CI=true`, where that is a failure.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use ruzu_copy::{BatchSink, CopyOptions, Import, Input, SinkContext};
use ruzu_csv::{Batch, CsvOptions, DataType, Field, Reader, Schema, Value};
use ruzu_storage::{ColumnDef, NodeTableSink, Store};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

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

/// `"3"` = three STRING columns; otherwise `name:TYPE,...` (a bare name is STRING).
fn schema(spec: &str) -> Vec<Field> {
    if let Ok(n) = spec.parse::<usize>() {
        return (0..n)
            .map(|i| Field::new(format!("c{i}"), DataType::String))
            .collect();
    }
    spec.split(',')
        .map(|col| match col.split_once(':') {
            Some((name, ty)) => Field::new(name, ty.parse().expect("type name in case table")),
            None => Field::new(col, DataType::String),
        })
        .collect()
}

/// `header`, `delim=;`, `escape=\`, `null=a|b|`, `skip=N`, separated by spaces.
fn options(spec: &str) -> CsvOptions {
    let mut o = CsvOptions::default().with_auto_detect(false);
    for item in spec.split(' ').filter(|s| !s.is_empty()) {
        let (key, value) = item.split_once('=').unwrap_or((item, ""));
        let byte = || match value {
            "space" => b' ',
            v => v.as_bytes()[0],
        };
        o = match key {
            "header" => o.with_header(true),
            "delim" => o.with_delimiter(byte()),
            "escape" => o.with_escape(byte()),
            "skip" => o.with_skip_rows(value.parse().expect("skip count")),
            "null" => o.with_null_strings(value.split('|').map(str::to_owned).collect()),
            other => panic!("unknown option {other} in case table"),
        };
    }
    o
}

/// Corpus files whose decoded rows `ruzu-csv/tests/corpus.rs` pins down: `(file, columns,
/// options, rows kept)`. Quotes, escapes, embedded newlines and NUL bytes, NULLs, BOMs,
/// UTF-8 (Greek, NFC), CR/LF mixes, many rows, INT64 and DOUBLE columns, rejected records.
const CASES: &[(&str, &str, &str, usize)] = &[
    ("duckdb/auto/quote_escape.csv", "a:INT64,b,c", "delim=|", 3),
    ("duckdb/single_quote.csv", "1", "header", 1),
    ("duckdb/test/mixed_line_endings.csv", "3", "", 3),
    ("duckdb/lineitem-carriage.csv", "16", "header delim=|", 10),
    (
        "duckdb/test/windows_newline_empty.csv",
        "a:INT64",
        "",
        20_000,
    ),
    ("duckdb/auto/utf8bom.csv", "id:INT64,name", "header", 2),
    ("duckdb/test/invalid_utf_quoted.csv", "3", "", 20),
    (
        "duckdb/real/greek_utf8.csv",
        "a:INT64,b,c:INT64",
        "delim=|",
        8,
    ),
    ("duckdb/test/nfc.csv", "1", "", 2),
    (
        "duckdb/rejects/incorrect_columns/few_columns.csv",
        "4",
        "header",
        2768,
    ),
    ("duckdb/missing_column.csv", "h1:INT64,h2", "header", 19),
    (
        "duckdb/null/multiple_nulls.csv",
        "name,age:INT64,height:DOUBLE",
        "header null=null|none|",
        3,
    ),
    ("duckdb/nullbyte.csv", "3", "header delim=|", 1),
    ("duckdb/test/test_null_csv.csv", "a:INT64,b,c", "delim=|", 1),
    ("duckdb/blank_line.csv", "col:INT64", "header", 11),
    ("duckdb/quoted_newline.csv", "1", "header", 1),
    ("duckdb/all_quotes.csv", "4", "header", 4),
    ("duckdb/wrongtype.csv", "h1:INT64,h2", "header", 19),
    (
        "duckdb/dirty_line.csv",
        "a:DOUBLE,b,c:INT64",
        "skip=1 header",
        2,
    ),
    (
        "kuzu/dataset/csv-edge-case-tests/escapes-in-quote.csv",
        "1",
        "escape=\\",
        1,
    ),
    (
        "kuzu/dataset/csv-edge-case-tests/empty-lines-single-column.csv",
        "1",
        "",
        3,
    ),
    (
        "kuzu/dataset/csv-edge-case-tests/unquote-escape.csv",
        "1",
        "",
        1,
    ),
];

/// The node table of a case: a row number primary key, then the file's columns.
fn table_fields(fields: &[Field]) -> Vec<Field> {
    let mut all = vec![Field::new("_row", DataType::Int64)];
    all.extend(fields.iter().cloned());
    all
}

/// Decodes `path` with `ruzu-csv` (bad records skipped) into one batch of the table's
/// schema: the row number, then the decoded values.
fn decode_with_row_numbers(path: &Path, fields: &[Field], options: &CsvOptions) -> Batch {
    let file_schema = Arc::new(Schema::new(fields.to_vec()));
    let input = std::fs::File::open(path).expect("corpus file");
    let mut reader = Reader::new(Box::new(input), file_schema.clone(), options, None)
        .expect("options and dialect are valid");
    let mut batch = Batch::new(file_schema, options.batch_rows, 1 << 16);
    let mut out = Batch::new(Arc::new(Schema::new(table_fields(fields))), 1024, 1 << 16);
    loop {
        let more = reader
            .read_batch(&mut batch, &mut |_| {})
            .expect("no I/O error");
        for r in 0..batch.num_rows() {
            let mut row = vec![Value::Int64(out.num_rows() as i64)];
            row.extend((0..fields.len()).map(|c| batch.value(r, c)));
            out.push_row(&row, batch.line(r), batch.byte_offset(r))
                .expect("decoded values fit the schema");
        }
        if !more {
            break;
        }
    }
    out
}

/// A store with node table `T` of `fields`, primary key the first field.
fn store_with_table(dir: &Path, fields: &[Field]) -> Result<Store, ruzu_storage::StorageError> {
    let mut store = Store::create(dir)?;
    let mut txn = store.begin_write()?;
    let columns = fields
        .iter()
        .map(|f| ColumnDef::new(f.name.clone(), f.data_type))
        .collect();
    txn.create_node_table("T", columns, &fields[0].name)?;
    txn.commit()?;
    Ok(store)
}

/// Checks that the scan of `table` equals `expected`, batch by batch.
fn assert_scan_equals(store: &Store, table: &str, expected: &RecordBatch) -> TestResult {
    let mut offset = 0;
    for batch in store.scan_node_table(table)? {
        let batch = batch?;
        assert_eq!(
            batch,
            expected.slice(offset, batch.num_rows()),
            "{table} at row {offset}"
        );
        offset += batch.num_rows();
    }
    assert_eq!(offset, expected.num_rows(), "{table}: rows scanned");
    Ok(())
}

#[test]
fn corpus_files_round_trip_through_node_tables() -> TestResult {
    let Some(root) = corpus_root() else {
        return Ok(());
    };
    for &(file, columns, opts, rows) in CASES {
        let path = root.join(file);
        let fields = schema(columns);
        let decoded = decode_with_row_numbers(&path, &fields, &options(opts));
        assert_eq!(decoded.num_rows(), rows, "{file}: rows decoded");
        let table = table_fields(&fields);
        let dir = tempfile::tempdir()?;
        let mut store = store_with_table(dir.path(), &table)?;
        let mut sink = NodeTableSink::new(&mut store, "T")
            .with_spill_dir(dir.path())
            .with_group_rows(1000);
        let schema = decoded.schema().clone();
        sink.begin(&SinkContext::new("T", schema, 8 << 20))?;
        let mut rejects = Vec::new();
        sink.write(&decoded, &mut rejects)?;
        assert!(rejects.is_empty(), "{file}: {rejects:?}");
        sink.commit()?;
        drop(sink);
        drop(store);
        let store = Store::open(dir.path())?;
        assert_eq!(store.row_count("T")?, rows as u64, "{file}");
        assert_scan_equals(&store, "T", &decoded.to_arrow()?)?;
        if rows > 0 {
            let last = Value::Int64(rows as i64 - 1);
            assert_eq!(store.lookup("T", &last)?, Some(rows as u64 - 1), "{file}");
        }
    }
    Ok(())
}

/// A person-shaped CSV of `rows` rows: every column but the key has NULLs (empty fields),
/// strings have quotes, commas, newlines and non-ASCII letters, and the long `bio` takes
/// zstd, the low-cardinality `gender` a dictionary.
fn person_csv(rows: usize) -> String {
    let names = ["Ada", "Grace", "Édouard", "李娜", "Zoë", "O'Brien"];
    let mut out = String::from("id,first_name,gender,birthday,creation_date,score,active,bio\n");
    for i in 0..rows {
        let id = 1_000_000_000_000u64 + (i as u64) * 7919 % 1_000_003 * 1000 + i as u64 % 1000;
        let null = |k: usize| (i * 31 + k * 17).is_multiple_of(23);
        let name = if null(1) { "" } else { names[i % names.len()] };
        let gender = if null(2) {
            ""
        } else {
            ["male", "female"][i % 2]
        };
        let birthday = if null(3) {
            String::new()
        } else {
            format!("19{:02}-{:02}-{:02}", 50 + i % 50, 1 + i % 12, 1 + i % 28)
        };
        let created = if null(4) {
            String::new()
        } else {
            format!(
                "2012-{:02}-{:02} {:02}:{:02}:{:02}",
                1 + i % 12,
                1 + i % 28,
                i % 24,
                i % 60,
                (i * 7) % 60
            )
        };
        let score = if null(5) {
            String::new()
        } else {
            format!("{}.{:03}", i % 1000, (i * 37) % 1000)
        };
        let active = if null(6) {
            ""
        } else {
            ["true", "false"][i % 3 % 2]
        };
        let bio = if null(7) {
            String::new()
        } else {
            format!(
                "\"{name} wrote \"\"item {i}\"\", then, on a new\nline, more about {} and ünïcödé\"",
                names[(i * 5) % names.len()]
            )
        };
        out.push_str(&format!(
            "{id},{name},{gender},{birthday},{created},{score},{active},{bio}\n"
        ));
    }
    out
}

fn person_fields() -> Vec<Field> {
    vec![
        Field::new("id", DataType::UInt64),
        Field::new("first_name", DataType::String),
        Field::new("gender", DataType::String),
        Field::new("birthday", DataType::Date),
        Field::new("creation_date", DataType::Timestamp),
        Field::new("score", DataType::Double),
        Field::new("active", DataType::Bool),
        Field::new("bio", DataType::String),
    ]
}

#[test]
fn generated_person_file_with_nulls_round_trips_through_copy() -> TestResult {
    let rows = 30_000;
    let dir = tempfile::tempdir()?;
    let csv_path = dir.path().join("person.csv");
    std::fs::write(&csv_path, person_csv(rows))?;
    let fields = person_fields();
    let mut store = store_with_table(&dir.path().join("db"), &fields)?;
    let schema = Arc::new(Schema::new(fields.clone()));
    let csv = CsvOptions::default()
        .with_header(true)
        .with_auto_detect(false);
    let options = CopyOptions::default().with_csv(csv.clone());
    let mut sink = NodeTableSink::new(&mut store, "T").with_spill_dir(dir.path());
    let report = Import::new(
        "T",
        schema.clone(),
        vec![Input::Path(csv_path.clone())],
        options,
    )
    .run(&mut sink)?;
    drop(sink);
    assert_eq!(report.rows_imported, rows as u64);
    assert_eq!(report.rows_rejected, 0);

    // What ruzu-csv decodes from the same bytes, as one batch.
    let mut reader = Reader::new(
        Box::new(std::fs::File::open(&csv_path)?),
        schema.clone(),
        &csv,
        None,
    )?;
    let mut batch = Batch::new(schema.clone(), csv.batch_rows, 1 << 16);
    let mut all = Batch::new(schema.clone(), rows, 1 << 22);
    loop {
        let more = reader.read_batch(&mut batch, &mut |e| panic!("{e}"))?;
        for r in 0..batch.num_rows() {
            let row: Vec<Value<'_>> = (0..fields.len()).map(|c| batch.value(r, c)).collect();
            all.push_row(&row, batch.line(r), 0)?;
        }
        if !more {
            break;
        }
    }
    assert_eq!(all.num_rows(), rows);
    let expected = all.to_arrow()?;
    let nulls: usize = (1..fields.len())
        .map(|c| expected.column(c).null_count())
        .sum();
    assert!(
        nulls > 1000,
        "the file has NULLs in every column but the key ({nulls})"
    );
    assert_scan_equals(&store, "T", &expected)?;
    assert_eq!(store.row_count("T")?, rows as u64);
    Ok(())
}
