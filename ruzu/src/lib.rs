//! ruzu: an embedded graph database with a bounded-memory, streaming bulk import.
//!
//! Not built yet: the embedding API (`Database`, `Connection`). The crate holds the
//! deterministic generator of the benchmark data ([`datagen`]).
//!
//! # Example
//!
//! ```
//! let persons = ruzu::datagen::PersonGen::new(7, 10);
//! assert_eq!((persons.id(0) - ruzu::datagen::PERSON_ID_BASE) % ruzu::datagen::PERSON_ID_STRIDE, 0);
//! ```

pub mod datagen;
mod error;

pub use error::{Error, Result};
