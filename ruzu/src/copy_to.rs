//! `COPY <table> TO '<file>'`: streams the table's committed rows into a CSV file that
//! imports back to the same values (see `ruzu_csv::Writer` for the quoting rules).

use std::path::PathBuf;
use std::sync::Arc;

use ruzu_copy::{CopyError, CopyTo, OutputFile, PathRole, ProtectedPaths};
use ruzu_csv::{Batch, CsvError, Writer, WriterOptions};
use ruzu_storage::Store;

use crate::error::{Error, Result};
use crate::result::QueryResult;
use crate::tables;

/// Arena bytes of the one batch the export converts each scanned group into.
const EXPORT_ARENA_BYTES: usize = 1 << 20;

/// Runs `COPY <table> TO ...`: one node group (or rel chunk) in memory at a time, into the
/// file as [`OutputFile`] writes it: `-` is standard output, a device or FIFO is written in
/// place, a regular file under a temporary name renamed when complete (so a failed export
/// never leaves a truncated file under the requested name). The target must not be one of
/// `protected` (the database's directory and files).
pub(crate) fn run(store: &Store, copy: &CopyTo, protected: &ProtectedPaths) -> Result<QueryResult> {
    let def = tables::table_def(store, &copy.table)?;
    let schema = Arc::new(tables::copy_schema(store, &def)?);
    let scan = tables::scan(store, &def)?;
    let path = PathBuf::from(&copy.path);
    let file = OutputFile::create(&path, PathRole::Export, protected)?;
    let options = WriterOptions::default()
        .with_header(copy.header)
        .with_delimiter(copy.delimiter)
        .with_quote(copy.quote)
        .with_escape(copy.escape);
    let mut writer = Writer::new(file, schema.clone(), options)?;
    let mut batch = Batch::new(schema, 0, EXPORT_ARENA_BYTES);
    for record_batch in scan {
        let record_batch = record_batch?;
        batch.clear();
        batch.push_arrow(&record_batch, 1)?;
        writer
            .write_batch(&batch)
            .map_err(|e| write_error(&path, e))?;
    }
    let rows = writer.rows_written();
    let file = writer.finish().map_err(|e| write_error(&path, e))?;
    let done = file.finish()?;
    Ok(QueryResult::CopyTo {
        table: def.name,
        path,
        rows,
        replaced: done.replaced,
    })
}

/// A failed write of the CSV writer, as an error of the export file.
fn write_error(path: &std::path::Path, e: CsvError) -> Error {
    match e {
        CsvError::Write { source } => Error::Copy(CopyError::Output {
            path: path.to_path_buf(),
            role: PathRole::Export,
            op: "write",
            source,
        }),
        other => other.into(),
    }
}
