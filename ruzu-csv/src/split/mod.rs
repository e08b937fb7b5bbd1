//! Splitting an input into chunks of whole records.
//!
//! The [`Splitter`] reads large pieces of the input straight into a caller's reusable
//! [`Chunk`], finds record boundaries with a quote-aware scan (see `scan`), and cuts the chunk
//! after its last whole record; the partial record at the end is carried into the next chunk.
//! Every chunk knows the line, byte and record index where it starts, so chunks can be decoded
//! independently (on several threads) with the same result as in sequence.

mod chunk;
pub(crate) mod scan;
mod splitter;

pub use chunk::Chunk;
pub use splitter::Splitter;
pub(crate) use splitter::long_snippet_len;
