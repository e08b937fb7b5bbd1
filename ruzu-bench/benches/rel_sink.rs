//! The rel table sink and CSR build: knows.csv through the driver into [`RelTableSink`] of a
//! database that holds the persons (endpoint keys resolved through the `Person` primary-key
//! index, edges partitioned by node group, sorted, CSR groups written both ways, commit with
//! fsync). Bytes of CSV per second.
//!
//! The persons are imported once; each iteration copies that database into a new temporary
//! directory (outside the timing) and imports the edges until the commit is durable, like
//! `COPY Knows FROM ...`.

use std::io::{Cursor, Read};
use std::path::Path;
use std::sync::Arc;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ruzu_bench::{
    DEFAULT_SEED, KNOWS_DDL, KnowsReader, PERSON_DDL, PersonReader, knows_schema, person_schema,
};
use ruzu_copy::{BatchSink, CopyOptions, Import, Input};
use ruzu_storage::{DATA_FILE_NAME, NodeTableSink, RelTableSink, Store};
use tempfile::TempDir;

/// Persons in the database; knows.csv has twice as many edges (~20 MB).
const PERSONS: u64 = 100_000;

fn generated(reader: impl Read) -> Arc<[u8]> {
    let mut csv = Vec::new();
    let mut reader = reader;
    reader
        .read_to_end(&mut csv)
        .expect("generated reads do not fail");
    csv.into()
}

fn import(table: &str, csv: &Arc<[u8]>, sink: &mut dyn BatchSink, persons: bool) -> u64 {
    let input = Input::Reader {
        name: None,
        reader: Box::new(Cursor::new(Arc::clone(csv))),
        len_bytes: Some(csv.len() as u64),
    };
    let schema = if persons {
        person_schema()
    } else {
        knows_schema()
    };
    Import::new(table, schema, vec![input], CopyOptions::default())
        .run(sink)
        .expect("generated rows import")
        .rows_imported
}

/// The database with the schema and the persons, made once.
fn persons_db(dir: &Path) {
    let mut store = Store::create(dir).expect("store created");
    for statement in [PERSON_DDL, KNOWS_DDL] {
        store
            .execute_ddl(&ruzu_copy::parse_ddl(statement).expect("valid DDL"))
            .expect("valid DDL");
    }
    let csv = generated(PersonReader::new(DEFAULT_SEED, PERSONS));
    let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(dir);
    assert_eq!(import("Person", &csv, &mut sink, true), PERSONS);
}

fn rel_sink(c: &mut Criterion) {
    let base = tempfile::tempdir().expect("temp dir");
    persons_db(base.path());
    let knows = generated(KnowsReader::new(DEFAULT_SEED, PERSONS));
    let mut group = c.benchmark_group("rel_sink/knows");
    group.throughput(Throughput::Bytes(knows.len() as u64));
    group.sample_size(10);
    group.bench_function("import_until_durable", |b| {
        b.iter_batched(
            || -> (TempDir, Store) {
                let dir = tempfile::tempdir().expect("temp dir");
                std::fs::copy(
                    base.path().join(DATA_FILE_NAME),
                    dir.path().join(DATA_FILE_NAME),
                )
                .expect("database copied");
                let store = Store::open(dir.path()).expect("store opens");
                (dir, store)
            },
            |(dir, mut store)| {
                let mut sink = RelTableSink::new(&mut store, "Knows").with_spill_dir(dir.path());
                assert_eq!(import("Knows", &knows, &mut sink, false), 2 * PERSONS);
                drop(sink);
                // Returned, so the directory is removed outside the timing.
                (dir, store)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

criterion_group!(benches, rel_sink);
criterion_main!(benches);
