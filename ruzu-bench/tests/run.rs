//! `ruzu-bench run` measures each import in a child process and writes its results.

use std::process::Command;

use ruzu_bench::run::{BenchResults, PLOT_FILES, Step, System};

#[test]
fn run_on_a_tiny_data_set_writes_results_table_and_plots() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_ruzu-bench"))
        .args(["run", "--persons", "300", "--runs", "2", "--sample-ms", "5"])
        .args(["--compare", "--python", "/nonexistent/python3"])
        .arg("--out")
        .arg(&out)
        .arg("--data")
        .arg(dir.path().join("data"))
        .output()
        .expect("binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let results = BenchResults::load(&out.join("results.json")).expect("results.json");
    assert_eq!(results.runs_per_step, 2);
    // Without the peers, only ruzu ran: person then knows of the one data set.
    let kinds: Vec<(System, &str, Step)> = results
        .steps
        .iter()
        .map(|s| (s.system, s.size.as_str(), s.step))
        .collect();
    assert_eq!(
        kinds,
        [
            (System::Ruzu, "300p", Step::Person),
            (System::Ruzu, "300p", Step::Knows)
        ]
    );
    let person = &results.steps[0];
    assert_eq!(person.runs.len(), 2);
    for run in &person.runs {
        assert_eq!(run.error, None);
        assert_eq!(run.rows, 300);
        assert!(run.rows_per_s > 0.0 && run.seconds > 0.0 && run.wall_seconds >= run.seconds);
        assert!(run.peak_rss_bytes > 1 << 20, "{}", run.peak_rss_bytes);
        assert!(!run.rss_series.is_empty());
        // The kernel batches RSS counters per thread (up to 64 pages each) and updates the
        // high-water mark lazily, so a sample may exceed wait4's peak by a few hundred KiB.
        let slack = 2 << 20;
        assert!(
            run.rss_series
                .iter()
                .all(|&[_, rss]| rss > 0 && rss <= run.peak_rss_bytes + slack),
            "{:?} vs peak {}",
            run.rss_series,
            run.peak_rss_bytes
        );
    }
    // The knows step either imported its 600 edges or says why it could not.
    let knows = &results.steps[1];
    assert_eq!(knows.runs.len(), 2);
    for run in &knows.runs {
        match &run.error {
            None => assert_eq!(run.rows, 600),
            Some(error) => assert!(!error.is_empty() && run.rows == 0),
        }
    }

    assert!(
        stdout.contains("comparison skipped: cannot run /nonexistent/python3"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| 300p | person | ruzu | 300 |"),
        "{stdout}"
    );
    assert!(stdout.contains("Peak RSS across sizes"), "{stdout}");
    let table = std::fs::read_to_string(out.join("results.md")).expect("results.md");
    assert!(stdout.contains(&table));
    for name in PLOT_FILES {
        let len = std::fs::metadata(out.join(name))
            .expect("plot written")
            .len();
        assert!(len > 1000, "{name}: {len} bytes");
    }
    // The databases under test are removed after their run.
    let work = std::fs::read_dir(out.join("work"))
        .expect("work dir")
        .count();
    assert_eq!(work, 0);
}
