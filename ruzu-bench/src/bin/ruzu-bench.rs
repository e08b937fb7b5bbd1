//! `ruzu-bench`: generates the benchmark data sets of BENCH_DATA.md.

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ruzu_bench::measure::{Timer, peak_rss_self_bytes};
use ruzu_bench::{BenchError, DEFAULT_SEED, KnowsGen, PersonGen, RowSource, Size, write_csv};

/// Benchmark data and measurements for ruzu.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Writes person.csv and knows.csv (2 edges per person) into a directory.
    Gen(GenArgs),
}

#[derive(Debug, Args)]
struct GenArgs {
    /// Number of persons.
    #[arg(long, conflicts_with = "size", required_unless_present = "size")]
    persons: Option<u64>,
    /// A documented size instead of --persons: 100mb, 500mb, 1gb or 5gb.
    #[arg(long)]
    size: Option<Size>,
    /// Output directory (created if missing).
    #[arg(long, required_unless_present = "discard")]
    out: Option<PathBuf>,
    /// Generate without writing anything, to measure the generator alone.
    #[arg(long, conflicts_with = "out")]
    discard: bool,
    /// Seed; the same seed and size give the same bytes.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Gen(args) => generate(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn generate(args: &GenArgs) -> Result<(), BenchError> {
    let persons = match (args.persons, args.size) {
        (Some(n), _) => n,
        (None, Some(size)) => size.persons(),
        (None, None) => unreachable!("clap requires --persons or --size"),
    };
    if let Some(out) = &args.out {
        fs::create_dir_all(out).map_err(|source| BenchError::Io {
            path: out.clone(),
            source,
        })?;
    }
    let timer = Timer::start();
    let mut total = 0;
    total += write_table(
        &PersonGen::new(args.seed, persons),
        args.out.as_deref(),
        "person.csv",
    )?;
    total += write_table(
        &KnowsGen::new(args.seed, persons),
        args.out.as_deref(),
        "knows.csv",
    )?;
    println!(
        "total: {:.1} MB in {:.2} s = {:.0} MB/s (seed {}, peak RSS {:.1} MB)",
        total as f64 / 1e6,
        timer.elapsed().as_secs_f64(),
        timer.mb_per_s(total),
        args.seed,
        peak_rss_self_bytes()? as f64 / 1e6,
    );
    Ok(())
}

/// Writes one table to `dir/name` (into the page cache, no fsync), or nowhere without a `dir`,
/// and prints its size and speed; returns its bytes.
fn write_table(source: &dyn RowSource, dir: Option<&Path>, name: &str) -> Result<u64, BenchError> {
    let path = dir.map_or_else(|| PathBuf::from(name), |d| d.join(name));
    let io_err = |source| BenchError::Io {
        path: path.clone(),
        source,
    };
    let timer = Timer::start();
    let bytes = match dir {
        Some(_) => write_csv(source, &mut File::create(&path).map_err(io_err)?),
        None => write_csv(source, &mut io::sink()),
    }
    .map_err(io_err)?;
    let rows = source.rows();
    println!(
        "{}: {rows} rows, {:.1} MB ({:.1} B/row) in {:.2} s = {:.0} MB/s",
        path.display(),
        bytes as f64 / 1e6,
        bytes as f64 / rows.max(1) as f64,
        timer.elapsed().as_secs_f64(),
        timer.mb_per_s(bytes),
    );
    Ok(bytes)
}
