//! The Markdown report of a benchmark run: one row per step, the spread of peak RSS across
//! sizes, and the failures.

use std::fmt::Write;

use super::results::{BenchResults, StepResult, System};
use super::stats::Summary;

/// A rate in millions of rows per second, e.g. `1.55 M`.
pub fn format_rate(rows_per_s: f64) -> String {
    format!("{:.2} M", rows_per_s / 1e6)
}

/// Bytes in megabytes (10^6), e.g. `98.1 MB`.
pub fn format_mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// A ratio, e.g. `3.87×`; `—` when it is not finite.
pub fn format_ratio(ratio: f64) -> String {
    if ratio.is_finite() {
        format!("{ratio:.2}×")
    } else {
        "—".to_owned()
    }
}

/// `min–max` of a summary, each formatted by `format`.
fn range(summary: &Summary, format: fn(f64) -> String) -> String {
    format!("{}–{}", format(summary.min), format(summary.max))
}

/// The Markdown report: the table of every step, the peak RSS spread across sizes, the failed
/// runs and the notes.
pub fn markdown_report(results: &BenchResults) -> String {
    let mut out = String::new();
    let has_peers = results.steps.iter().any(|s| s.system != System::Ruzu);
    out.push_str(
        "| size | step | system | rows | rows/s (median) | rows/s min–max | peak RSS (median) \
         | peak RSS min–max |",
    );
    if has_peers {
        out.push_str(" ruzu/peer rows/s | ruzu/peer peak RSS |");
    }
    out.push('\n');
    let columns = if has_peers { 10 } else { 8 };
    out.push_str(&"|---".repeat(columns));
    out.push_str("|\n");
    for step in &results.steps {
        out.push_str(&step_row(results, step, has_peers));
    }
    out.push_str(&spread_section(results));
    let failures: Vec<String> = results
        .steps
        .iter()
        .flat_map(|s| {
            s.runs.iter().filter_map(move |r| {
                let error = r.error.as_deref()?;
                Some(format!(
                    "- {} {} {} run {}: {error}\n",
                    s.system, s.size, s.step, r.run
                ))
            })
        })
        .collect();
    if !failures.is_empty() {
        out.push_str("\nFailed runs:\n\n");
        failures.iter().for_each(|f| out.push_str(f));
    }
    if !results.notes.is_empty() {
        out.push('\n');
        for note in &results.notes {
            let _ = writeln!(out, "Note: {note}");
        }
    }
    out
}

fn step_row(results: &BenchResults, step: &StepResult, has_peers: bool) -> String {
    let dash = || "—".to_owned();
    let mut cells = vec![
        step.size.clone(),
        step.step.to_string(),
        step.system.to_string(),
    ];
    match (step.rows_per_s(), step.peak_rss()) {
        (Some(rate), Some(rss)) => {
            cells.push(step.rows().map_or_else(dash, |r| r.to_string()));
            cells.push(format_rate(rate.median));
            cells.push(range(&rate, format_rate));
            cells.push(format_mb(rss.median));
            cells.push(range(&rss, format_mb));
        }
        _ => {
            let why = step.first_error().unwrap_or("no runs");
            cells.push(format!("failed: {}", first_line(why, 80)));
            cells.extend((0..4).map(|_| dash()));
        }
    }
    if has_peers {
        let ruzu = results
            .step(System::Ruzu, &step.size, step.step)
            .filter(|_| step.system != System::Ruzu);
        let ratio = |f: fn(&StepResult) -> Option<Summary>| {
            let (ours, theirs) = (f(ruzu?)?, f(step)?);
            Some(format_ratio(ours.median / theirs.median))
        };
        cells.push(ratio(StepResult::rows_per_s).unwrap_or_else(dash));
        cells.push(ratio(StepResult::peak_rss).unwrap_or_else(dash));
    }
    format!("| {} |\n", cells.join(" | "))
}

/// The first line of `text`, cut to `max_chars`, with `|` escaped for a table cell.
fn first_line(text: &str, max_chars: usize) -> String {
    let line = text.lines().next().unwrap_or("");
    let cut: String = line.chars().take(max_chars).collect();
    let cut = if cut.len() < line.len() {
        format!("{cut}…")
    } else {
        cut
    };
    cut.replace('|', "\\|")
}

/// Median peak RSS of every (system, step) at each size, and the spread (max − min) across
/// the sizes.
fn spread_section(results: &BenchResults) -> String {
    let mut sizes: Vec<&str> = Vec::new();
    let mut keys = Vec::new();
    for s in &results.steps {
        if !sizes.contains(&s.size.as_str()) {
            sizes.push(&s.size);
        }
        if !keys.contains(&(s.system, s.step)) {
            keys.push((s.system, s.step));
        }
    }
    let mut out =
        String::from("\nPeak RSS across sizes (median of each size):\n\n| system | step |");
    for size in &sizes {
        let _ = write!(out, " {size} |");
    }
    out.push_str(" spread (max − min) |\n");
    out.push_str(&"|---".repeat(sizes.len() + 3));
    out.push_str("|\n");
    for (system, step) in keys {
        let medians: Vec<Option<f64>> = sizes
            .iter()
            .map(|size| Some(results.step(system, size, step)?.peak_rss()?.median))
            .collect();
        let _ = write!(out, "| {system} | {step} |");
        for median in &medians {
            let cell = median.map_or_else(|| "—".to_owned(), format_mb);
            let _ = write!(out, " {cell} |");
        }
        let spread = Summary::of(medians.iter().flatten().copied())
            .map_or_else(|| "—".to_owned(), |s| format_mb(s.range()));
        let _ = writeln!(out, " {spread} |");
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::run::results::tests::{failed, record};
    use crate::run::results::{Machine, Step};

    fn step(system: System, size: &str, step: Step, runs: Vec<(f64, u64)>) -> StepResult {
        StepResult {
            system,
            size: size.into(),
            persons: 1,
            step,
            file: PathBuf::from("f.csv"),
            file_bytes: 1,
            runs: runs
                .into_iter()
                .enumerate()
                .map(|(i, (rate, rss))| record(i + 1, rate, rss))
                .collect(),
        }
    }

    fn results(steps: Vec<StepResult>) -> BenchResults {
        BenchResults {
            runs_per_step: 3,
            machine: Machine {
                cores: 2,
                memory_bytes: 24 << 30,
                load_average: 0.5,
            },
            steps,
            notes: Vec::new(),
        }
    }

    #[test]
    fn numbers_are_formatted_with_units() {
        assert_eq!(format_rate(1_554_000.0), "1.55 M");
        assert_eq!(format_mb(98_140_000.0), "98.1 MB");
        assert_eq!(format_ratio(3.871), "3.87×");
        assert_eq!(format_ratio(f64::INFINITY), "—");
    }

    #[test]
    fn table_row_holds_median_and_range_of_the_runs() {
        let r = results(vec![step(
            System::Ruzu,
            "100mb",
            Step::Person,
            vec![
                (1.5e6, 98_000_000),
                (1.8e6, 99_000_000),
                (1.6e6, 97_000_000),
            ],
        )]);
        let table = markdown_report(&r);
        assert!(
            table.contains(
                "| 100mb | person | ruzu | 1000 | 1.60 M | 1.50 M–1.80 M | 98.0 MB | 97.0 MB–99.0 MB |"
            ),
            "{table}"
        );
        assert!(!table.contains("ruzu/peer"), "{table}");
    }

    #[test]
    fn spread_is_max_minus_min_of_the_size_medians() {
        let r = results(vec![
            step(
                System::Ruzu,
                "100mb",
                Step::Person,
                vec![(1e6, 100_000_000)],
            ),
            step(System::Ruzu, "1gb", Step::Person, vec![(1e6, 160_000_000)]),
            step(System::Ruzu, "5gb", Step::Person, vec![(1e6, 150_000_000)]),
        ]);
        let table = markdown_report(&r);
        assert!(
            table.contains("| system | step | 100mb | 1gb | 5gb | spread (max − min) |"),
            "{table}"
        );
        assert!(
            table.contains("| ruzu | person | 100.0 MB | 160.0 MB | 150.0 MB | 60.0 MB |"),
            "{table}"
        );
    }

    #[test]
    fn failed_step_is_reported_in_its_row_and_listed() {
        let mut knows = step(System::Ruzu, "100mb", Step::Knows, vec![]);
        knows.runs = vec![failed(1, "exited with 0 without a RESULT line | x")];
        let r = results(vec![knows]);
        let table = markdown_report(&r);
        assert!(
            table.contains(
                "| 100mb | knows | ruzu | failed: exited with 0 without a RESULT line \\| x | — |"
            ),
            "{table}"
        );
        assert!(
            table.contains("- ruzu 100mb knows run 1: exited with 0"),
            "{table}"
        );
    }

    #[test]
    fn peers_get_ratios_ruzu_over_peer() {
        let r = results(vec![
            step(System::Ruzu, "1gb", Step::Person, vec![(2e6, 100_000_000)]),
            step(
                System::Kuzu,
                "1gb",
                Step::Person,
                vec![(0.5e6, 400_000_000)],
            ),
        ]);
        let table = markdown_report(&r);
        assert!(
            table.contains("ruzu/peer rows/s | ruzu/peer peak RSS |"),
            "{table}"
        );
        assert!(table.contains("| kuzu | 1000 |"), "{table}");
        assert!(table.contains("| 4.00× | 0.25× |"), "{table}");
        // ruzu's own row has no ratio.
        assert!(table.contains("| 100.0 MB–100.0 MB | — | — |"), "{table}");
    }
}
