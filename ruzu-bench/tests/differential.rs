//! Differential test: `ruzu-csv` and `arrow-csv` (the reference decoder) read the same bytes
//! with the same schema and must agree value for value.
//!
//! Inputs: the generated benchmark shapes (every type the benchmarks use, quoted bios with
//! doubled quotes, empty fields) and hand-made files for the remaining types. Both decoders'
//! batches are compared as Arrow `RecordBatch`es, run by run, whatever their batch boundaries.

mod common;

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_csv::ReaderBuilder;
use common::{knows_csv, person_csv};
use ruzu_csv::{Batch, CsvOptions, DataType, Field, Reader, Schema};

fn person_schema() -> Schema {
    let s = |name| Field::new(name, DataType::String);
    Schema::new(vec![
        Field::new("id", DataType::Int64),
        s("first_name"),
        s("last_name"),
        s("gender"),
        Field::new("birthday", DataType::Date),
        Field::new("creation_date", DataType::Timestamp),
        s("location_ip"),
        s("browser"),
        s("email"),
        Field::new("score", DataType::Double),
        s("bio"),
    ])
}

fn knows_schema() -> Schema {
    Schema::new(vec![
        Field::new("from", DataType::Int64),
        Field::new("to", DataType::Int64),
        Field::new("creation_date", DataType::Timestamp),
        Field::new("weight", DataType::Double),
        Field::new("tag", DataType::String),
    ])
}

/// Every row of `csv` as ruzu decodes it, in Arrow form; panics on any row error.
fn ruzu_batches(csv: &[u8], schema: Schema, options: &CsvOptions) -> Vec<RecordBatch> {
    let schema = Arc::new(schema);
    let mut reader =
        Reader::new(Cursor::new(csv), schema.clone(), options, None).expect("valid options");
    let mut batch = Batch::new(schema, options.batch_rows, 1 << 20);
    let mut out = Vec::new();
    let mut on_error = |e| panic!("ruzu rejected a row arrow-csv reads: {e}");
    while reader
        .read_batch(&mut batch, &mut on_error)
        .expect("no I/O error")
    {
        out.push(batch.to_arrow().expect("every ruzu type converts to Arrow"));
    }
    out
}

/// Every row of `csv` as arrow-csv decodes it with the Arrow form of `schema`.
fn arrow_batches(csv: &[u8], schema: &Schema, header: bool, batch_rows: usize) -> Vec<RecordBatch> {
    ReaderBuilder::new(Arc::new(schema.to_arrow()))
        .with_header(header)
        .with_batch_size(batch_rows)
        .build(Cursor::new(csv))
        .expect("arrow-csv accepts the schema")
        .map(|b| b.expect("arrow-csv decodes every row"))
        .collect()
}

/// Compares two sequences of batches as one stream of rows; returns the row count.
fn assert_same_rows(ours: &[RecordBatch], theirs: &[RecordBatch]) -> usize {
    let (mut i, mut oi, mut j, mut oj, mut rows) = (0, 0, 0, 0, 0);
    loop {
        while i < ours.len() && oi == ours[i].num_rows() {
            (i, oi) = (i + 1, 0);
        }
        while j < theirs.len() && oj == theirs[j].num_rows() {
            (j, oj) = (j + 1, 0);
        }
        if i == ours.len() || j == theirs.len() {
            assert!(
                i == ours.len() && j == theirs.len(),
                "row counts differ after {rows} equal rows"
            );
            return rows;
        }
        let n = (ours[i].num_rows() - oi).min(theirs[j].num_rows() - oj);
        let a = ours[i].slice(oi, n);
        let b = theirs[j].slice(oj, n);
        assert_eq!(a.schema().fields().len(), b.schema().fields().len());
        for c in 0..a.num_columns() {
            assert_eq!(
                a.column(c).as_ref(),
                b.column(c).as_ref(),
                "column {} differs in rows {rows}..{}",
                a.schema().field(c).name(),
                rows + n
            );
        }
        (oi, oj, rows) = (oi + n, oj + n, rows + n);
    }
}

#[test]
fn generated_person_rows_equal_arrow_csv_value_for_value() {
    let csv = person_csv(5, 30_000);
    for (chunk_bytes, batch_rows) in [(4 << 20, 16 * 1024), (10_000, 777)] {
        let options = CsvOptions::default()
            .with_header(true)
            .with_chunk_bytes(chunk_bytes)
            .with_batch_rows(batch_rows);
        let ours = ruzu_batches(&csv, person_schema(), &options);
        let theirs = arrow_batches(&csv, &person_schema(), true, 4096);
        assert_eq!(assert_same_rows(&ours, &theirs), 30_000);
    }
}

#[test]
fn generated_knows_rows_equal_arrow_csv_value_for_value() {
    let csv = knows_csv(6, 15_000);
    let options = CsvOptions::default().with_header(true);
    let ours = ruzu_batches(&csv, knows_schema(), &options);
    let theirs = arrow_batches(&csv, &knows_schema(), true, 1000);
    assert_eq!(assert_same_rows(&ours, &theirs), 30_000);
}

#[test]
fn hand_made_rows_of_other_types_equal_arrow_csv() {
    let schema = Schema::new(vec![
        Field::new("b", DataType::Bool),
        Field::new("i8", DataType::Int8),
        Field::new("i16", DataType::Int16),
        Field::new("i32", DataType::Int32),
        Field::new("u8", DataType::UInt8),
        Field::new("u16", DataType::UInt16),
        Field::new("u32", DataType::UInt32),
        Field::new("u64", DataType::UInt64),
        Field::new("f", DataType::Float),
        Field::new("s", DataType::String),
    ]);
    let csv = "true,-128,-32768,-2147483648,0,0,0,0,1.5,plain\n\
               false,127,32767,2147483647,255,65535,4294967295,18446744073709551615,-0.25,\"q,\"\"x\"\"\"\n\
               ,,,,,,,,,\n\
               TRUE,0,1,2,3,4,5,6,3.4028235e38,\"multi\nline\"\n";
    let options = CsvOptions::default()
        .with_header(false)
        .with_auto_detect(false);
    let ours = ruzu_batches(csv.as_bytes(), schema.clone(), &options);
    let theirs = arrow_batches(csv.as_bytes(), &schema, false, 2);
    assert_eq!(assert_same_rows(&ours, &theirs), 4);
}
