//! The node sink's parallel phase: string columns compressed on the decoder threads (local
//! sinks) and applied in order. What is stored must be exactly what the serial path stores,
//! with rejects in the batches (split runs, whose frames cannot be used), batches that do not
//! fit the rest of a group, and groups that mix compressed-ahead and raw runs.

use std::sync::Arc;

use ruzu_copy::testing::{OwnedRow, batch_rows};
use ruzu_copy::{BatchSink, LocalSink, Prepared, SinkContext, SinkReject};
use ruzu_csv::{Batch, DataType, Field, Schema, Value};
use ruzu_storage::{ColumnDef, NodeTableSink, Store};

type Error = Box<dyn std::error::Error + Send + Sync>;
type TestResult = Result<(), Error>;

const BATCH_ROWS: usize = 300;
const BATCHES: usize = 40;
const GROUP_ROWS: usize = 2000;

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
        Field::new("bio", DataType::String),
    ]))
}

/// Batch `b`: unique keys but for one duplicate of an earlier key every fifth batch, a few
/// names, a long text with a NULL now and then.
fn batch(b: usize, schema: &Arc<Schema>) -> Batch {
    let mut batch = Batch::new(schema.clone(), BATCH_ROWS, 256 * BATCH_ROWS);
    for r in 0..BATCH_ROWS {
        let i = b * BATCH_ROWS + r;
        let id = if b % 5 == 4 && r == 17 { 3 } else { i as i64 };
        let name = format!("name{}", i % 13);
        let bio = format!(
            "person {i} likes {} and {} since {}",
            i * 7919 % 1009,
            i % 31,
            1950 + i % 55
        );
        let bio = if i % 97 == 5 {
            Value::Null
        } else {
            Value::String(&bio)
        };
        batch
            .push_row(
                &[Value::Int64(id), Value::String(&name), bio],
                i as u64 + 2,
                0,
            )
            .expect("row matches the schema");
    }
    batch
}

fn create(dir: &std::path::Path, schema: &Schema) -> Result<Store, Error> {
    let mut store = Store::create(dir)?;
    let columns = schema
        .fields()
        .iter()
        .map(|f| ColumnDef::new(f.name.clone(), f.data_type))
        .collect();
    let mut txn = store.begin_write()?;
    txn.create_node_table("Person", columns, "id")?;
    txn.commit()?;
    Ok(store)
}

/// Imports every batch, through two local sinks when `parallel`; returns the rejects' rows
/// per batch and the rows compressed ahead.
fn import(
    store: &mut Store,
    schema: &Arc<Schema>,
    parallel: bool,
) -> Result<(Vec<Vec<usize>>, u64), Error> {
    let spill = tempfile::tempdir()?;
    let mut sink = NodeTableSink::new(store, "Person")
        .with_spill_dir(spill.path())
        .with_group_rows(GROUP_ROWS);
    sink.begin(&SinkContext::new("Person", schema.clone(), 64 << 20))?;
    let mut locals: Vec<Box<dyn LocalSink>> = if parallel {
        vec![
            sink.local_sink()?
                .expect("the node sink has a parallel phase"),
            sink.local_sink()?
                .expect("the node sink has a parallel phase"),
        ]
    } else {
        Vec::new()
    };
    let mut refused = Vec::new();
    let mut prepared = [Prepared::new(), Prepared::new()];
    for b in 0..BATCHES {
        let batch = batch(b, schema);
        let mut rejects: Vec<SinkReject> = Vec::new();
        if parallel {
            let state = &mut prepared[b % 2];
            locals[b % 2].prepare(&batch, state)?;
            state.set_ready(true);
            sink.write_prepared(&batch, state, &mut rejects)?;
        } else {
            sink.write(&batch, &mut rejects)?;
        }
        refused.push(rejects.iter().map(|r| r.row).collect());
    }
    let framed = sink.precompressed_rows();
    drop(locals);
    sink.finish(&mut |_| std::ops::ControlFlow::Continue(()))?;
    sink.commit()?;
    Ok((refused, framed))
}

fn scanned(store: &Store, schema: &Arc<Schema>) -> Result<Vec<OwnedRow>, Error> {
    let mut rows = Vec::new();
    let mut batch = Batch::new(schema.clone(), 1024, 1 << 18);
    for record_batch in store.scan_node_table("Person")? {
        batch.clear();
        batch.push_arrow(&record_batch?, 1)?;
        rows.extend(batch_rows(&batch));
    }
    Ok(rows)
}

#[test]
fn strings_compressed_ahead_store_what_the_serial_path_stores() -> TestResult {
    let schema = schema();
    let serial_dir = tempfile::tempdir()?;
    let mut serial = create(serial_dir.path(), &schema)?;
    let (serial_rejects, serial_framed) = import(&mut serial, &schema, false)?;
    assert_eq!(serial_framed, 0);

    let parallel_dir = tempfile::tempdir()?;
    let mut parallel = create(parallel_dir.path(), &schema)?;
    let (parallel_rejects, framed) = import(&mut parallel, &schema, true)?;
    drop(parallel);
    let parallel = Store::open(parallel_dir.path())?;
    parallel.verify()?;

    // Every batch without a reject comes with `bio` compressed ahead.
    let whole_batches = (0..BATCHES).filter(|b| b % 5 != 4).count();
    assert_eq!(framed, (whole_batches * BATCH_ROWS) as u64);
    assert_eq!(parallel_rejects, serial_rejects);
    let duplicates = (0..BATCHES).filter(|b| b % 5 == 4).count();
    assert_eq!(parallel_rejects.iter().flatten().count(), duplicates);

    let expected = scanned(&serial, &schema)?;
    assert_eq!(expected.len(), BATCHES * BATCH_ROWS - duplicates);
    let got = scanned(&parallel, &schema)?;
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "row {i}");
    }
    assert_eq!(
        parallel.lookup("Person", &Value::Int64(4321))?,
        Some(4321 - 3)
    );
    Ok(())
}
