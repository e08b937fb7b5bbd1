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
//! - The parallel phase (`local_sink`, on every decoder thread) compresses the batch's string
//!   columns that the table stores compressed into zstd frames (`node/group/frames.rs`);
//!   `write_prepared` is `write` with those frames handed to the group encoders.
//! - `write` gives the batch's key column to the index builder; the rows it refuses (NULL key,
//!   duplicate key seen in memory) are reported as rejects and the runs of rows between them are
//!   appended to the node group buffer, which writes each full group as one extent.
//! - `checkpoint` writes the buffered rows as a (short) group, stores the resume point in the
//!   table's metadata and commits the transaction's state so far (`WriteTxn::checkpoint`).
//!   The index is not rewritten at a checkpoint: rows after the committed index's coverage are
//!   found by lookups through a scan of their key column (see `node/scan.rs`).
//! - `finish` writes the last group and finishes the index into a temporary file; duplicates
//!   found only now (out-of-core path, below) are reported as late rejects and their rows
//!   deleted.
//! - `commit` copies the index image into an extent of the table (freeing the previous image),
//!   writes the deleted rows list when it changed, clears the resume point and commits. A
//!   `commit` without `finish` finishes the index itself and fails on a late duplicate.
//! - `abort` (and any error) rolls the transaction back: the database is exactly as at the
//!   last checkpoint or before `begin`.
//!
//! # Duplicates on the out-of-core index path
//!
//! When the index does not fit in its budget the builder spills, and duplicates of keys that
//! were spilled are found only when the index is finished, after their rows were written.
//! From the batch in which the index first spills, the sink logs each stored row's line and
//! byte (16 bytes per row, in a temporary file of the spill directory; the source file once
//! per change of file), so that `finish` can report each late duplicate with its file, line
//! and byte, the line of the kept first occurrence and the key. With `IGNORE_ERRORS` the
//! driver keeps going: the duplicate rows (not the first occurrences) go to the table's
//! **deleted rows list** (sorted node offsets in an extent of the table, see `node/table_meta.rs`),
//! which scans, `row_count`, `lookup`, `node_row` and the key reload of later imports honour;
//! deleted rows keep their node offsets. The list costs 8 bytes of memory per late duplicate
//! while it is built and read. Under the abort policy the reporter stops at the first one and
//! the driver aborts: nothing of the import is visible.
//!
//! A `checkpoint` once the index spills still fails with
//! [`StorageError::CheckpointWhileSpilling`]: the rows since the spill are not checked for
//! duplicates until the whole index is finished, and a checkpoint makes rows durable and
//! visible. Lifting this soundly needs either a finished index per checkpoint (merging runs,
//! the cost of a full index build each time) or committing the unchecked rows as deleted
//! until the final `finish` clears them, which a resumed import would have to re-derive; not
//! built. Continue-partial imports must fit their index in memory. Within the budget
//! duplicates are found in `write` and handled exactly as the contract says. (Measured: with
//! the default 256 MiB `MEMORY_LIMIT`, an import of 2 million INT64 keys already spills.)
//!
//! # Costs
//!
//! `begin` reads the key column of every stored row back into the index builder (one node
//! group at a time, a row at a time), and `commit` rewrites the whole index: an import into a
//! table that already holds many rows pays for them. Merging a new index with the stored one
//! is not built.
//!
//! [`StorageError::CheckpointWhileSpilling`]: crate::StorageError::CheckpointWhileSpilling

mod begin;
mod late;
mod node;
mod positions;
mod rel;

pub use node::NodeTableSink;
pub use rel::{RelImportStats, RelTableSink};
