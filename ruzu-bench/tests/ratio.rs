//! `ruzu-bench ratio` measures ceiling, durable import and arrow-csv per shape in child
//! processes and reports their ratios.

use std::process::Command;

use ruzu_bench::ratio::RatioResults;
use ruzu_bench::run::Step;

fn ruzu_bench() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ruzu-bench"))
}

fn generate(dir: &std::path::Path) {
    let status = ruzu_bench()
        .args(["gen", "--persons", "300", "--out"])
        .arg(dir)
        .status()
        .expect("binary runs");
    assert!(status.success());
}

#[test]
fn ratio_measures_both_shapes_every_round_and_writes_the_table() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    generate(&data);
    let out = dir.path().join("out");
    let output = ruzu_bench()
        .args(["ratio", "--rounds", "2", "--sample-ms", "5", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let results = RatioResults::load(&out.join("ratio.json")).expect("ratio.json");
    let steps: Vec<Step> = results.shapes.iter().map(|s| s.step).collect();
    assert_eq!(steps, [Step::Person, Step::Knows]);
    for (shape, rows) in results.shapes.iter().zip([300, 600]) {
        assert_eq!(shape.rounds.len(), 2);
        for round in &shape.rounds {
            assert!(round.is_ok(), "{round:?}");
            assert_eq!(
                (round.ceiling.rows, round.durable.rows, round.arrow_csv.rows),
                (rows, rows, rows)
            );
            let cpu = round
                .durable
                .import_cpu_seconds
                .expect("the child measures it");
            assert!(cpu >= 0.0 && round.durable.peak_rss_bytes > 1 << 20);
        }
        let summary = shape.summary().expect("good rounds");
        assert!(summary.durable_over_ceiling.median > 0.0);
        assert!(summary.durable_over_arrow.median > 0.0);
    }
    assert!(stdout.contains("| person | 300 | 2/2 |"), "{stdout}");
    assert!(stdout.contains("| knows | 600 | 2/2 |"), "{stdout}");
    assert!(out.join("ratio.md").exists());
    assert!(
        !out.join("work").join("db").exists(),
        "the database is removed"
    );
}

#[test]
fn ratio_of_knows_alone_imports_the_persons_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    generate(&data);
    let out = dir.path().join("out");
    let output = ruzu_bench()
        .args(["ratio", "--rounds", "1", "--shapes", "knows", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("round 1: persons imported for knows: ok"),
        "{stdout}"
    );
    let results = RatioResults::load(&out.join("ratio.json")).expect("ratio.json");
    assert_eq!(results.shapes.len(), 1);
    assert!(results.shapes[0].rounds[0].is_ok());
}

#[test]
fn ratio_of_a_missing_file_fails_naming_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let output = ruzu_bench()
        .args(["ratio", "--shapes", "person", "--data"])
        .arg(dir.path())
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .expect("binary runs");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("person.csv"), "{stderr}");
}
