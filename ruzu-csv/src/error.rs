//! Errors of CSV decoding, each with the position a user needs to find the bad input.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::types::DataType;

/// `Result` with [`CsvError`] as the default error.
pub type Result<T, E = CsvError> = std::result::Result<T, E>;

/// Longest piece of input (in bytes) kept inside an error. Longer text is cut and marked with
/// `...`, so that rejected rows stay bounded in memory however long their lines are.
pub const MAX_SNIPPET_BYTES: usize = 120;

/// An error of the CSV layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CsvError {
    /// Reading the input failed.
    #[error("{}: read failed: {source}", FileDisplay(file.as_deref()))]
    Io {
        /// The file being read, if known.
        file: Option<Arc<Path>>,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// Writing CSV output (`Writer`) failed: the inner writer returned an error.
    #[error("write failed: {source}")]
    Write {
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// One record is malformed or holds a value that does not fit its column. The decoder
    /// resynchronizes at the next record; the caller decides whether to abort or skip.
    #[error(transparent)]
    Row(Box<RowError>),
    /// An option has a value that cannot be used.
    #[error("invalid option {option}: {reason}")]
    InvalidOption {
        /// The option's name, as in `COPY ... (NAME=value)`.
        option: &'static str,
        /// What is wrong with the value.
        reason: String,
    },
    /// A row handed to [`Batch::push_row`](crate::Batch::push_row) does not match the schema.
    #[error("column {column}: expected {expected}, found {found}")]
    ValueType {
        /// 1-based column number.
        column: usize,
        /// What the schema wants.
        expected: String,
        /// What was given.
        found: String,
    },
}

impl From<RowError> for CsvError {
    fn from(e: RowError) -> Self {
        CsvError::Row(Box::new(e))
    }
}

/// Where a record is in the input.
///
/// Conventions (the same everywhere in ruzu): `line` is 1-based, the physical line where the
/// record starts as an editor shows it (header and blank lines count); `byte` and `record` are
/// 0-based, `byte` counted in the decompressed input.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// The file, shared by every error of one import.
    pub file: Option<Arc<Path>>,
    /// 1-based physical line where the record starts.
    pub line: u64,
    /// 0-based byte offset where the record starts.
    pub byte: u64,
    /// 0-based index of the record among the file's records (header included).
    pub record: u64,
}

/// What is wrong with a record.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowErrorKind {
    /// The record has more fields than the table has columns.
    TooManyFields {
        /// Columns of the table.
        expected: usize,
        /// Fields in the record.
        found: usize,
    },
    /// The record has fewer fields than the table has columns.
    TooFewFields {
        /// Columns of the table.
        expected: usize,
        /// Fields in the record.
        found: usize,
    },
    /// The input ended inside a quoted field.
    UnterminatedQuote,
    /// A closing quote is followed by something other than a delimiter, line end, end of
    /// input or another quote; or a quote appears inside an unquoted field.
    UnquotedValue,
    /// A STRING value is not valid UTF-8.
    InvalidUtf8,
    /// A value cannot be read as its column's type.
    Parse {
        /// The column's type.
        data_type: DataType,
    },
    /// A value is a number of the right form but outside its type's range.
    OutOfRange {
        /// The column's type.
        data_type: DataType,
    },
    /// The record is longer than `MAX_LINE_SIZE`; it was skipped without being held in memory.
    LineTooLong {
        /// The limit in bytes.
        limit_bytes: usize,
    },
    /// The primary key or another non-nullable value is NULL.
    NullValue,
}

impl RowErrorKind {
    /// A short upper-case name, as in DuckDB's rejects table (`CAST`, `MISSING_COLUMNS`, ...).
    pub fn code(&self) -> &'static str {
        match self {
            RowErrorKind::TooManyFields { .. } => "TOO_MANY_COLUMNS",
            RowErrorKind::TooFewFields { .. } => "MISSING_COLUMNS",
            RowErrorKind::UnterminatedQuote => "UNTERMINATED_QUOTE",
            RowErrorKind::UnquotedValue => "UNQUOTED_VALUE",
            RowErrorKind::InvalidUtf8 => "INVALID_UTF8",
            RowErrorKind::Parse { .. } | RowErrorKind::OutOfRange { .. } => "CAST",
            RowErrorKind::LineTooLong { .. } => "LINE_TOO_LONG",
            RowErrorKind::NullValue => "NULL_VALUE",
        }
    }
}

/// A bad record: where it is, which column, what is wrong, and the offending text cut short.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// Where the record starts.
    pub position: Position,
    /// 1-based column number, when the error is about one field.
    pub column: Option<usize>,
    /// The column's name, when known.
    pub column_name: Option<Box<str>>,
    /// What is wrong.
    pub kind: RowErrorKind,
    /// The offending value (or the start of the record), at most [`MAX_SNIPPET_BYTES`] long.
    pub text: Option<Box<str>>,
}

impl RowError {
    /// An error of `kind` for the record at `position`, with no column or text yet.
    pub fn new(position: Position, kind: RowErrorKind) -> Self {
        RowError {
            position,
            column: None,
            column_name: None,
            kind,
            text: None,
        }
    }

    /// Names the column (1-based number and name).
    pub fn with_column(mut self, column: usize, name: Option<&str>) -> Self {
        self.column = Some(column);
        self.column_name = name.map(Into::into);
        self
    }

    /// Keeps `bytes` as the offending text, cut to [`MAX_SNIPPET_BYTES`].
    pub fn with_text(mut self, bytes: &[u8]) -> Self {
        self.text = Some(snippet(bytes));
        self
    }
}

/// `bytes` as text, lossily decoded and cut to [`MAX_SNIPPET_BYTES`] with a `...` marker.
pub fn snippet(bytes: &[u8]) -> Box<str> {
    let cut = bytes.len() > MAX_SNIPPET_BYTES;
    let mut s = String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_SNIPPET_BYTES)]).into_owned();
    if cut {
        s.push_str("...");
    }
    s.into_boxed_str()
}

struct FileDisplay<'a>(Option<&'a Path>);

impl fmt::Display for FileDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(p) => write!(f, "{}", p.display()),
            None => f.write_str("<input>"),
        }
    }
}

impl fmt::Display for RowError {
    /// `person.csv:1234:5 (birthday): cannot parse "1999-13-01" as DATE`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}",
            FileDisplay(self.position.file.as_deref()),
            self.position.line
        )?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        if let Some(name) = &self.column_name {
            write!(f, " ({name})")?;
        }
        f.write_str(": ")?;
        let text = self.text.as_deref().unwrap_or("");
        match &self.kind {
            RowErrorKind::TooManyFields { expected, found } => {
                write!(f, "expected {expected} fields, found {found}")
            }
            RowErrorKind::TooFewFields { expected, found } => {
                write!(f, "expected {expected} fields, found {found}")
            }
            RowErrorKind::UnterminatedQuote => f.write_str("unterminated quote at end of input"),
            RowErrorKind::UnquotedValue => {
                write!(
                    f,
                    "unexpected text after or around a quote in {text:?} (to keep a quote in a \
                     value, quote the whole field and double the quote: \"O\"\"Brien\")"
                )
            }
            RowErrorKind::InvalidUtf8 => write!(f, "invalid UTF-8 in {text:?}"),
            RowErrorKind::Parse { data_type } => {
                write!(f, "cannot parse {text:?} as {data_type}")
            }
            RowErrorKind::OutOfRange { data_type } => {
                write!(f, "{text:?} is out of range for {data_type}")
            }
            RowErrorKind::LineTooLong { limit_bytes } => {
                write!(f, "record longer than MAX_LINE_SIZE ({limit_bytes} bytes)")
            }
            RowErrorKind::NullValue => f.write_str("NULL is not allowed here"),
        }
    }
}

impl std::error::Error for RowError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_error_reads_like_a_compiler_diagnostic() {
        let e = RowError::new(
            Position {
                file: Some(Arc::from(Path::new("person.csv"))),
                line: 1234,
                byte: 99,
                record: 1233,
            },
            RowErrorKind::Parse {
                data_type: DataType::Date,
            },
        )
        .with_column(5, Some("birthday"))
        .with_text(b"1999-13-01");
        assert_eq!(
            e.to_string(),
            r#"person.csv:1234:5 (birthday): cannot parse "1999-13-01" as DATE"#
        );
    }

    #[test]
    fn long_text_is_cut() {
        let s = snippet(&[b'a'; 1000]);
        assert_eq!(s.len(), MAX_SNIPPET_BYTES + 3);
        assert!(s.ends_with("..."));
    }
}
