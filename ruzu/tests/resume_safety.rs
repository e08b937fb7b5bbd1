//! `RESUME` through the statement, for a node and a rel table (issue: "never destroy what is
//! not ours", items 6–8): another file is refused, a plain `COPY` into a table that holds an
//! unfinished import's prefix is refused, the fixed file resumes, and a completed import
//! leaves nothing to resume.

use std::fmt::Write as _;
use std::path::Path;

use ruzu::{Config, Connection, Database, Error};
use ruzu_copy::{CopyError, ResumeChange};

/// `rows` lines after `header`, line `bad_line` (1-based, header = line 1) made bad by
/// `bad`, each other line from `row`.
fn csv(header: &str, rows: u64, bad_line: u64, row: impl Fn(u64) -> String, bad: &str) -> String {
    let mut text = format!("{header}\n");
    for i in 0..rows {
        if i + 2 == bad_line {
            text.push_str(bad);
        } else {
            text.push_str(&row(i));
        }
        text.push('\n');
    }
    text
}

fn copy_error(r: Result<Vec<ruzu::QueryResult>, Error>) -> CopyError {
    match r {
        Err(Error::Copy(c)) => c,
        other => panic!("expected a COPY error, got {other:?}"),
    }
}

/// Runs the whole story on `table` with its good file `good` and the same file with one bad
/// row after the first checkpoint, `broken`; `rows` is the good file's row count.
fn story(conn: &mut Connection<'_>, dir: &Path, table: &str, good: &str, broken: &str, rows: u64) {
    let path = dir.join(format!("{table}.csv"));
    let other = dir.join(format!("{table}-other.csv"));
    std::fs::write(&path, broken).expect("write");
    std::fs::write(&other, good).expect("write");
    let copy = |file: &Path, extra: &str| {
        format!(
            "COPY {table} FROM '{}' (HEADER=true, COMMIT_EVERY=1000{extra})",
            file.display()
        )
    };
    // The bad row stops the import after its first checkpoints.
    let committed = match copy_error(conn.execute(&copy(&path, ""))) {
        CopyError::Row {
            committed: Some(c), ..
        } => c,
        other => panic!("{table}: expected a bad row after a checkpoint, got {other:?}"),
    };
    assert!(committed.rows_stored > 0, "{table}: {committed:?}");
    let count = |conn: &Connection<'_>| conn.row_count(table).expect("count");
    assert_eq!(count(conn), Some(committed.rows_stored), "{table}");
    // Fix the bad row in place: an edit after the resume point.
    std::fs::write(&path, good).expect("fix");
    // A plain COPY of the fixed file would store the prefix twice: refused.
    let err = copy_error(conn.execute(&copy(&path, "")));
    assert!(
        matches!(&err, CopyError::UnfinishedImport { unfinished, .. } if **unfinished == committed),
        "{table}: {err:?}"
    );
    assert!(err.to_string().contains("RESUME=true"), "{err}");
    assert_eq!(count(conn), Some(committed.rows_stored), "{table}");
    // Another file (same content, other name) is not the interrupted import's.
    let err = copy_error(conn.execute(&copy(&other, ", RESUME=true")));
    assert!(
        matches!(
            &err,
            CopyError::ResumeMismatch {
                change: ResumeChange::OtherFile { .. },
                ..
            }
        ),
        "{table}: {err:?}"
    );
    assert!(
        err.to_string().contains(&format!("{table}-other.csv")),
        "{err}"
    );
    assert_eq!(count(conn), Some(committed.rows_stored), "{table}");
    // The fixed file resumes and completes the table, nothing twice.
    conn.execute(&copy(&path, ", RESUME=true"))
        .unwrap_or_else(|e| panic!("{table}: resume: {e}"));
    assert_eq!(count(conn), Some(rows), "{table}");
    // Completed: nothing to resume, nothing imported again.
    let err = copy_error(conn.execute(&copy(&path, ", RESUME=true")));
    assert!(
        matches!(&err, CopyError::NothingToResume { .. }),
        "{table}: {err:?}"
    );
    assert_eq!(count(conn), Some(rows), "{table}");
}

#[test]
fn resume_is_checked_and_plain_copies_refused_for_node_and_rel_tables() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = Database::open(dir.path().join("db"), Config::default()).expect("open");
    let mut conn = db.connect();
    conn.execute(
        "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id)); \
         CREATE REL TABLE R(FROM P TO P, w INT64)",
    )
    .expect("ddl");
    // A node table checkpoints at node group boundaries (131 072 rows): the bad row comes
    // after the first one.
    let nodes = 200_000;
    let node_row = |i: u64| format!("{i},n{i}");
    let good = csv("id,name", nodes, 0, node_row, "");
    let broken = csv("id,name", nodes, 150_001, node_row, "x,bad");
    story(&mut conn, dir.path(), "P", &good, &broken, nodes);
    let edges = 300_000;
    let edge_row = |i: u64| {
        let mut s = String::new();
        write!(s, "{},{},{i}", i % 1000, i * 7 % 1000).expect("to a string");
        s
    };
    let good = csv("from,to,w", edges, 0, edge_row, "");
    let broken = csv("from,to,w", edges, 250_001, edge_row, "1,2,x");
    story(&mut conn, dir.path(), "R", &good, &broken, edges);
}
