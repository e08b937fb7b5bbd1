//! Helpers of ruzu's integration tests: demo-shaped data and typed CSV comparison.

#![allow(
    dead_code,
    unused_imports,
    reason = "each test binary uses a different part of the helpers"
)]

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use ruzu::datagen::{DEFAULT_SEED, KnowsReader, PersonReader};
use ruzu_csv::{Batch, CsvOptions, Reader, Schema};

pub use ruzu::datagen::{KNOWS_DDL, PERSON_DDL, knows_schema, person_schema};

/// Writes `persons` generated persons (with a header) to `path`.
pub fn write_persons(path: &Path, persons: u64) {
    let mut text = Vec::new();
    PersonReader::new(DEFAULT_SEED, persons)
        .read_to_end(&mut text)
        .expect("the generator writes to memory");
    std::fs::write(path, text).expect("write person.csv");
}

/// Writes the edges of `persons` generated persons (with a header) to `path`.
pub fn write_knows(path: &Path, persons: u64) {
    let mut text = Vec::new();
    KnowsReader::new(DEFAULT_SEED, persons)
        .read_to_end(&mut text)
        .expect("the generator writes to memory");
    std::fs::write(path, text).expect("write knows.csv");
}

/// The rows of CSV file `path` (with a header) decoded with `schema`, each value in its
/// typed debug form: two files that hold the same values give the same rows, whatever their
/// quoting and number formatting.
pub fn typed_rows(path: &Path, schema: &Arc<Schema>) -> Vec<Vec<String>> {
    let file = std::fs::File::open(path).expect("open the CSV file");
    let options = CsvOptions::default().with_header(true);
    let mut reader =
        Reader::new(file, schema.clone(), &options, None).expect("a readable CSV file");
    let mut batch = Batch::new(schema.clone(), 1024, 1 << 16);
    let mut rows = Vec::new();
    loop {
        batch.clear();
        let more = reader
            .read_batch(&mut batch, &mut |e| {
                panic!("bad row in {}: {e}", path.display())
            })
            .expect("reading succeeds");
        if !more {
            break;
        }
        for r in 0..batch.num_rows() {
            rows.push(
                (0..schema.len())
                    .map(|c| format!("{:?}", batch.value(r, c)))
                    .collect(),
            );
        }
    }
    rows
}
