//! Node tables: columnar storage in node groups and the primary-key index.

pub(crate) mod column;
pub(crate) mod group;
pub(crate) mod pk_index;
pub(crate) mod scan;
pub(crate) mod table_meta;
