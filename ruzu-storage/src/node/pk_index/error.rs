//! Errors of building and reading a primary-key index.
//!
//! Kept beside the index until the crate's `StorageError` exists; it is meant to become one
//! variant of it (`#[error(transparent)] PkIndex(#[from] PkIndexError)`).

use std::io;

use ruzu_csv::DataType;

/// `Result` with [`PkIndexError`] as the default error.
pub type Result<T, E = PkIndexError> = std::result::Result<T, E>;

/// An error of the primary-key index.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PkIndexError {
    /// Reading or writing the index image or a spill run failed.
    #[error("primary-key index: {what} failed: {source}")]
    Io {
        /// What was being done (`"write index page"`, `"read spill run"`, ...).
        what: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The column type cannot be a primary key.
    #[error("primary-key index: {data_type} cannot be a primary key")]
    UnsupportedKeyType {
        /// The type asked for.
        data_type: DataType,
    },
    /// Keys of a different type than the index were given.
    #[error("primary-key index: expected {expected} keys, found {found}")]
    KeyTypeMismatch {
        /// The index's key type.
        expected: DataType,
        /// The type given.
        found: DataType,
    },
    /// `lines` does not have one entry per key.
    #[error("primary-key index: {keys} keys but {lines} line numbers")]
    LinesMismatch {
        /// Rows in the key column.
        keys: usize,
        /// Entries in the line list.
        lines: usize,
    },
    /// A page of the index image failed its checksum or does not hold what its place says.
    #[error("primary-key index: page {page} is corrupt ({reason})")]
    CorruptPage {
        /// 0-based page number within the image.
        page: u64,
        /// What check failed.
        reason: &'static str,
    },
    /// A long key in the index's overflow area failed its checksum or lies outside the image.
    #[error("primary-key index: overflow key at byte {position} is corrupt")]
    CorruptOverflow {
        /// Byte position of the key within the overflow area.
        position: u64,
    },
    /// The serialized [`IndexMeta`](super::IndexMeta) is not valid.
    #[error("primary-key index: metadata is corrupt ({reason})")]
    CorruptMeta {
        /// What check failed.
        reason: &'static str,
    },
    /// A block of a spill run failed its checksum or is truncated.
    #[error("primary-key index: spill run block at byte {position} is corrupt")]
    CorruptSpill {
        /// Byte position of the block within its run file.
        position: u64,
    },
    /// More keys than one table holds (2^32 - 1 per in-memory partition).
    #[error("primary-key index: too many keys in one partition ({keys})")]
    TooManyKeys {
        /// Keys counted.
        keys: u64,
    },
}

impl PkIndexError {
    /// Wraps an I/O error with what was being done.
    pub(crate) fn io(what: &'static str) -> impl FnOnce(io::Error) -> PkIndexError {
        move |source| PkIndexError::Io { what, source }
    }
}
