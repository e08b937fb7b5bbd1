//! ruzu: an embedded graph database with a bounded-memory, streaming bulk import.
//!
//! A database is a directory. [`Database::open`] opens (or creates) one; a [`Connection`]
//! runs statements (`;`-separated, each committed on its own):
//!
//! - `CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))`,
//!   `CREATE REL TABLE Knows(FROM Person TO Person, since DATE)`, `DROP TABLE Person`;
//! - `COPY Person FROM 'person.csv' (HEADER=true, IGNORE_ERRORS=true, ...)`: a streaming
//!   import in bounded memory (options: `docs/copy.md`), also through
//!   [`Connection::copy_from`] with a progress callback, or from Arrow record batches with
//!   [`Connection::import_arrow`];
//! - `COPY Person TO 'out.csv' (HEADER=true)`: an export that imports back to the same values.
//!
//! Reads: [`Connection::scan`] (Arrow record batches; rel tables as `from` key, `to` key,
//! properties), [`Connection::lookup`] by primary key, [`Connection::neighbours`] of a node in
//! either direction, [`Connection::tables`] with row counts.
//!
//! The crate also holds the `ruzu` command-line program, its [`console`] output (progress bar,
//! summary line), the [`demo`], and the deterministic generator of the benchmark data
//! ([`datagen`]).
//!
//! # Example
//!
//! ```
//! use arrow_array::{Array, Int64Array, StringArray};
//! use ruzu::{Config, Database, QueryResult, Value};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dir = tempfile::tempdir()?;
//! let csv = dir.path().join("person.csv");
//! std::fs::write(&csv, "id,name\n1,Ann\n2,\"Bob, Jr.\"\n")?;
//!
//! let mut db = Database::open(dir.path().join("db"), Config::default())?;
//! let mut conn = db.connect();
//! let results = conn.execute(&format!(
//!     "CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id));
//!      COPY Person FROM '{}' (HEADER=true);",
//!     csv.display()
//! ))?;
//! let QueryResult::CopyFrom(report) = &results[1] else { panic!("an import") };
//! assert_eq!(report.rows_imported, 2);
//!
//! let batches = conn.scan("Person")?.collect::<Result<Vec<_>, _>>()?;
//! let names = batches[0].column(1).as_any().downcast_ref::<StringArray>().expect("STRING");
//! assert_eq!(names.value(1), "Bob, Jr.");
//!
//! let row = conn.lookup("Person", &Value::Int64(2))?.expect("a person with id 2");
//! let id = row.column(0).as_any().downcast_ref::<Int64Array>().expect("INT64");
//! assert_eq!(id.value(0), 2);
//! # Ok(())
//! # }
//! ```

mod arrow_import;
mod column_list;
mod config;
pub mod console;
mod copy_from;
mod copy_to;
mod database;
pub mod datagen;
pub mod demo;
mod error;
mod memory_limit;
mod rel;
mod result;
mod tables;

pub use column_list::ColumnListProblem;
pub use config::Config;
pub use database::{Connection, Database, Scan};
pub use error::{Error, Result};
pub use memory_limit::{MemoryLimit, MemoryLimitSource, PROCESS_RESERVE_BYTES};
pub use result::{ArrowReport, QueryResult, TableInfo, TableKindInfo};

pub use ruzu_copy::{CopyOptions, CopyReport, Input, Progress};
pub use ruzu_csv::{DataType, Value};
pub use ruzu_storage::Direction;
