//! The `ruzu-bench gen` command writes the library's bytes.

mod common;

use std::process::Command;

use common::{knows_csv, person_csv};

fn ruzu_bench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ruzu-bench"))
}

#[test]
fn gen_writes_person_and_knows_files_of_the_given_seed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("data");
    let status = ruzu_bench()
        .args(["gen", "--persons", "300", "--seed", "9", "--out"])
        .arg(&out)
        .output()
        .expect("binary runs");
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert_eq!(
        std::fs::read(out.join("person.csv")).expect("person.csv"),
        person_csv(9, 300)
    );
    assert_eq!(
        std::fs::read(out.join("knows.csv")).expect("knows.csv"),
        knows_csv(9, 300)
    );
    let report = String::from_utf8_lossy(&status.stdout);
    assert!(
        report.contains("person.csv: 300 rows") && report.contains("MB/s"),
        "{report}"
    );
}

#[test]
fn gen_rejects_an_unknown_size_by_name() {
    let output = ruzu_bench()
        .args(["gen", "--size", "2gb", "--discard"])
        .output()
        .expect("binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown data set size \"2gb\""), "{stderr}");
}

#[test]
fn gen_needs_persons_or_size() {
    let output = ruzu_bench()
        .args(["gen", "--discard"])
        .output()
        .expect("binary runs");
    assert!(!output.status.success());
}
