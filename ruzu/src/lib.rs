//! ruzu: an embedded graph database with a bounded-memory, streaming bulk import.
//!
//! Not built yet: the embedding API (`Database`, `Connection`) arrives with the storage layer.
