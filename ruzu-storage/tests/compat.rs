//! On-disk compatibility: `tests/compat/v<N>/` holds a database written by the release that
//! introduced format N; this build must open it and read back exactly what was written.
//!
//! A golden directory is generated only when it is missing (commit it with the format change).

use std::path::{Path, PathBuf};

use ruzu_csv::DataType;
use ruzu_storage::{ColumnDef, DATA_FILE_NAME, PAGE_SIZE_BYTES, Result, Store, TableKind};

fn golden_dir(version: u32) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/compat")
        .join(format!("v{version}"))
}

fn payload() -> Vec<u8> {
    (0..PAGE_SIZE_BYTES as usize + 100)
        .map(|i| (i % 251) as u8)
        .collect()
}

/// What the v1 golden holds: two node tables, a rel table, one data extent with table
/// metadata, and a dropped table (so the free list is not empty).
fn write_v1(dir: &Path) -> Result<()> {
    let mut store = Store::create(dir)?;
    store.execute_ddl(
        "CREATE NODE TABLE Person(id INT64, name STRING, birthday DATE, score DOUBLE, \
         PRIMARY KEY(id))",
    )?;
    store.execute_ddl("CREATE NODE TABLE Tmp(k UUID, PRIMARY KEY(k))")?;
    store.execute_ddl("CREATE REL TABLE Knows(FROM Person TO Person, since TIMESTAMP)")?;
    let mut txn = store.begin_write()?;
    let person = txn.catalog().table("Person").expect("created").id;
    let data = payload();
    let extent = txn.allocate_extent(2)?;
    txn.write_extent(extent, 0, &data)?;
    txn.attach_extent(person, extent)?;
    txn.set_table_meta(person, b"v1 meta".to_vec())?;
    let tmp = txn.catalog().table("Tmp").expect("created").id;
    let scratch = txn.allocate_extent(3)?;
    txn.attach_extent(tmp, scratch)?;
    txn.commit()?;
    store.execute_ddl("DROP TABLE Tmp")?;
    store.execute_ddl("CREATE NODE TABLE City(name STRING, PRIMARY KEY(name))")
}

#[test]
fn format_v1_database_opens_and_reads_back() -> Result<()> {
    let golden = golden_dir(1);
    if !golden.join(DATA_FILE_NAME).exists() {
        let tmp = tempfile::tempdir().expect("tempdir");
        write_v1(tmp.path())?;
        std::fs::create_dir_all(&golden).expect("create golden dir");
        std::fs::copy(tmp.path().join(DATA_FILE_NAME), golden.join(DATA_FILE_NAME))
            .expect("write golden");
    }
    // Open a copy: opening may truncate, and the golden must stay as committed.
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::copy(golden.join(DATA_FILE_NAME), tmp.path().join(DATA_FILE_NAME))
        .expect("copy golden");
    let store = Store::open(tmp.path())?;
    store.verify()?;
    let names: Vec<&str> = store.catalog().tables().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Person", "Knows", "City"]);
    let person = store.catalog().table("Person").expect("table");
    assert_eq!(person.kind, TableKind::Node { primary_key: 0 });
    assert_eq!(
        person.columns,
        vec![
            ColumnDef::new("id", DataType::Int64),
            ColumnDef::new("name", DataType::String),
            ColumnDef::new("birthday", DataType::Date),
            ColumnDef::new("score", DataType::Double),
        ]
    );
    let knows = store.catalog().table("Knows").expect("table");
    assert_eq!(
        knows.kind,
        TableKind::Rel {
            from: person.id,
            to: person.id
        }
    );
    assert_eq!(
        knows.columns,
        vec![ColumnDef::new("since", DataType::Timestamp)]
    );
    let storage = store.table_storage(person.id).expect("storage");
    assert_eq!(storage.meta(), b"v1 meta");
    let data = payload();
    let mut buf = vec![0u8; data.len()];
    store.read_extent(storage.extents()[0], 0, &mut buf)?;
    assert_eq!(buf, data);
    assert!(store.free_pages() > 0, "the dropped table left a hole");
    Ok(())
}
