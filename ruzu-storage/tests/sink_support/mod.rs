//! Helpers of the node table sink tests: stores on in-memory backends, reading a table back as
//! owned rows.

#![allow(dead_code)] // Each test binary uses a different subset of these helpers.

use ruzu_copy::testing::{OwnedRow, OwnedValue};
use ruzu_csv::Schema;
use ruzu_storage::{ColumnDef, FaultyBackend, NodeTableReader, Result, Store, StoreOptions};

/// Small buffer pool: the sink writes node groups and index images with extent writes.
pub fn options() -> StoreOptions {
    StoreOptions::default().with_buffer_pool_bytes(64 << 10)
}

/// A new store on `backend` with node table `name` of `schema`, primary key column 0.
pub fn create_store(backend: &FaultyBackend, name: &str, schema: &Schema) -> Result<Store> {
    let mut store = Store::create_on(Box::new(backend.clone()), options())?;
    let columns = schema
        .fields()
        .iter()
        .map(|f| ColumnDef::new(f.name.clone(), f.data_type))
        .collect();
    let pk = schema.fields()[0].name.clone();
    let mut txn = store.begin_write()?;
    txn.create_node_table(name, columns, &pk)?;
    txn.commit()?;
    Ok(store)
}

/// Opens the committed state of a copy of `backend`'s current bytes, leaving the backend (and
/// any transaction writing to it) alone.
pub fn open_snapshot(backend: &FaultyBackend) -> Result<Store> {
    Store::open_on(
        Box::new(FaultyBackend::from_bytes(backend.contents())),
        options(),
    )
}

/// Every committed row of node table `name`, in row order, read through the node group reader.
pub fn stored_rows(store: &Store, name: &str) -> Result<Vec<OwnedRow>> {
    let def = store.catalog().table(name).expect("table exists");
    let reader = NodeTableReader::open(store, def.id)?;
    let mut rows = Vec::new();
    for g in 0..reader.groups() {
        let group = reader.read_group(g)?;
        for r in 0..group.rows() {
            rows.push(
                (0..def.columns.len())
                    .map(|c| OwnedValue::from_value(group.value(r, c)))
                    .collect(),
            );
        }
    }
    Ok(rows)
}
