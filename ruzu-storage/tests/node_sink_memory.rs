//! `NodeTableSink` within its memory share: the index spills to disk instead of growing, the
//! group buffer stays one group, and duplicates found only when the spilled index is finished
//! make a commit without `finish` fail and leave the store unchanged (reported by `finish`:
//! `node_late_duplicates.rs`).

use std::sync::Arc;

use ruzu_copy::{BatchSink, ResumePoint, SinkContext};
use ruzu_csv::{Batch, DataType, Field, Schema, Value};
use ruzu_storage::{NodeTableSink, StorageError, Store};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

const MEMORY_BYTES: usize = 2 << 20;
const BATCH_ROWS: usize = 2048;

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
    ]))
}

/// Writes `batches` batches of keys `key(row)` into a new sink; returns the highest
/// `memory_bytes` seen and whether the index spilled.
fn write_keys(
    sink: &mut NodeTableSink<'_>,
    batches: usize,
    key: impl Fn(usize) -> i64,
) -> Result<(usize, bool), Box<dyn std::error::Error + Send + Sync>> {
    sink.begin(&SinkContext::new("Person", schema(), MEMORY_BYTES))?;
    let mut batch = Batch::new(schema(), BATCH_ROWS, 1 << 16);
    let mut peak = 0;
    let mut rejects = Vec::new();
    for b in 0..batches {
        batch.clear();
        for r in 0..BATCH_ROWS {
            let row = b * BATCH_ROWS + r;
            let name = format!("name {row}");
            batch.push_row(
                &[Value::Int64(key(row)), Value::String(&name)],
                row as u64 + 2,
                0,
            )?;
        }
        rejects.clear();
        sink.write(&batch, &mut rejects)?;
        peak = peak.max(sink.memory_bytes());
    }
    Ok((peak, sink.is_spilling()))
}

fn new_store(dir: &std::path::Path) -> Result<Store, StorageError> {
    let mut store = Store::create(dir)?;
    store.execute_ddl(
        &ruzu_copy::parse_ddl("CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))")
            .expect("valid DDL"),
    )?;
    Ok(store)
}

#[test]
fn spilled_index_stays_within_budget_and_finds_every_key() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let mut store = new_store(dir.path())?;
    let batches = 100; // 204,800 keys: far more than a 2 MiB share holds in memory.
    let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(spill.path());
    let (peak, spilled) = write_keys(&mut sink, batches, |row| row as i64 * 7)?;
    assert!(spilled, "the index should have spilled");
    eprintln!("peak sink memory {peak} bytes for a {MEMORY_BYTES}-byte share");
    // The share, plus one spill block and the index's overflow buffer.
    assert!(peak <= MEMORY_BYTES + (2 << 20), "peak {peak} bytes");
    sink.commit()?;
    drop(sink);
    let rows = (batches * BATCH_ROWS) as u64;
    assert_eq!(store.row_count("Person")?, rows);
    for row in (0..rows).step_by(4099).chain([rows - 1]) {
        assert_eq!(
            store.lookup("Person", &Value::Int64(row as i64 * 7))?,
            Some(row)
        );
        assert_eq!(
            store.lookup("Person", &Value::Int64(row as i64 * 7 + 1))?,
            None
        );
    }
    Ok(())
}

#[test]
fn duplicate_found_when_the_spilled_index_is_finished_fails_the_commit() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let mut store = new_store(dir.path())?;
    let generation = store.generation();
    let file = dir.path().join(ruzu_storage::DATA_FILE_NAME);
    let before = std::fs::read(&file)?;
    let batches = 100;
    let last = batches * BATCH_ROWS - 1;
    let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(spill.path());
    // The last row repeats the key of row 5, long after the index spilled.
    let (_, spilled) = write_keys(
        &mut sink,
        batches,
        |row| {
            if row == last { 5 } else { row as i64 }
        },
    )?;
    assert!(spilled);
    let err = sink
        .commit()
        .expect_err("duplicate keys must fail the commit");
    match err.downcast_ref::<StorageError>() {
        Some(StorageError::DuplicateKeys {
            key,
            first_line,
            dup_line,
            count,
            ..
        }) => {
            assert_eq!(&**key, "5");
            assert_eq!((*first_line, *dup_line, *count), (7, last as u64 + 2, 1));
        }
        other => panic!("unexpected error {other:?}"),
    }
    sink.abort()?;
    drop(sink);
    assert_eq!(store.generation(), generation);
    assert_eq!(store.row_count("Person")?, 0);
    drop(store);
    let after = std::fs::read(&file)?;
    // Cut back to the committed length; the header slots are untouched (the import may have
    // written into pages that were free in the committed state, which no committed structure
    // references).
    assert_eq!(
        after.len(),
        before.len(),
        "the file is cut back to its committed length"
    );
    let headers = 2 * ruzu_storage::PAGE_SIZE_BYTES as usize;
    assert!(
        after[..headers] == before[..headers],
        "the header slots are unchanged"
    );
    let store = Store::open(dir.path())?;
    assert_eq!(store.row_count("Person")?, 0);
    Ok(())
}

#[test]
fn checkpoint_after_the_index_spilled_fails_and_keeps_the_previous_checkpoint() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let mut store = new_store(dir.path())?;
    let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(spill.path());
    let (_, spilled) = write_keys(&mut sink, 1, |row| row as i64)?;
    assert!(!spilled);
    sink.checkpoint(&ResumePoint {
        line: BATCH_ROWS as u64 + 1,
        rows_stored: BATCH_ROWS as u64,
        ..ResumePoint::default()
    })?;
    let mut batch = Batch::new(schema(), BATCH_ROWS, 1 << 16);
    let mut row = BATCH_ROWS;
    while !sink.is_spilling() {
        batch.clear();
        for _ in 0..BATCH_ROWS {
            batch.push_row(&[Value::Int64(row as i64), Value::Null], row as u64 + 2, 0)?;
            row += 1;
        }
        sink.write(&batch, &mut Vec::new())?;
    }
    let err = sink
        .checkpoint(&ResumePoint::default())
        .expect_err("no checkpoint of unchecked rows");
    assert!(matches!(
        err.downcast_ref::<StorageError>(),
        Some(StorageError::CheckpointWhileSpilling { .. })
    ));
    sink.abort()?;
    drop(sink);
    assert_eq!(store.row_count("Person")?, BATCH_ROWS as u64);
    assert_eq!(store.lookup("Person", &Value::Int64(7))?, Some(7));
    Ok(())
}
