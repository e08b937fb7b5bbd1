//! The `ruzu` program end to end: statements from `-c` and standard input, imports with their
//! summary, exports that read back to the input's values, errors and exit codes.

mod common;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::{
    KNOWS_DDL, PERSON_DDL, knows_schema, person_schema, typed_rows, write_knows, write_persons,
};
use ruzu::{Config, Database};

fn ruzu(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ruzu"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the ruzu binary runs")
}

fn ruzu_stdin(args: &[&str], cwd: &Path, stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ruzu"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ruzu binary starts");
    child
        .stdin
        .take()
        .expect("piped stdin")
        .write_all(stdin.as_bytes())
        .expect("write the script");
    child.wait_with_output().expect("the ruzu binary ends")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn person_rows(db: &Path) -> Option<u64> {
    let mut db = Database::open(db, Config::default()).expect("the database opens");
    db.connect().row_count("Person").expect("Person exists")
}

#[test]
fn person_import_and_export_round_trip_through_the_binary() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_persons(&dir.path().join("person.csv"), 3000);
    let script = format!(
        "{PERSON_DDL}; COPY Person FROM 'person.csv' (HEADER=true); \
         COPY Person TO 'export.csv' (HEADER=true);"
    );
    let out = ruzu(&["db", "-c", &script], dir.path());
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(stdout.contains("created node table Person"), "{stdout}");
    assert!(
        stdout.contains("Person: 3000 rows imported, 0 rejected"),
        "{stdout}"
    );
    assert!(stdout.contains("rows/s"), "{stdout}");
    assert!(stdout.contains("peak RSS"), "{stdout}");
    assert!(
        stdout.contains("3000 rows exported to export.csv"),
        "{stdout}"
    );

    let schema = person_schema();
    let input = typed_rows(&dir.path().join("person.csv"), &schema);
    let export = typed_rows(&dir.path().join("export.csv"), &schema);
    assert_eq!(input.len(), 3000);
    assert_eq!(export, input);
}

#[test]
fn knows_import_and_export_round_trip_through_the_binary() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_persons(&dir.path().join("person.csv"), 500);
    write_knows(&dir.path().join("knows.csv"), 500);
    let script = format!(
        "{PERSON_DDL}; {KNOWS_DDL}; COPY Person FROM 'person.csv' (HEADER=true); \
         COPY Knows FROM 'knows.csv' (HEADER=true); COPY Knows TO 'export.csv';"
    );
    let out = ruzu(&["db", "-c", &script], dir.path());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let schema = knows_schema();
    let mut input = typed_rows(&dir.path().join("knows.csv"), &schema);
    let mut export = typed_rows(&dir.path().join("export.csv"), &schema);
    input.sort();
    export.sort();
    assert_eq!(input.len(), 1000);
    assert_eq!(export, input);
}

#[test]
fn a_malformed_file_fails_with_its_line_and_leaves_the_table_unchanged() {
    let dir = tempfile::tempdir().expect("temp dir");
    write_persons(&dir.path().join("person.csv"), 100);
    let setup = format!("{PERSON_DDL}; COPY Person FROM 'person.csv' (HEADER=true)");
    assert!(ruzu(&["db", "-c", &setup], dir.path()).status.success());
    assert_eq!(person_rows(&dir.path().join("db")), Some(100));

    // Fresh ids, then a date that does not exist on line 4.
    let bad = "id,first_name,last_name,gender,birthday,creation_date,location_ip,browser,email,score,bio\n\
               1,A,B,male,1990-01-01,2010-01-01 00:00:00,1.2.3.4,Firefox,a@b.c,1.5,x\n\
               2,A,B,male,1990-01-01,2010-01-01 00:00:00,1.2.3.4,Firefox,a@b.c,1.5,x\n\
               3,A,B,male,1990-13-01,2010-01-01 00:00:00,1.2.3.4,Firefox,a@b.c,1.5,x\n";
    std::fs::write(dir.path().join("bad.csv"), bad).expect("write bad.csv");
    let out = ruzu(
        &["db", "-c", "COPY Person FROM 'bad.csv' (HEADER=true)"],
        dir.path(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("error: bad.csv:4:5 (birthday)"),
        "{stderr}"
    );
    assert!(stderr.contains("1990-13-01"), "{stderr}");
    assert_eq!(person_rows(&dir.path().join("db")), Some(100));
}

#[test]
fn ignore_errors_skips_bad_rows_succeeds_and_names_the_rejects_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = "id,name\n1,Ann\nnot-a-number,Bob\n3,Cy\n1,Ann again\n";
    std::fs::write(dir.path().join("p.csv"), csv).expect("write p.csv");
    let script = "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));\n\
                  COPY P FROM 'p.csv' (HEADER=true, IGNORE_ERRORS=true, REJECTS='rejects.tsv');";
    let out = ruzu(&["db", "-c", script], dir.path());
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("P: 2 rows imported, 2 rejected (rejects file rejects.tsv)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("first rejected row: p.csv:3:1 (id)"),
        "{stdout}"
    );
    let rejects = std::fs::read_to_string(dir.path().join("rejects.tsv")).expect("rejects file");
    assert_eq!(rejects.lines().count(), 1 + 2, "{rejects}");
    assert!(rejects.contains("DUPLICATE_KEY"), "{rejects}");
}

#[test]
fn a_failed_statement_keeps_the_earlier_ones_and_stops_the_script() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("p.csv"), "id\n1\n2\n").expect("write p.csv");
    let script = "CREATE NODE TABLE P(id INT64, PRIMARY KEY(id));\n\
                  COPY P FROM 'p.csv' (HEADER=true);\n\
                  COPY P FROM 'missing.csv' (HEADER=true);\n\
                  CREATE NODE TABLE Q(id INT64, PRIMARY KEY(id));\n";
    let out = ruzu_stdin(&["db"], dir.path(), script);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("missing.csv"), "{stderr}");
    let mut db = Database::open(dir.path().join("db"), Config::default()).expect("opens");
    let tables = db.tables().expect("tables");
    assert_eq!(tables.len(), 1, "Q was never created: {tables:?}");
    assert_eq!(db.connect().row_count("P").expect("P"), Some(2));
}

#[test]
fn info_lists_tables_with_schemas_and_row_counts() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("p.csv"), "id,name\n1,Ann\n2,Bob\n").expect("write");
    let script = "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));\
                  CREATE REL TABLE R(FROM P TO P, since DATE);\
                  COPY P FROM 'p.csv' (HEADER=true)";
    assert!(ruzu(&["db", "-c", script], dir.path()).status.success());
    let out = ruzu(&["info", "db"], dir.path());
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("MB on disk, 2 tables"), "{stdout}");
    assert!(
        stdout.contains("P: node table, 2 rows (id INT64 PRIMARY KEY, name STRING)"),
        "{stdout}"
    );
    assert!(stdout.contains("R: rel table P -> P"), "{stdout}");

    let missing = ruzu(&["info", "nowhere"], dir.path());
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(text(&missing.stderr), "error: nowhere: no database here\n");
}

#[test]
fn usage_errors_exit_with_code_2_and_unknown_statements_with_1() {
    let dir = tempfile::tempdir().expect("temp dir");
    assert_eq!(ruzu(&[], dir.path()).status.code(), Some(2));
    let out = ruzu(&["db", "-c", "MATCH (n) RETURN n"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stderr),
        "error: unsupported statement starting with \"MATCH\" (expected CREATE, DROP or COPY)\n"
    );
}

#[test]
fn demo_generates_imports_and_reads_back_a_small_data_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ruzu(&["demo", "demo", "--persons", "2000"], dir.path());
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", text(&out.stderr));
    assert!(
        stdout.contains("Person: 2000 rows imported, 0 rejected"),
        "{stdout}"
    );
    assert!(stdout.contains("Person: node table, 2000 rows"), "{stdout}");
    assert!(stdout.contains("2000 rows exported"), "{stdout}");
    assert_eq!(stdout.matches("lookup Person ").count(), 3, "{stdout}");
    assert!(!stdout.contains("not found"), "{stdout}");
    assert_eq!(person_rows(&dir.path().join("demo/db")), Some(2000));

    // A second run reuses the generated files and builds the database anew.
    let again = ruzu(&["demo", "demo", "--persons", "2000"], dir.path());
    let stdout = text(&again.stdout);
    assert!(again.status.success(), "{}", text(&again.stderr));
    assert!(stdout.contains("reusing"), "{stdout}");
    assert_eq!(person_rows(&dir.path().join("demo/db")), Some(2000));
}
