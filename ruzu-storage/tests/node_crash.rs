//! An import into a node table with checkpoints (continue-partial), with every write failing in
//! turn and a crash after it: the table reopens with exactly the rows of a checkpoint at or
//! after the last one that succeeded, and every row reads back intact.

mod common;

use std::sync::Arc;

use common::{reopen, small_pool};
use ruzu_csv::{Batch, DataType, Field, Schema, Value};
use ruzu_storage::{
    CrashMode, FaultPlan, FaultyBackend, NodeTableReader, NodeTableWriter, Result, Store, TableId,
};

const BATCHES: u64 = 10;
const BATCH_ROWS: u64 = 50;
/// Row counts at each checkpoint; the last is the final commit.
const DURABLE_POINTS: [u64; 5] = [0, 150, 300, 450, 500];

fn name(row: u64) -> String {
    format!("n{}", row * 7919 % 1000)
}

fn batch(start: u64) -> Batch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
    ]));
    let mut b = Batch::new(schema, BATCH_ROWS as usize, 1 << 12);
    for row in start..start + BATCH_ROWS {
        let n = name(row);
        b.push_row(&[Value::Int64(row as i64), Value::String(&n)], row + 2, 0)
            .expect("row matches");
    }
    b
}

/// Runs the import; returns the rows durable as of the last checkpoint or commit that
/// returned `Ok`.
fn import(store: &mut Store, table: TableId) -> u64 {
    let mut durable = 0;
    let Ok(mut txn) = store.begin_write() else {
        return durable;
    };
    let Ok(mut w) = NodeTableWriter::with_group_rows(&txn, table, 64) else {
        return durable;
    };
    for k in 0..BATCHES {
        if w.append(&mut txn, &batch(k * BATCH_ROWS)).is_err() {
            return durable;
        }
        if k % 3 == 2 {
            if w.flush(&mut txn).is_err() || txn.checkpoint().is_err() {
                return durable;
            }
            durable = (k + 1) * BATCH_ROWS;
        }
    }
    if w.flush(&mut txn).is_err() || txn.commit().is_err() {
        return durable;
    }
    BATCHES * BATCH_ROWS
}

fn check_table(store: &Store, table: TableId, at_least: u64) -> Result<u64> {
    let reader = NodeTableReader::open(store, table)?;
    let rows = reader.rows();
    assert!(
        DURABLE_POINTS.contains(&rows),
        "{rows} rows is not a checkpoint"
    );
    assert!(rows >= at_least, "{rows} rows, but {at_least} were durable");
    let mut next = 0u64;
    for g in 0..reader.groups() {
        let group = reader.read_group(g)?;
        for r in 0..group.rows() {
            let row = next + r as u64;
            assert_eq!(group.value(r, 0), Value::Int64(row as i64));
            assert_eq!(group.value(r, 1), Value::String(&name(row)));
        }
        next += group.rows() as u64;
    }
    assert_eq!(next, rows);
    Ok(rows)
}

#[test]
fn failed_write_during_checkpointed_import_recovers_a_checkpoint() -> Result<()> {
    let mut n = 0;
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let backend = FaultyBackend::new();
        let mut store = Store::create_on(Box::new(backend.clone()), small_pool())?;
        store.execute_ddl(
            &ruzu_copy::parse_ddl("CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id))")
                .expect("valid DDL"),
        )?;
        let table = store.catalog().table("P").expect("created").id;
        let base = backend.counts().writes;
        backend.set_plan(FaultPlan {
            fail_write: Some(base + n),
            ..FaultPlan::default()
        });
        let durable = import(&mut store, table);
        // The import made fewer than n + 1 writes: the fault never fired.
        let finished = backend.counts().writes - base <= n;
        assert_eq!(finished, durable == BATCHES * BATCH_ROWS);
        for mode in [
            CrashMode::LoseUnsynced,
            CrashMode::KeepUnsynced,
            CrashMode::Scrambled(n),
        ] {
            let reopened = reopen(backend.crash_image(mode))?;
            reopened.verify()?;
            seen.insert(check_table(&reopened, table, durable)?);
        }
        if finished {
            break;
        }
        n += 1;
    }
    assert!(n > 10, "the import made {n} writes");
    assert_eq!(
        seen.len(),
        DURABLE_POINTS.len(),
        "every checkpoint was recovered once: {seen:?}"
    );
    Ok(())
}
