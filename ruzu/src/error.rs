//! [`Error`]: everything that can fail in ruzu, one enum wrapping the layers' errors.

use std::fmt;
use std::io;
use std::path::PathBuf;

use ruzu_copy::CopyError;
use ruzu_csv::CsvError;
use ruzu_storage::StorageError;

use crate::column_list::ColumnListProblem;

/// `Result` with [`Error`] as the default error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error of ruzu: a statement that cannot run, a bad row, a failed import, storage.
///
/// `Display` is one line meant for a user: for a bad CSV row it starts with
/// `file:line:column`, and a failed import names its cause (the chain of sources is joined
/// with `: `), so printing the error alone says everything.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The CSV layer failed (options, an export's writer).
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// A `COPY` statement is malformed, or an import failed (a bad row, an input that cannot
    /// be read, a failed write); the import was rolled back (or kept up to its last
    /// checkpoint in continue-partial mode, as the message says).
    #[error("{}", Chain(.0))]
    Copy(#[from] CopyError),
    /// The storage layer failed (DDL, catalog, I/O, corrupt data).
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A file of an export or of the demo cannot be written or read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: io::Error,
    },
    /// A path that should hold a database holds none.
    #[error("{}: no database here", path.display())]
    NoDatabase {
        /// The directory.
        path: PathBuf,
    },
    /// A statement that is none of `CREATE`, `DROP` or `COPY`.
    #[error("unsupported statement starting with {found:?} (expected CREATE, DROP or COPY)")]
    UnsupportedStatement {
        /// The statement's first word (cut short).
        found: String,
    },
    /// A `COPY <table>(<columns>) FROM` list that names a column the table does not have or
    /// names one twice, or leaves out a node table's primary key.
    #[error("COPY {table}: column {column} {problem} (the table's columns: {columns})")]
    ColumnList {
        /// The table.
        table: String,
        /// The column the problem is about, as written (the primary key: as declared).
        column: String,
        /// What is wrong with it.
        problem: ColumnListProblem,
        /// The table's columns, comma-separated (a rel table's `from` and `to` first).
        columns: String,
    },
    /// An import that gives no `MEMORY_LIMIT` of its own would get less than it needs: the
    /// default derived from the machine (a small memory cgroup) is below the minimum.
    #[error(
        "COPY {table}: the memory limit of {limit} is below the {} MiB an import needs; \
         give the import MEMORY_LIMIT or the process more memory",
        minimum_bytes >> 20
    )]
    MemoryLimitTooSmall {
        /// The table imported into.
        table: String,
        /// The limit that applied, and where it came from.
        limit: crate::MemoryLimit,
        /// The smallest limit an import runs with.
        minimum_bytes: usize,
    },
    /// An Arrow record batch does not fit the table, or a scan cannot be converted.
    #[error("table {table}: arrow batch {batch}: {reason}")]
    Arrow {
        /// The table imported into or read.
        table: String,
        /// 0-based index of the batch in the stream.
        batch: u64,
        /// What is wrong.
        reason: String,
    },
    /// A row of an Arrow import was refused by the table (duplicate or NULL key) and the
    /// import does not ignore errors: nothing of it was stored.
    #[error("table {table}: arrow row {stream_row}: {reason}")]
    ArrowRow {
        /// The table imported into.
        table: String,
        /// 1-based number of the row in the whole stream (over all batches).
        stream_row: u64,
        /// Why the row was refused.
        reason: String,
    },
    /// A data set size name that is none of the documented ones.
    #[error("unknown data set size \"{text}\" (expected 100mb, 500mb, 1gb or 5gb)")]
    UnknownSize {
        /// What was given.
        text: String,
    },
}

/// Displays an error and its sources on one line, `outer: inner: innermost`, skipping a
/// source whose text the outer message already contains.
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.0.to_string();
        f.write_str(&shown)?;
        let mut next = self.0.source();
        while let Some(e) = next {
            let text = e.to_string();
            if !shown.contains(&text) {
                write!(f, ": {text}")?;
                shown = text;
            }
            next = e.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sink_failure_names_its_cause_on_one_line() {
        let storage = StorageError::NoSuchTable {
            name: "Person".into(),
        };
        let copy = CopyError::Sink {
            table: "Person".into(),
            call: ruzu_copy::SinkCall::Begin,
            committed: None,
            source: Box::new(storage),
        };
        let text = Error::from(copy).to_string();
        assert_eq!(
            text,
            "begin of table Person failed: table Person does not exist"
        );
        assert!(!text.contains('\n'));
    }
}
