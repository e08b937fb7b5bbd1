//! CSR groups: the adjacency of one direction of a rel table for a range of bound nodes.
//!
//! Bound nodes are split into rel groups of `G` consecutive node offsets (`G` in the table's
//! metadata, [`DEFAULT_GROUP_NODES`] unless an import chose another for a fresh table). For
//! each direction (forward: bound = source, neighbour = destination; backward: the reverse) a
//! group holds:
//!
//! - a **header**: one column chunk image (`UINT64`, the `node::column` codec) of the degree of
//!   each bound node `g·G + i`, for `i < h` (nodes after `h` have degree 0). Its prefix sums
//!   are the CSR offsets: the edges of node `i` are the group's edges
//!   `sum(deg[..i]) .. sum(deg[..=i])`;
//! - **edge chunks** of at most [`EDGE_CHUNK_EDGES`] consecutive edges (fewer when the
//!   import's budget is small) in CSR order (bound
//!   node ascending; a node's edges in the order they were imported, earlier imports first),
//!   each its own extent holding column chunk images back to back (each at an 8-byte aligned
//!   offset): the neighbour node offsets (`UINT64`), then, in a forward group, every property
//!   column; in a backward group one `UINT64` column `rank`.
//!
//! Properties are stored once, with the forward edges (since format version 3; before, both
//! directions held them, as Kùzu does). A backward edge names its forward twin by the source
//! node (its neighbour) and its **rank**, its place among the source's forward edges: the
//! properties are edge `offsets[source] + rank` of the source's forward group. Ranks do not
//! change when an append rebuilds a forward group, since a node's new edges come after its
//! stored ones, so an append rebuilds only the backward groups it adds edges to. Chunking the
//! edges bounds the memory of building and of reading a group whatever its size (a hub with
//! millions of edges spans many chunks).

mod builder;
mod reader;

pub(crate) use builder::{
    Emit, GroupWriter, ImagePool, PendingGroup, Piece, recycle_image, write_piece,
};
pub(crate) use builder::{RANK_COLUMN, chunk_schema};
pub(crate) use reader::{ChunkImage, GroupSource, chunk_batch, read_offsets};

/// Nodes per rel group of a new table by default. A group's new edges are sorted by one
/// build thread within its share of the sort budget (about 24 MiB at the default memory
/// limit); at a few edges per node and about 90 bytes per spilled edge a group of this size
/// fits it, so the sort stays in memory instead of writing sorted pieces to temporary files.
pub(crate) const DEFAULT_GROUP_NODES: u32 = 1 << 15;
/// Most edges in one edge chunk.
pub(crate) const EDGE_CHUNK_EDGES: usize = 1 << 16;
/// Fewest edges per edge chunk the import picks from its budget.
pub(crate) const MIN_CHUNK_EDGES: usize = 2048;
