//! The demo behind `ruzu demo`: generates the benchmark shapes (docs/bench-data.md) at a modest
//! size, creates the schema, imports both files with progress, and reads a few rows back.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use arrow_array::{Array, Float64Array, Int64Array, StringArray};
use ruzu_csv::Value;
use ruzu_storage::Direction;

use crate::config::Config;
use crate::console::{ProgressDisplay, summary_line};
use crate::database::Database;
use crate::datagen::{
    DEFAULT_SEED, KNOWS_DDL, KnowsGen, PERSON_DDL, PersonGen, RowSource, write_csv,
};
use crate::error::{Error, Result};
use crate::result::QueryResult;

/// Persons the demo generates by default (the edge file gets twice as many rows).
pub const DEFAULT_DEMO_PERSONS: u64 = 200_000;

/// What the demo does: where, and how much.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DemoOptions {
    /// Directory for the CSV files (kept and reused) and the database (`<dir>/db`, made
    /// anew each run).
    pub dir: PathBuf,
    /// Persons to generate.
    pub persons: u64,
}

impl DemoOptions {
    /// The default size in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DemoOptions {
            dir: dir.into(),
            persons: DEFAULT_DEMO_PERSONS,
        }
    }

    /// Sets the number of persons.
    pub fn with_persons(mut self, persons: u64) -> Self {
        self.persons = persons;
        self
    }
}

/// Runs the demo, printing what it does to `out` and progress bars to stderr.
///
/// # Errors
///
/// Files that cannot be written, a failed import or read.
pub fn run(options: &DemoOptions, out: &mut dyn Write) -> Result<()> {
    let dir = &options.dir;
    fs::create_dir_all(dir).map_err(io(dir))?;
    let persons = PersonGen::new(DEFAULT_SEED, options.persons);
    let knows = KnowsGen::new(DEFAULT_SEED, options.persons);
    let person_csv = dir.join(format!("person-{}.csv", options.persons));
    let knows_csv = dir.join(format!("knows-{}.csv", options.persons));
    generate(&persons, &person_csv, out)?;
    generate(&knows, &knows_csv, out)?;

    let db_dir = dir.join("db");
    if db_dir.exists() {
        fs::remove_dir_all(&db_dir).map_err(io(&db_dir))?;
    }
    let mut db = Database::open(&db_dir, Config::default())?;
    let memory_limit = db.config().memory_limit.clone();
    let mut conn = db.connect();
    for result in conn.execute(&format!("{PERSON_DDL};\n{KNOWS_DDL};"))? {
        say(out, &result.to_string())?;
    }
    for (table, csv) in [("Person", &person_csv), ("Knows", &knows_csv)] {
        let statement = format!("COPY {table} FROM {} (HEADER=true)", quote(csv));
        say(out, &statement)?;
        let mut display = ProgressDisplay::new(table);
        match conn.copy_from(&statement, |p| display.update(p)) {
            Ok(report) => {
                display.finish();
                say(out, &summary_line(&report, &memory_limit))?;
            }
            Err(e) => return Err(e),
        }
    }
    for info in conn.tables()? {
        say(out, &info.to_string())?;
    }
    let export = dir.join("person-export.csv");
    let exported = conn.execute(&format!("COPY Person TO {}", quote(&export)))?;
    for result in &exported {
        say(out, &result.to_string())?;
    }
    if let [QueryResult::CopyTo { .. }] = exported.as_slice() {
        fs::remove_file(&export).map_err(io(&export))?;
    }
    for row in [0, options.persons / 2, options.persons.saturating_sub(1)] {
        if row >= options.persons {
            continue;
        }
        let id = persons.id(row);
        let line = match conn.lookup("Person", &Value::Int64(id))? {
            Some(batch) => {
                let text = |name: &str| {
                    batch
                        .column_by_name(name)
                        .and_then(|c| c.as_any().downcast_ref::<StringArray>())
                        .filter(|a| !a.is_empty() && a.is_valid(0))
                        .map_or_else(String::new, |a| a.value(0).to_owned())
                };
                format!(
                    "lookup Person {id}: {} {}, {}",
                    text("first_name"),
                    text("last_name"),
                    text("email")
                )
            }
            None => format!("lookup Person {id}: not found"),
        };
        say(out, &line)?;
        for direction in [Direction::Forward, Direction::Backward] {
            say(out, &neighbours_line(&conn, id, direction)?)?;
        }
    }
    say(
        out,
        &format!(
            "database {}: {:.1} MB on disk",
            db.path().display(),
            db.size_on_disk_bytes()? as f64 / 1e6
        ),
    )
}

/// `Knows of 123 (forward): 2 edges: 456 (weight 0.25), 789 (weight 0.5)`, at most five shown.
fn neighbours_line(
    conn: &crate::database::Connection<'_>,
    id: i64,
    direction: Direction,
) -> Result<String> {
    let (label, arrow) = match direction {
        Direction::Forward => ("knows", "->"),
        Direction::Backward => ("known by", "<-"),
    };
    let Some(batch) = conn.neighbours("Knows", &Value::Int64(id), direction)? else {
        return Ok(format!("neighbours of {id}: not found"));
    };
    let keys = batch
        .column_by_name("key")
        .and_then(|c| c.as_any().downcast_ref::<Int64Array>());
    let weights = batch
        .column_by_name("weight")
        .and_then(|c| c.as_any().downcast_ref::<Float64Array>());
    let shown: Vec<String> = match (keys, weights) {
        (Some(keys), Some(weights)) => (0..batch.num_rows().min(5))
            .map(|i| format!("{} (weight {})", keys.value(i), weights.value(i)))
            .collect(),
        _ => Vec::new(),
    };
    Ok(format!(
        "  {id} {arrow} {label} {} persons: {}",
        batch.num_rows(),
        shown.join(", ")
    ))
}

/// Writes `source` to `path` unless it is there already (from an earlier run).
fn generate(source: &dyn RowSource, path: &Path, out: &mut dyn Write) -> Result<()> {
    if path.exists() {
        return say(out, &format!("reusing {}", path.display()));
    }
    let tmp = path.with_extension("csv.tmp");
    let bytes = File::create(&tmp)
        .and_then(|mut file| write_csv(source, &mut file))
        .map_err(io(&tmp))?;
    fs::rename(&tmp, path).map_err(io(path))?;
    say(
        out,
        &format!(
            "generated {}: {} rows, {:.1} MB",
            path.display(),
            source.rows(),
            bytes as f64 / 1e6
        ),
    )
}

/// `path` as a single-quoted statement string, with `\` and `'` escaped.
fn quote(path: &Path) -> String {
    let text = path.to_string_lossy();
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn say(out: &mut dyn Write, line: &str) -> Result<()> {
    writeln!(out, "{line}").map_err(io(Path::new("<stdout>")))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + use<> {
    let path = path.to_path_buf();
    move |source| Error::Io { path, source }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_with_escapes() {
        assert_eq!(quote(Path::new("a/it's.csv")), r"'a/it\'s.csv'");
        assert_eq!(quote(Path::new(r"c:\x.csv")), r"'c:\\x.csv'");
    }
}
