//! The node table sink: person.csv through the driver into [`NodeTableSink`] of a new
//! database (node groups, primary-key index, commit with fsync). Bytes of CSV per second.
//!
//! Each iteration creates its database in a new temporary directory (outside the timing) and
//! imports until the commit is durable, like `COPY Person FROM ...`.

use std::io::{Cursor, Read};
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ruzu_bench::{DEFAULT_SEED, PERSON_DDL, PersonReader, person_schema};
use ruzu_copy::{CopyOptions, Import, Input};
use ruzu_storage::{NodeTableSink, Store};
use tempfile::TempDir;

/// Persons in the input: ~20 MB of person.csv.
const PERSONS: u64 = 100_000;

/// A new database with the `Person` table, in a temporary directory.
fn new_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::create(&dir.path().join("db")).expect("store created");
    store
        .execute_ddl(&ruzu_copy::parse_ddl(PERSON_DDL).expect("valid DDL"))
        .expect("valid DDL");
    (dir, store)
}

fn node_sink(c: &mut Criterion) {
    let mut csv = Vec::new();
    PersonReader::new(DEFAULT_SEED, PERSONS)
        .read_to_end(&mut csv)
        .expect("generated reads do not fail");
    let csv: Arc<[u8]> = csv.into();
    let mut group = c.benchmark_group("node_sink/person");
    group.throughput(Throughput::Bytes(csv.len() as u64));
    group.sample_size(10);
    group.bench_function("import_until_durable", |b| {
        b.iter_batched(
            new_store,
            |(dir, mut store)| {
                let input = Input::Reader {
                    name: None,
                    reader: Box::new(Cursor::new(Arc::clone(&csv))),
                    len_bytes: Some(csv.len() as u64),
                };
                let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(dir.path());
                let report = Import::new(
                    "Person",
                    person_schema(),
                    vec![input],
                    CopyOptions::default(),
                )
                .run(&mut sink)
                .expect("generated rows import");
                assert_eq!(report.rows_imported, PERSONS);
                drop(sink);
                // Returned, so the directory is removed outside the timing.
                (dir, store)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, node_sink);
criterion_main!(benches);
