//! `COPY <table> TO '<file>'`: streams the table's committed rows into a CSV file that
//! imports back to the same values (see `ruzu_csv::Writer` for the quoting rules).

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use ruzu_copy::CopyTo;
use ruzu_csv::{Batch, Writer, WriterOptions};
use ruzu_storage::Store;

use crate::error::{Error, Result};
use crate::result::QueryResult;
use crate::tables;

/// Arena bytes of the one batch the export converts each scanned group into.
const EXPORT_ARENA_BYTES: usize = 1 << 20;

/// Runs `COPY <table> TO ...`: one node group (or rel chunk) in memory at a time. The file
/// is written under a temporary name and renamed when complete, so a failed export never
/// leaves a truncated file under the requested name.
pub(crate) fn run(store: &Store, copy: &CopyTo) -> Result<QueryResult> {
    let def = tables::table_def(store, &copy.table)?;
    let schema = Arc::new(tables::copy_schema(store, &def)?);
    let scan = tables::scan(store, &def)?;
    let path = PathBuf::from(&copy.path);
    let partial = partial_path(&path);
    let io = |path: &PathBuf| {
        let path = path.clone();
        move |source| Error::Io { path, source }
    };
    let file = File::create(&partial).map_err(io(&path))?;
    let options = WriterOptions::default()
        .with_header(copy.header)
        .with_delimiter(copy.delimiter)
        .with_quote(copy.quote)
        .with_escape(copy.escape);
    let written = (|| -> Result<u64> {
        let mut writer = Writer::new(file, schema.clone(), options)?;
        let mut batch = Batch::new(schema, 0, EXPORT_ARENA_BYTES);
        for record_batch in scan {
            let record_batch = record_batch?;
            batch.clear();
            batch.push_arrow(&record_batch, 1)?;
            writer.write_batch(&batch)?;
        }
        let rows = writer.rows_written();
        writer.finish()?.sync_all().map_err(io(&path))?;
        Ok(rows)
    })();
    match written {
        Ok(rows) => {
            std::fs::rename(&partial, &path).map_err(io(&path))?;
            Ok(QueryResult::CopyTo {
                table: def.name,
                path,
                rows,
            })
        }
        Err(e) => {
            // Best effort: the export failed already, a leftover partial file is harmless.
            let _ = std::fs::remove_file(&partial);
            Err(e)
        }
    }
}

/// `dir/name.csv` → `dir/.name.csv.partial`.
fn partial_path(path: &std::path::Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "export".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.partial"))
}
