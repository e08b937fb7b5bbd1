//! Decode throughput on the generated benchmark shapes (docs/bench-data.md), bytes per second.
//!
//! Each bench decodes the same seeded, in-memory CSV (about 100 MB of `person.csv` and of
//! `knows.csv`) into typed batches with the benchmark schemas. arrow-csv is the reference
//! decoder every ruzu-csv number is compared with.

use std::hint::black_box;
use std::io::Read;
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};

use arrow_csv::ReaderBuilder;
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use ruzu_bench::{DEFAULT_SEED, KnowsReader, PersonReader};
use ruzu_csv::{Batch, Chunk, CsvOptions, Decoder, Reader, Splitter};

/// Persons in the benchmark input: ~100 MB of person.csv, ~100 MB of knows.csv, so that the
/// one-time cost of a decoder's first buffers (fresh pages are slow to touch on this machine)
/// does not dominate an iteration.
const PERSONS: u64 = 500_000;
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

/// The ruzu-csv schema with the same column types as an Arrow schema of the benchmarks.
fn ruzu_schema(schema: &Schema) -> Arc<ruzu_csv::Schema> {
    let fields = schema
        .fields()
        .iter()
        .map(|f| {
            let t = match f.data_type() {
                DataType::Int64 => ruzu_csv::DataType::Int64,
                DataType::Date32 => ruzu_csv::DataType::Date,
                DataType::Timestamp(..) => ruzu_csv::DataType::Timestamp,
                DataType::Float64 => ruzu_csv::DataType::Double,
                _ => ruzu_csv::DataType::String,
            };
            ruzu_csv::Field::new(f.name().as_str(), t)
        })
        .collect();
    Arc::new(ruzu_csv::Schema::new(fields))
}

fn ruzu_options() -> CsvOptions {
    CsvOptions::default()
        .with_header(true)
        .with_batch_rows(BATCH_ROWS)
}

/// Decodes all of `csv` with one ruzu-csv reader into one recycled batch; returns the rows.
fn ruzu_decode(csv: &[u8], schema: &Arc<ruzu_csv::Schema>) -> usize {
    let options = ruzu_options();
    let mut reader = Reader::new(csv, Arc::clone(schema), &options, None).expect("valid options");
    let mut batch = Batch::new(Arc::clone(schema), BATCH_ROWS, 4 << 20);
    let mut rows = 0;
    let mut on_error = |e| panic!("generated rows decode: {e}");
    while reader
        .read_batch(&mut batch, &mut on_error)
        .expect("in-memory reads do not fail")
    {
        rows += batch.num_rows();
    }
    rows
}

/// Splits `csv` on this thread and decodes the chunks on `threads` threads, each with its own
/// decoder and batch; chunks are recycled through a bounded channel. Returns the rows.
fn ruzu_decode_parallel(csv: &[u8], schema: &Arc<ruzu_csv::Schema>, threads: usize) -> usize {
    let options = ruzu_options();
    let dialect = options.explicit_dialect();
    let decoder = Decoder::new(Arc::clone(schema), dialect, &options).expect("valid options");
    let (full_tx, full_rx) = sync_channel::<Chunk>(threads * 2);
    let (free_tx, free_rx) = sync_channel::<Chunk>(threads * 2 + 1);
    for _ in 0..threads * 2 + 1 {
        free_tx.send(Chunk::new()).expect("receiver alive");
    }
    let full_rx = Mutex::new(full_rx);
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let mut decoder = decoder.clone();
                let (full_rx, free_tx) = (&full_rx, free_tx.clone());
                scope.spawn(move || {
                    let mut batch = Batch::new(Arc::clone(decoder.schema()), BATCH_ROWS, 4 << 20);
                    let mut rows = 0;
                    loop {
                        let next = full_rx.lock().expect("no worker panics").recv();
                        let Ok(chunk) = next else { return rows };
                        let stats = decoder
                            .decode(&chunk, &mut batch, &mut |e| panic!("{e}"))
                            .expect("in-memory decode");
                        rows += stats.rows;
                        let _ = free_tx.send(chunk);
                    }
                })
            })
            .collect();
        let mut splitter = Splitter::new(csv, dialect, &options, None);
        loop {
            let mut chunk = free_rx.recv().expect("workers return chunks");
            if !splitter
                .next_chunk(&mut chunk)
                .expect("in-memory reads do not fail")
            {
                break;
            }
            full_tx.send(chunk).expect("workers alive");
        }
        drop(full_tx);
        workers
            .into_iter()
            .map(|w| w.join().expect("worker finished"))
            .sum()
    })
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
        let ours = ruzu_schema(schema);
        group.bench_function("ruzu-csv/1-thread", |b| {
            b.iter(|| assert_eq!(ruzu_decode(black_box(csv), &ours) as u64, *rows));
        });
        group.bench_function("ruzu-csv/2-threads", |b| {
            b.iter(|| assert_eq!(ruzu_decode_parallel(black_box(csv), &ours, 2) as u64, *rows));
        });
        group.finish();
    }
}

criterion_group!(benches, decode);
criterion_main!(benches);
