//! Duplicate keys found only when the spilled primary-key index is finished ("late"
//! duplicates): `finish` reports each with its file, line and byte and the line of the kept
//! first occurrence, and the duplicate rows are hidden by a persisted deleted rows list that
//! scans, row counts, lookups and later imports honour. When the reporter stops (abort
//! policy), nothing of the import is visible.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{Array, Int64Array};
use ruzu_copy::{BatchSink, LateReject, SinkContext, SinkRejectKind};
use ruzu_csv::{Batch, DataType, Field, Schema, Value};
use ruzu_storage::{NodeTableSink, StorageError, Store};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A share small enough that the index spills after a few batches.
const SMALL_MEMORY_BYTES: usize = 2 << 20;
const BATCH_ROWS: usize = 2048;
const BATCHES: usize = 100;
const ROWS: usize = BATCH_ROWS * BATCHES;
/// `(row, row whose key it repeats)`: every duplicate comes long after the index spilled.
const DUPLICATES: [(usize, usize); 3] = [(150_000, 5), (180_000, 5), (ROWS - 1, 100_000)];

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
    ]))
}

fn key(row: usize) -> i64 {
    DUPLICATES
        .iter()
        .find(|(dup, _)| *dup == row)
        .map_or(row, |(_, first)| *first) as i64
}

fn new_store(dir: &Path) -> Result<Store, StorageError> {
    let mut store = Store::create(dir)?;
    store.execute_ddl(
        &ruzu_copy::parse_ddl("CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))")
            .expect("valid DDL"),
    )?;
    Ok(store)
}

/// Writes rows `rows` (key `key(row)`, line `row + 2`, byte `row * 10`, file `person.csv`).
fn write_rows(
    sink: &mut NodeTableSink<'_>,
    rows: std::ops::Range<usize>,
    key: impl Fn(usize) -> i64,
) -> TestResult {
    let mut batch = Batch::new(schema(), BATCH_ROWS, 1 << 16);
    let source: Arc<Path> = Arc::from(Path::new("person.csv"));
    let mut rejects = Vec::new();
    for chunk in rows.collect::<Vec<_>>().chunks(BATCH_ROWS) {
        batch.clear();
        batch.set_source(Some(source.clone()));
        for &row in chunk {
            let name = format!("name {row}");
            batch.push_row(
                &[Value::Int64(key(row)), Value::String(&name)],
                row as u64 + 2,
                row as u64 * 10,
            )?;
        }
        rejects.clear();
        sink.write(&batch, &mut rejects)?;
        assert!(rejects.is_empty(), "no duplicate is seen in memory");
    }
    Ok(())
}

/// The ids the scan of `Person` returns, in order.
fn scanned_ids(store: &Store) -> Result<Vec<i64>, Box<dyn std::error::Error + Send + Sync>> {
    let mut ids = Vec::new();
    for batch in store.scan_node_table("Person")? {
        let batch = batch?;
        let col = batch
            .column(0)
            .as_any()
            .downcast_ref::<Int64Array>()
            .expect("INT64 column");
        assert_eq!(col.null_count(), 0);
        ids.extend(col.values().iter().copied());
    }
    Ok(ids)
}

fn check_table(store: &Store) -> TestResult {
    let duplicate_rows: Vec<usize> = DUPLICATES.iter().map(|d| d.0).collect();
    let expected: Vec<i64> = (0..ROWS)
        .filter(|r| !duplicate_rows.contains(r))
        .map(|r| r as i64)
        .collect();
    assert_eq!(store.row_count("Person")?, expected.len() as u64);
    assert_eq!(scanned_ids(store)?, expected);
    for (dup, first) in DUPLICATES {
        assert_eq!(
            store.lookup("Person", &Value::Int64(first as i64))?,
            Some(first as u64),
            "the first occurrence is the one kept"
        );
        assert_eq!(
            store.node_row("Person", dup as u64)?,
            None,
            "row {dup} is hidden"
        );
    }
    let kept = store.node_row("Person", 6)?.expect("row 6 is visible");
    assert_eq!(kept.num_rows(), 1);
    Ok(())
}

#[test]
fn late_duplicates_are_reported_with_positions_and_hidden_after_commit() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let mut store = new_store(dir.path())?;
    let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(spill.path());
    sink.begin(&SinkContext::new("Person", schema(), SMALL_MEMORY_BYTES))?;
    write_rows(&mut sink, 0..ROWS, key)?;
    assert!(sink.is_spilling());
    let mut late: Vec<LateReject> = Vec::new();
    sink.finish(&mut |r| {
        late.push(r);
        ControlFlow::Continue(())
    })?;
    sink.commit()?;
    drop(sink);

    late.sort_by_key(|r| r.position.line);
    assert_eq!(late.len(), DUPLICATES.len());
    for (r, (dup, first)) in late.iter().zip(DUPLICATES) {
        assert_eq!(r.position.file.as_deref(), Some(Path::new("person.csv")));
        assert_eq!(r.position.line, dup as u64 + 2);
        assert_eq!(r.position.byte, dup as u64 * 10);
        assert_eq!(r.column, Some(1));
        assert_eq!(
            r.kind,
            SinkRejectKind::DuplicateKey {
                first_line: Some(first as u64 + 2)
            }
        );
        assert_eq!(r.text.as_deref(), Some(first.to_string().as_str()));
    }
    check_table(&store)?;

    // The deleted rows list is durable.
    drop(store);
    let mut store = Store::open(dir.path())?;
    store.verify()?;
    check_table(&store)?;

    // A later import (index in memory) reloads the kept keys around the deleted rows: a key
    // of a kept row is a duplicate, a new key gets the next node offset.
    let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(spill.path());
    sink.begin(&SinkContext::new("Person", schema(), 256 << 20))?;
    let mut batch = Batch::new(schema(), 4, 1024);
    batch.push_row(&[Value::Int64(100_000), Value::String("again")], 2, 0)?;
    batch.push_row(&[Value::Int64(-1), Value::String("new")], 3, 20)?;
    let mut rejects = Vec::new();
    sink.write(&batch, &mut rejects)?;
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].row, 0);
    sink.finish(&mut |_| ControlFlow::Continue(()))?;
    sink.commit()?;
    drop(sink);
    assert_eq!(
        store.row_count("Person")?,
        (ROWS - DUPLICATES.len() + 1) as u64
    );
    assert_eq!(
        store.lookup("Person", &Value::Int64(-1))?,
        Some(ROWS as u64),
        "deleted rows keep their offsets"
    );
    Ok(())
}

#[test]
fn stopping_at_the_first_late_duplicate_leaves_nothing_visible() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let mut store = new_store(dir.path())?;
    let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(spill.path());
    sink.begin(&SinkContext::new("Person", schema(), SMALL_MEMORY_BYTES))?;
    write_rows(&mut sink, 0..ROWS, key)?;
    let mut reported = 0;
    sink.finish(&mut |_| {
        reported += 1;
        ControlFlow::Break(())
    })?;
    assert_eq!(reported, 1, "reporting stops at the first late duplicate");
    assert!(
        sink.commit().is_err(),
        "only abort is accepted after a stop"
    );
    sink.abort()?;
    drop(sink);
    assert_eq!(store.row_count("Person")?, 0);
    assert_eq!(scanned_ids(&store)?, Vec::<i64>::new());
    Ok(())
}

/// A CSV of `ROWS` rows whose keys repeat as `DUPLICATES` says.
fn csv_with_late_duplicates() -> String {
    let mut out = String::from("id,name\n");
    for row in 0..ROWS {
        out.push_str(&format!("{},name {row}\n", key(row)));
    }
    out
}

#[test]
fn copy_with_ignore_errors_reports_late_duplicates_with_both_lines() -> TestResult {
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("person.csv");
    std::fs::write(&csv, csv_with_late_duplicates())?;
    let mut store = new_store(&dir.path().join("db"))?;
    let options = ruzu_copy::CopyOptions::default()
        .with_csv(
            ruzu_csv::CsvOptions::default()
                .with_header(true)
                .with_auto_detect(false),
        )
        .with_ignore_errors(true)
        .with_memory_limit_bytes(16 << 20);
    let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(dir.path());
    let report = ruzu_copy::Import::new(
        "Person",
        schema(),
        vec![ruzu_copy::Input::Path(csv.clone())],
        options,
    )
    .run(&mut sink)?;
    assert!(sink.memory_bytes() == 0);
    drop(sink);
    assert_eq!(report.rows_rejected, DUPLICATES.len() as u64);
    assert_eq!(report.rows_imported, (ROWS - DUPLICATES.len()) as u64);
    let mut found: Vec<(u64, Option<u64>)> = report
        .rejections
        .iter()
        .map(|r| match &r.reason {
            ruzu_copy::RejectReason::Sink(SinkRejectKind::DuplicateKey { first_line }) => {
                assert_eq!(r.position.file.as_deref(), Some(csv.as_path()));
                (r.position.line, *first_line)
            }
            other => panic!("unexpected rejection {other:?}"),
        })
        .collect();
    found.sort_unstable();
    let expected: Vec<(u64, Option<u64>)> = DUPLICATES
        .iter()
        .map(|&(dup, first)| (dup as u64 + 2, Some(first as u64 + 2)))
        .collect();
    assert_eq!(found, expected);
    check_table(&store)?;
    Ok(())
}

#[test]
fn copy_without_ignore_errors_aborts_on_a_late_duplicate() -> TestResult {
    let dir = tempfile::tempdir()?;
    let csv = dir.path().join("person.csv");
    std::fs::write(&csv, csv_with_late_duplicates())?;
    let mut store = new_store(&dir.path().join("db"))?;
    let options = ruzu_copy::CopyOptions::default()
        .with_csv(
            ruzu_csv::CsvOptions::default()
                .with_header(true)
                .with_auto_detect(false),
        )
        .with_memory_limit_bytes(16 << 20);
    let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(dir.path());
    let result = ruzu_copy::Import::new(
        "Person",
        schema(),
        vec![ruzu_copy::Input::Path(csv)],
        options,
    )
    .run(&mut sink);
    drop(sink);
    let err = result.expect_err("a duplicate key aborts the import");
    // One of the late duplicates (they come in hash order), with both lines.
    let message = err.to_string();
    let named = DUPLICATES.iter().any(|&(dup, first)| {
        message.contains(&format!(":{}:1 (id)", dup + 2))
            && message.contains(&format!("first on line {}", first + 2))
    });
    assert!(named, "{message}");
    assert_eq!(store.row_count("Person")?, 0);
    Ok(())
}
