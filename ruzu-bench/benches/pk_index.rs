//! Primary-key index build: [`PkIndexBuilder`] over person ids (a pseudo-random permutation,
//! as in person.csv), in memory and out of core (a budget small enough to spill). Keys per
//! second.

use std::hint::black_box;
use std::io;
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ruzu_bench::{DEFAULT_SEED, PersonGen};
use ruzu_csv::{Batch, DataType, Field, Schema, Value};
use ruzu_storage::PkIndexBuilder;

/// Keys per iteration: 1 M INT64 keys (8 MB of keys; person.csv of ~200 MB has as many).
const KEYS: u64 = 1_000_000;
/// Rows per batch, as the import driver hands them to the sink.
const BATCH_ROWS: usize = 8192;

/// The ids of `KEYS` persons in file order, in batches of one INT64 column.
fn key_batches() -> Vec<Batch> {
    let persons = PersonGen::new(DEFAULT_SEED, KEYS);
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64)]));
    let mut batches = Vec::new();
    let mut batch = Batch::new(Arc::clone(&schema), BATCH_ROWS, 0);
    for row in 0..KEYS {
        if batch.num_rows() == BATCH_ROWS {
            batches.push(std::mem::replace(
                &mut batch,
                Batch::new(Arc::clone(&schema), BATCH_ROWS, 0),
            ));
        }
        batch
            .push_row(&[Value::Int64(persons.id(row))], row + 2, 0)
            .expect("an INT64 fits the batch");
    }
    batches.push(batch);
    batches
}

/// Builds the index of all `batches` within `budget_bytes`; returns the keys written.
fn build(batches: &[Batch], budget_bytes: usize, spill_dir: &std::path::Path) -> u64 {
    let mut builder =
        PkIndexBuilder::new(DataType::Int64, budget_bytes, spill_dir).expect("INT64 keys");
    let mut rejects = Vec::new();
    for batch in batches {
        builder
            .insert_batch(batch.column(0), batch.lines(), &mut rejects)
            .expect("keys insert");
    }
    assert!(rejects.is_empty(), "person ids are unique");
    let meta = builder
        .finish(&mut io::sink(), &mut |d| panic!("duplicate {d:?}"))
        .expect("index written");
    meta.keys
}

fn pk_index(c: &mut Criterion) {
    let batches = key_batches();
    let spill = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("pk_index/int64");
    group.throughput(Throughput::Elements(KEYS));
    group.sample_size(10);
    // 64 MiB keeps 1 M keys in memory; 4 MiB makes the builder spill and merge runs.
    for (name, budget_bytes) in [("in_memory", 64 << 20), ("spilling", 4 << 20)] {
        group.bench_function(name, |b| {
            b.iter(|| assert_eq!(build(black_box(&batches), budget_bytes, spill.path()), KEYS));
        });
    }
    group.finish();
}

criterion_group!(benches, pk_index);
criterion_main!(benches);
