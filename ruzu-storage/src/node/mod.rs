//! Node tables: columnar storage in node groups.

pub(crate) mod column;
pub(crate) mod group;
