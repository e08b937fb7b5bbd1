//! Page-based column storage: page file, buffer pool, WAL and recovery, catalog, node and rel
//! tables, and the `BatchSink` implementations that the import driver writes into.
//!
//! Not built yet: this crate is a placeholder in the workspace so that dependencies point the
//! right way from the first commit.

mod node;

pub use node::column::{
    ChunkEncoder, ChunkMeta, ChunkReader, ChunkValue, ColumnError, Encoding, arrow_data_type,
};
