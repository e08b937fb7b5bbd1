//! Rel tables at the API: their sink, scan, row count and copy schema, behind the node/rel
//! dispatch of `tables.rs` (`Connection::neighbours` reads adjacency from the store directly).
//!
//! Imports go through [`ruzu_storage::RelTableSink`] (endpoint keys resolved through the node
//! tables' primary-key indexes, CSR adjacency in both directions), scans through
//! [`Store::scan_rel_table`].

use std::path::Path;

use ruzu_copy::BatchSink;
use ruzu_csv::{Field, Schema};
use ruzu_storage::{RelTableSink, StorageError, Store, TableDef, TableKind};

use crate::error::Result;
use crate::tables::BatchStream;

/// The sink of an import into rel table `def`.
pub(crate) fn sink<'s>(
    store: &'s mut Store,
    def: &TableDef,
    spill_dir: &Path,
) -> Result<Box<dyn BatchSink + 's>> {
    Ok(Box::new(
        RelTableSink::new(store, def.name.clone()).with_spill_dir(spill_dir),
    ))
}

/// The committed rows of rel table `def`: `from` key, `to` key, then the properties.
pub(crate) fn scan<'s>(store: &'s Store, def: &TableDef) -> Result<BatchStream<'s>> {
    Ok(Box::new(store.scan_rel_table(&def.name)?))
}

/// Committed rows of rel table `def`, when known.
pub(crate) fn row_count(store: &Store, def: &TableDef) -> Result<Option<u64>> {
    Ok(Some(store.row_count(&def.name)?))
}

/// The rows a `COPY` into rel table `def` reads: `from` and `to` (typed as the primary keys
/// of the endpoint node tables), then the properties in catalog order.
pub(crate) fn copy_schema(store: &Store, def: &TableDef) -> Result<Schema> {
    let TableKind::Rel { from, to } = def.kind else {
        return Ok(def.schema());
    };
    let key_field = |name: &str, id| -> Result<Field> {
        let node = store
            .catalog()
            .table_by_id(id)
            .ok_or(StorageError::UnknownTableId { id })?;
        match node.kind {
            TableKind::Node { primary_key } => {
                Ok(Field::new(name, node.columns[primary_key].data_type))
            }
            TableKind::Rel { .. } => Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: format!("endpoint {} is not a node table", node.name),
            }
            .into()),
        }
    };
    let mut fields = vec![key_field("from", from)?, key_field("to", to)?];
    fields.extend(def.schema().fields().iter().cloned());
    Ok(Schema::new(fields))
}
