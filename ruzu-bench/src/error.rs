//! Errors of the generator, the measurement helpers and the benchmark program.

use std::io;
use std::path::PathBuf;

/// What can fail in `ruzu-bench`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BenchError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The failure.
        #[source]
        source: io::Error,
    },
    /// A system call failed.
    #[error("{call} failed: {source}")]
    Os {
        /// The call, e.g. `getrusage`.
        call: &'static str,
        /// The failure, from `errno`.
        #[source]
        source: io::Error,
    },
    /// A size name that is none of the documented ones.
    #[error("unknown data set size \"{text}\" (expected 100mb, 500mb, 1gb or 5gb)")]
    UnknownSize {
        /// What was given.
        text: String,
    },
    /// `/proc/<pid>/status` had no readable `VmRSS` / `VmHWM` line.
    #[error("{}: no {key} line", path.display())]
    MissingStatusLine {
        /// The status file.
        path: PathBuf,
        /// The missing key, e.g. `VmRSS`.
        key: &'static str,
    },
    /// A results file does not hold benchmark results.
    #[error("{}: {source}", path.display())]
    Json {
        /// The file.
        path: PathBuf,
        /// What did not parse.
        #[source]
        source: serde_json::Error,
    },
    /// A chart could not be drawn or written.
    #[error("{}: cannot draw the chart: {message}", path.display())]
    Plot {
        /// The image file.
        path: PathBuf,
        /// The plotting library's error, as text (its type depends on the backend).
        message: String,
    },
    /// arrow-csv refused a schema or a row of a file.
    #[error("{}: arrow-csv: {source}", path.display())]
    Arrow {
        /// The CSV file.
        path: PathBuf,
        /// arrow-csv's error.
        #[source]
        source: arrow_schema::ArrowError,
    },
    /// An import failed.
    #[error(transparent)]
    Copy(#[from] ruzu_copy::CopyError),
    /// The database failed.
    #[error(transparent)]
    Storage(#[from] ruzu_storage::StorageError),
}

/// `Result` with [`BenchError`].
pub type Result<T, E = BenchError> = std::result::Result<T, E>;
