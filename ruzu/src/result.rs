//! What statements return: [`QueryResult`], and the table list [`TableInfo`].

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use ruzu_copy::{CopyReport, Rejection};
use ruzu_csv::DataType;

/// The result of one statement.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum QueryResult {
    /// `CREATE NODE TABLE`, `CREATE REL TABLE` or `DROP TABLE` ran and committed.
    Ddl {
        /// What happened, e.g. `created node table Person`.
        message: String,
    },
    /// `COPY ... FROM` committed.
    CopyFrom(CopyReport),
    /// `COPY ... TO` wrote its file.
    CopyTo {
        /// The table exported.
        table: String,
        /// The file written.
        path: PathBuf,
        /// Rows written (the header not counted).
        rows: u64,
        /// An existing file was replaced (`COPY TO` overwrites, as DuckDB and PostgreSQL do).
        replaced: bool,
    },
}

impl fmt::Display for QueryResult {
    /// One line: the DDL message, an import's counts and speed, an export's rows and file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryResult::Ddl { message } => f.write_str(message),
            QueryResult::CopyFrom(report) => ReportLine(report).fmt(f),
            QueryResult::CopyTo {
                table,
                path,
                rows,
                replaced,
            } => {
                if path.as_os_str() == "-" {
                    return write!(f, "{table}: {rows} rows exported to standard output");
                }
                write!(f, "{table}: {rows} rows exported to {}", path.display())?;
                if *replaced {
                    f.write_str(" (replaced the file that was there)")?;
                }
                Ok(())
            }
        }
    }
}

/// The counts and speed of an import on one line, without the process's memory.
pub(crate) struct ReportLine<'a>(pub(crate) &'a CopyReport);

impl fmt::Display for ReportLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = self.0;
        write!(
            f,
            "{}: {} rows imported, {} rejected",
            report.table, report.rows_imported, report.rows_rejected
        )?;
        if let Some(path) = &report.rejects_file {
            write!(f, " (rejects file {})", path.display())?;
        }
        if report.rows_skipped > 0 {
            write!(f, ", {} skipped by RESUME", report.rows_skipped)?;
        }
        write!(
            f,
            " in {:.2} s ({:.0} rows/s)",
            report.elapsed.as_secs_f64(),
            report.rows_per_second()
        )
    }
}

/// The result of [`Connection::import_arrow`](crate::Connection::import_arrow).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ArrowReport {
    /// The table imported into.
    pub table: String,
    /// Record batches consumed.
    pub batches: u64,
    /// Rows stored.
    pub rows_imported: u64,
    /// Rows refused by the table (duplicate or NULL primary key), only with
    /// `IGNORE_ERRORS`; their position's line is the 1-based row number in the stream.
    pub rows_rejected: u64,
    /// The first rejected rows (at most `max_rejects_kept` of the options).
    pub rejections: Vec<Rejection>,
    /// Wall time, commit included.
    pub elapsed: Duration,
}

/// What kind of table a [`TableInfo`] describes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TableKindInfo {
    /// A node table and the name of its primary key column.
    Node {
        /// The primary key column.
        primary_key: String,
    },
    /// A rel table and its endpoint node tables.
    Rel {
        /// The `FROM` node table.
        from: String,
        /// The `TO` node table.
        to: String,
    },
}

/// One table of the database: name, kind, columns and committed rows.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableInfo {
    /// The name as declared.
    pub name: String,
    /// Node or rel.
    pub kind: TableKindInfo,
    /// Property columns in declaration order (for rel tables without `FROM` and `TO`).
    pub columns: Vec<(String, DataType)>,
    /// Committed rows (edges for a rel table); `None` where the count is not available.
    pub rows: Option<u64>,
}

impl fmt::Display for TableInfo {
    /// `Person: node table, 3 rows (id INT64 PRIMARY KEY, name STRING)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            TableKindInfo::Node { .. } => write!(f, "{}: node table", self.name)?,
            TableKindInfo::Rel { from, to } => {
                write!(f, "{}: rel table {from} -> {to}", self.name)?;
            }
        }
        match self.rows {
            Some(rows) => write!(f, ", {rows} rows")?,
            None => write!(f, ", rows not available")?,
        }
        f.write_str(" (")?;
        for (i, (name, data_type)) in self.columns.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{name} {data_type}")?;
            if matches!(&self.kind, TableKindInfo::Node { primary_key } if primary_key == name) {
                f.write_str(" PRIMARY KEY")?;
            }
        }
        f.write_str(")")
    }
}
