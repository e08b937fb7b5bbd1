//! `COPY <table> FROM ...`: the import driver of `ruzu-copy` into the table's sink.

use std::path::PathBuf;
use std::sync::Arc;

use ruzu_copy::{
    CopyFrom, CopyOptions, CopyReport, Import, Input, MIN_MEMORY_LIMIT_BYTES, Progress,
    ProtectedPaths, expand_paths,
};
use ruzu_csv::Schema;
use ruzu_storage::{Store, TableDef, TableKind};

use crate::column_list::{ColumnList, MappedSink};

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
    let list = match &copy.columns {
        Some(columns) => Some(resolve_column_list(store, &def, columns)?),
        None => None,
    };
    let inputs = expand_paths(&copy.paths)?;
    let options = copy.options.clone();
    match list {
        Some(list) if !list.is_identity() => {
            run_mapped(store, setup, &def, inputs, options, progress, list)
        }
        _ => run_inputs(store, setup, &def, inputs, options, progress),
    }
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
    let import = import(def, schema, inputs, options, setup, progress)?;
    let mut sink = tables::sink(store, def, &setup.spill_dir)?;
    Ok(import.run(sink.as_mut())?)
}

/// [`run_inputs`] for a file whose columns are `list`'s: its batches are rearranged into the
/// table's order before the table's sink.
fn run_mapped(
    store: &mut Store,
    setup: &ImportSetup<'_>,
    def: &TableDef,
    inputs: Vec<Input>,
    options: CopyOptions,
    progress: ProgressHook<'_>,
    list: ColumnList,
) -> Result<CopyReport> {
    let table_schema = Arc::new(tables::copy_schema(store, def)?);
    let import = import(
        def,
        list.file_schema().clone(),
        inputs,
        options,
        setup,
        progress,
    )?;
    let inner = tables::sink(store, def, &setup.spill_dir)?;
    let mut sink = MappedSink::new(inner, list, table_schema);
    Ok(import.run(&mut sink)?)
}

/// The import of `inputs`, read with `schema`, into `def`.
fn import<'p>(
    def: &TableDef,
    schema: Arc<Schema>,
    inputs: Vec<Input>,
    options: CopyOptions,
    setup: &ImportSetup<'_>,
    progress: ProgressHook<'p>,
) -> Result<Import<'p>> {
    let options = with_config(&def.name, options, setup.config)?;
    let mut import = Import::new(def.name.clone(), schema, inputs, options)
        .with_protected_paths(setup.protected)
        .with_default_memory_limit_bytes(setup.config.memory_limit.bytes);
    if let Some(progress) = progress {
        import = import.with_progress(move |p: &Progress| progress(p));
    }
    Ok(import)
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

/// The statement's column list resolved against `def`: a node table's list must name its
/// primary key; a rel table's `from` and `to` are implied.
fn resolve_column_list(store: &Store, def: &TableDef, columns: &[String]) -> Result<ColumnList> {
    let schema = tables::copy_schema(store, def)?;
    let (key_columns, primary_key) = match def.kind {
        TableKind::Node { primary_key } => (0, Some(primary_key)),
        TableKind::Rel { .. } => (2, None),
    };
    ColumnList::resolve(&def.name, &schema, key_columns, primary_key, columns)
}
