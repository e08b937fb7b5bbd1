//! `COPY <table> FROM ...`: the import driver of `ruzu-copy` into the table's sink.

use std::path::PathBuf;
use std::sync::Arc;

use ruzu_copy::{
    CopyFrom, CopyOptions, CopyReport, DEFAULT_MEMORY_LIMIT_BYTES, Import, Input, Progress,
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
    let options = with_config(options, setup.config);
    let mut import = Import::new(def.name.clone(), schema, inputs, options)
        .with_protected_paths(setup.protected);
    if let Some(progress) = progress {
        import = import.with_progress(move |p: &Progress| progress(p));
    }
    let mut sink = tables::sink(store, def, &setup.spill_dir)?;
    Ok(import.run(sink.as_mut())?)
}

/// `options` with the database's memory limit (when the statement gave no `MEMORY_LIMIT`,
/// i.e. it is still the default) and decoder threads.
pub(crate) fn with_config(options: CopyOptions, config: &Config) -> CopyOptions {
    let options = options.with_decoder_threads(config.threads);
    if options.memory_limit_bytes == DEFAULT_MEMORY_LIMIT_BYTES {
        options.with_memory_limit_bytes(config.memory_limit_bytes)
    } else {
        options
    }
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
