//! Statements through the API: scripts, results, progress, configuration, failures.

use arrow_array::Array;
use ruzu::{
    Config, CopyOptions, Database, Direction, Error, Input, QueryResult, TableKindInfo, Value,
};

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the CSV file");
    path.display().to_string()
}

#[test]
fn a_script_runs_in_order_with_one_result_per_statement() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = write(dir.path(), "p.csv", "id,name\n1,Ann\n2,Bob\n");
    let out = dir.path().join("out.csv");
    let mut db = Database::open(dir.path().join("db"), Config::default()).expect("open");
    let results = db
        .connect()
        .execute(&format!(
            "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));\n\
             COPY P FROM '{csv}' (HEADER=true);\n\
             COPY P TO '{}' (HEADER=false, DELIM='|');",
            out.display()
        ))
        .expect("the script runs");
    assert_eq!(results.len(), 3);
    assert_eq!(
        results[0],
        QueryResult::Ddl {
            message: "created node table P".into()
        }
    );
    let QueryResult::CopyFrom(report) = &results[1] else {
        panic!("an import: {:?}", results[1]);
    };
    assert_eq!((report.rows_imported, report.rows_rejected), (2, 0));
    assert!(matches!(&results[2], QueryResult::CopyTo { rows: 2, .. }));
    assert_eq!(
        std::fs::read_to_string(&out).expect("export"),
        "1|Ann\n2|Bob\n"
    );
}

#[test]
fn a_failed_statement_keeps_the_statements_before_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = write(dir.path(), "p.csv", "id\n1\n1\n");
    let mut db = Database::open(dir.path(), Config::default()).expect("open");
    let err = db
        .connect()
        .execute(&format!(
            "CREATE NODE TABLE P(id INT64, PRIMARY KEY(id)); COPY P FROM '{csv}' (HEADER=true); \
             CREATE NODE TABLE Q(id INT64, PRIMARY KEY(id))"
        ))
        .expect_err("a duplicate key aborts the import");
    let text = err.to_string();
    assert!(text.contains("p.csv:3:1"), "{text}");
    assert!(text.contains("duplicate primary key"), "{text}");
    let tables = db.tables().expect("tables");
    assert_eq!(tables.len(), 1);
    assert_eq!(tables[0].name, "P");
    assert_eq!(tables[0].rows, Some(0), "the import was rolled back");
}

#[test]
fn copy_from_reports_progress_and_returns_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text = String::from("id,name\n");
    for i in 0..5000 {
        text.push_str(&format!("{i},name {i}\n"));
    }
    let csv = write(dir.path(), "p.csv", &text);
    let mut db = Database::open(dir.path(), Config::default()).expect("open");
    let mut conn = db.connect();
    conn.execute("CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id))")
        .expect("create");
    let mut seen = Vec::new();
    let report = conn
        .copy_from(
            &format!("COPY P FROM '{csv}' (HEADER=true, PROGRESS_EVERY=1000)"),
            |p| seen.push((p.rows_written, p.bytes_read, p.bytes_total)),
        )
        .expect("import");
    assert_eq!(report.rows_imported, 5000);
    assert!(seen.len() >= 2, "{seen:?}");
    let (rows, bytes, total) = *seen.last().expect("a final report");
    assert_eq!(rows, 5000);
    assert_eq!(Some(bytes), total);
    assert!(seen.windows(2).all(|w| w[0].0 <= w[1].0), "{seen:?}");

    let err = conn
        .copy_from("DROP TABLE P", |_| {})
        .expect_err("not an import");
    assert!(matches!(err, Error::UnsupportedStatement { .. }), "{err:?}");
}

#[test]
fn the_configured_memory_limit_applies_unless_the_statement_sets_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = write(dir.path(), "p.csv", "id\n1\n2\n");
    let config = Config::default()
        .with_memory_limit_bytes(64 << 20)
        .with_threads(1);
    let mut db = Database::open(dir.path(), config).expect("open");
    let mut conn = db.connect();
    conn.execute("CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))")
        .expect("create");
    let report = conn
        .copy_from(&format!("COPY P FROM '{csv}' (HEADER=true)"), |_| {})
        .expect("import");
    assert_eq!(report.memory_limit_bytes, 64 << 20);
    conn.execute("DROP TABLE P; CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))")
        .expect("recreate");
    let report = conn
        .copy_from(
            &format!("COPY P FROM '{csv}' (HEADER=true, MEMORY_LIMIT='32MB')"),
            |_| {},
        )
        .expect("import");
    assert_eq!(report.memory_limit_bytes, 32 << 20);
}

#[test]
fn readers_import_as_inputs_and_data_persists_across_opens() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let mut db = Database::open(dir.path(), Config::default()).expect("create");
        let mut conn = db.connect();
        conn.execute("CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id))")
            .expect("create");
        let csv: &'static [u8] = b"7,Gus\n8,Hal\n";
        let report = conn
            .import(
                "P",
                vec![Input::reader(Some("inline.csv".into()), csv)],
                CopyOptions::default(),
                |_| {},
            )
            .expect("import");
        assert_eq!(report.rows_imported, 2);
    }
    let mut db = Database::open(dir.path(), Config::default()).expect("reopen");
    let conn = db.connect();
    assert_eq!(conn.row_count("P").expect("count"), Some(2));
    assert!(
        conn.lookup("P", &Value::Int64(8))
            .expect("lookup")
            .is_some()
    );
    assert!(
        conn.lookup("P", &Value::Int64(9))
            .expect("lookup")
            .is_none()
    );
    let err = conn.scan("Nope").expect_err("no such table");
    assert_eq!(err.to_string(), "table Nope does not exist");
}

#[test]
fn rel_tables_import_count_scan_and_give_neighbours_both_ways() {
    let dir = tempfile::tempdir().expect("temp dir");
    let persons = write(dir.path(), "p.csv", "id\n1\n2\n3\n");
    let edges = write(
        dir.path(),
        "k.csv",
        "from,to,since\n1,2,2020-01-01\n1,3,2021-02-03\n3,1,\n1,9,2022-01-01\n",
    );
    let mut db = Database::open(dir.path(), Config::default()).expect("open");
    let mut conn = db.connect();
    conn.execute(
        "CREATE NODE TABLE P(id INT64, PRIMARY KEY(id));
         CREATE REL TABLE K(FROM P TO P, since DATE);",
    )
    .expect("create");
    conn.execute(&format!("COPY P FROM '{persons}' (HEADER=true)"))
        .expect("persons");
    // Line 5 names node 9, which does not exist: the import fails and stores nothing.
    let err = conn
        .execute(&format!("COPY K FROM '{edges}' (HEADER=true)"))
        .expect_err("missing endpoint");
    assert!(err.to_string().contains("k.csv:5"), "{err}");
    assert_eq!(conn.row_count("K").expect("count"), Some(0));
    conn.execute(&format!(
        "COPY K FROM '{edges}' (HEADER=true, IGNORE_ERRORS=true)"
    ))
    .expect("edges");
    assert_eq!(conn.row_count("K").expect("count"), Some(3));
    let tables = conn.tables().expect("tables");
    assert_eq!(
        tables[1].kind,
        TableKindInfo::Rel {
            from: "P".into(),
            to: "P".into()
        }
    );
    assert_eq!(tables[1].rows, Some(3));
    let scanned: usize = conn
        .scan("K")
        .expect("scan")
        .map(|b| b.expect("batch").num_rows())
        .sum();
    assert_eq!(scanned, 3);
    let keys = |direction| -> Vec<i64> {
        let batch = conn
            .neighbours("K", &Value::Int64(1), direction)
            .expect("neighbours")
            .expect("node 1 exists");
        let column = batch.column_by_name("key").expect("key column");
        let keys = column
            .as_any()
            .downcast_ref::<arrow_array::Int64Array>()
            .expect("INT64 keys");
        keys.values().to_vec()
    };
    assert_eq!(keys(Direction::Forward), [2, 3]);
    assert_eq!(keys(Direction::Backward), [3]);
    assert!(
        conn.neighbours("K", &Value::Int64(42), Direction::Forward)
            .expect("neighbours")
            .is_none()
    );
}

#[test]
fn a_column_list_maps_the_file_fields_and_names_an_unknown_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = write(dir.path(), "p.csv", "Ann,1\n");
    let mut db = Database::open(dir.path(), Config::default()).expect("open");
    let mut conn = db.connect();
    conn.execute("CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id))")
        .expect("create");
    let err = conn
        .execute(&format!("COPY P (nme, id) FROM '{csv}'"))
        .expect_err("an unknown column");
    assert_eq!(
        err.to_string(),
        "COPY P: column nme is no column of the table (the table's columns: id, name)"
    );
    conn.execute(&format!("COPY P (Name, ID) FROM '{csv}' (HEADER=false)"))
        .expect("another order");
    let key = Value::Int64(1);
    let row = conn.lookup("P", &key).expect("lookup").expect("row 1");
    let names = row
        .column(1)
        .as_any()
        .downcast_ref::<arrow_array::StringArray>()
        .expect("a string column");
    assert_eq!(names.value(0), "Ann");
}

#[test]
fn opening_a_file_as_a_database_names_the_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("data.csv");
    std::fs::write(&file, "id\n").expect("write");
    let err = Database::open(&file, Config::default()).expect_err("a file is no database");
    let text = err.to_string();
    assert!(text.starts_with(&file.display().to_string()), "{text}");
    assert!(text.contains("not a directory"), "{text}");
}
