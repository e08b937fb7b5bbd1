//! arrow-csv, the reference decoder, reads the generated tables with their typed schemas.

mod common;

use std::sync::Arc;

use arrow_csv::ReaderBuilder;
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use common::{knows_csv, person_csv, records};

fn person_schema() -> Schema {
    let s = |name| Field::new(name, DataType::Utf8, true);
    Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        s("first_name"),
        s("last_name"),
        s("gender"),
        Field::new("birthday", DataType::Date32, false),
        Field::new(
            "creation_date",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        s("location_ip"),
        s("browser"),
        s("email"),
        Field::new("score", DataType::Float64, false),
        s("bio"),
    ])
}

fn knows_schema() -> Schema {
    Schema::new(vec![
        Field::new("from", DataType::Int64, false),
        Field::new("to", DataType::Int64, false),
        Field::new(
            "creation_date",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        Field::new("weight", DataType::Float64, false),
        Field::new("tag", DataType::Utf8, false),
    ])
}

/// Decodes `csv` with arrow-csv and returns the rows it produced.
fn arrow_rows(csv: &[u8], schema: Schema) -> usize {
    let reader = ReaderBuilder::new(Arc::new(schema))
        .with_header(true)
        .with_batch_size(4096)
        .build(csv)
        .expect("arrow-csv accepts the schema");
    reader
        .map(|batch| batch.expect("arrow-csv decodes every row").num_rows())
        .sum()
}

#[test]
fn arrow_decodes_every_person_row_with_bios_quoted_validly() {
    let csv = person_csv(77, 10_000);
    assert_eq!(arrow_rows(&csv, person_schema()), 10_000);
    assert_eq!(records(&csv).len(), 10_001, "the reference splitter agrees");
}

#[test]
fn arrow_decodes_every_knows_row() {
    let csv = knows_csv(77, 10_000);
    assert_eq!(arrow_rows(&csv, knows_schema()), 20_000);
}

#[test]
fn arrow_sees_the_bio_text_with_quotes_undoubled() {
    let csv = person_csv(78, 2_000);
    let reader = ReaderBuilder::new(Arc::new(person_schema()))
        .with_header(true)
        .build(&csv[..])
        .expect("arrow-csv accepts the schema");
    let mut arrow_bios = Vec::new();
    for batch in reader {
        let batch = batch.expect("decodes");
        let bio = batch.column(10);
        let bio = bio
            .as_any()
            .downcast_ref::<arrow_array::StringArray>()
            .expect("Utf8 column");
        arrow_bios.extend(bio.iter().map(|b| b.unwrap_or("").to_owned()));
    }
    let ours: Vec<String> = records(&csv)[1..].iter().map(|r| r[10].clone()).collect();
    assert_eq!(arrow_bios, ours);
    assert!(ours.iter().any(|b| b.contains('"')));
}
