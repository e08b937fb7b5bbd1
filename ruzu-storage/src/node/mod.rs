//! Node tables: column chunks and the primary-key index.

pub(crate) mod pk_index;
