//! `ruzu`: the command-line program of the ruzu database.
//!
//! ```text
//! ruzu <db-path> -c "<statements>"    run statements (';'-separated)
//! ruzu <db-path> < script.cypher       run a script from standard input
//! ruzu <db-path>                       a prompt, when standard input is a terminal
//! ruzu demo [dir]                      generate a demo data set and import it
//! ruzu info <db-path>                  tables, schemas, row counts, size on disk
//! ```
//!
//! Exit code 0 when every statement succeeded (a `COPY` with `IGNORE_ERRORS=true` that
//! skipped rows succeeds), 1 when a statement failed (the statements before it stay
//! committed, the failed one is rolled back, the rest do not run), 2 for bad arguments.
//! Errors are printed as one line on stderr.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    cli::install_panic_hook();
    let args = cli::Args::parse();
    cli::run(args)
}
