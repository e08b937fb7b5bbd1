//! [`Database`] and [`Connection`]: opening a database directory and running statements.

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use arrow_schema::ArrowError;
use ruzu_copy::{
    CopyError, CopyOptions, CopyReport, Ddl, Input, PathRole, Progress, ProtectedPaths, Statement,
    split_script,
};
use ruzu_csv::Value;
use ruzu_storage::{
    DATA_FILE_NAME, DdlOutcome, Direction, StorageError, Store, StoreOptions, TableKind,
};

use crate::config::Config;
use crate::copy_from::{self, ImportSetup, ProgressHook};
use crate::error::{Error, Result};
use crate::result::{ArrowReport, QueryResult, TableInfo};
use crate::tables::{self, BatchStream};
use crate::{arrow_import, copy_to};

/// One database: a directory holding its page file, opened for reading and writing.
///
/// Single writer: statements run through a [`Connection`], which borrows the database
/// mutably, so one connection works at a time and the borrow checker enforces it.
#[derive(Debug)]
pub struct Database {
    store: Store,
    path: PathBuf,
    config: Config,
    /// The directory and its page file, which no statement may write.
    protected: ProtectedPaths,
}

impl Database {
    /// Opens the database in directory `path`, creating it (and the directory) when it holds
    /// none.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when `path` is a file; [`Error::Storage`]: the directory cannot be created, the page file is corrupt or of
    /// another format version, I/O errors.
    pub fn open(path: impl AsRef<Path>, config: Config) -> Result<Database> {
        let path = path.as_ref().to_path_buf();
        if path.exists() && !path.is_dir() {
            return Err(Error::Io {
                path,
                source: std::io::Error::new(
                    std::io::ErrorKind::NotADirectory,
                    "not a directory (a database is a directory)",
                ),
            });
        }
        let options = StoreOptions::default().with_buffer_pool_bytes(config.buffer_pool_bytes);
        // `symlink_metadata`, not `exists`: a dangling `data.ruzu` link is opened (and refused
        // as such), never created over.
        let store = if std::fs::symlink_metadata(path.join(DATA_FILE_NAME)).is_ok() {
            Store::open_with(&path, options.clone())?
        } else {
            match Store::create_with(&path, options.clone()) {
                // Another handle created it between the look and the create: open that one
                // (which reports `locked` while its creator has it open).
                Err(StorageError::AlreadyExists { .. }) => Store::open_with(&path, options)?,
                other => other?,
            }
        };
        let protected = ProtectedPaths::new()
            .with(&path, PathRole::DatabaseDirectory)
            .with(path.join(DATA_FILE_NAME), PathRole::DatabaseFile);
        Ok(Database {
            store,
            path,
            config,
            protected,
        })
    }

    /// Whether directory `path` holds a database (or a `data.ruzu` entry of any kind, such as
    /// a dangling symbolic link, which opening then reports).
    pub fn exists(path: impl AsRef<Path>) -> bool {
        std::fs::symlink_metadata(path.as_ref().join(DATA_FILE_NAME)).is_ok()
    }

    /// A connection that runs statements and reads.
    pub fn connect(&mut self) -> Connection<'_> {
        Connection { db: self }
    }

    /// The database directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The configuration the database was opened with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Every table: name, kind, columns, committed rows.
    ///
    /// # Errors
    ///
    /// Storage errors reading a table's metadata.
    pub fn tables(&self) -> Result<Vec<TableInfo>> {
        tables::infos(&self.store)
    }

    /// Bytes of the database's page file on disk.
    ///
    /// # Errors
    ///
    /// [`Error::Io`] when the file's metadata cannot be read.
    pub fn size_on_disk_bytes(&self) -> Result<u64> {
        let file = self.path.join(DATA_FILE_NAME);
        std::fs::metadata(&file)
            .map(|m| m.len())
            .map_err(|source| Error::Io { path: file, source })
    }

    /// The store, and what an import needs besides it.
    fn for_import(&mut self) -> (&mut Store, ImportSetup<'_>) {
        let spill_dir = self.spill_dir();
        (
            &mut self.store,
            ImportSetup {
                config: &self.config,
                spill_dir,
                protected: &self.protected,
            },
        )
    }

    /// Where imports spill.
    fn spill_dir(&self) -> PathBuf {
        self.config
            .spill_dir
            .clone()
            .unwrap_or_else(|| self.path.clone())
    }
}

/// Runs statements against a [`Database`] and reads it back.
///
/// Every statement commits on its own: when a script fails at its third statement, the first
/// two stay and the third is rolled back (with `COMMIT_EVERY`, an import keeps what it had
/// checkpointed, as its error says).
#[derive(Debug)]
pub struct Connection<'db> {
    db: &'db mut Database,
}

impl Connection<'_> {
    /// The configuration of the database this connection runs on.
    pub fn config(&self) -> &Config {
        &self.db.config
    }

    /// Runs the `;`-separated statements of `script` in order: `CREATE NODE TABLE`,
    /// `CREATE REL TABLE`, `DROP TABLE`, `COPY ... FROM`, `COPY ... TO`.
    ///
    /// # Errors
    ///
    /// The first statement that fails; the statements before it stay committed.
    pub fn execute(&mut self, script: &str) -> Result<Vec<QueryResult>> {
        split_script(script)
            .iter()
            .map(|statement| self.run(statement.text, None))
            .collect()
    }

    /// [`Connection::execute`], calling `progress` during each `COPY ... FROM` (at least
    /// every `PROGRESS_EVERY` rows and once at the end).
    ///
    /// # Errors
    ///
    /// As [`Connection::execute`].
    pub fn execute_with_progress(
        &mut self,
        script: &str,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Vec<QueryResult>> {
        split_script(script)
            .iter()
            .map(|statement| self.run(statement.text, Some(&mut *progress)))
            .collect()
    }

    /// Runs one `COPY ... FROM` statement with a progress callback and returns its report.
    ///
    /// # Errors
    ///
    /// [`Error::UnsupportedStatement`] when `statement` is not a `COPY ... FROM`; otherwise
    /// as the import: syntax, a bad row (unless `IGNORE_ERRORS`), I/O, storage.
    pub fn copy_from(
        &mut self,
        statement: &str,
        mut progress: impl FnMut(&Progress),
    ) -> Result<CopyReport> {
        match ruzu_copy::parse(statement)? {
            Statement::CopyFrom(copy) => {
                let (store, setup) = self.db.for_import();
                copy_from::run_statement(store, &setup, &copy, Some(&mut progress))
            }
            _ => Err(unsupported(statement)),
        }
    }

    /// Imports `inputs` (CSV files, standard input or any reader, see [`Input`]) into
    /// `table` with `options`, without writing a statement.
    ///
    /// # Errors
    ///
    /// As [`Connection::copy_from`].
    pub fn import(
        &mut self,
        table: &str,
        inputs: Vec<Input>,
        options: CopyOptions,
        mut progress: impl FnMut(&Progress),
    ) -> Result<CopyReport> {
        let def = tables::table_def(&self.db.store, table)?;
        let (store, setup) = self.db.for_import();
        copy_from::run_inputs(store, &setup, &def, inputs, options, Some(&mut progress))
    }

    /// Imports a stream of Arrow record batches into `table` through the same sink as a CSV
    /// import (no CSV detour): columns match the table's by position and type (the types of
    /// [`scan`](Connection::scan)'s batches). A [`arrow_array::RecordBatchReader`] is such a
    /// stream.
    ///
    /// Of `options`, `IGNORE_ERRORS` (rows the table refuses: duplicate or NULL keys),
    /// `MEMORY_LIMIT`, `ATOMIC`/`COMMIT_EVERY` and the rejections kept apply.
    ///
    /// # Errors
    ///
    /// [`Error::MemoryLimitTooSmall`] when `options` give no `MEMORY_LIMIT` and the database's
    /// is below the minimum, [`Error::Arrow`] for a batch of another shape or an error of the
    /// stream,
    /// [`Error::ArrowRow`] for a refused row without `IGNORE_ERRORS`, storage errors. Nothing
    /// of the import is visible then (with `COMMIT_EVERY`: up to its last checkpoint).
    pub fn import_arrow(
        &mut self,
        table: &str,
        batches: impl IntoIterator<Item = Result<RecordBatch, ArrowError>>,
        options: CopyOptions,
    ) -> Result<ArrowReport> {
        let def = tables::table_def(&self.db.store, table)?;
        let spill = self.db.spill_dir();
        let options = copy_from::with_config(&def.name, options, &self.db.config)?;
        let memory_limit = options
            .memory_limit_bytes
            .unwrap_or(self.db.config.memory_limit.bytes);
        arrow_import::run(
            &mut self.db.store,
            &def,
            &spill,
            batches,
            &options,
            memory_limit,
        )
    }

    /// Streams the committed rows of `table` as Arrow record batches (node tables: one per
    /// node group, in row order).
    ///
    /// # Errors
    ///
    /// No such table; each item: storage errors.
    pub fn scan(&self, table: &str) -> Result<Scan<'_>> {
        let def = tables::table_def(&self.db.store, table)?;
        Ok(Scan {
            inner: tables::scan(&self.db.store, &def)?,
        })
    }

    /// The row of node table `table` whose primary key is `key`, as a one-row batch.
    ///
    /// # Errors
    ///
    /// No such table, not a node table, `key` of another type than the primary key, storage
    /// errors.
    pub fn lookup(&self, table: &str, key: &Value<'_>) -> Result<Option<RecordBatch>> {
        let store = &self.db.store;
        match store.lookup(table, key)? {
            Some(offset) => Ok(store.node_row(table, offset)?),
            None => Ok(None),
        }
    }

    /// The edges of rel table `rel` at the node whose primary key is `key`: with
    /// [`Direction::Forward`] the node is the edges' source (a node of the `FROM` table) and
    /// the batch lists their destinations; with [`Direction::Backward`] the reverse. Columns:
    /// `offset` (the neighbour's node offset), `key` (its primary key), then the edge's
    /// properties; one row per edge, in import order. `None` when no node has `key`.
    ///
    /// # Errors
    ///
    /// No such table, not a rel table, `key` of another type than the primary key, storage
    /// errors.
    pub fn neighbours(
        &self,
        rel: &str,
        key: &Value<'_>,
        direction: Direction,
    ) -> Result<Option<RecordBatch>> {
        let store = &self.db.store;
        let def = tables::table_def(store, rel)?;
        let TableKind::Rel { from, to } = def.kind else {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: "not a rel table".into(),
            }
            .into());
        };
        let bound = match direction {
            Direction::Forward => from,
            Direction::Backward => to,
        };
        let node_table = store
            .catalog()
            .table_by_id(bound)
            .ok_or(StorageError::UnknownTableId { id: bound })?
            .name
            .clone();
        match store.lookup(&node_table, key)? {
            Some(offset) => Ok(Some(store.neighbours(&def.name, offset, direction)?)),
            None => Ok(None),
        }
    }

    /// Committed rows of `table`.
    ///
    /// # Errors
    ///
    /// No such table, storage errors.
    pub fn row_count(&self, table: &str) -> Result<Option<u64>> {
        let def = tables::table_def(&self.db.store, table)?;
        tables::row_count(&self.db.store, &def)
    }

    /// Every table with its kind, columns and committed rows.
    ///
    /// # Errors
    ///
    /// As [`Database::tables`].
    pub fn tables(&self) -> Result<Vec<TableInfo>> {
        self.db.tables()
    }

    /// Runs one statement.
    fn run(&mut self, statement: &str, progress: ProgressHook<'_>) -> Result<QueryResult> {
        let keyword = first_word(statement);
        if keyword.eq_ignore_ascii_case("ALTER") {
            return Err(alter_unsupported());
        }
        if !["COPY", "CREATE", "DROP"]
            .iter()
            .any(|k| keyword.eq_ignore_ascii_case(k))
        {
            return Err(unsupported(statement));
        }
        match ruzu_copy::parse(statement)? {
            Statement::CopyFrom(copy) => {
                let (store, setup) = self.db.for_import();
                let report = copy_from::run_statement(store, &setup, &copy, progress)?;
                Ok(QueryResult::CopyFrom(report))
            }
            Statement::CopyTo(copy) => copy_to::run(&self.db.store, &copy, &self.db.protected),
            Statement::Ddl(ddl) => {
                let outcome = self.db.store.execute_ddl(&ddl)?;
                Ok(QueryResult::Ddl {
                    message: ddl_message(&ddl, outcome),
                })
            }
            _ => Err(unsupported(statement)),
        }
    }
}

/// Kùzu's `ALTER TABLE`, which ruzu does not have: what to do instead.
fn alter_unsupported() -> Error {
    CopyError::Unsupported {
        feature: "ALTER TABLE".to_owned(),
        byte: 0,
        line: 1,
        column: 1,
        hint: "declare every column in CREATE ... TABLE; to change a table, drop it, create it \
               again and import its files again"
            .to_owned(),
    }
    .into()
}

/// What a DDL statement did, as the shell prints it.
fn ddl_message(ddl: &Ddl, outcome: DdlOutcome) -> String {
    let name = ddl.table();
    match (ddl, outcome) {
        (_, DdlOutcome::Dropped(_)) => format!("dropped table {name}"),
        (Ddl::CreateRelTable(_), DdlOutcome::Created(_)) => format!("created rel table {name}"),
        (_, DdlOutcome::Created(_)) => format!("created node table {name}"),
        (Ddl::DropTable(_), DdlOutcome::Unchanged) => {
            format!("table {name} does not exist, nothing dropped")
        }
        (_, DdlOutcome::Unchanged) => format!("table {name} already exists, left as it is"),
    }
}

/// The committed rows of a table as Arrow record batches; see [`Connection::scan`].
pub struct Scan<'c> {
    inner: BatchStream<'c>,
}

impl std::fmt::Debug for Scan<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scan").finish_non_exhaustive()
    }
}

impl Iterator for Scan<'_> {
    type Item = Result<RecordBatch>;

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|r| r.map_err(Error::from))
    }
}

/// The leading letters of `statement` (its keyword).
fn first_word(statement: &str) -> &str {
    let s = statement.trim_start();
    let end = s
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(s.len());
    &s[..end]
}

fn unsupported(statement: &str) -> Error {
    let found: String = statement
        .split_whitespace()
        .next()
        .unwrap_or("")
        .chars()
        .take(40)
        .collect();
    Error::UnsupportedStatement { found }
}
