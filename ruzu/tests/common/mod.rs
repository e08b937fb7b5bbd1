//! Helpers of ruzu's integration tests: demo-shaped data and typed CSV comparison.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use ruzu::datagen::{DEFAULT_SEED, KnowsReader, PersonReader};
use ruzu_csv::{Batch, CsvOptions, DataType, Field, Reader, Schema};

/// The person table of the demo.
pub const PERSON_DDL: &str = "CREATE NODE TABLE Person(id INT64, first_name STRING, \
    last_name STRING, gender STRING, birthday DATE, creation_date TIMESTAMP, \
    location_ip STRING, browser STRING, email STRING, score DOUBLE, bio STRING, \
    PRIMARY KEY(id))";

/// The knows table of the demo.
pub const KNOWS_DDL: &str = "CREATE REL TABLE Knows(FROM Person TO Person, creation_date TIMESTAMP, weight DOUBLE, tag STRING)";

/// The schema of `person.csv`.
pub fn person_schema() -> Arc<Schema> {
    let text = |name| Field::new(name, DataType::String);
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        text("first_name"),
        text("last_name"),
        text("gender"),
        Field::new("birthday", DataType::Date),
        Field::new("creation_date", DataType::Timestamp),
        text("location_ip"),
        text("browser"),
        text("email"),
        Field::new("score", DataType::Double),
        text("bio"),
    ]))
}

/// The schema of `knows.csv`.
pub fn knows_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("from", DataType::Int64),
        Field::new("to", DataType::Int64),
        Field::new("creation_date", DataType::Timestamp),
        Field::new("weight", DataType::Double),
        Field::new("tag", DataType::String),
    ]))
}

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
