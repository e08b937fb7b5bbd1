//! Arrow record batches imported through the same sink as CSV: stored values, refused rows,
//! batches of the wrong shape.

use std::sync::Arc;

use arrow_array::{Array, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use ruzu::{Config, CopyOptions, Database, Error, Value};

const TABLE: &str = "CREATE NODE TABLE P(id INT64, name STRING, score DOUBLE, PRIMARY KEY(id))";

fn batch(ids: &[i64], names: &[Option<&str>], scores: &[Option<f64>]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, true),
        Field::new("name", DataType::Utf8, true),
        Field::new("score", DataType::Float64, true),
    ]));
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(Int64Array::from(ids.to_vec())),
            Arc::new(StringArray::from(names.to_vec())),
            Arc::new(Float64Array::from(scores.to_vec())),
        ],
    )
    .expect("a valid record batch")
}

fn scanned(db: &mut Database) -> RecordBatch {
    let conn = db.connect();
    let batches = conn
        .scan("P")
        .expect("scan")
        .collect::<Result<Vec<_>, _>>()
        .expect("scan items");
    assert_eq!(batches.len(), 1, "a small table is one node group");
    batches[0].clone()
}

#[test]
fn arrow_batches_are_stored_and_scan_back_to_the_same_values() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Database::open(dir.path(), Config::default()).expect("open");
    db.connect().execute(TABLE).expect("create");
    let input = [
        batch(&[1, 2], &[Some("Ann"), None], &[Some(1.5), None]),
        batch(&[3], &[Some("")], &[Some(-0.25)]),
    ];
    let report = db
        .connect()
        .import_arrow("P", input.clone().map(Ok), CopyOptions::default())
        .expect("import");
    assert_eq!(report.batches, 2);
    assert_eq!(report.rows_imported, 3);
    assert_eq!(report.rows_rejected, 0);

    let out = scanned(&mut db);
    let ids = out
        .column(0)
        .as_any()
        .downcast_ref::<Int64Array>()
        .expect("ids");
    let names = out
        .column(1)
        .as_any()
        .downcast_ref::<StringArray>()
        .expect("names");
    let scores = out
        .column(2)
        .as_any()
        .downcast_ref::<Float64Array>()
        .expect("scores");
    assert_eq!(ids.values(), &[1, 2, 3]);
    assert_eq!(names.value(0), "Ann");
    assert!(names.is_null(1));
    assert!(names.is_valid(2) && names.value(2).is_empty());
    assert_eq!(scores.value(0), 1.5);
    assert!(scores.is_null(1));
    assert_eq!(scores.value(2), -0.25);

    let conn = db.connect();
    let row = conn
        .lookup("P", &Value::Int64(3))
        .expect("lookup")
        .expect("id 3");
    assert_eq!(row.num_rows(), 1);
}

#[test]
fn a_refused_row_fails_the_arrow_import_and_stores_nothing_of_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Database::open(dir.path(), Config::default()).expect("open");
    let mut conn = db.connect();
    conn.execute(TABLE).expect("create");
    conn.import_arrow(
        "P",
        [Ok(batch(&[1], &[Some("Ann")], &[None]))],
        CopyOptions::default(),
    )
    .expect("first import");
    let err = conn
        .import_arrow(
            "P",
            [
                Ok(batch(&[2, 3], &[None, None], &[None, None])),
                Ok(batch(&[4, 1], &[None, None], &[None, None])),
            ],
            CopyOptions::default(),
        )
        .expect_err("id 1 is stored already");
    match &err {
        Error::ArrowRow { stream_row, .. } => assert_eq!(*stream_row, 4),
        other => panic!("expected a refused row, got {other:?}"),
    }
    assert!(
        err.to_string().contains("duplicate primary key \"1\""),
        "{err}"
    );
    assert_eq!(conn.row_count("P").expect("count"), Some(1));
}

#[test]
fn ignore_errors_counts_refused_arrow_rows_by_stream_row_number() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Database::open(dir.path(), Config::default()).expect("open");
    let mut conn = db.connect();
    conn.execute(TABLE).expect("create");
    let report = conn
        .import_arrow(
            "P",
            [
                Ok(batch(&[1, 2], &[None, None], &[None, None])),
                Ok(batch(&[3, 2, 4], &[None, None, None], &[None, None, None])),
            ],
            CopyOptions::default().with_ignore_errors(true),
        )
        .expect("import");
    assert_eq!((report.rows_imported, report.rows_rejected), (4, 1));
    assert_eq!(report.rejections.len(), 1);
    assert_eq!(
        report.rejections[0].position.line, 4,
        "the 4th row of the stream"
    );
    assert_eq!(conn.row_count("P").expect("count"), Some(4));
}

#[test]
fn a_batch_of_another_shape_is_an_error_naming_the_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut db = Database::open(dir.path(), Config::default()).expect("open");
    let mut conn = db.connect();
    conn.execute(TABLE).expect("create");
    let narrow = RecordBatch::try_new(
        Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, true)])),
        vec![Arc::new(Int64Array::from(vec![9]))],
    )
    .expect("a valid record batch");
    let err = conn
        .import_arrow(
            "P",
            [Ok(batch(&[1], &[None], &[None])), Ok(narrow)],
            CopyOptions::default(),
        )
        .expect_err("one column instead of three");
    assert!(matches!(err, Error::Arrow { batch: 1, .. }), "{err:?}");
    assert_eq!(conn.row_count("P").expect("count"), Some(0), "rolled back");
}
