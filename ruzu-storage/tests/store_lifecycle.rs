//! Create, open, commit, abort, drop: the life of a database directory and what each step
//! leaves on disk.

mod common;

use common::{pattern, reopen, small_pool, snapshot};
use ruzu_csv::DataType;
use ruzu_storage::{FaultyBackend, PAGE_SIZE_BYTES, Result, StorageError, Store, TableKind};

fn person_store() -> Result<(FaultyBackend, Store)> {
    let backend = FaultyBackend::new();
    let mut store = Store::create_on(Box::new(backend.clone()), small_pool())?;
    store.execute_ddl(
        &ruzu_copy::parse_ddl("CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))")
            .expect("valid DDL"),
    )?;
    Ok((backend, store))
}

#[test]
fn directory_database_persists_catalog_and_data_across_reopen() -> Result<()> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db");
    {
        let mut store = Store::create(&path)?;
        store.execute_ddl(
            &ruzu_copy::parse_ddl(
                "CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))",
            )
            .expect("valid DDL"),
        )?;
        store.execute_ddl(
            &ruzu_copy::parse_ddl("CREATE REL TABLE Knows(FROM Person TO Person, since DATE)")
                .expect("valid DDL"),
        )?;
        let mut txn = store.begin_write()?;
        let id = txn.catalog().table("Person").expect("table").id;
        let e = txn.allocate_extent(3)?;
        txn.write_extent(e, 0, &pattern(9, 3 * PAGE_SIZE_BYTES as usize))?;
        txn.attach_extent(id, e)?;
        txn.commit()?;
    }
    assert!(matches!(
        Store::create(&path),
        Err(StorageError::AlreadyExists { .. })
    ));
    let store = Store::open(&path)?;
    assert!(matches!(
        Store::open(&path),
        Err(StorageError::Locked { .. })
    ));
    let person = store.catalog().table("PERSON").expect("persisted");
    assert_eq!(person.kind, TableKind::Node { primary_key: 0 });
    assert_eq!(person.columns[1].data_type, DataType::String);
    let knows = store.catalog().table("Knows").expect("persisted");
    assert_eq!(
        knows.kind,
        TableKind::Rel {
            from: person.id,
            to: person.id
        }
    );
    let snap = snapshot(&store)?;
    assert_eq!(
        snap.tables[0].extents[0],
        pattern(9, 3 * PAGE_SIZE_BYTES as usize)
    );
    store.verify()?;
    assert!(matches!(
        Store::open(&dir.path().join("missing")),
        Err(StorageError::File { op: "open", .. })
    ));
    Ok(())
}

#[test]
fn abort_leaves_the_file_byte_for_byte_as_before() -> Result<()> {
    let (backend, mut store) = person_store()?;
    let before = backend.contents();
    let mut txn = store.begin_write()?;
    let id = txn.catalog().table("Person").expect("table").id;
    let e = txn.allocate_extent(10)?;
    txn.write_extent(e, 0, &pattern(1, 10 * PAGE_SIZE_BYTES as usize))?;
    txn.attach_extent(id, e)?;
    txn.new_page(e.start)?[0] = 1;
    txn.drop_table("Person")?;
    // The dropped table's fresh extent was freed at once: its pages are no longer writable.
    assert!(matches!(
        txn.new_page(e.start),
        Err(StorageError::OutOfBounds { .. })
    ));
    txn.abort()?;
    assert_eq!(backend.contents(), before);
    assert!(store.catalog().table("Person").is_some());
    Ok(())
}

#[test]
fn commits_alternate_header_slots_and_count_generations() -> Result<()> {
    let (backend, mut store) = person_store()?;
    assert_eq!(store.generation(), 2);
    for g in 3..7u64 {
        store.execute_ddl(
            &ruzu_copy::parse_ddl(&format!("CREATE NODE TABLE T{g}(k INT64, PRIMARY KEY(k))"))
                .expect("valid DDL"),
        )?;
        assert_eq!(store.generation(), g);
        let image = backend.contents();
        let slot = (g % 2) as usize * PAGE_SIZE_BYTES as usize;
        assert_eq!(&image[slot..slot + 8], b"RUZUDB\0\x01");
        let stored = u64::from_le_bytes(image[slot + 16..slot + 24].try_into().expect("8"));
        assert_eq!(stored, g);
    }
    Ok(())
}

#[test]
fn dropped_table_space_is_reused_by_later_imports() -> Result<()> {
    let (backend, mut store) = person_store()?;
    let mut txn = store.begin_write()?;
    let id = txn.catalog().table("Person").expect("table").id;
    let e = txn.allocate_extent(50)?;
    txn.write_extent(e, 0, &[1u8; 4096])?;
    txn.attach_extent(id, e)?;
    txn.commit()?;
    store.execute_ddl(&ruzu_copy::parse_ddl("DROP TABLE Person").expect("valid DDL"))?;
    assert!(store.free_pages() >= 50 || store.page_count() < e.end());
    let pages_after_drop = store.page_count().max(e.end());
    store.execute_ddl(
        &ruzu_copy::parse_ddl("CREATE NODE TABLE City(name STRING, PRIMARY KEY(name))")
            .expect("valid DDL"),
    )?;
    let mut txn = store.begin_write()?;
    let city = txn.catalog().table("City").expect("table").id;
    let again = txn.allocate_extent(50)?;
    assert!(
        again.end() <= pages_after_drop,
        "{again:?} reuses the dropped space"
    );
    txn.attach_extent(city, again)?;
    txn.commit()?;
    store.verify()?;
    let reopened = reopen(backend.contents())?;
    reopened.verify()?;
    assert_eq!(snapshot(&reopened)?, snapshot(&store)?);
    Ok(())
}

#[test]
fn committed_extents_are_read_only() -> Result<()> {
    let (_, mut store) = person_store()?;
    let mut txn = store.begin_write()?;
    let id = txn.catalog().table("Person").expect("table").id;
    let e = txn.allocate_extent(1)?;
    txn.attach_extent(id, e)?;
    assert!(matches!(
        txn.attach_extent(id, e),
        Err(StorageError::OutOfBounds { .. })
    ));
    assert!(matches!(
        txn.write_extent(e, 4000, &[0u8; 200]),
        Err(StorageError::OutOfBounds { .. })
    ));
    txn.commit()?;
    let mut txn = store.begin_write()?;
    assert!(matches!(
        txn.write_extent(e, 0, b"overwrite committed data"),
        Err(StorageError::OutOfBounds { .. })
    ));
    assert!(matches!(
        txn.new_page(e.start),
        Err(StorageError::OutOfBounds { .. })
    ));
    assert!(matches!(
        txn.attach_extent(99, e),
        Err(StorageError::UnknownTableId { id: 99 })
    ));
    Ok(())
}

#[test]
fn ddl_errors_change_nothing() -> Result<()> {
    let (backend, mut store) = person_store()?;
    let before = backend.contents();
    let generation = store.generation();
    for bad in [
        "CREATE NODE TABLE Person(id INT64, PRIMARY KEY(id))",
        "CREATE REL TABLE R(FROM Nobody TO Person)",
        "DROP TABLE Nobody",
        "CREATE NODE TABLE X(id INT64, PRIMARY KEY(other))",
    ] {
        assert!(
            store
                .execute_ddl(&ruzu_copy::parse_ddl(bad).expect("valid DDL"))
                .is_err(),
            "{bad}"
        );
    }
    assert_eq!(store.generation(), generation);
    assert_eq!(backend.contents(), before);
    Ok(())
}

#[test]
fn unattached_extents_are_freed_at_commit() -> Result<()> {
    let (_, mut store) = person_store()?;
    let pages = store.page_count();
    let mut txn = store.begin_write()?;
    let e = txn.allocate_extent(20)?;
    txn.write_extent(e, 0, &[5u8; 100])?;
    txn.commit()?;
    store.verify()?;
    // The 20 pages are free again (trimmed off the end, or listed free).
    assert!(store.page_count() + store.free_pages() <= pages + 21);
    Ok(())
}

/// Found by the compat golden: an extent at the end of the file that was allocated but not
/// written in full left the file shorter than the committed page count, and `open` refused it
/// as truncated.
#[test]
fn partly_written_extent_at_the_end_reads_back_as_zeros() -> Result<()> {
    let (backend, mut store) = person_store()?;
    let mut txn = store.begin_write()?;
    let id = txn.catalog().table("Person").expect("table").id;
    let e = txn.allocate_extent(4)?;
    txn.write_extent(e, 0, b"head")?;
    txn.attach_extent(id, e)?;
    txn.commit()?;
    let reopened = reopen(backend.crash_image(ruzu_storage::CrashMode::LoseUnsynced))?;
    let mut buf = vec![0xFFu8; e.byte_len() as usize];
    reopened.read_extent(e, 0, &mut buf)?;
    assert_eq!(&buf[..4], b"head");
    assert!(buf[4..].iter().all(|&b| b == 0));
    Ok(())
}

#[test]
fn bogus_extents_are_out_of_bounds_not_overflows() -> Result<()> {
    let (_, mut store) = person_store()?;
    let mut buf = [0u8; 16];
    for e in [
        ruzu_storage::Extent::new(u64::MAX, 2),
        ruzu_storage::Extent::new(2, u64::MAX),
        ruzu_storage::Extent::new(store.page_count(), 1),
    ] {
        assert!(matches!(
            store.read_extent(e, 0, &mut buf),
            Err(StorageError::OutOfBounds { .. })
        ));
        let mut txn = store.begin_write()?;
        assert!(matches!(
            txn.write_extent(e, 0, &buf),
            Err(StorageError::OutOfBounds { .. })
        ));
        txn.abort()?;
    }
    Ok(())
}

#[test]
fn abort_after_checkpoint_returns_to_the_checkpoint() -> Result<()> {
    let (backend, mut store) = person_store()?;
    let mut txn = store.begin_write()?;
    let id = txn.catalog().table("Person").expect("table").id;
    let first = txn.allocate_extent(2)?;
    txn.write_extent(first, 0, &pattern(1, 8192))?;
    txn.attach_extent(id, first)?;
    let loose = txn.allocate_extent(1)?;
    let generation = txn.checkpoint()?;
    assert!(
        matches!(
            txn.attach_extent(id, loose),
            Err(StorageError::OutOfBounds { .. })
        ),
        "unattached extents are freed at a checkpoint"
    );
    assert!(
        matches!(
            txn.write_extent(first, 0, b"x"),
            Err(StorageError::OutOfBounds { .. })
        ),
        "checkpointed extents are committed, so read-only"
    );
    let second = txn.allocate_extent(3)?;
    txn.write_extent(second, 0, &pattern(2, 100))?;
    txn.attach_extent(id, second)?;
    txn.drop_table("Person")?;
    txn.abort()?;
    assert_eq!(store.generation(), generation);
    let checkpointed = snapshot(&store)?;
    assert_eq!(checkpointed.tables[0].extents, vec![pattern(1, 8192)]);
    let reopened = reopen(backend.crash_image(ruzu_storage::CrashMode::LoseUnsynced))?;
    assert_eq!(snapshot(&reopened)?, checkpointed);
    reopened.verify()
}

#[test]
fn pages_written_through_the_pool_read_back_after_reopen() -> Result<()> {
    let (backend, mut store) = person_store()?;
    let mut txn = store.begin_write()?;
    let id = txn.catalog().table("Person").expect("table").id;
    let e = txn.allocate_extent(3)?;
    for (i, page) in (e.start..e.end()).enumerate() {
        txn.new_page(page)?[..4].copy_from_slice(&[i as u8 + 1; 4]);
    }
    txn.attach_extent(id, e)?;
    txn.commit()?;
    let reopened = reopen(backend.crash_image(ruzu_storage::CrashMode::LoseUnsynced))?;
    for (i, page) in (e.start..e.end()).enumerate() {
        let p = reopened.pin_page(page)?;
        assert_eq!(
            &p[..5],
            &[i as u8 + 1, i as u8 + 1, i as u8 + 1, i as u8 + 1, 0]
        );
    }
    let stats = reopened.pool_stats();
    assert_eq!((stats.misses, stats.hits), (3, 0));
    assert!(matches!(
        reopened.pin_page(reopened.page_count()),
        Err(StorageError::OutOfBounds { .. })
    ));
    assert!(reopened.pool_memory_bytes() <= small_pool().buffer_pool_bytes);
    Ok(())
}

#[test]
fn create_replaces_the_leftover_of_a_crashed_create() -> Result<()> {
    let dir = tempfile::tempdir().expect("tempdir");
    // What a crash in the middle of create leaves: the temporary file, no data.ruzu.
    std::fs::write(dir.path().join("data.ruzu.creating"), b"half").expect("write");
    assert!(matches!(
        Store::open(dir.path()),
        Err(StorageError::File { op: "open", .. })
    ));
    let store = Store::create(dir.path())?;
    assert_eq!(store.generation(), 1);
    drop(store);
    assert!(!dir.path().join("data.ruzu.creating").exists());
    Store::open(dir.path())?.verify()
}
