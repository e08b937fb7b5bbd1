//! Which storage code serves a table: the node/rel dispatch of imports, scans, counts and
//! schemas. Node tables go to `ruzu-storage`'s node code here; rel tables go to [`rel`].

use std::path::Path;

use arrow_array::RecordBatch;
use ruzu_copy::BatchSink;
use ruzu_csv::Schema;
use ruzu_storage::{NodeTableSink, StorageError, Store, TableDef, TableKind};

use crate::error::Result;
use crate::rel;
use crate::result::{TableInfo, TableKindInfo};

/// A stream of a table's committed rows as Arrow record batches.
pub(crate) type BatchStream<'s> = Box<dyn Iterator<Item = Result<RecordBatch, StorageError>> + 's>;

/// The definition of table `name` (case-insensitive), cloned out of the catalog.
pub(crate) fn table_def(store: &Store, name: &str) -> Result<TableDef> {
    Ok(store
        .catalog()
        .table(name)
        .cloned()
        .ok_or_else(|| StorageError::NoSuchTable { name: name.into() })?)
}

/// The schema of the rows a `COPY` into `def` reads, and a `COPY TO` of it writes.
pub(crate) fn copy_schema(store: &Store, def: &TableDef) -> Result<Schema> {
    match def.kind {
        TableKind::Node { .. } => Ok(def.schema()),
        TableKind::Rel { .. } => rel::copy_schema(store, def),
    }
}

/// The sink of an import into `def`.
pub(crate) fn sink<'s>(
    store: &'s mut Store,
    def: &TableDef,
    spill_dir: &Path,
) -> Result<Box<dyn BatchSink + 's>> {
    match def.kind {
        TableKind::Node { .. } => Ok(Box::new(
            NodeTableSink::new(store, def.name.clone()).with_spill_dir(spill_dir),
        )),
        TableKind::Rel { .. } => rel::sink(store, def, spill_dir),
    }
}

/// The committed rows of `def`, streamed.
pub(crate) fn scan<'s>(store: &'s Store, def: &TableDef) -> Result<BatchStream<'s>> {
    match def.kind {
        TableKind::Node { .. } => Ok(Box::new(store.scan_node_table(&def.name)?)),
        TableKind::Rel { .. } => rel::scan(store, def),
    }
}

/// Committed rows of `def`, when known.
pub(crate) fn row_count(store: &Store, def: &TableDef) -> Result<Option<u64>> {
    match def.kind {
        TableKind::Node { .. } => Ok(Some(store.row_count(&def.name)?)),
        TableKind::Rel { .. } => rel::row_count(store, def),
    }
}

/// Every table with its kind, columns and row count, in catalog order.
pub(crate) fn infos(store: &Store) -> Result<Vec<TableInfo>> {
    let name_of = |id| {
        store
            .catalog()
            .table_by_id(id)
            .map_or_else(|| format!("#{id}"), |t| t.name.clone())
    };
    store
        .catalog()
        .tables()
        .map(|def| {
            let kind = match def.kind {
                TableKind::Node { primary_key } => TableKindInfo::Node {
                    primary_key: def.columns[primary_key].name.clone(),
                },
                TableKind::Rel { from, to } => TableKindInfo::Rel {
                    from: name_of(from),
                    to: name_of(to),
                },
            };
            Ok(TableInfo {
                name: def.name.clone(),
                kind,
                columns: def
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), c.data_type))
                    .collect(),
                rows: row_count(store, def)?,
            })
        })
        .collect()
}
