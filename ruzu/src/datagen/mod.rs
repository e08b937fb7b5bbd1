//! The deterministic generator of the two benchmark CSV shapes of docs/bench-data.md.
//!
//! `person.csv` ([`PersonGen`]) and `knows.csv` ([`KnowsGen`]): the same seed and size give the
//! same bytes, on every machine and however the output is buffered, because every row is a pure
//! function of `(seed, size, row index)`. Memory is O(1) in the size: ids come from a keyed
//! Feistel permutation, not a shuffled vector.
//!
//! Speed comes from writing straight into one reused buffer: hand-rolled digit formatting,
//! wyrand, names and text cut out of a fixed vocabulary, no allocation per row.

mod append;
mod calendar;
mod digits;
mod knows;
mod permutation;
mod person;
mod rng;
mod schema;
mod size;
mod stream;
mod words;

pub use knows::{EDGES_PER_PERSON, KNOWS_HEADER, KnowsGen, MAX_TAG_CHARS, MIN_TAG_CHARS};
pub use person::{
    MAX_BIO_CHARS, PERSON_HEADER, PERSON_ID_BASE, PERSON_ID_STRIDE, PersonGen, person_id,
};
pub use schema::{KNOWS_DDL, PERSON_DDL, knows_schema, person_schema};
pub use size::Size;
pub use stream::{KnowsReader, PersonReader, RowReader, RowSource, WRITE_BUFFER_BYTES, write_csv};

/// The seed used when none is given, so that everybody benchmarks the same bytes.
pub const DEFAULT_SEED: u64 = 20_261_125;
