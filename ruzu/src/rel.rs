//! Rel tables at the API: the only place where the API reaches rel table storage.
//!
//! Rel table storage (CSR, `RelTableSink`, rel scans) is not built yet on this branch:
//! [`sink`], [`scan`] and [`row_count`] say so. Wiring rel tables in means replacing these
//! three bodies with calls of `ruzu_storage::RelTableSink::new(store, name)
//! .with_spill_dir(dir)`, `Store::scan_rel_table` and `Store::row_count`.

use std::path::Path;

use ruzu_copy::BatchSink;
use ruzu_csv::{Field, Schema};
use ruzu_storage::{StorageError, Store, TableDef, TableKind};

use crate::error::{Error, Result};
use crate::tables::BatchStream;

/// The sink of an import into rel table `def`.
pub(crate) fn sink<'s>(
    _store: &'s mut Store,
    def: &TableDef,
    _spill_dir: &Path,
) -> Result<Box<dyn BatchSink + 's>> {
    Err(not_built(def))
}

/// The committed rows of rel table `def`: `from` key, `to` key, then the properties.
pub(crate) fn scan<'s>(_store: &'s Store, def: &TableDef) -> Result<BatchStream<'s>> {
    Err(not_built(def))
}

/// Committed rows of rel table `def`, when known.
pub(crate) fn row_count(_store: &Store, _def: &TableDef) -> Result<Option<u64>> {
    Ok(None)
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

fn not_built(def: &TableDef) -> Error {
    Error::NotBuilt {
        what: format!("rel tables (table {})", def.name),
    }
}
