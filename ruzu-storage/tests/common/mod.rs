//! Helpers shared by the integration tests: a logical snapshot of a store, and a scripted
//! workload of several commits.

#![allow(dead_code)] // Each test binary uses a different subset of these helpers.

use ruzu_storage::{
    ColumnDef, CrashMode, FaultyBackend, Result, Store, StoreOptions, TableDef, WriteTxn,
};

/// Everything a committed state holds, compared by value (not by page position).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub tables: Vec<TableSnapshot>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableSnapshot {
    pub def: TableDef,
    /// Contents of each extent, in attach order.
    pub extents: Vec<Vec<u8>>,
    pub meta: Vec<u8>,
}

pub fn snapshot(store: &Store) -> Result<Snapshot> {
    let mut tables = Vec::new();
    for def in store.catalog().tables() {
        let storage = store
            .table_storage(def.id)
            .expect("every table has storage");
        let mut extents = Vec::new();
        for &e in storage.extents() {
            let mut buf = vec![0u8; e.byte_len() as usize];
            store.read_extent(e, 0, &mut buf)?;
            extents.push(buf);
        }
        tables.push(TableSnapshot {
            def: def.clone(),
            extents,
            meta: storage.meta().to_vec(),
        });
    }
    Ok(Snapshot { tables })
}

/// Deterministic bytes for extent number `tag`.
pub fn pattern(tag: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(tag))
        .collect()
}

fn table_id(txn: &WriteTxn<'_>, name: &str) -> u64 {
    txn.catalog().table(name).expect("table exists").id
}

/// Allocates `pages` pages, writes `pattern(tag)` in two sequential writes, attaches them to
/// `table`.
fn write_data(txn: &mut WriteTxn<'_>, table: &str, pages: u64, tag: u8) -> Result<()> {
    let id = table_id(txn, table);
    let extent = txn.allocate_extent(pages)?;
    let data = pattern(tag, extent.byte_len() as usize);
    let half = data.len() / 2;
    txn.write_extent(extent, 0, &data[..half])?;
    txn.write_extent(extent, half as u64, &data[half..])?;
    txn.attach_extent(id, extent)
}

/// One transaction of the workload.
pub type Step = fn(&mut WriteTxn<'_>) -> Result<()>;

/// A workload touching every kind of change: DDL, new extents, freed extents, dropped tables
/// with data, table metadata, a page written through the buffer pool.
pub const WORKLOAD: &[Step] = &[
    |t| {
        t.create_node_table(
            "Person",
            vec![
                ColumnDef::new("id", ruzu_csv::DataType::Int64),
                ColumnDef::new("name", ruzu_csv::DataType::String),
            ],
            "id",
        )?;
        write_data(t, "Person", 3, 1)
    },
    |t| {
        t.create_rel_table(
            "Knows",
            "Person",
            "Person",
            vec![ColumnDef::new("since", ruzu_csv::DataType::Date)],
        )?;
        write_data(t, "Knows", 2, 2)?;
        write_data(t, "Person", 1, 3)?;
        let id = table_id(t, "Person");
        t.set_table_meta(id, b"person chunks v2".to_vec())
    },
    |t| {
        let id = table_id(t, "Person");
        let first = t.table_storage(id).expect("storage").extents()[0];
        t.free_extent(id, first)?;
        write_data(t, "Person", 4, 4)?;
        // A page written through the buffer pool.
        let e = t.allocate_extent(1)?;
        t.new_page(e.start)?[..5].copy_from_slice(b"index");
        t.attach_extent(id, e)
    },
    |t| t.drop_table("Knows"),
    |t| {
        t.create_node_table(
            "City",
            vec![ColumnDef::new("name", ruzu_csv::DataType::String)],
            "name",
        )?;
        write_data(t, "City", 5, 5)?;
        // Attached but written only at its head: the rest must read back as zeros.
        let city = table_id(t, "City");
        let e = t.allocate_extent(3)?;
        t.write_extent(e, 0, b"tail")?;
        t.attach_extent(city, e)?;
        // Allocated, written, never attached: must not survive.
        let e = t.allocate_extent(2)?;
        t.write_extent(e, 0, &pattern(6, 100))
    },
];

/// How far a workload run got.
#[derive(Debug)]
pub struct Outcome {
    /// Number of workload steps committed.
    pub committed: usize,
    /// Whether the run stopped with an error inside `commit` (so the next state may be the
    /// durable one).
    pub failed_in_commit: bool,
    pub error: Option<ruzu_storage::StorageError>,
}

/// Runs the workload on `store`, stopping at the first error.
pub fn run(store: &mut Store, steps: &[Step]) -> Outcome {
    for (i, step) in steps.iter().enumerate() {
        let mut txn = match store.begin_write() {
            Ok(t) => t,
            Err(e) => return stopped(i, false, e),
        };
        if let Err(e) = step(&mut txn) {
            return stopped(i, false, e);
        }
        if let Err(e) = txn.commit() {
            return stopped(i, true, e);
        }
    }
    Outcome {
        committed: steps.len(),
        failed_in_commit: false,
        error: None,
    }
}

fn stopped(committed: usize, failed_in_commit: bool, e: ruzu_storage::StorageError) -> Outcome {
    Outcome {
        committed,
        failed_in_commit,
        error: Some(e),
    }
}

/// Snapshots of the states after create and after each step of a fault-free run.
pub fn expected_states(steps: &[Step]) -> Result<Vec<Snapshot>> {
    let mut store = Store::create_on(Box::new(FaultyBackend::new()), small_pool())?;
    let mut states = vec![snapshot(&store)?];
    for step in steps {
        let mut txn = store.begin_write()?;
        step(&mut txn)?;
        txn.commit()?;
        states.push(snapshot(&store)?);
    }
    Ok(states)
}

/// Options with a pool small enough that the workload evicts.
pub fn small_pool() -> StoreOptions {
    StoreOptions::default().with_buffer_pool_bytes(64 << 10)
}

/// The crash modes each failure is checked under.
pub fn crash_modes() -> Vec<CrashMode> {
    let mut modes = vec![CrashMode::LoseUnsynced, CrashMode::KeepUnsynced];
    modes.extend((0..4).map(CrashMode::Scrambled));
    modes
}

/// Opens the bytes a crash left.
pub fn reopen(image: Vec<u8>) -> Result<Store> {
    Store::open_on(Box::new(FaultyBackend::from_bytes(image)), small_pool())
}
