//! Limits the user gives are enforced, never taken silently (issue: "never destroy what is
//! not ours", items 11 and 12): a memory limit below the minimum is refused, and a huge
//! thread count is capped to what the budget holds.

use std::process::Command;

use ruzu::{Config, Database, Error};
use ruzu_copy::{BudgetPlan, MAX_DECODER_THREADS, MIN_MEMORY_LIMIT_BYTES};
use ruzu_csv::{DataType, Field, Schema};

#[test]
fn a_memory_limit_below_the_minimum_is_refused_by_the_program_and_the_api() {
    let dir = tempfile::tempdir().expect("tempdir");
    for mib in ["0", "1", "7"] {
        let out = Command::new(env!("CARGO_BIN_EXE_ruzu"))
            .arg("--memory-limit-mib")
            .arg(mib)
            .arg(dir.path().join("db"))
            .args(["-c", "CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))"])
            .output()
            .expect("the ruzu binary runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{mib}: {stderr}");
        assert!(
            stderr.contains("memory-limit-mib") && stderr.contains('8'),
            "{stderr}"
        );
        assert!(!dir.path().join("db").exists(), "{mib}: nothing created");
    }
    // Through the API the database opens, and an import without its own MEMORY_LIMIT is
    // refused naming the minimum.
    let mut db = Database::open(
        dir.path().join("db"),
        Config::default().with_memory_limit_bytes(MIN_MEMORY_LIMIT_BYTES - 1),
    )
    .expect("open");
    let mut conn = db.connect();
    conn.execute("CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))")
        .expect("ddl");
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, "id\n1\n").expect("write");
    let err = conn
        .execute(&format!("COPY P FROM '{}' (HEADER=true)", csv.display()))
        .expect_err("refused");
    assert!(
        matches!(err, Error::MemoryLimitTooSmall { minimum_bytes, .. } if minimum_bytes == MIN_MEMORY_LIMIT_BYTES),
        "{err:?}"
    );
}

#[test]
fn thousands_of_threads_are_capped_to_the_budget() {
    let schema = Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
    ]);
    let plan = BudgetPlan::new(256 << 20, &schema, 5000, 1 << 16, 8 << 20);
    assert!(plan.decoders <= MAX_DECODER_THREADS, "{plan:?}");
    assert!(plan.pipeline_bytes(&schema) + plan.sink_bytes <= 256 << 20);
    // And an import with them runs.
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("p.csv");
    let mut text = String::from("id,name\n");
    for i in 0..20_000 {
        text.push_str(&format!("{i},n{i}\n"));
    }
    std::fs::write(&csv, text).expect("write");
    let mut db =
        Database::open(dir.path().join("db"), Config::default().with_threads(5000)).expect("open");
    let mut conn = db.connect();
    conn.execute(&format!(
        "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id)); COPY P FROM '{}' (HEADER=true)",
        csv.display()
    ))
    .expect("import");
    assert_eq!(conn.row_count("P").expect("count"), Some(20_000));
}
