//! Deterministic benchmark data and the measuring tools of ruzu's benchmarks.
//!
//! - [`PersonGen`], [`KnowsGen`]: the two CSV shapes of docs/bench-data.md (`person.csv`,
//!   `knows.csv`), the same bytes for the same seed and size, generated at hundreds of MB/s,
//!   written with [`write_csv`] or streamed through a [`PersonReader`] / [`KnowsReader`].
//! - [`measure`]: wall time, peak RSS of this process and of children, an RSS sampler, and
//!   [`measure::run_measured`] to run a command under all of them.
//!
//! - [`run`]: the benchmark program (`ruzu-bench run`): every import in a fresh child
//!   process, medians, `results.json`, a Markdown table, plots, and `--compare` with Kùzu and
//!   DuckDB.
//! - [`ratio`]: the measuring stick (`ruzu-bench ratio`): in one sitting, interleaved, the
//!   durable import over the decode-only ceiling and over [`arrow_decode_file`] (arrow-csv on
//!   one core), with the import's CPU use and peak RSS.
//! - [`import_file`]: one import of a benchmark file through the `ruzu-copy` driver, with a
//!   progress bar, into any sink ([`DiscardSink`] measures read + decode + driver alone).
//!
//! # Example
//!
//! ```
//! use std::io::Read;
//! use ruzu_bench::{KnowsReader, PersonGen, PersonReader, person_id};
//!
//! let mut persons = String::new();
//! PersonReader::new(7, 10).read_to_string(&mut persons)?;
//! let mut knows = String::new();
//! KnowsReader::new(7, 10).read_to_string(&mut knows)?;
//! assert_eq!(persons.lines().count(), 1 + 10);
//! assert_eq!(knows.lines().count(), 1 + 20);
//!
//! // Row ids are a permutation of person_id(0..10).
//! let persons_gen = PersonGen::new(7, 10);
//! let mut ids: Vec<i64> = (0..10).map(|row| persons_gen.id(row)).collect();
//! ids.sort();
//! assert_eq!(ids, (0..10).map(person_id).collect::<Vec<_>>());
//! # Ok::<(), std::io::Error>(())
//! ```

mod arrow_decode;
mod error;
mod import;
pub mod measure;
pub mod ratio;
pub mod run;

pub use arrow_decode::{ARROW_BATCH_ROWS, ArrowDecode, arrow_decode_file};
pub use error::{BenchError, Result};
pub use import::{DiscardSink, import_file};
/// The generator lives in `ruzu` (its demo uses it); re-exported here for the benchmarks.
pub use ruzu::datagen::{
    DEFAULT_SEED, EDGES_PER_PERSON, KNOWS_DDL, KNOWS_HEADER, KnowsGen, KnowsReader, MAX_BIO_CHARS,
    MAX_TAG_CHARS, MIN_TAG_CHARS, PERSON_DDL, PERSON_HEADER, PERSON_ID_BASE, PERSON_ID_STRIDE,
    PersonGen, PersonReader, RowReader, RowSource, Size, WRITE_BUFFER_BYTES, knows_schema,
    person_id, person_schema, write_csv,
};
