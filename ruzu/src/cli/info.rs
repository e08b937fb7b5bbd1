//! `ruzu info <db-path>`: tables, schemas, row counts, size on disk.

use std::path::Path;

use ruzu::{Config, Database, Error};

/// Prints the database's size and one line per table.
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
    Ok(())
}
