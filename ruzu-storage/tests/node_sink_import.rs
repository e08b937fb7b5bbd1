//! End to end: `ruzu_copy::Import` of CSV text into a `NodeTableSink` on a real database
//! directory, then every value read back through the Arrow scan, the primary-key lookup and
//! the row count; duplicate and NULL keys with and without `IGNORE_ERRORS`.

mod sink_support;

use std::io::Cursor;
use std::sync::Arc;

use ruzu_copy::testing::{OwnedRow, OwnedValue, batch_rows, push_owned_row};
use std::time::{Duration, Instant};

use ruzu_copy::{
    BatchSink, CopyError, CopyOptions, Import, Input, RejectReason, ResumePoint, SinkContext,
    SinkError, SinkReject, SinkRejectKind,
};
use ruzu_csv::{Batch, CsvOptions, DataType, Field, Schema, Value, Writer, WriterOptions};
use ruzu_storage::{ColumnDef, NodeTableSink, Store};

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn person_schema() -> Arc<Schema> {
    let f = Field::new;
    Arc::new(Schema::new(vec![
        f("id", DataType::Int64),
        f("name", DataType::String),
        f("i8", DataType::Int8),
        f("i16", DataType::Int16),
        f("age", DataType::Int32),
        f("big", DataType::Int128),
        f("u8", DataType::UInt8),
        f("u16", DataType::UInt16),
        f("u32", DataType::UInt32),
        f("u64", DataType::UInt64),
        f("f32", DataType::Float),
        f("score", DataType::Double),
        f("active", DataType::Bool),
        f("birthday", DataType::Date),
        f("created", DataType::Timestamp),
        f("wait", DataType::Interval),
        f("uid", DataType::Uuid),
        f("photo", DataType::Blob),
    ]))
}

/// splitmix64: a deterministic stream of pseudo-random numbers.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn signed(&mut self, n: i64) -> i64 {
        self.below(2 * n as u64 + 1) as i64 - n
    }
}

const NAMES: [&str; 10] = [
    "Ada",
    "",
    "Ann, Jr.",
    "say \"hi\"",
    "two\nlines",
    "crlf\r\nline",
    "ünïcødé 日本語 🦀",
    " padded ",
    "NULL",
    "x",
];

/// Row `i` of the generated person table: key `i * 3 + 1`, about one value in nine NULL.
fn person_row(i: u64, rng: &mut Rng) -> OwnedRow {
    let mut row = vec![OwnedValue::Int64(i as i64 * 3 + 1)];
    let name = format!("{} #{i}", NAMES[rng.below(10) as usize]);
    let values = [
        OwnedValue::String(if rng.below(5) == 0 {
            NAMES[rng.below(10) as usize].into()
        } else {
            name
        }),
        OwnedValue::Int8(rng.next() as i8),
        OwnedValue::Int16(rng.next() as i16),
        OwnedValue::Int32(rng.below(120) as i32),
        OwnedValue::Int128((rng.next() as i128) << 40 | rng.next() as i128),
        OwnedValue::UInt8(rng.next() as u8),
        OwnedValue::UInt16(rng.next() as u16),
        OwnedValue::UInt32(rng.next() as u32),
        OwnedValue::UInt64(rng.next()),
        OwnedValue::Float(rng.signed(1 << 20) as f32 / 64.0),
        OwnedValue::Double(rng.signed(1 << 40) as f64 / 1024.0),
        OwnedValue::Bool(rng.below(2) == 0),
        OwnedValue::Date(rng.signed(80_000) as i32),
        OwnedValue::Timestamp(rng.signed(3_000_000_000_000_000)),
        OwnedValue::Interval(
            rng.signed(500) as i32,
            rng.signed(500) as i32,
            rng.signed(86_400_000_000),
        ),
        OwnedValue::Uuid(u128::from(rng.next()) << 64 | u128::from(rng.next())),
        OwnedValue::Blob((0..rng.below(12)).map(|_| rng.next() as u8).collect()),
    ];
    for v in values {
        row.push(if rng.below(9) == 0 {
            OwnedValue::Null
        } else {
            v
        });
    }
    row
}

/// The CSV text (with header) of `rows`, written by `ruzu_csv::Writer`.
fn csv_of(schema: &Arc<Schema>, rows: &[OwnedRow]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut writer = Writer::new(
        Vec::new(),
        schema.clone(),
        WriterOptions::default().with_header(true),
    )?;
    let mut batch = Batch::new(schema.clone(), 1024, 1 << 16);
    for chunk in rows.chunks(1024) {
        batch.clear();
        for row in chunk {
            push_owned_row(&mut batch, row, 0, 0)?;
        }
        writer.write_batch(&batch)?;
    }
    Ok(writer.finish()?)
}

fn create_table(store: &mut Store, name: &str, schema: &Schema) -> TestResult {
    let columns = schema
        .fields()
        .iter()
        .map(|f| ColumnDef::new(f.name.clone(), f.data_type))
        .collect();
    let mut txn = store.begin_write()?;
    txn.create_node_table(name, columns, &schema.fields()[0].name)?;
    txn.commit()?;
    Ok(())
}

fn import(
    store: &mut Store,
    schema: &Arc<Schema>,
    csv: Vec<u8>,
    options: CopyOptions,
) -> Result<ruzu_copy::CopyReport, CopyError> {
    let options = options.with_csv(CsvOptions::default().with_header(true));
    let spill = std::env::temp_dir();
    let mut sink = NodeTableSink::new(store, "Person").with_spill_dir(spill);
    Import::new(
        "Person",
        schema.clone(),
        vec![Input::reader(None, Cursor::new(csv))],
        options,
    )
    .run(&mut sink)
}

/// Every row of the table, read through the Arrow scan.
fn scanned_rows(
    store: &Store,
    schema: &Arc<Schema>,
) -> Result<Vec<OwnedRow>, Box<dyn std::error::Error>> {
    let mut rows = Vec::new();
    let mut batch = Batch::new(schema.clone(), 1024, 1 << 16);
    for record_batch in store.scan_node_table("person")? {
        batch.clear();
        batch.push_arrow(&record_batch?, 1)?;
        rows.extend(batch_rows(&batch));
    }
    Ok(rows)
}

#[test]
fn imported_persons_read_back_value_for_value() -> TestResult {
    const ROWS: u64 = 50_000;
    let schema = person_schema();
    let mut rng = Rng(7);
    let expected: Vec<OwnedRow> = (0..ROWS).map(|i| person_row(i, &mut rng)).collect();
    let csv = csv_of(&schema, &expected)?;

    let dir = tempfile::tempdir()?;
    let mut store = Store::create(dir.path())?;
    create_table(&mut store, "Person", &schema)?;
    let report = import(&mut store, &schema, csv, CopyOptions::default())?;
    assert_eq!(report.rows_imported, ROWS);
    assert_eq!(report.rows_rejected, 0);
    drop(store);

    let store = Store::open(dir.path())?;
    store.verify()?;
    assert_eq!(store.row_count("Person")?, ROWS);
    let got = scanned_rows(&store, &schema)?;
    assert_eq!(got.len(), expected.len());
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "row {i}");
    }
    for i in (0..ROWS).step_by(997).chain([ROWS - 1]) {
        let key = i as i64 * 3 + 1;
        assert_eq!(
            store.lookup("Person", &Value::Int64(key))?,
            Some(i),
            "key {key}"
        );
        assert_eq!(store.lookup("Person", &Value::Int64(key + 1))?, None);
    }
    let row = store.node_row("Person", ROWS / 2)?.expect("row exists");
    let mut batch = Batch::new(schema.clone(), 1, 1024);
    batch.push_arrow(&row, 1)?;
    assert_eq!(
        batch_rows(&batch),
        vec![expected[(ROWS / 2) as usize].clone()]
    );
    assert!(store.node_row("Person", ROWS)?.is_none());
    Ok(())
}

#[test]
fn literal_csv_with_quotes_nulls_and_unicode_reads_back() -> TestResult {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
        Field::new("age", DataType::Int32),
    ]));
    let csv =
        "id,name,age\n1,\"Ann, \"\"the\"\" first\",30\n2,,\n3,\"\",7\n4,\"two\nlines 🦀\",-1\n";
    let dir = tempfile::tempdir()?;
    let mut store = Store::create(dir.path())?;
    create_table(&mut store, "Person", &schema)?;
    import(&mut store, &schema, csv.into(), CopyOptions::default())?;
    use OwnedValue::{Int32, Int64, Null, String as S};
    let expected = vec![
        vec![Int64(1), S("Ann, \"the\" first".into()), Int32(30)],
        vec![Int64(2), Null, Null],
        vec![Int64(3), S(String::new()), Int32(7)],
        vec![Int64(4), S("two\nlines 🦀".into()), Int32(-1)],
    ];
    assert_eq!(scanned_rows(&store, &schema)?, expected);
    Ok(())
}

fn id_name_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
    ]))
}

#[test]
fn duplicate_key_with_ignore_errors_keeps_the_first_row() -> TestResult {
    let schema = id_name_schema();
    let dir = tempfile::tempdir()?;
    let mut store = Store::create(dir.path())?;
    create_table(&mut store, "Person", &schema)?;
    let csv = "id,name\n1,first\n2,b\n1,second\n,nokey\n3,c\n";
    let report = import(
        &mut store,
        &schema,
        csv.into(),
        CopyOptions::default().with_ignore_errors(true),
    )?;
    assert_eq!(report.rows_imported, 3);
    assert_eq!(report.rows_rejected, 2);
    let reasons: Vec<_> = report
        .rejections
        .iter()
        .map(|r| (r.position.line, r.reason.clone()))
        .collect();
    assert_eq!(
        reasons,
        vec![
            (
                4,
                RejectReason::Sink(SinkRejectKind::DuplicateKey {
                    first_line: Some(2)
                })
            ),
            (5, RejectReason::Sink(SinkRejectKind::NullKey)),
        ]
    );
    use OwnedValue::{Int64, String as S};
    assert_eq!(
        scanned_rows(&store, &schema)?,
        vec![
            vec![Int64(1), S("first".into())],
            vec![Int64(2), S("b".into())],
            vec![Int64(3), S("c".into())],
        ]
    );
    assert_eq!(store.lookup("Person", &Value::Int64(1))?, Some(0));
    assert_eq!(store.lookup("Person", &Value::Int64(3))?, Some(2));

    // A second import sees the keys of the first: its duplicate is refused too.
    let report = import(
        &mut store,
        &schema,
        "id,name\n4,d\n2,again\n".into(),
        CopyOptions::default().with_ignore_errors(true),
    )?;
    assert_eq!((report.rows_imported, report.rows_rejected), (1, 1));
    assert_eq!(store.row_count("Person")?, 4);
    assert_eq!(store.lookup("Person", &Value::Int64(4))?, Some(3));
    assert_eq!(store.lookup("Person", &Value::Int64(2))?, Some(1));
    Ok(())
}

#[test]
fn duplicate_or_null_key_without_ignore_errors_leaves_the_store_unchanged() -> TestResult {
    let schema = id_name_schema();
    let dir = tempfile::tempdir()?;
    let mut store = Store::create(dir.path())?;
    create_table(&mut store, "Person", &schema)?;
    import(
        &mut store,
        &schema,
        "id,name\n10,x\n".into(),
        CopyOptions::default(),
    )?;
    let generation = store.generation();
    let file = dir.path().join(ruzu_storage::DATA_FILE_NAME);
    let before = std::fs::read(&file)?;

    for csv in [
        "id,name\n1,a\n2,b\n1,c\n",
        "id,name\n1,a\n,b\n",
        "id,name\n11,a\n10,b\n",
    ] {
        let err = import(&mut store, &schema, csv.into(), CopyOptions::default())
            .expect_err("the import must fail");
        assert!(matches!(err, CopyError::Row { .. }), "{csv:?}: {err}");
        assert_eq!(store.generation(), generation, "{csv:?}");
        assert_eq!(std::fs::read(&file)?, before, "{csv:?}: file bytes changed");
        assert_eq!(store.row_count("Person")?, 1);
        assert_eq!(store.lookup("Person", &Value::Int64(1))?, None);
        assert_eq!(store.lookup("Person", &Value::Int64(10))?, Some(0));
    }
    Ok(())
}

/// Throughput of an import through the sink (run with `--release --ignored --nocapture`).
#[test]
#[ignore = "speed measurement, not a check"]
fn import_speed() -> TestResult {
    const ROWS: u64 = 2_000_000;
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
        Field::new("age", DataType::Int32),
        Field::new("score", DataType::Double),
        Field::new("birthday", DataType::Date),
    ]));
    let mut csv = String::from("id,name,age,score,birthday\n");
    for i in 0..ROWS {
        csv.push_str(&format!(
            "{i},person{},{},{}.{},19{:02}-0{}-1{}\n",
            i % 100_000,
            i % 90,
            i % 1000,
            i % 10,
            i % 100,
            1 + i % 9,
            i % 10
        ));
    }
    let bytes = csv.len();
    let dir = tempfile::tempdir()?;
    let mut store = Store::create(dir.path())?;
    create_table(&mut store, "Person", &schema)?;
    let start = std::time::Instant::now();
    let sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(std::env::temp_dir());
    let mut timed = TimedSink {
        sink,
        write: Duration::ZERO,
        commit: Duration::ZERO,
    };
    let options = CopyOptions::default().with_csv(CsvOptions::default().with_header(true));
    let input = vec![Input::reader(None, Cursor::new(csv.into_bytes()))];
    let report = Import::new("Person", schema.clone(), input, options).run(&mut timed)?;
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(report.rows_imported, ROWS);
    eprintln!(
        "sink: write {:.2} s, commit {:.2} s (index + sync)",
        timed.write.as_secs_f64(),
        timed.commit.as_secs_f64()
    );
    drop(timed);
    let file_bytes = std::fs::metadata(dir.path().join(ruzu_storage::DATA_FILE_NAME))?.len();
    eprintln!(
        "{ROWS} rows, {bytes} CSV bytes in {secs:.2} s: {:.2} M rows/s; database file {file_bytes} bytes",
        ROWS as f64 / secs / 1e6
    );
    Ok(())
}

/// Times the sink calls of an import.
struct TimedSink<'s> {
    sink: NodeTableSink<'s>,
    write: Duration,
    commit: Duration,
}

impl BatchSink for TimedSink<'_> {
    fn begin(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        self.sink.begin(ctx)
    }

    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        let start = Instant::now();
        let result = self.sink.write(batch, rejects);
        self.write += start.elapsed();
        result
    }

    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<(), SinkError> {
        self.sink.checkpoint(resume)
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        eprintln!(
            "sink before commit: {} bytes, index spilling: {}",
            self.sink.memory_bytes(),
            self.sink.is_spilling()
        );
        let start = Instant::now();
        let result = self.sink.commit();
        self.commit += start.elapsed();
        result
    }

    fn abort(&mut self) -> Result<(), SinkError> {
        self.sink.abort()
    }
}
