//! Rel tables: edges between two node tables, stored as CSR adjacency in both directions.
//!
//! # Import ([`RelTableSink`](crate::RelTableSink))
//!
//! One import is one [`WriteTxn`](crate::WriteTxn):
//!
//! 1. **Resolve** (`write`): the `from` and `to` key columns of each batch are looked up in the
//!    endpoint tables' primary-key indexes (`resolve.rs`). An edge whose endpoint does not
//!    exist (or is NULL) is rejected in `write` with `MissingEndpoint` and the key as text, so
//!    the error policy (abort, `IGNORE_ERRORS`) applies to it like to any row error. Three
//!    quarters of the sink's memory share cache the index pages: when the images fit, all of
//!    them (the in-memory path); otherwise as many pages as fit, the others read from the file
//!    per lookup (bounded, slower; see "Limits" below).
//! 2. **Partition** (`write`): each accepted edge becomes two records (`record.rs`): one for
//!    the forward run of its source node's rel group, one for the backward run of its
//!    destination's. Runs buffer in memory up to an eighth of the share, then all buffers are
//!    appended to the runs' temporary files (`spill.rs`).
//! 3. **Build** (`checkpoint`, `commit`): for every run that got edges, the run is sorted by
//!    bound node within half of the share (the index caches are released meanwhile; in
//!    memory, or as sorted pieces merged from
//!    temporary files when a hub's group is larger; `sort.rs`), merged behind the group's
//!    stored edges if the table already had some (an append rebuilds only the groups it
//!    touches, reading the old group one edge chunk at a time), and written as a new CSR group
//!    (`csr/`); the old group's extents are freed. The table's metadata (`meta.rs`) is set and
//!    the transaction checkpoints or commits.
//!
//! Abort, a failed call or a crash leave the table (and the node tables, which the import
//! never writes) as at the last checkpoint or before `begin`.
//!
//! Memory: while writing, index caches ≤ 3/4 and run buffers ≤ 1/8 of
//! `SinkContext::memory_bytes`; while building, run buffers ≤ 1/8 and the sort ≤ 1/2; plus
//! one edge chunk (about 1/8, between 2048 and 65536 edges) and one group's degrees (8 bytes per
//! node of a group) while building; nothing grows with the number of edges.
//!
//! # Reads
//!
//! [`Store::neighbours`](crate::Store::neighbours) (one node's edges either way, with
//! neighbour offsets, keys and properties), [`Store::scan_rel_table`](crate::Store::scan_rel_table)
//! (every edge as `from` key, `to` key, properties), [`Store::row_count`](crate::Store::row_count).
//!
//! # Limits and what is not built
//!
//! - One FROM/TO pair per rel table (the DDL accepts only one); a COPY whose `from=`/`to=`
//!   options name other tables is refused with an error saying so.
//! - The endpoint index must cover every row of its node table (no node import checkpointed
//!   and uncommitted).
//! - When the endpoint indexes do not fit in 3/4 of the share, lookups go through a bounded page
//!   cache (random page reads) rather than a partitioned hash join: the bound holds, the
//!   throughput drops.
//!
//! # Byte layout
//!
//! See `csr/mod.rs` (groups and chunks), `meta.rs` (the table's metadata blob) and
//! `docs/file-format.md`, "Rel tables".

pub(crate) mod csr;
pub(crate) mod join;
pub(crate) mod meta;
pub(crate) mod record;
pub(crate) mod resolve;
mod scan;
pub(crate) mod sort;
pub(crate) mod spill;

use std::sync::Arc;

use ruzu_csv::{Schema, Value};

pub(crate) use csr::DEFAULT_GROUP_NODES;
pub use scan::{Direction, RelScan};

use crate::catalog::TableDef;

/// The schema of a rel table's edge chunks: neighbour offset, then the properties.
pub(crate) fn chunk_schema_of(def: &TableDef) -> Arc<Schema> {
    let props: Vec<_> = def
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.data_type))
        .collect();
    csr::chunk_schema(&props)
}

/// A key as text for a reject message, cut to [`ruzu_csv::MAX_SNIPPET_BYTES`].
pub(crate) fn key_text(v: &Value<'_>) -> Box<str> {
    let s = match v {
        Value::Null => "NULL".to_string(),
        Value::String(s) => (*s).to_string(),
        Value::Int8(x) => x.to_string(),
        Value::Int16(x) => x.to_string(),
        Value::Int32(x) => x.to_string(),
        Value::Int64(x) => x.to_string(),
        Value::Int128(x) => x.to_string(),
        Value::UInt8(x) => x.to_string(),
        Value::UInt16(x) => x.to_string(),
        Value::UInt32(x) => x.to_string(),
        Value::UInt64(x) => x.to_string(),
        other => format!("{other:?}"),
    };
    ruzu_csv::snippet(s.as_bytes())
}
