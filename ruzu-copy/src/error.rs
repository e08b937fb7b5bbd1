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
    /// `RESUME=true`, but the table holds no resume point: no import into it was interrupted
    /// after a checkpoint (the last one completed, or stopped before its first checkpoint).
    /// Nothing was imported.
    #[error(
        "table {table}: nothing to resume (no import into it was interrupted after a checkpoint); run the COPY without RESUME=true"
    )]
    NothingToResume {
        /// The table imported into.
        table: String,
    },
    /// A `COPY` without `RESUME=true` into a table that holds the committed prefix of an
    /// unfinished continue-partial import: importing again would store that prefix twice.
    /// Nothing was imported.
    #[error(
        "table {table} holds the first {} rows of an unfinished import (input complete up to {}); run that COPY again with RESUME=true to import the rest, or DROP TABLE {table} and create it again to start over",
        unfinished.rows_stored,
        point_place(unfinished)
    )]
    UnfinishedImport {
        /// The table imported into.
        table: String,
        /// Where the unfinished import stopped.
        unfinished: Box<ResumePoint>,
    },
    /// `RESUME=true` with an input that is not the one the interrupted import read, or that
    /// changed since: resuming would skip rows that are not in the table. Nothing was
    /// imported.
    #[error("cannot resume the import into {table}: {change}; nothing was imported")]
    ResumeMismatch {
        /// The table imported into.
        table: String,
        /// Where the interrupted import stopped.
        unfinished: Box<ResumePoint>,
        /// What differs.
        change: ResumeChange,
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

/// What differs between the input of a resumed import and the one its resume point names.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResumeChange {
    /// The resume point does not record the identity of its input: an older version of ruzu
    /// or an Arrow import stored it.
    #[error(
        "its resume point does not record what identifies the input (an older version of ruzu or an Arrow import stored it), so it cannot be checked"
    )]
    Unverifiable,
    /// The statement has fewer files than the interrupted import had read into.
    #[error(
        "the interrupted import stopped in file {} of its list, this statement names {files}",
        file_index + 1
    )]
    MissingFile {
        /// 0-based index of the file the interrupted import stopped in.
        file_index: usize,
        /// Files of this statement (globs expanded).
        files: usize,
    },
    /// Another file stands where the interrupted import stopped.
    #[error(
        "the interrupted import stopped in {}, this statement reads {} in its place",
        was.display(),
        now.display()
    )]
    OtherFile {
        /// The file the interrupted import read.
        was: PathBuf,
        /// The file at that place now.
        now: PathBuf,
    },
    /// The bytes before the resume point differ (checksum), or the input ends before it.
    #[error(
        "the records in the first {checked_bytes} bytes of {} are not those the interrupted import stored{}{}",
        path.display(),
        if *ended { " (the input ends before)" } else { "" },
        if *modified { "; the file's size or modification time changed since" } else { "" }
    )]
    Content {
        /// The file (`<input>` when it has no name).
        path: PathBuf,
        /// Bytes from the start of the input that the checksum covers.
        checked_bytes: u64,
        /// The input ended before `checked_bytes`.
        ended: bool,
        /// The file's size or modification time differs from the resume point's.
        modified: bool,
    },
}

/// `file:line` of a resume point.
fn point_place(p: &ResumePoint) -> String {
    format!(
        "{}:{}",
        p.file
            .as_ref()
            .map_or_else(|| "<input>".to_owned(), |f| f.display().to_string()),
        p.line
    )
}

fn committed_suffix(committed: &Option<ResumePoint>) -> String {
    match committed {
        None => String::new(),
        Some(p) => format!(
            "; {} rows are in the table, input complete up to {}",
            p.rows_stored,
            point_place(p)
        ),
    }
}
