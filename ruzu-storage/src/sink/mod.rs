//! The `BatchSink` implementations: how an import's batches become table storage.
//!
//! # Node tables ([`NodeTableSink`])
//!
//! One import is one [`WriteTxn`](crate::WriteTxn) on the store:
//!
//! - `begin` checks the batch schema against the table, opens the transaction and a
//!   [`NodeTableWriter`](crate::NodeTableWriter), and starts a [`PkIndexBuilder`](crate::PkIndexBuilder)
//!   fed first with the keys of the rows already in the table (read one node group at a time),
//!   so that a key stored by an earlier import or an earlier checkpoint is a duplicate too. With
//!   `resume`, it returns the resume point the last checkpoint stored.
//! - `write` gives the batch's key column to the index builder; the rows it refuses (NULL key,
//!   duplicate key seen in memory) are reported as rejects and the runs of rows between them are
//!   appended to the node group buffer, which writes each full group as one extent.
//! - `checkpoint` writes the buffered rows as a (short) group, stores the resume point in the
//!   table's metadata and commits the transaction's state so far (`WriteTxn::checkpoint`).
//!   The index is not rewritten at a checkpoint: rows after the committed index's coverage are
//!   found by lookups through a scan of their key column (see `node/scan.rs`).
//! - `commit` writes the last group, finishes the index into a temporary file, copies it into
//!   an extent of the table (freeing the previous image), clears the resume point and commits.
//! - `abort` (and any error) rolls the transaction back: the database is exactly as at the
//!   last checkpoint or before `begin`.
//!
//! # Duplicates on the out-of-core index path
//!
//! When the index does not fit in its budget the builder spills, and duplicates of keys that
//! were spilled are found only when the index is finished, at `commit`, after their rows were
//! written. The sink then **fails the commit** with [`StorageError::DuplicateKeys`]
//! (naming one duplicate with both lines and the count) and rolls the import back since the
//! last checkpoint, whatever the error policy: `IGNORE_ERRORS` cannot skip these rows. For the
//! same reason a `checkpoint` once the index spills fails with
//! [`StorageError::CheckpointWhileSpilling`] (rows not checked for duplicates are never made
//! durable, so a stored table never holds a duplicate key): continue-partial imports must fit
//! their index in memory. Hiding late duplicates (a deletion bitmap) is not built. Within the
//! budget duplicates are found in `write` and handled exactly as the contract says. (Measured:
//! with the default 256 MiB `MEMORY_LIMIT`, an import of 2 million INT64 keys already spills.)
//!
//! # Costs
//!
//! `begin` reads the key column of every stored row back into the index builder (one node
//! group at a time, a row at a time), and `commit` rewrites the whole index: an import into a
//! table that already holds many rows pays for them. Merging a new index with the stored one
//! is not built.
//!
//! [`StorageError::DuplicateKeys`]: crate::StorageError::DuplicateKeys
//! [`StorageError::CheckpointWhileSpilling`]: crate::StorageError::CheckpointWhileSpilling

mod meta;
mod node;
mod rel;

pub(crate) use meta::SinkMeta;
pub use node::NodeTableSink;
pub use rel::{RelImportStats, RelTableSink};
