//! The parallel phase of [`RelTableSink`](super::RelTableSink): endpoint keys resolved through
//! the in-memory key tables and properties encoded as spill record bytes, on every decoder
//! thread; the sink then only appends the prepared records in input order.

use std::sync::Arc;

use ruzu_copy::{LocalSink, Prepared, SinkError};
use ruzu_csv::Batch;

use crate::error::Result;
use crate::rel::key_table::KeyTable;
use crate::rel::record::encode_props;
use crate::rel::resolve::{MISSING, resolve_column};

/// The key tables of both endpoints (`to` is `from`'s when both are the same table), shared
/// read-only by the sink and its local sinks.
#[derive(Clone, Debug)]
pub(super) struct KeyTables {
    pub(super) from: Arc<KeyTable>,
    pub(super) to: Arc<KeyTable>,
    /// The endpoint tables' names, for errors.
    pub(super) names: Arc<[String; 2]>,
}

impl KeyTables {
    /// Heap bytes of both tables (one when both endpoints are the same table).
    pub(super) fn memory_bytes(&self) -> usize {
        let to = if Arc::ptr_eq(&self.from, &self.to) {
            0
        } else {
            self.to.memory_bytes()
        };
        self.from.memory_bytes() + to
    }

    /// Resolves both key columns of `batch` and encodes every row's properties into `out`.
    pub(super) fn prepare(&self, batch: &Batch, out: &mut PreparedEdges) -> Result<()> {
        resolve_column(
            &self.from,
            batch.column(0),
            &self.names[0],
            &mut out.keys,
            &mut out.src,
        )?;
        resolve_column(
            &self.to,
            batch.column(1),
            &self.names[1],
            &mut out.keys,
            &mut out.dst,
        )?;
        out.props.clear();
        out.ends.clear();
        out.ends.push(0);
        let columns = batch.schema().len();
        for row in 0..batch.num_rows() {
            if out.src[row] != MISSING && out.dst[row] != MISSING {
                encode_props((2..columns).map(|c| batch.value(row, c)), &mut out.props);
            }
            out.ends.push(out.props.len() as u32);
        }
        Ok(())
    }
}

/// What the parallel phase makes of one batch: each row's source and destination node offset
/// ([`MISSING`] when the key is NULL or names no node) and, for rows with both, the encoded
/// properties. Kept in the batch's [`Prepared`] state and reused from batch to batch.
///
/// Bound: 24 bytes per row of the batch plus its properties' bytes.
#[derive(Debug, Default)]
pub(super) struct PreparedEdges {
    pub(super) src: Vec<u64>,
    pub(super) dst: Vec<u64>,
    /// Encoded properties, row after row.
    pub(super) props: Vec<u8>,
    /// `props[ends[r]..ends[r + 1]]` are row `r`'s properties (empty for a refused row).
    pub(super) ends: Vec<u32>,
    /// Normalized keys of the column being resolved.
    keys: Vec<u64>,
}

impl PreparedEdges {
    /// The properties of row `row`.
    pub(super) fn props(&self, row: usize) -> &[u8] {
        &self.props[self.ends[row] as usize..self.ends[row + 1] as usize]
    }
}

/// One decoder thread's half of the parallel phase.
#[derive(Debug)]
pub(super) struct RelLocal {
    pub(super) tables: KeyTables,
}

impl LocalSink for RelLocal {
    fn prepare(&mut self, batch: &Batch, prepared: &mut Prepared) -> Result<(), SinkError> {
        let state = prepared.get_or_insert_with(PreparedEdges::default);
        Ok(self.tables.prepare(batch, state)?)
    }
}
