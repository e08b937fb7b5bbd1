//! Rel tables: edges between two node tables, stored as CSR adjacency in both directions, the
//! properties once (with the forward edges; `csr/mod.rs`).
//!
//! # Import ([`RelTableSink`](crate::RelTableSink))
//!
//! One import is one [`WriteTxn`](crate::WriteTxn):
//!
//! 1. **Resolve**: the `from` and `to` keys are looked up in the endpoint tables' primary-key
//!    indexes (`resolve.rs`). Three quarters of the sink's memory share may hold them.
//!    - **Typed** (integer, `DATE`, `TIMESTAMP` keys whose key tables fit): each index image is
//!      read once into a [`KeyTable`](key_table::KeyTable) (about 15 bytes per key, ordered
//!      linear probing filled in the image's hash order), and key columns are resolved in
//!      batches without a `Value` per row. This runs in the sink's parallel phase
//!      (`BatchSink::local_sink`): every decoder thread resolves its batches and encodes their
//!      properties, and the sink's `write_prepared` only numbers the edges and appends them to
//!      the runs, in input order. Missing or NULL endpoints are rejected there with
//!      `MissingEndpoint` and the key as text, so the error policy applies as to any row error.
//!    - **In memory** (other key types whose images fit): every index page is cached, lookups
//!      happen in `write`, with the same rejects.
//!    - **Out of core** (they do not fit; 25 M nodes at the default limit): `write` only
//!      partitions the edges by `from` key hash into spill runs (`join.rs`; NULL keys are
//!      rejected at once), and `BatchSink::finish` runs a partitioned hash join, one index
//!      partition loaded whole at a time (`PkIndexReader::load_partition`), first for `from`,
//!      then, re-partitioned by `to` key hash, for `to`. Missing endpoints are reported then as
//!      late rejects with their file, line and byte, and dropped before any CSR is built.
//!      Continue-partial imports (checkpoints) cannot use late rejects: they resolve in `write`
//!      through a page cache of the budget's size (random page reads: bounded, slower).
//!
//!    Every accepted edge gets a sequence number (its place in import order), kept through the
//!    join, so both paths store exactly the same table.
//! 2. **Partition** (`write`): each accepted edge becomes one record (`record.rs`: source,
//!    destination, sequence number, properties) in the forward run of its source node's rel
//!    group. Runs buffer in memory up to an eighth of the share, then all buffers are
//!    appended to the runs' temporary files (`spill.rs`).
//! 3. **Build** (`checkpoint`, `commit`): for every run that got edges, the run is sorted by
//!    bound node within a share of half of the memory share (the index caches are released
//!    meanwhile): in memory by a counting sort over the group's nodes, or as sorted pieces
//!    merged from temporary files when a hub's group is larger (`sort.rs`); merged behind the
//!    group's stored edges if the table already had some (an append rebuilds only the groups
//!    it touches, reading the old group one edge chunk at a time), and encoded as a new CSR
//!    group (`csr/`). Forward groups come first: building one ranks each new edge among its
//!    source's edges and hands over a backward record (destination, source, sequence number,
//!    rank; no properties), which goes to the backward run of the destination's group; the
//!    backward groups are built from those runs the same way. Groups are sorted and encoded
//!    on `SinkContext::threads` threads, one group each at a time; the thread that owns the
//!    transaction writes their edge chunks and headers as they arrive, routes the backward
//!    records and frees the old groups' extents. The table's metadata (`meta.rs`) is set and
//!    the transaction checkpoints or commits.
//!
//! Abort, a failed call or a crash leave the table (and the node tables, which the import
//! never writes) as at the last checkpoint or before `begin`.
//!
//! Memory: while writing, key tables or index caches ≤ 3/4 (out of core: none, join runs
//! ≤ 1/4), run buffers ≤ 1/8 of `SinkContext::memory_bytes`, and per pooled batch its
//! prepared edges (24 bytes a row plus its properties); while joining, one index partition ≤ 1/4,
//! one chunk of records ≤ 1/8 and the runs of both passes ≤ 1/4 each; while building, run
//! buffers ≤ 1/8 and the sorts of all build threads ≤ 1/2 together; plus per build thread
//! one edge chunk (about 1/8, between 2048 and 65536 edges), one group's degrees and the
//! counting sort's offsets (8 and 16 bytes per node of a group), and up to two encoded pieces
//! per thread waiting to be written; nothing grows with the number of edges.
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
//! - Continue-partial imports whose endpoint indexes do not fit resolve through a bounded
//!   page cache (random page reads): the bound holds, the throughput drops.
//! - `commit` without `finish` on the out-of-core path resolves then and fails the commit if
//!   an endpoint is missing (it can no longer be reported row by row).
//!
//! # Byte layout
//!
//! See `csr/mod.rs` (groups and chunks), `meta.rs` (the table's metadata blob) and
//! `docs/file-format.md`, "Rel tables".

pub(crate) mod csr;
pub(crate) mod join;
pub(crate) mod key_table;
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

/// The schema of a rel table's forward edge chunks: neighbour offset, then the properties.
pub(crate) fn chunk_schema_of(def: &TableDef) -> Arc<Schema> {
    let props: Vec<_> = def
        .columns
        .iter()
        .map(|c| (c.name.clone(), c.data_type))
        .collect();
    csr::chunk_schema(&props)
}

/// The schema of every rel table's backward edge chunks: neighbour offset, then the edge's rank
/// among its source's forward edges (`csr/mod.rs`).
pub(crate) fn backward_chunk_schema() -> Arc<Schema> {
    csr::chunk_schema(&[(csr::RANK_COLUMN.to_string(), ruzu_csv::DataType::UInt64)])
}

/// The chunk schemas of both directions, forward first.
pub(crate) fn chunk_schemas_of(def: &TableDef) -> [Arc<Schema>; meta::DIRECTIONS] {
    [chunk_schema_of(def), backward_chunk_schema()]
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
