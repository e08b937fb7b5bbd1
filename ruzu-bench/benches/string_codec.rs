//! String codecs on the person shape's string columns: bytes out and MB/s of compression for
//! the candidates of the node group's string chunks.
//!
//! One node group (131 072 rows) of `person.csv` is decoded, and each STRING column's data
//! (the values back to back, as a VARLEN chunk holds them) goes through every candidate:
//! stored as is, ruzu's chunk encoder without zstd (DICT when a dictionary pays, else
//! VARLEN), `lz4_flex` block compression, zstd at levels 1, -1 and -5 (one frame per chunk,
//! as VARLEN_ZSTD stores it), and FSST (`fsst-rs`: a symbol table trained on the chunk, each
//! value compressed on its own). Each is timed as the best of five runs, single-threaded, and
//! the table gives compressed bytes per row, the ratio to the raw data, and input MB/s.
//!
//! ```sh
//! cargo bench -p ruzu-bench --bench string_codec
//! ```

use std::hint::black_box;
use std::io::Read;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ruzu_bench::{DEFAULT_SEED, PersonReader, person_schema};
use ruzu_csv::{Batch, ColumnData, CsvOptions, DataType, Reader};
use ruzu_storage::ChunkEncoder;

/// Rows of one node group.
const GROUP_ROWS: usize = 1 << 17;
const RUNS: usize = 5;

/// One string column of a group: the values back to back and their end offsets.
struct Column {
    name: String,
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl Column {
    fn values(&self) -> Vec<&[u8]> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let v = &self.data[start..end];
                start = end;
                v
            })
            .collect()
    }
}

/// The STRING columns of one group of generated persons.
fn string_columns() -> Vec<Column> {
    let mut csv = Vec::new();
    PersonReader::new(DEFAULT_SEED, GROUP_ROWS as u64)
        .read_to_end(&mut csv)
        .expect("generated reads do not fail");
    let schema = person_schema();
    let options = CsvOptions::default()
        .with_header(true)
        .with_batch_rows(8192);
    let mut reader =
        Reader::new(&csv[..], Arc::clone(&schema), &options, None).expect("valid options");
    let mut batch = Batch::new(Arc::clone(&schema), 8192, 4 << 20);
    let mut columns: Vec<Column> = schema
        .fields()
        .iter()
        .filter(|f| f.data_type == DataType::String)
        .map(|f| Column {
            name: f.name.to_string(),
            data: Vec::new(),
            ends: Vec::new(),
        })
        .collect();
    let mut on_error = |e| panic!("generated rows decode: {e}");
    while reader
        .read_batch(&mut batch, &mut on_error)
        .expect("in-memory reads do not fail")
    {
        let strings = batch.columns().filter_map(|c| match c.data() {
            ColumnData::String(v) => Some(v),
            _ => None,
        });
        for (out, v) in columns.iter_mut().zip(strings) {
            for row in 0..v.len() {
                out.data.extend_from_slice(v.get(row));
                out.ends.push(out.data.len());
            }
        }
    }
    columns
}

/// Best wall time of [`RUNS`] runs of `f`, and the bytes it returned.
fn best_of(mut f: impl FnMut() -> usize) -> (Duration, usize) {
    let mut best = Duration::MAX;
    let mut bytes = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        bytes = black_box(f());
        best = best.min(start.elapsed());
    }
    (best, bytes)
}

fn chunk_encoder(column: &Column) -> usize {
    let schema = Arc::new(ruzu_csv::Schema::new(vec![ruzu_csv::Field::new(
        "s",
        DataType::String,
    )]));
    let mut batch = Batch::new(schema, GROUP_ROWS, column.data.len() + 64);
    for v in column.values() {
        let text = std::str::from_utf8(v).expect("generated text is UTF-8");
        batch
            .push_row(&[ruzu_csv::Value::String(text)], 1, 0)
            .expect("row fits");
    }
    let mut image = Vec::new();
    let (elapsed, bytes) = best_of(|| {
        let mut encoder = ChunkEncoder::new(DataType::String)
            .expect("STRING chunks")
            .with_zstd_level(None);
        encoder
            .append(batch.column(0), 0..batch.num_rows())
            .expect("type and range are right");
        image.clear();
        encoder.finish(&mut image).image_bytes as usize
    });
    report(column, "ruzu DICT / VARLEN (no zstd)", elapsed, bytes);
    bytes
}

fn report(column: &Column, codec: &str, elapsed: Duration, bytes: usize) {
    let rows = column.ends.len() as f64;
    println!(
        "| {} | {codec} | {:.1} | {:.2} | {:.0} |",
        column.name,
        bytes as f64 / rows,
        bytes as f64 / column.data.len() as f64,
        column.data.len() as f64 / elapsed.as_secs_f64() / 1e6,
    );
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is expected.
    let columns = string_columns();
    println!("| column | codec | bytes/row | of raw | MB/s in |\n|---|---|---|---|---|");
    for column in &columns {
        let rows = column.ends.len() as f64;
        println!(
            "| {} | raw data | {:.1} | 1.00 | — |",
            column.name,
            column.data.len() as f64 / rows
        );
        chunk_encoder(column);
        let mut out = vec![0u8; lz4_flex::block::get_maximum_output_size(column.data.len())];
        let (elapsed, bytes) = best_of(|| {
            lz4_flex::block::compress_into(&column.data, &mut out).expect("buffer is large enough")
        });
        report(column, "lz4_flex block", elapsed, bytes);
        for level in [1, -1, -5] {
            let mut compressor = zstd::bulk::Compressor::new(level).expect("valid level");
            let mut out = Vec::with_capacity(zstd::zstd_safe::compress_bound(column.data.len()));
            let (elapsed, bytes) = best_of(|| {
                out.clear();
                compressor
                    .compress_to_buffer(&column.data, &mut out)
                    .expect("buffer is large enough")
            });
            report(column, &format!("zstd level {level}"), elapsed, bytes);
        }
        let values = column.values();
        let (mut output, mut offsets) = (Vec::new(), Vec::new());
        let (elapsed, bytes) = best_of(|| {
            let compressor = fsst::Compressor::train(&values);
            output.clear();
            offsets.clear();
            compressor.compress_bulk_into::<4>(&values, &mut output, &mut offsets);
            // The symbol table is stored with the chunk: at most 255 symbols of 8 bytes + length.
            output.len() + 9 * compressor.n_symbols()
        });
        report(column, "FSST (train + compress)", elapsed, bytes);
    }
}
