//! Streaming CSV decoding into recycled, arena-backed, Arrow-style batches.
//!
//! `ruzu-csv` turns CSV bytes into [`Batch`]es: per column a validity bitmap and typed values,
//! strings as offsets into the batch's bump arena, and the input line and byte offset of every
//! row. Batches circulate through a bounded [`BatchPool`] and are cleared, not freed, so a
//! steady-state import allocates nothing per batch.
//!
//! It does not know about tables, storage or threads of an import: `ruzu-copy` drives it.
//!
//! Reading: [`sniff`] resolves the dialect (`AUTO_DETECT`); a [`Splitter`] reads the input into
//! [`Chunk`]s of whole records (quote-aware, exact line numbers, bounded buffers); a [`Decoder`]
//! turns one chunk into one batch, reporting bad records as [`RowError`]s and skipping them.
//! Chunks are independent, so decoders may run on several threads; [`Reader`] does all three
//! in sequence.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use ruzu_csv::{Batch, DataType, Field, Schema, Value};
//!
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("id", DataType::Int64),
//!     Field::new("name", DataType::String),
//! ]));
//! let mut batch = Batch::new(schema, 1024, 64 * 1024);
//! batch.push_row(&[Value::Int64(1), Value::String("Ann")], 2, 8)?;
//! assert_eq!(batch.value(0, 1), Value::String("Ann"));
//! assert_eq!(batch.line(0), 2);
//! # Ok::<(), ruzu_csv::CsvError>(())
//! ```

mod batch;
mod decode;
mod decoder;
mod error;
pub mod format;
mod options;
mod reader;
mod sniff;
mod split;
mod tokenize;
mod types;
mod writer;

pub use batch::{Batch, BatchPool, Bitmap, ColumnData, ColumnRef, OwnedValue, Value, VarView};
pub use decoder::{DecodeStats, Decoder};
pub use error::{CsvError, MAX_SNIPPET_BYTES, Position, Result, RowError, RowErrorKind, snippet};
pub use options::{
    CsvOptions, DEFAULT_BATCH_ROWS, DEFAULT_CHUNK_BYTES, DEFAULT_MAX_LINE_SIZE_BYTES,
    DEFAULT_SAMPLE_SIZE, Dialect,
};
pub use reader::{Reader, Sampled, detect_dialect};
pub use sniff::sniff;
pub use split::{Chunk, Splitter};
pub use types::{DataType, Field, Interval, Schema, UnknownType};
pub use writer::{Writer, WriterOptions};

/// The README's Rust example, compiled and run as a doc test so it cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
