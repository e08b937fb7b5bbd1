//! Arguments and dispatch of the `ruzu` program.

mod info;
mod shell;

use std::io::{IsTerminal, Read};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use ruzu::demo::{DEFAULT_DEMO_PERSONS, DemoOptions};
use ruzu::{Config, Database};
use ruzu_copy::MIN_MEMORY_LIMIT_BYTES;

/// The smallest `--memory-limit-mib`: the statement's `MEMORY_LIMIT` minimum.
const MIN_MEMORY_LIMIT_MIB: u64 = (MIN_MEMORY_LIMIT_BYTES >> 20) as u64;

/// ruzu: an embedded graph database with a bounded-memory bulk import.
#[derive(Debug, Parser)]
#[command(
    name = "ruzu",
    version,
    about,
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub(crate) struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    /// The database directory (created when it holds no database).
    #[arg(required = true)]
    db: Option<PathBuf>,
    /// Statements to run, separated by ';' (instead of reading standard input).
    #[arg(short = 'c', long = "command", value_name = "STATEMENTS")]
    statements: Option<String>,
    /// Memory of one import in MiB, for COPY statements without their own MEMORY_LIMIT
    /// [default: from the memory cgroup's limit or physical memory, at most 256; `ruzu info`
    /// shows it; at least 8].
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u64).range(MIN_MEMORY_LIMIT_MIB..))]
    memory_limit_mib: Option<u64>,
    /// Decoder threads of an import [default: the machine's cores, at most 8]; an import runs
    /// at most 64, and no more than its memory limit holds buffers for.
    #[arg(long)]
    threads: Option<usize>,
    /// Directory for the spill files of large imports [default: the database directory].
    #[arg(long)]
    spill_dir: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Generates the benchmark data shapes, imports them with progress, reads a few rows back.
    Demo {
        /// Directory for the data set and the database (`<dir>/db`).
        #[arg(default_value = "target/ruzu-demo")]
        dir: PathBuf,
        /// Persons to generate (the edge file gets twice as many rows).
        #[arg(long, default_value_t = DEFAULT_DEMO_PERSONS)]
        persons: u64,
    },
    /// Shows the tables of a database: schemas, row counts, size on disk.
    Info {
        /// The database directory.
        db: PathBuf,
    },
}

/// Runs the program; the exit code says whether everything succeeded.
pub(crate) fn run(args: Args) -> ExitCode {
    match args.command {
        Some(Command::Demo { dir, persons }) => {
            let options = DemoOptions::new(dir).with_persons(persons);
            report(ruzu::demo::run(&options, &mut std::io::stdout().lock()))
        }
        Some(Command::Info { db }) => report(info::run(&db)),
        None => {
            let Some(path) = args.db.clone() else {
                return fail("a database path is required (see ruzu --help)");
            };
            let mut db = match Database::open(&path, config(&args)) {
                Ok(db) => db,
                Err(e) => return fail(&e.to_string()),
            };
            let mut conn = db.connect();
            if let Some(statements) = &args.statements {
                return code(shell::run_script(&mut conn, statements));
            }
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                return report(shell::prompt(&mut conn));
            }
            let mut script = String::new();
            if let Err(e) = stdin.lock().read_to_string(&mut script) {
                return fail(&format!("cannot read standard input: {e}"));
            }
            code(shell::run_script(&mut conn, &script))
        }
    }
}

fn config(args: &Args) -> Config {
    let mut config = Config::default();
    if let Some(mib) = args.memory_limit_mib {
        let bytes = usize::try_from(mib).unwrap_or(usize::MAX);
        config = config.with_memory_limit_bytes(bytes.saturating_mul(1 << 20));
    }
    if let Some(threads) = args.threads {
        config = config.with_threads(threads);
    }
    if let Some(dir) = &args.spill_dir {
        config = config.with_spill_dir(dir);
    }
    config
}

fn code(success: bool) -> ExitCode {
    if success {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn report(result: ruzu::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e.to_string()),
    }
}

/// Prints `message` as one error line on stderr and returns the failure code.
pub(crate) fn fail(message: &str) -> ExitCode {
    print_error(message);
    ExitCode::FAILURE
}

/// Prints `message` on one line (line ends inside it escaped).
pub(crate) fn print_error(message: &str) {
    eprintln!("error: {}", one_line(message));
}

fn one_line(message: &str) -> String {
    message.replace('\r', "\\r").replace('\n', "\\n")
}

/// A panic (a bug) prints one line and exits with code 101 instead of a debug dump.
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        let at = info
            .location()
            .map_or_else(String::new, |l| format!(" at {}:{}", l.file(), l.line()));
        eprintln!(
            "error: internal error (a bug in ruzu, please report it): {}{at}",
            one_line(&what)
        );
    }));
}
