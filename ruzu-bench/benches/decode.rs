//! Decode throughput on the generated benchmark shapes (BENCH_DATA.md), bytes per second.
//!
//! Each bench decodes the same seeded, in-memory CSV (about 20 MB of `person.csv` and of
//! `knows.csv`) into typed batches with the BENCH_DATA schemas. arrow-csv is the reference
//! decoder every ruzu-csv number is compared with.

use std::hint::black_box;
use std::io::Read;
use std::sync::Arc;

use arrow_csv::ReaderBuilder;
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ruzu_bench::{DEFAULT_SEED, KnowsReader, PersonReader};

/// Persons in the benchmark input: ~20 MB of person.csv, ~20 MB of knows.csv.
const PERSONS: u64 = 100_000;
/// Rows per decoded batch.
const BATCH_ROWS: usize = 8192;

fn person_schema() -> Arc<Schema> {
    let text = |name| Field::new(name, DataType::Utf8, true);
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        text("first_name"),
        text("last_name"),
        text("gender"),
        Field::new("birthday", DataType::Date32, true),
        Field::new(
            "creation_date",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            true,
        ),
        text("location_ip"),
        text("browser"),
        text("email"),
        Field::new("score", DataType::Float64, true),
        text("bio"),
    ]))
}

fn knows_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("from", DataType::Int64, false),
        Field::new("to", DataType::Int64, false),
        Field::new(
            "creation_date",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            true,
        ),
        Field::new("weight", DataType::Float64, true),
        Field::new("tag", DataType::Utf8, true),
    ]))
}

fn generated(mut reader: impl Read) -> Vec<u8> {
    let mut bytes = Vec::new();
    reader
        .read_to_end(&mut bytes)
        .expect("generated reads do not fail");
    bytes
}

/// Decodes all of `csv` with arrow-csv; returns the row count.
fn arrow_decode(csv: &[u8], schema: &Arc<Schema>) -> usize {
    let reader = ReaderBuilder::new(Arc::clone(schema))
        .with_header(true)
        .with_batch_size(BATCH_ROWS)
        .build_buffered(csv)
        .expect("arrow-csv accepts the schema");
    reader
        .map(|batch| batch.expect("generated rows decode").num_rows())
        .sum()
}

fn decode(c: &mut Criterion) {
    let inputs = [
        (
            "person",
            generated(PersonReader::new(DEFAULT_SEED, PERSONS)),
            person_schema(),
            PERSONS,
        ),
        (
            "knows",
            generated(KnowsReader::new(DEFAULT_SEED, PERSONS)),
            knows_schema(),
            2 * PERSONS,
        ),
    ];
    for (name, csv, schema, rows) in &inputs {
        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(Throughput::Bytes(csv.len() as u64));
        group.sample_size(10);
        group.bench_function("arrow-csv", |b| {
            b.iter(|| {
                let decoded = arrow_decode(black_box(csv), schema);
                assert_eq!(decoded as u64, *rows);
            });
        });
        // RUZU-CSV BENCH GOES HERE: once `ruzu_csv::Reader` (or Splitter + Decoder) lands, add
        // `group.bench_function("ruzu-csv", ..)` decoding the same `csv` with the matching
        // ruzu_csv::Schema into a reused Batch, asserting the same row count.
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
