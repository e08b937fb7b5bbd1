//! On-disk compatibility: `tests/compat/v<N>/` holds a database written by the release that
//! introduced format N. This build opens the current format's golden and reads back exactly
//! what was written, and refuses an older format's golden with an error naming both versions.
//!
//! A golden directory of the current format is generated only when it is missing (commit it
//! with the format change).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::RecordBatch;
use ruzu_copy::{BatchSink, SinkContext};
use ruzu_csv::{Batch, DataType, Field, Interval, Schema, Value};
use ruzu_storage::{
    DATA_FILE_NAME, Encoding, FORMAT_VERSION, NodeTableReader, NodeTableSink, Result, StorageError,
    Store, TableKind,
};

fn golden_dir(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/compat")
        .join(format!("v{version}"))
}

/// A copy of golden `version` in a temporary directory: opening may truncate, and the golden
/// must stay as committed.
fn golden_copy(version: u32) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        golden_dir(version).join(DATA_FILE_NAME),
        tmp.path().join(DATA_FILE_NAME),
    )
    .expect("copy golden");
    tmp
}

#[test]
fn format_v1_database_is_refused_naming_both_versions() {
    let tmp = golden_copy(1);
    let err = Store::open(tmp.path()).expect_err("a version 1 file is refused");
    assert!(
        matches!(
            err,
            StorageError::UnsupportedVersion {
                found: 1,
                supported: 2
            }
        ),
        "{err:?}"
    );
    let message = err.to_string();
    assert!(
        message.contains("version 1") && message.contains("version 2"),
        "{message}"
    );
    // The refused file is left as it was.
    let before = std::fs::read(golden_dir(1).join(DATA_FILE_NAME)).expect("golden");
    let after = std::fs::read(tmp.path().join(DATA_FILE_NAME)).expect("copy");
    assert_eq!(before, after);
}

/// Rows of table `Person` of the v2 golden.
const PERSON_ROWS: u64 = 3000;
/// Rows of table `Everything` of the v2 golden.
const EVERYTHING_ROWS: u64 = 300;
/// Rows per node group of the v2 golden (several groups per table).
const GOLDEN_GROUP_ROWS: usize = 1024;

fn person_schema() -> Schema {
    Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
        Field::new("birthday", DataType::Date),
        Field::new("score", DataType::Double),
        Field::new("bio", DataType::String),
    ])
}

fn person_row(row: u64) -> (i64, String, Option<i32>, f64, String) {
    let names = ["Ada", "Grace", "Édouard", "李娜", "Zoë"];
    let bio = format!(
        "person {row} likes {} and \"quotes\", commas, and línea\nbreaks",
        names[(row * 7 % 5) as usize]
    );
    (
        row as i64 * 3 + 1_000_000,
        names[(row % 5) as usize].to_owned(),
        (!row.is_multiple_of(11)).then_some(-3000 + row as i32 * 5),
        (row % 1000) as f64 / 4.0,
        bio,
    )
}

fn everything_schema() -> Schema {
    let mut fields = vec![Field::new("k", DataType::Int64)];
    fields.extend(
        DataType::ALL
            .iter()
            .map(|&t| Field::new(format!("c_{t}"), t)),
    );
    Schema::new(fields)
}

/// Owned value of column type `t` at `row` of table `Everything` (`None`: NULL).
fn everything_value(t: DataType, row: u64) -> Option<OwnedValue> {
    if (row + t as u64).is_multiple_of(7) {
        return None;
    }
    let r = row as i64;
    Some(match t {
        DataType::Bool => OwnedValue::Fixed(Value::Bool(row.is_multiple_of(3))),
        DataType::Int8 => OwnedValue::Fixed(Value::Int8((r % 100) as i8 - 50)),
        DataType::Int16 => OwnedValue::Fixed(Value::Int16((r as i16).wrapping_mul(-7))),
        DataType::Int32 => OwnedValue::Fixed(Value::Int32((r as i32).wrapping_mul(1001))),
        DataType::Int64 => OwnedValue::Fixed(Value::Int64(r.wrapping_mul(-1_000_000_007))),
        DataType::Int128 => OwnedValue::Fixed(Value::Int128(i128::from(r) << 70)),
        DataType::UInt8 => OwnedValue::Fixed(Value::UInt8(row as u8)),
        DataType::UInt16 => OwnedValue::Fixed(Value::UInt16((row as u16).wrapping_mul(3))),
        DataType::UInt32 => OwnedValue::Fixed(Value::UInt32(u32::MAX - row as u32)),
        DataType::UInt64 => OwnedValue::Fixed(Value::UInt64(u64::MAX - row)),
        DataType::Float => OwnedValue::Fixed(Value::Float(row as f32 * 0.5)),
        DataType::Double => OwnedValue::Fixed(Value::Double(-(row as f64) / 3.0)),
        DataType::Date => OwnedValue::Fixed(Value::Date(r as i32 - 10_000)),
        DataType::Timestamp => OwnedValue::Fixed(Value::Timestamp(r * 86_400_000_000)),
        DataType::Interval => OwnedValue::Fixed(Value::Interval(Interval {
            months: r as i32,
            days: -(r as i32),
            micros: r * 1000,
        })),
        DataType::Uuid => OwnedValue::Fixed(Value::Uuid(
            u128::from(row).wrapping_mul(0x0123_4567_89AB_CDEF_u128),
        )),
        DataType::String => OwnedValue::String(
            ["", "a,b", "ünï\"cødé\"", "x\ny"][row as usize % 4].repeat(row as usize % 5),
        ),
        DataType::Blob => OwnedValue::Blob((0..row % 9).map(|i| (i * 31 + row) as u8).collect()),
        other => unreachable!("no value for {other}"),
    })
}

/// A value that owns its bytes.
#[derive(Clone, Debug)]
enum OwnedValue {
    Fixed(Value<'static>),
    String(String),
    Blob(Vec<u8>),
}

impl OwnedValue {
    fn as_value(&self) -> Value<'_> {
        match self {
            OwnedValue::Fixed(v) => *v,
            OwnedValue::String(s) => Value::String(s),
            OwnedValue::Blob(b) => Value::Blob(b),
        }
    }
}

fn person_batch(schema: &Arc<Schema>, rows: std::ops::Range<u64>) -> Batch {
    let mut batch = Batch::new(schema.clone(), rows.clone().count(), 1 << 16);
    for row in rows {
        let (id, name, birthday, score, bio) = person_row(row);
        batch
            .push_row(
                &[
                    Value::Int64(id),
                    Value::String(&name),
                    birthday.map_or(Value::Null, Value::Date),
                    Value::Double(score),
                    Value::String(&bio),
                ],
                row + 2,
                0,
            )
            .expect("values match the schema");
    }
    batch
}

fn everything_batch(schema: &Arc<Schema>) -> Batch {
    let mut batch = Batch::new(schema.clone(), EVERYTHING_ROWS as usize, 1 << 16);
    for row in 0..EVERYTHING_ROWS {
        let owned: Vec<Option<OwnedValue>> = DataType::ALL
            .iter()
            .map(|&t| everything_value(t, row))
            .collect();
        let mut values = vec![Value::Int64(row as i64)];
        values.extend(
            owned
                .iter()
                .map(|v| v.as_ref().map_or(Value::Null, OwnedValue::as_value)),
        );
        batch
            .push_row(&values, row + 2, 0)
            .expect("values match the schema");
    }
    batch
}

fn import(store: &mut Store, table: &str, schema: Arc<Schema>, batches: &[Batch]) {
    let mut sink = NodeTableSink::new(store, table).with_group_rows(GOLDEN_GROUP_ROWS);
    sink.begin(&SinkContext::new(table, schema, 8 << 20))
        .expect("begin");
    let mut rejects = Vec::new();
    for b in batches {
        sink.write(b, &mut rejects).expect("write");
    }
    assert!(rejects.is_empty());
    sink.commit().expect("commit");
}

/// What the v2 golden holds: two imported node tables (all types, NULLs, several node groups,
/// primary-key indexes), a rel table and a dropped table (so the free list is not empty).
fn write_v2(dir: &Path) -> Result<()> {
    let mut store = Store::create(dir)?;
    store.execute_ddl(
        &ruzu_copy::parse_ddl(
            "CREATE NODE TABLE Person(id INT64, name STRING, birthday DATE, score DOUBLE, \
         bio STRING, PRIMARY KEY(id))",
        )
        .expect("valid DDL"),
    )?;
    let columns: Vec<String> = everything_schema()
        .fields()
        .iter()
        .map(|f| format!("{} {}", f.name, f.data_type))
        .collect();
    store.execute_ddl(
        &ruzu_copy::parse_ddl(&format!(
            "CREATE NODE TABLE Everything({}, PRIMARY KEY(k))",
            columns.join(", ")
        ))
        .expect("valid DDL"),
    )?;
    store.execute_ddl(
        &ruzu_copy::parse_ddl("CREATE NODE TABLE Tmp(k UUID, PRIMARY KEY(k))").expect("valid DDL"),
    )?;
    store.execute_ddl(
        &ruzu_copy::parse_ddl("CREATE REL TABLE Knows(FROM Person TO Person, since TIMESTAMP)")
            .expect("valid DDL"),
    )?;
    let person = Arc::new(person_schema());
    let batches = [
        person_batch(&person, 0..1700),
        person_batch(&person, 1700..PERSON_ROWS),
    ];
    import(&mut store, "Person", person, &batches);
    let everything = Arc::new(everything_schema());
    let batch = everything_batch(&everything);
    import(&mut store, "Everything", everything, &[batch]);
    store.execute_ddl(&ruzu_copy::parse_ddl("DROP TABLE Tmp").expect("valid DDL"))?;
    Ok(())
}

/// Checks that the scan of `table` is `expected`, batch by batch.
fn assert_scan_equals(store: &Store, table: &str, expected: &RecordBatch) -> Result<()> {
    let mut offset = 0;
    for batch in store.scan_node_table(table)? {
        let batch = batch?;
        assert_eq!(
            batch,
            expected.slice(offset, batch.num_rows()),
            "{table} at {offset}"
        );
        offset += batch.num_rows();
    }
    assert_eq!(offset, expected.num_rows());
    Ok(())
}

#[test]
fn format_v2_database_opens_and_reads_back() -> Result<()> {
    assert_eq!(FORMAT_VERSION, 2, "a new format needs a new golden");
    let golden = golden_dir(2);
    if !golden.join(DATA_FILE_NAME).exists() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write_v2(tmp.path())?;
        std::fs::create_dir_all(&golden).expect("create golden dir");
        std::fs::copy(tmp.path().join(DATA_FILE_NAME), golden.join(DATA_FILE_NAME))
            .expect("write golden");
    }
    let tmp = golden_copy(2);
    let store = Store::open(tmp.path())?;
    store.verify()?;
    let names: Vec<&str> = store.catalog().tables().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Person", "Everything", "Knows"]);
    assert!(matches!(
        store.catalog().table("Knows").expect("table").kind,
        TableKind::Rel { .. }
    ));
    assert!(store.free_pages() > 0, "the dropped table left a hole");

    // Every value of both tables reads back as written, through the Arrow scan.
    let person = Arc::new(person_schema());
    assert_eq!(store.row_count("Person")?, PERSON_ROWS);
    let expected = person_batch(&person, 0..PERSON_ROWS).to_arrow()?;
    assert_scan_equals(&store, "Person", &expected)?;
    let everything = Arc::new(everything_schema());
    assert_eq!(store.row_count("Everything")?, EVERYTHING_ROWS);
    assert_scan_equals(
        &store,
        "Everything",
        &everything_batch(&everything).to_arrow()?,
    )?;

    // The golden covers the main chunk encodings.
    let def = store.catalog().table("Person").expect("table");
    let group = NodeTableReader::open(&store, def.id)?.read_group(0)?;
    let encodings: Vec<Encoding> = (0..group.columns())
        .map(|c| group.column(c).encoding())
        .collect();
    assert_eq!(
        encodings,
        [
            Encoding::FrameOfReference,
            Encoding::Dictionary,
            Encoding::FrameOfReference,
            Encoding::Decimal,
            Encoding::VarLenZstd
        ]
    );

    // The primary-key indexes answer.
    for row in [0, 1, 1023, 1024, 2999] {
        let id = person_row(row).0;
        assert_eq!(store.lookup("Person", &Value::Int64(id))?, Some(row));
    }
    assert_eq!(store.lookup("Person", &Value::Int64(7))?, None);
    assert_eq!(store.lookup("Everything", &Value::Int64(299))?, Some(299));
    Ok(())
}
