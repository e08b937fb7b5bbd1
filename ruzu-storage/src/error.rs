//! Errors of the storage layer.
//!
//! Every error names what failed and where: the page or byte offset of a corrupt structure, the
//! byte position of a DDL mistake, the table a catalog operation refers to.

use std::io;

use ruzu_csv::DataType;

/// `Result` with [`StorageError`] as the default error.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// An error of the storage layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// An I/O operation of the storage backend failed.
    #[error("{op} failed at byte {offset}: {source}")]
    Io {
        /// What was being done (`"read"`, `"write"`, `"sync"`, `"set_len"`, `"open"`, ...).
        op: &'static str,
        /// Byte offset in the database file the operation started at (0 when not positional).
        offset: u64,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// An operation on a file or directory as a whole (not at a position of the database file)
    /// failed: creating the directory, opening, locking or renaming the page file.
    #[error("{op} {path} failed: {source}")]
    File {
        /// What was being done (`"create directory"`, `"open"`, `"rename"`, ...).
        op: &'static str,
        /// The file or directory.
        path: std::path::PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The database file's name is a symbolic link to nothing: opening it would find no
    /// database, and creating one would replace the link, so both are refused.
    #[error(
        "{path} is a symbolic link to {target}, which does not exist: restore the target or remove the link"
    )]
    DanglingLink {
        /// The database file's path (the link).
        path: std::path::PathBuf,
        /// What the link points to.
        target: std::path::PathBuf,
    },
    /// An earlier write or sync failed, so this handle refuses further writes: the state on disk
    /// is unknown until the database is opened again (which recovers the last committed state).
    #[error("an earlier write or sync failed; reopen the database to recover")]
    PreviousIo,
    /// A structure read from disk is damaged: bad magic, checksum mismatch, impossible value.
    #[error("corrupt {what} at byte {offset}: {reason}")]
    Corrupt {
        /// Which structure (`"header slot 0"`, `"metadata root"`, ...).
        what: &'static str,
        /// Byte offset in the database file where the structure starts.
        offset: u64,
        /// What is wrong with it.
        reason: String,
    },
    /// The file was written in another format version (older, newer or unknown): this build
    /// reads and writes exactly one.
    #[error(
        "unsupported format version {found} (this build reads and writes format version {supported} only)"
    )]
    UnsupportedVersion {
        /// Version found in the header.
        found: u32,
        /// Version this build reads and writes.
        supported: u32,
    },
    /// `create` was asked to create a database where one already exists.
    #[error("a database already exists at {path}")]
    AlreadyExists {
        /// The path of the existing database file.
        path: std::path::PathBuf,
    },
    /// Another handle (this process or another) has the database open, or is creating it.
    #[error("the database at {path} is locked: another handle has it open or is creating it")]
    Locked {
        /// The path of the database file.
        path: std::path::PathBuf,
    },
    /// Every frame of the buffer pool is pinned, so no page can be brought in.
    #[error("buffer pool exhausted: all {frames} frames are pinned")]
    PoolExhausted {
        /// Number of frames of the pool.
        frames: usize,
    },
    /// A page or byte range lies outside the extent or file it was addressed in.
    #[error("out of bounds: {what} (offset {offset}, length {len}, limit {limit})")]
    OutOfBounds {
        /// What was addressed.
        what: &'static str,
        /// Start of the access.
        offset: u64,
        /// Length of the access.
        len: u64,
        /// Size of what was addressed.
        limit: u64,
    },
    /// A table with this name already exists.
    #[error("table {name} already exists")]
    TableExists {
        /// The name as given.
        name: String,
    },
    /// No table has this name.
    #[error("table {name} does not exist")]
    NoSuchTable {
        /// The name as given.
        name: String,
    },
    /// A table cannot be dropped because a rel table connects it.
    #[error("cannot drop table {name}: rel table {rel} refers to it")]
    TableInUse {
        /// The table to drop.
        name: String,
        /// A rel table whose FROM or TO is that table.
        rel: String,
    },
    /// A table definition is invalid.
    #[error("invalid definition of table {table}: {reason}")]
    InvalidTable {
        /// The table name.
        table: String,
        /// What is wrong (duplicate column, missing primary key, ...).
        reason: String,
    },
    /// A primary key column has a type that cannot be a key.
    #[error("column {column} of table {table} cannot be a primary key: type {data_type}")]
    InvalidPrimaryKey {
        /// The table name.
        table: String,
        /// The column name.
        column: String,
        /// Its type.
        data_type: DataType,
    },
    /// A table id refers to no table of the transaction's catalog.
    #[error("unknown table id {id}")]
    UnknownTableId {
        /// The id.
        id: u64,
    },
    /// The primary-key index failed (spill I/O, corrupt index page, unsupported key type).
    #[error(transparent)]
    PkIndex(#[from] crate::node::pk_index::PkIndexError),
    /// A column chunk could not be built (a type or size the chunk format cannot hold).
    #[error("column chunk: {0}")]
    Column(#[from] crate::node::column::ColumnError),
    /// Converting stored rows to Arrow failed.
    #[error("arrow conversion failed: {source}")]
    Arrow {
        /// The Arrow error.
        #[from]
        source: arrow_schema::ArrowError,
    },
    /// Duplicate primary keys found only when the out-of-core index was finished by a
    /// `commit` that was not preceded by `finish` (which would report them as late rejects):
    /// the rows were already written, so the import is rolled back (see `sink/mod.rs`).
    #[error(
        "table {table}: primary key {key} on line {dup_line} repeats the key on line {first_line} ({count} duplicate keys in all); the import was rolled back"
    )]
    DuplicateKeys {
        /// The table.
        table: String,
        /// One duplicate key, as text (cut short).
        key: Box<str>,
        /// Line of the key's first occurrence (0: stored by an earlier import).
        first_line: u64,
        /// Line of the duplicate.
        dup_line: u64,
        /// Duplicate keys found.
        count: u64,
    },
    /// A checkpoint of an import whose primary-key index spilled to disk: the rows written
    /// since are not yet checked for duplicate keys, so they cannot be made durable.
    #[error(
        "table {table}: cannot checkpoint once the primary-key index spills to disk (duplicate keys are only known at commit); raise MEMORY_LIMIT or import with ATOMIC=true"
    )]
    CheckpointWhileSpilling {
        /// The table.
        table: String,
    },
    /// A sink call after an earlier call of the same import failed or the import ended.
    #[error("{call} refused: {reason}")]
    SinkState {
        /// The refused call.
        call: &'static str,
        /// Why: an earlier failure, or the import has not begun or has ended.
        reason: &'static str,
    },
}

impl StorageError {
    /// A [`StorageError::Corrupt`] for `what` at `offset`.
    pub(crate) fn corrupt(what: &'static str, offset: u64, reason: impl Into<String>) -> Self {
        StorageError::Corrupt {
            what,
            offset,
            reason: reason.into(),
        }
    }
}
