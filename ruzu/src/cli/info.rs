//! `ruzu info <db-path>`: tables, schemas, row counts, size on disk, and the memory limit an
//! import would get here.

use std::path::Path;

use ruzu::{Config, Database, Error};

/// Prints the database's size, one line per table, and the default memory limit of an import.
pub(crate) fn run(path: &Path) -> ruzu::Result<()> {
    if !Database::exists(path) {
        return Err(Error::NoDatabase {
            path: path.to_path_buf(),
        });
    }
    let db = Database::open(path, Config::default())?;
    let tables = db.tables()?;
    println!(
        "database {}: {:.1} MB on disk, {} tables",
        path.display(),
        db.size_on_disk_bytes()? as f64 / 1e6,
        tables.len()
    );
    for table in tables {
        println!("{table}");
    }
    println!(
        "memory limit of an import without MEMORY_LIMIT: {}",
        db.config().memory_limit
    );
    Ok(())
}
