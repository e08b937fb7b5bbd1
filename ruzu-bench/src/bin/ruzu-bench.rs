//! `ruzu-bench`: generates the benchmark data sets of docs/bench-data.md, runs the demo, single
//! measured imports and the benchmark (`run`).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use ruzu_bench::measure::{Timer, cpu_seconds_self, peak_rss_self_bytes};
use ruzu_bench::ratio::RatioArgs;
use ruzu_bench::run::{ImportResult, RunArgs};
use ruzu_bench::{
    BenchError, DEFAULT_SEED, DiscardSink, KNOWS_DDL, KnowsGen, PERSON_DDL, PersonGen, RowSource,
    Size, arrow_decode_file, import_file, knows_schema, person_schema, write_csv,
};
use ruzu_copy::{CopyOptions, CopyReport};
use ruzu_storage::{DATA_FILE_NAME, NodeTableSink, RelTableSink, Store};

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
    /// Generates a demo data set and imports it, with progress, rows/s and peak memory.
    Demo(DemoArgs),
    /// Imports one file of a benchmark shape and reports rows/s and peak memory.
    Import(ImportArgs),
    /// Runs the benchmark: every size's imports in fresh child processes, medians of N runs,
    /// results.json, a Markdown table and plots.
    Run(RunArgs),
    /// Decodes one file of a benchmark shape with arrow-csv on one core (the yardstick).
    DecodeArrow(DecodeArrowArgs),
    /// The measuring stick: per shape, durable import over the decode-only ceiling and over
    /// arrow-csv on one core, interleaved rounds in fresh child processes, medians.
    Ratio(RatioArgs),
}

#[derive(Debug, Args)]
struct DecodeArrowArgs {
    /// Which benchmark shape the file has.
    #[arg(long, value_enum)]
    shape: Shape,
    /// The CSV file (with a header).
    file: PathBuf,
}

#[derive(Debug, Args)]
struct DemoArgs {
    /// Number of persons (knows.csv gets twice as many edges).
    #[arg(long, default_value_t = 200_000)]
    persons: u64,
    /// Directory for the data set (reused when it already holds it).
    #[arg(long, default_value = "target/ruzu-demo")]
    dir: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Shape {
    Person,
    Knows,
}

#[derive(Debug, Args)]
struct ImportArgs {
    /// Which benchmark shape the file has.
    #[arg(long, value_enum)]
    shape: Shape,
    /// The CSV file (with a header).
    file: PathBuf,
    /// MEMORY_LIMIT of the import in bytes.
    #[arg(long)]
    memory_limit: Option<usize>,
    /// Decoder threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Import into a database in this directory instead of discarding the rows: person
    /// creates a new database; knows opens the one a person import made (creating the
    /// `Knows` rel table when missing).
    #[arg(long)]
    db: Option<PathBuf>,
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
        Command::Demo(args) => demo(&args),
        Command::Import(args) => import(&args),
        Command::Run(args) => args.execute(),
        Command::DecodeArrow(args) => decode_arrow(&args),
        Command::Ratio(args) => args.execute(),
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

/// Runs `ruzu demo` (the demo lives in the `ruzu` crate): generates the data set under
/// `dir`, imports it into `dir/db` with progress, and reads a few rows back.
fn demo(args: &DemoArgs) -> Result<(), BenchError> {
    let options = ruzu::demo::DemoOptions::new(&args.dir).with_persons(args.persons);
    ruzu::demo::run(&options, &mut io::stdout().lock()).map_err(|e| BenchError::Io {
        path: args.dir.clone(),
        source: io::Error::other(e),
    })
}

/// Imports one file into a discarding sink and prints the summary.
fn import(args: &ImportArgs) -> Result<(), BenchError> {
    let (label, schema) = match args.shape {
        Shape::Person => ("Person", person_schema()),
        Shape::Knows => ("Knows", knows_schema()),
    };
    let mut options = CopyOptions::default();
    if let Some(limit) = args.memory_limit {
        options = options.with_memory_limit_bytes(limit);
    }
    if let Some(threads) = args.threads {
        options = options.with_decoder_threads(threads);
    }
    let Some(db) = &args.db else {
        let mut sink = DiscardSink::default();
        let cpu_before = cpu_seconds_self()?;
        let report = import_file(label, &args.file, schema, options, &mut sink)?;
        let cpu = cpu_seconds_self()? - cpu_before;
        summary(&report, cpu)?;
        return print_result(&report, cpu);
    };
    // Person: a new database. Knows: the database a person import made, with `Knows` created
    // when missing.
    let mut store = match args.shape {
        Shape::Person => {
            let mut store = Store::create(db)?;
            store.execute_ddl(&ruzu_copy::parse_ddl(PERSON_DDL).expect("valid DDL"))?;
            store
        }
        Shape::Knows => {
            let mut store = Store::open(db)?;
            if store.catalog().table("Knows").is_none() {
                store.execute_ddl(&ruzu_copy::parse_ddl(KNOWS_DDL).expect("valid DDL"))?;
            }
            store
        }
    };
    let spill = db.join("spill");
    fs::create_dir_all(&spill).map_err(|source| BenchError::Io {
        path: spill.clone(),
        source,
    })?;
    let cpu_before = cpu_seconds_self()?;
    let report = match args.shape {
        Shape::Person => {
            let mut sink = NodeTableSink::new(&mut store, label).with_spill_dir(&spill);
            import_file(label, &args.file, schema, options, &mut sink)?
        }
        Shape::Knows => {
            let mut sink = RelTableSink::new(&mut store, label).with_spill_dir(&spill);
            let report = import_file(label, &args.file, schema, options, &mut sink)?;
            if let Some(stats) = sink.stats() {
                println!(
                    "rel import: endpoint index cached whole: {}, resolved by the out-of-core \
                     join: {}, edge runs spilled: {}",
                    stats.index_in_memory, stats.resolved_late, stats.spilled
                );
            }
            report
        }
    };
    let cpu = cpu_seconds_self()? - cpu_before;
    summary(&report, cpu)?;
    let data_file = db.join(DATA_FILE_NAME);
    let on_disk = fs::metadata(&data_file)
        .map_err(|source| BenchError::Io {
            path: data_file.clone(),
            source,
        })?
        .len();
    println!(
        "database {}: {} rows, {:.1} MB on disk ({:.2}x the CSV)",
        db.display(),
        store.row_count(label)?,
        on_disk as f64 / 1e6,
        on_disk as f64 / report.bytes_read.max(1) as f64
    );
    print_result(&report, cpu)
}

/// Decodes one file with arrow-csv on this thread and prints a summary and the `RESULT` line.
fn decode_arrow(args: &DecodeArrowArgs) -> Result<(), BenchError> {
    let schema = match args.shape {
        Shape::Person => person_schema(),
        Shape::Knows => knows_schema(),
    };
    let cpu_before = cpu_seconds_self()?;
    let decoded = arrow_decode_file(&args.file, &schema)?;
    let cpu = cpu_seconds_self()? - cpu_before;
    let secs = decoded.elapsed.as_secs_f64().max(1e-9);
    let rows_per_s = decoded.rows as f64 / secs;
    println!(
        "arrow-csv: {} rows, {:.1} MB in {secs:.2} s = {:.2} M rows/s on one core ({:.0} % CPU)",
        decoded.rows,
        decoded.bytes as f64 / 1e6,
        rows_per_s / 1e6,
        100.0 * cpu / secs,
    );
    let result = ImportResult {
        table: "arrow-csv".into(),
        rows: decoded.rows,
        rejected: 0,
        bytes: decoded.bytes,
        seconds: secs,
        rows_per_s,
        peak_rss_bytes: peak_rss_self_bytes()?,
        cpu_seconds: Some(cpu),
    };
    println!("{}", result.to_line());
    Ok(())
}

/// Prints the `RESULT {json}` line `ruzu-bench run` and `ratio` read from their import
/// children; `cpu` is the CPU time of the import.
fn print_result(report: &CopyReport, cpu: f64) -> Result<(), BenchError> {
    println!(
        "{}",
        ImportResult::from_report(report, peak_rss_self_bytes()?, Some(cpu)).to_line()
    );
    Ok(())
}

/// One line per import: rows, rejected, elapsed, rows/s, bytes/s, CPU use and the process's
/// peak RSS.
fn summary(report: &CopyReport, cpu: f64) -> Result<(), BenchError> {
    let secs = report.elapsed.as_secs_f64();
    println!(
        "{}: {} rows imported, {} rejected, {:.1} MB in {:.2} s = {:.2} M rows/s, {:.0} MB/s, \
         {:.0} % CPU; import accounted peak {:.1} MB of {:.0} MB limit; process peak RSS {:.1} MB",
        report.table,
        report.rows_imported,
        report.rows_rejected,
        report.bytes_read as f64 / 1e6,
        secs,
        report.rows_per_second() / 1e6,
        report.bytes_read as f64 / secs.max(1e-9) / 1e6,
        100.0 * cpu / secs.max(1e-9),
        report.peak_memory_bytes as f64 / 1e6,
        report.memory_limit_bytes as f64 / 1e6,
        peak_rss_self_bytes()? as f64 / 1e6,
    );
    Ok(())
}
