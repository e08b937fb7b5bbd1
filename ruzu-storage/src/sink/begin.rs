//! What `NodeTableSink::begin` needs besides the store: the schema check, the node group
//! size from the memory budget, and feeding the stored keys to the index builder.

use std::sync::Arc;

use ruzu_csv::{Batch, DataType, Field, Schema};

use crate::catalog::TableDef;
use crate::error::{Result, StorageError};
use crate::node::group::{DEFAULT_NODE_GROUP_ROWS, NodeTableReader};
use crate::node::pk_index::PkIndexBuilder;

/// Fewest rows per node group the sink picks from its budget.
const MIN_GROUP_ROWS: usize = 2048;
/// Rows per batch when the keys already in the table are fed to the index builder.
const RELOAD_BATCH_ROWS: usize = 8192;

/// The batch schema must have the table's column types in the table's order.
pub(super) fn check_schema(def: &TableDef, schema: &Schema) -> Result<()> {
    let same = schema.len() == def.columns.len()
        && schema
            .fields()
            .iter()
            .zip(&def.columns)
            .all(|(f, c)| f.data_type == c.data_type);
    if same {
        Ok(())
    } else {
        Err(StorageError::InvalidTable {
            table: def.name.clone(),
            reason: "the import's columns do not match the table's columns and types".into(),
        })
    }
}

/// Rows per node group such that one group's buffer (values and images) stays within
/// `budget_bytes`.
pub(super) fn group_rows_for(def: &TableDef, budget_bytes: usize) -> usize {
    // The writer holds the encoders' values and a buffer of the encoded images (at most
    // about as large).
    (budget_bytes / (2 * row_bytes(def))).clamp(MIN_GROUP_ROWS, DEFAULT_NODE_GROUP_ROWS)
}

/// Estimated bytes of one row (fixed-width values at their width, strings counted as 32
/// bytes). Only sizes the groups (the encoders hold integers as 8-byte keys, so the real
/// buffer can be larger; the import's memory accounting measures it). Measured on the
/// 100 MB person file: counting 8 bytes for a DATE (1.5% fewer rows per group) gave 53.0
/// instead of 49.8 MB on disk, nearly all of it in the zstd-compressed `bio` chunks (cause
/// not pinned down).
pub(super) fn row_bytes(def: &TableDef) -> usize {
    def.columns
        .iter()
        .map(|c| c.data_type.fixed_width_bytes().unwrap_or(32) + 1)
        .sum::<usize>()
        .max(1)
}

/// Feeds the keys of the rows already in the table to `index` (lines 0: not known), one node
/// group at a time.
///
/// Deleted rows (`deleted`, sorted) keep their offsets but give no key.
pub(super) fn reload_keys(
    reader: &NodeTableReader<'_>,
    pk: usize,
    key_type: DataType,
    deleted: &[u64],
    index: &mut PkIndexBuilder,
) -> Result<()> {
    let schema = Arc::new(Schema::new(vec![Field::new("key", key_type)]));
    let mut batch = Batch::new(schema, RELOAD_BATCH_ROWS, 64 << 10);
    let mut rejects = Vec::new();
    let mut insert = |batch: &mut Batch, index: &mut PkIndexBuilder| -> Result<()> {
        index.insert_batch(batch.column(0), batch.lines(), &mut rejects)?;
        batch.clear();
        if rejects.is_empty() {
            Ok(())
        } else {
            Err(StorageError::corrupt(
                "node table",
                0,
                "a stored row has a NULL or duplicate primary key",
            ))
        }
    };
    let mut offset = 0u64;
    let mut next_deleted = deleted.iter().copied().peekable();
    for g in 0..reader.groups() {
        let group = reader.read_group_columns(g, &[pk])?;
        let keys = group.column(0);
        for row in 0..group.rows() {
            if next_deleted.next_if_eq(&offset).is_some() {
                insert(&mut batch, index)?;
                index.skip_offsets(1);
            } else {
                batch
                    .push_row(&[keys.value(row)], 0, 0)
                    .map_err(|e| StorageError::corrupt("node group", 0, e.to_string()))?;
                if batch.num_rows() == RELOAD_BATCH_ROWS {
                    insert(&mut batch, index)?;
                }
            }
            offset += 1;
        }
    }
    insert(&mut batch, index)
}
