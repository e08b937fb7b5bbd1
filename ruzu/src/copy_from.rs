//! `COPY <table> FROM ...`: the import driver of `ruzu-copy` into the table's sink.

use std::path::PathBuf;
use std::sync::Arc;

use ruzu_copy::{
    CopyFrom, CopyOptions, CopyReport, Import, Input, MIN_MEMORY_LIMIT_BYTES, Progress,
    ProtectedPaths, expand_paths,
};
use ruzu_storage::{Store, TableDef};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::tables;

/// The progress callback of an import, as the API passes it down.
pub(crate) type ProgressHook<'p> = Option<&'p mut dyn FnMut(&Progress)>;

/// What an import needs of the database besides its store.
pub(crate) struct ImportSetup<'d> {
    /// The database's configuration.
    pub(crate) config: &'d Config,
    /// Where the import spills.
    pub(crate) spill_dir: PathBuf,
    /// Paths no statement may write (the database's directory and files).
    pub(crate) protected: &'d ProtectedPaths,
}

/// Runs a parsed `COPY ... FROM` statement.
pub(crate) fn run_statement(
    store: &mut Store,
    setup: &ImportSetup<'_>,
    copy: &CopyFrom,
    progress: ProgressHook<'_>,
) -> Result<CopyReport> {
    let def = tables::table_def(store, &copy.table)?;
    if let Some(columns) = &copy.columns {
        check_column_list(store, &def, columns)?;
    }
    let inputs = expand_paths(&copy.paths)?;
    run_inputs(store, setup, &def, inputs, copy.options.clone(), progress)
}

/// Imports `inputs` into `def` with `options`, the database's configuration filling in what
/// the statement left at its default.
pub(crate) fn run_inputs(
    store: &mut Store,
    setup: &ImportSetup<'_>,
    def: &TableDef,
    inputs: Vec<Input>,
    options: CopyOptions,
    progress: ProgressHook<'_>,
) -> Result<CopyReport> {
    let schema = Arc::new(tables::copy_schema(store, def)?);
    let options = with_config(&def.name, options, setup.config)?;
    let mut import = Import::new(def.name.clone(), schema, inputs, options)
        .with_protected_paths(setup.protected)
        .with_default_memory_limit_bytes(setup.config.memory_limit.bytes);
    if let Some(progress) = progress {
        import = import.with_progress(move |p: &Progress| progress(p));
    }
    let mut sink = tables::sink(store, def, &setup.spill_dir)?;
    Ok(import.run(sink.as_mut())?)
}

/// `options` with the database's decoder threads, checked against the database's memory
/// limit when the statement gave no `MEMORY_LIMIT` (the import is then given that limit as its
/// default, so that its report can tell the two apart).
///
/// # Errors
///
/// [`Error::MemoryLimitTooSmall`] when the statement gave no `MEMORY_LIMIT` and the database's
/// (derived from a small memory cgroup) is below the minimum an import runs with.
pub(crate) fn with_config(
    table: &str,
    options: CopyOptions,
    config: &Config,
) -> Result<CopyOptions> {
    let options = options.with_decoder_threads(config.threads);
    if options.memory_limit_bytes.is_some() {
        return Ok(options);
    }
    if !config.memory_limit.is_enough() {
        return Err(Error::MemoryLimitTooSmall {
            table: table.to_owned(),
            limit: config.memory_limit.clone(),
            minimum_bytes: MIN_MEMORY_LIMIT_BYTES,
        });
    }
    Ok(options)
}

/// A column list is accepted when it names every column of the table, in table order
/// (case-insensitively): the sink takes whole rows in catalog order.
fn check_column_list(store: &Store, def: &TableDef, columns: &[String]) -> Result<()> {
    let schema = tables::copy_schema(store, def)?;
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name.as_str()).collect();
    let same = names.len() == columns.len()
        && names
            .iter()
            .zip(columns)
            .all(|(a, b)| a.eq_ignore_ascii_case(b));
    if same {
        Ok(())
    } else {
        Err(Error::ColumnList {
            table: def.name.clone(),
            expected: names.join(", "),
        })
    }
}
