//! Errors of `COPY`: statement syntax, options, input, bad rows and sink failures.

use std::io;
use std::path::PathBuf;

use ruzu_csv::CsvError;

use crate::output::PathRole;
use crate::rejects::Rejection;
use crate::sink::{ResumePoint, SinkError};

/// `Result` with [`CopyError`] as the default error.
pub type Result<T, E = CopyError> = std::result::Result<T, E>;

/// Which sink call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SinkCall {
    /// [`BatchSink::begin`](crate::BatchSink::begin).
    Begin,
    /// [`BatchSink::write`](crate::BatchSink::write) or
    /// [`BatchSink::write_prepared`](crate::BatchSink::write_prepared).
    Write,
    /// [`BatchSink::local_sink`](crate::BatchSink::local_sink) or
    /// [`LocalSink::prepare`](crate::LocalSink::prepare) (the parallel phase).
    Prepare,
    /// [`BatchSink::checkpoint`](crate::BatchSink::checkpoint).
    Checkpoint,
    /// [`BatchSink::finish`](crate::BatchSink::finish).
    Finish,
    /// [`BatchSink::commit`](crate::BatchSink::commit).
    Commit,
    /// [`BatchSink::abort`](crate::BatchSink::abort).
    Abort,
}

impl SinkCall {
    /// The method's name: `"begin"`, `"write"`, ...
    pub fn name(self) -> &'static str {
        match self {
            SinkCall::Begin => "begin",
            SinkCall::Write => "write",
            SinkCall::Prepare => "prepare",
            SinkCall::Checkpoint => "checkpoint",
            SinkCall::Finish => "finish",
            SinkCall::Commit => "commit",
            SinkCall::Abort => "abort",
        }
    }
}

impl std::fmt::Display for SinkCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// An error of the `COPY` layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CopyError {
    /// The statement does not parse as written.
    #[error(
        "syntax error at line {line}, column {column} (byte {byte}): expected {expected}, found {found}"
    )]
    Syntax {
        /// 0-based byte offset in the statement.
        byte: usize,
        /// 1-based line in the statement.
        line: usize,
        /// 1-based column (in characters) in that line.
        column: usize,
        /// What would have made sense here.
        expected: String,
        /// What is there (cut short).
        found: String,
    },
    /// A type name in a table definition that is no type Kùzu or ruzu knows.
    #[error("unknown type {name:?} at line {line}, column {column} (byte {byte})")]
    UnknownType {
        /// The name as written.
        name: String,
        /// 0-based byte offset in the statement.
        byte: usize,
        /// 1-based line in the statement.
        line: usize,
        /// 1-based column (in characters) in that line.
        column: usize,
    },
    /// Kùzu syntax or a Kùzu type that ruzu does not support (see the differences table in
    /// `docs/copy.md`).
    #[error("{feature} not supported at line {line}, column {column} (byte {byte}): {hint}")]
    Unsupported {
        /// What is not supported, as written (a type, a clause).
        feature: String,
        /// 0-based byte offset in the statement.
        byte: usize,
        /// 1-based line in the statement.
        line: usize,
        /// 1-based column (in characters) in that line.
        column: usize,
        /// What to write instead.
        hint: String,
    },
    /// An option is unknown or has a value of the wrong form.
    #[error("invalid option {option} at line {line}, column {column} (byte {byte}): {reason}")]
    InvalidOption {
        /// The option's name as written (empty for a rule about several options).
        option: String,
        /// 0-based byte offset of the option in the statement.
        byte: usize,
        /// 1-based line in the statement.
        line: usize,
        /// 1-based column (in characters) in that line.
        column: usize,
        /// What is wrong and what was expected.
        reason: String,
    },
    /// An input file cannot be found, opened or expanded.
    #[error("{}: {reason}", path.display())]
    Input {
        /// The path or pattern as given.
        path: PathBuf,
        /// What failed.
        reason: String,
        /// The underlying error, if any.
        #[source]
        source: Option<io::Error>,
    },
    /// Reading or decoding the CSV failed as a whole (I/O, options).
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A bad row, and the import does not ignore errors: the import was aborted. `committed`
    /// as for [`CopyError::Sink`].
    #[error("{rejection}{}", committed_suffix(committed))]
    Row {
        /// The bad row.
        rejection: Box<Rejection>,
        /// The last durable checkpoint, in continue-partial mode.
        committed: Option<ResumePoint>,
    },
    /// A sink call failed. With continue-partial atomicity, `committed` tells up to where the
    /// input is in the table (resume from there); with rollback-all it is `None` and nothing
    /// of the import is visible.
    #[error("{call} of table {table} failed{}", committed_suffix(committed))]
    Sink {
        /// The table imported into.
        table: String,
        /// The call that failed.
        call: SinkCall,
        /// The last durable checkpoint, in continue-partial mode.
        committed: Option<ResumePoint>,
        /// The sink's error.
        #[source]
        source: SinkError,
    },
    /// The rejects file cannot be written.
    #[error("{}: cannot write rejected rows", path.display())]
    Rejects {
        /// The rejects file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// A file the statement would write is one it must not: one of its inputs, the database's
    /// own file, or a name inside the database directory. Nothing was written.
    #[error(
        "{role} {}: {} the {other_role} {}; refusing to write it",
        path.display(),
        if *inside { "is inside" } else { "is" },
        other.display()
    )]
    PathConflict {
        /// The path the statement would write, as given.
        path: PathBuf,
        /// What that path is to the statement.
        role: PathRole,
        /// The path it collides with, as given.
        other: PathBuf,
        /// What that path is.
        other_role: PathRole,
        /// `path` lies inside the directory `other` (rather than being the same file).
        inside: bool,
    },
    /// A file the statement writes (an export, a rejects file) cannot be opened, written,
    /// synced or renamed into place.
    #[error("{role} {}: {op} failed", path.display())]
    Output {
        /// The file, as given.
        path: PathBuf,
        /// What the file is to the statement.
        role: PathRole,
        /// What failed: `"open"`, `"create"`, `"write"`, `"sync"`, `"rename"`, ...
        op: &'static str,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The import was cancelled; `committed` as for [`CopyError::Sink`].
    #[error("import cancelled{}", committed_suffix(committed))]
    Cancelled {
        /// The last durable checkpoint, in continue-partial mode.
        committed: Option<ResumePoint>,
    },
    /// A worker thread of the import panicked (a bug).
    #[error("import worker thread panicked: {0}")]
    WorkerPanicked(String),
}

fn committed_suffix(committed: &Option<ResumePoint>) -> String {
    match committed {
        None => String::new(),
        Some(p) => format!(
            "; {} rows are in the table, input complete up to {}:{}",
            p.rows_stored,
            p.file
                .as_ref()
                .map_or_else(|| "<input>".to_owned(), |f| f.display().to_string()),
            p.line
        ),
    }
}
