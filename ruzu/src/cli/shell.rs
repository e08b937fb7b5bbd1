//! Running statements: a script (from `-c` or standard input) or an interactive prompt.

use std::io::{BufRead, Write};

use ruzu::console::{ProgressDisplay, summary_line};
use ruzu::{Connection, QueryResult};
use ruzu_copy::{ends_statement, split_script};

use super::print_error;

/// Runs every statement of `script` in order and prints each result; stops at the first
/// failure, printing its error. Returns whether every statement succeeded.
pub(crate) fn run_script(conn: &mut Connection<'_>, script: &str) -> bool {
    for statement in split_script(script) {
        if let Err(e) = run_statement(conn, statement.text) {
            print_error(&e.to_string());
            return false;
        }
    }
    true
}

/// Runs one statement with a progress bar for an import, and prints its result.
fn run_statement(conn: &mut Connection<'_>, statement: &str) -> ruzu::Result<()> {
    let label = import_table(statement).unwrap_or_else(|| "COPY".to_owned());
    let mut display = ProgressDisplay::new(label);
    let results = conn.execute_with_progress(statement, &mut |p| display.update(p));
    display.finish();
    for result in results? {
        // A statement that wrote its output to standard output (`COPY ... TO '-'`,
        // `REJECTS='-'`) reports on standard error, so the output stays clean.
        let mut lines = Vec::new();
        let to_stdout = match &result {
            QueryResult::CopyFrom(report) => {
                lines.push(summary_line(report, &conn.config().memory_limit));
                if let Some(first) = report.rejections.first() {
                    lines.push(format!("  first rejected row: {first}"));
                    if report.rejects_file.is_none() && report.rows_rejected > 1 {
                        lines.push(
                            "  (add REJECTS='<file>' to the options to keep every one)".into(),
                        );
                    }
                }
                report
                    .rejects_file
                    .as_ref()
                    .is_some_and(|p| p.as_os_str() == "-")
            }
            QueryResult::CopyTo { path, .. } => {
                lines.push(result.to_string());
                path.as_os_str() == "-"
            }
            other => {
                lines.push(other.to_string());
                false
            }
        };
        for line in lines {
            if to_stdout {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
        }
    }
    Ok(())
}

/// The table of a `COPY ... FROM` statement, for the progress bar's label.
fn import_table(statement: &str) -> Option<String> {
    match ruzu_copy::parse(statement).ok()? {
        ruzu_copy::Statement::CopyFrom(copy) => Some(copy.table),
        _ => None,
    }
}

/// A line prompt: statements run when a line ends one with `;`; `.quit` or end of input
/// leaves. A failed statement prints its error and the prompt goes on.
pub(crate) fn prompt(conn: &mut Connection<'_>) -> ruzu::Result<()> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut buffer = String::new();
    let mut line = String::new();
    println!(
        "ruzu {}: statements end with ';', .quit leaves",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        print!(
            "{}",
            if buffer.is_empty() {
                "ruzu> "
            } else {
                "  ..> "
            }
        );
        // A prompt that cannot be shown is not worth stopping for.
        let _ = std::io::stdout().flush();
        line.clear();
        let read = input
            .read_line(&mut line)
            .map_err(|source| ruzu::Error::Io {
                path: "<stdin>".into(),
                source,
            })?;
        if read == 0 {
            println!();
            break;
        }
        if buffer.is_empty() && matches!(line.trim(), ".quit" | ".exit" | "quit" | "exit") {
            break;
        }
        buffer.push_str(&line);
        if ends_statement(&buffer) {
            run_script(conn, &buffer);
            buffer.clear();
        } else if buffer.trim().is_empty() {
            buffer.clear();
        }
    }
    if !buffer.trim().is_empty() {
        run_script(conn, &buffer);
    }
    Ok(())
}
