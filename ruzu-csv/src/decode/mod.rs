//! Typed value parsers: text of one field to one value, with Kùzu's rules and ranges.
//!
//! Every parser takes the field's bytes exactly as they appear after unquoting (no trimming:
//! `" 2"` is not an INT64) and returns the value or a [`ValueError`]. They never allocate or
//! panic, except `parse_blob`, which appends to a caller's reusable buffer. Each file's docs
//! give the exact forms accepted and where ruzu differs from Kùzu.
//!
//! [`crate::format`] writes the canonical text of every value; each parser reads that text back
//! to the same value.

mod blob;
pub(crate) mod calendar;
pub(crate) mod columns;
mod date;
mod interval;
mod number;
#[cfg(test)]
mod tests;
mod timestamp;
mod uuid;

pub(crate) use blob::parse_blob;
pub(crate) use date::parse_date;
pub(crate) use interval::parse_interval;
pub(crate) use number::{parse_bool, parse_f32, parse_f64, parse_i128, parse_int};
pub(crate) use timestamp::parse_timestamp;
pub(crate) use uuid::parse_uuid;

/// Why a field is not a value of its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ValueError {
    /// Not of the type's form at all.
    Invalid,
    /// Of the right form but outside the type's range.
    OutOfRange,
}
