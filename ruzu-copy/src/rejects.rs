//! Rejected rows: what is wrong with each, kept in bounded memory and streamed to a file.

use std::fmt;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use ruzu_csv::{Position, RowError, RowErrorKind};

use crate::error::CopyError;
use crate::output::OutputFile;
use crate::sink::{LateReject, SinkReject, SinkRejectKind};

/// Default number of rejected rows kept in memory in the [`CopyReport`](crate::CopyReport).
pub const DEFAULT_MAX_REJECTS_KEPT: usize = 100;

/// Why a row was rejected: by the CSV reader or by the table.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RejectReason {
    /// Malformed record or unparsable value, found while decoding.
    Csv(RowErrorKind),
    /// Refused by the table (duplicate or NULL key, missing endpoint, constraint).
    Sink(SinkRejectKind),
}

impl RejectReason {
    /// A short upper-case code (`CAST`, `DUPLICATE_KEY`, ...), as in the rejects file.
    pub fn code(&self) -> &'static str {
        match self {
            RejectReason::Csv(kind) => kind.code(),
            RejectReason::Sink(SinkRejectKind::DuplicateKey { .. }) => "DUPLICATE_KEY",
            RejectReason::Sink(SinkRejectKind::NullKey) => "NULL_KEY",
            RejectReason::Sink(SinkRejectKind::MissingEndpoint { .. }) => "MISSING_ENDPOINT",
            RejectReason::Sink(SinkRejectKind::Constraint { .. }) => "CONSTRAINT",
        }
    }
}

/// One rejected row: where it is, which column, why, and the offending text cut short.
///
/// Bounded: the text is at most [`ruzu_csv::MAX_SNIPPET_BYTES`] bytes (plus a marker), so a
/// rejection is small whatever the line length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// File, line (1-based), byte offset and record of the row.
    pub position: Position,
    /// 1-based column, when the problem is about one field.
    pub column: Option<usize>,
    /// The column's name, when known.
    pub column_name: Option<Box<str>>,
    /// What is wrong.
    pub reason: RejectReason,
    /// The offending value or the start of the record, cut short.
    pub text: Option<Box<str>>,
}

impl Rejection {
    /// A rejection from a decoding error.
    pub fn from_row_error(e: RowError) -> Self {
        Rejection {
            position: e.position,
            column: e.column,
            column_name: e.column_name,
            reason: RejectReason::Csv(e.kind),
            text: e.text,
        }
    }

    /// A rejection from a sink's reject of a row at `position`.
    pub fn from_sink_reject(r: SinkReject, position: Position, column_name: Option<&str>) -> Self {
        Rejection {
            position,
            column: r.column,
            column_name: column_name.map(Into::into),
            reason: RejectReason::Sink(r.kind),
            text: r.text,
        }
    }
}

impl Rejection {
    /// A row a sink refused after its batch was written.
    pub fn from_late_reject(r: LateReject, column_name: Option<&str>) -> Self {
        Rejection {
            position: r.position,
            column: r.column,
            column_name: column_name.map(Into::into),
            reason: RejectReason::Sink(r.kind),
            text: r.text,
        }
    }
}

impl fmt::Display for Rejection {
    /// `person.csv:12:1 (id): duplicate primary key "7" (first on line 3)`, and for decoding
    /// errors the CSV layer's message.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.reason {
            RejectReason::Csv(kind) => {
                let e = RowError {
                    position: self.position.clone(),
                    column: self.column,
                    column_name: self.column_name.clone(),
                    kind: kind.clone(),
                    text: self.text.clone(),
                };
                return write!(f, "{e}");
            }
            RejectReason::Sink(kind) => kind,
        };
        match &self.position.file {
            Some(p) => write!(f, "{}:{}", p.display(), self.position.line)?,
            None => write!(f, "<input>:{}", self.position.line)?,
        }
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        if let Some(name) = &self.column_name {
            write!(f, " ({name})")?;
        }
        let text = self.text.as_deref().unwrap_or("");
        match kind {
            SinkRejectKind::DuplicateKey { first_line } => {
                write!(f, ": duplicate primary key \"{text}\"")?;
                if let Some(line) = first_line {
                    write!(f, " (first on line {line})")?;
                }
                Ok(())
            }
            SinkRejectKind::NullKey => write!(f, ": primary key is NULL"),
            SinkRejectKind::MissingEndpoint { endpoint } => {
                write!(f, ": {endpoint} node \"{text}\" not found")
            }
            SinkRejectKind::Constraint { reason } => write!(f, ": {reason}"),
        }
    }
}

/// Where rejected rows go during one import: the first `max_kept` in memory, every one
/// counted, and every one written to the rejects file when there is one.
///
/// Bound: `max_kept` rejections in memory, plus the file writer's fixed buffer. A million bad
/// rows cost a million file lines, not memory.
pub(crate) struct RejectLog {
    kept: Vec<Rejection>,
    max_kept: usize,
    count: u64,
    file: Option<RejectsFile>,
}

struct RejectsFile {
    out: BufWriter<OutputFile>,
}

impl RejectsFile {
    fn error(&self, source: io::Error) -> CopyError {
        self.out.get_ref().error("write", source)
    }
}

/// Columns of the rejects file (tab-separated, one line per rejected row; tabs and line ends
/// in the text are written as `\t`, `\n`, `\r`, backslashes as `\\`).
pub const REJECTS_FILE_HEADER: &str = "file\tline\tbyte\tcolumn\tcode\treason\ttext";

impl RejectLog {
    /// A log keeping `max_kept` rejections in memory and, with `file`, writing all to it.
    ///
    /// # Errors
    ///
    /// [`CopyError::Output`] when the header cannot be written.
    pub(crate) fn new(max_kept: usize, file: Option<OutputFile>) -> Result<Self, CopyError> {
        let file = match file {
            None => None,
            Some(f) => {
                let mut file = RejectsFile {
                    out: BufWriter::with_capacity(64 * 1024, f),
                };
                if let Err(e) = writeln!(file.out, "{REJECTS_FILE_HEADER}") {
                    return Err(file.error(e));
                }
                Some(file)
            }
        };
        Ok(RejectLog {
            kept: Vec::new(),
            max_kept,
            count: 0,
            file,
        })
    }

    /// Records one rejection.
    ///
    /// # Errors
    ///
    /// [`CopyError::Output`] when the rejects file cannot be written.
    pub(crate) fn record(&mut self, r: Rejection) -> Result<(), CopyError> {
        self.count += 1;
        if let Some(file) = &mut self.file
            && let Err(e) = write_line(&mut file.out, &r)
        {
            return Err(file.error(e));
        }
        if self.kept.len() < self.max_kept {
            self.kept.push(r);
        }
        Ok(())
    }

    /// Rejections recorded so far.
    pub(crate) fn count(&self) -> u64 {
        self.count
    }

    /// Heap bytes held by the kept rejections (an estimate: fixed size plus texts).
    pub(crate) fn memory_bytes(&self) -> usize {
        self.kept.capacity() * std::mem::size_of::<Rejection>()
            + self
                .kept
                .iter()
                .map(|r| r.text.as_ref().map_or(0, |t| t.len()))
                .sum::<usize>()
    }

    /// The rejects file's path as given, if any.
    pub(crate) fn path(&self) -> Option<&Path> {
        self.file.as_ref().map(|f| f.out.get_ref().path())
    }

    /// Completes the rejects file (flushed, and put in place under its name) and returns the
    /// kept rejections.
    ///
    /// # Errors
    ///
    /// [`CopyError::Output`] when the file cannot be flushed, synced or renamed.
    pub(crate) fn finish(self) -> Result<Vec<Rejection>, CopyError> {
        if let Some(file) = self.file {
            let out = file.out.into_inner().map_err(|e| {
                let (source, out) = e.into_parts();
                out.get_ref().error("write", source)
            })?;
            out.finish()?;
        }
        Ok(self.kept)
    }
}

fn write_line(out: &mut impl Write, r: &Rejection) -> io::Result<()> {
    let file = r
        .position
        .file
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    write_escaped(out, &file)?;
    write!(out, "\t{}\t{}\t", r.position.line, r.position.byte)?;
    if let Some(c) = r.column {
        write!(out, "{c}")?;
    }
    write!(out, "\t{}\t", r.reason.code())?;
    write_escaped(out, &r.to_string())?;
    out.write_all(b"\t")?;
    write_escaped(out, r.text.as_deref().unwrap_or(""))?;
    out.write_all(b"\n")
}

fn write_escaped(out: &mut impl Write, s: &str) -> io::Result<()> {
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let esc: &[u8] = match b {
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\\' => b"\\\\",
            _ => continue,
        };
        out.write_all(&s.as_bytes()[start..i])?;
        out.write_all(esc)?;
        start = i + 1;
    }
    out.write_all(&s.as_bytes()[start..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn rejection(line: u64, text: &str) -> Rejection {
        Rejection {
            position: Position {
                file: Some(Arc::from(Path::new("p.csv"))),
                line,
                byte: line * 10,
                record: line - 1,
            },
            column: Some(1),
            column_name: Some("id".into()),
            reason: RejectReason::Sink(SinkRejectKind::DuplicateKey {
                first_line: Some(2),
            }),
            text: Some(text.into()),
        }
    }

    #[test]
    fn log_keeps_first_n_and_writes_all_to_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("rejects.tsv");
        let file = OutputFile::create(&path, crate::PathRole::Rejects, &Default::default())
            .expect("create rejects file");
        let mut log = RejectLog::new(2, Some(file)).expect("write the header");
        for line in 3..8 {
            log.record(rejection(line, "a\tb")).expect("write");
        }
        assert_eq!(log.count(), 5);
        let kept = log.finish().expect("flush");
        assert_eq!(kept.len(), 2);
        assert_eq!(kept[1].position.line, 4);
        let text = std::fs::read_to_string(&path).expect("read rejects file");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[0], REJECTS_FILE_HEADER);
        let fields: Vec<&str> = lines[5].split('\t').collect();
        assert_eq!(fields[..5], ["p.csv", "7", "70", "1", "DUPLICATE_KEY"]);
        assert_eq!(fields[6], "a\\tb");
    }

    #[test]
    fn duplicate_key_message_names_both_lines() {
        let r = rejection(9, "42");
        assert_eq!(
            r.to_string(),
            "p.csv:9:1 (id): duplicate primary key \"42\" (first on line 2)"
        );
    }
}
