//! The import driver alone: read + split + typed decode + driver into [`DiscardSink`], which
//! counts rows and keeps nothing. Bytes of CSV per second.
//!
//! The storage layers have their own benches (`node_sink`, `pk_index`); a CSR build bench
//! follows once rel tables (`RelTableSink`) are merged.

use std::hint::black_box;
use std::io::{Cursor, Read};
use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ruzu_bench::{
    DEFAULT_SEED, DiscardSink, KnowsReader, PersonReader, knows_schema, person_schema,
};
use ruzu_copy::{CopyOptions, Import, Input};
use ruzu_csv::Schema;

/// Persons in the input: ~20 MB of person.csv and ~20 MB of knows.csv, enough for the
/// driver's pipeline to reach its steady state, small enough for a quick `cargo bench`.
const PERSONS: u64 = 100_000;

fn generated(mut reader: impl Read) -> Arc<[u8]> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .expect("generated reads do not fail");
    bytes.into()
}

/// Imports all of `csv` into a new [`DiscardSink`]; returns the rows it saw.
fn import(table: &str, csv: &Arc<[u8]>, schema: &Arc<Schema>) -> u64 {
    let input = Input::Reader {
        name: None,
        reader: Box::new(Cursor::new(Arc::clone(csv))),
        len_bytes: Some(csv.len() as u64),
    };
    let mut sink = DiscardSink::default();
    Import::new(
        table,
        Arc::clone(schema),
        vec![input],
        CopyOptions::default(),
    )
    .run(&mut sink)
    .expect("generated rows import");
    sink.rows()
}

fn driver(c: &mut Criterion) {
    let inputs = [
        (
            "Person",
            generated(PersonReader::new(DEFAULT_SEED, PERSONS)),
            person_schema(),
            PERSONS,
        ),
        (
            "Knows",
            generated(KnowsReader::new(DEFAULT_SEED, PERSONS)),
            knows_schema(),
            2 * PERSONS,
        ),
    ];
    for (table, csv, schema, rows) in &inputs {
        let mut group = c.benchmark_group(format!("driver/{}", table.to_lowercase()));
        group.throughput(Throughput::Bytes(csv.len() as u64));
        group.sample_size(10);
        group.bench_function("discard", |b| {
            b.iter(|| assert_eq!(import(table, black_box(csv), schema), *rows));
        });
        group.finish();
    }
}

criterion_group!(benches, driver);
criterion_main!(benches);
