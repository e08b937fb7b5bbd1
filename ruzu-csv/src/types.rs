//! Column types and table schemas.

use std::fmt;
use std::str::FromStr;

/// The logical type of a column, with Kùzu's names.
///
/// Physical representation inside a [`Batch`](crate::Batch):
///
/// | type | values |
/// |---|---|
/// | `Bool` | bitmap |
/// | `Int8` .. `Int128`, `UInt8` .. `UInt64` | the matching Rust integer |
/// | `Float`, `Double` | `f32`, `f64` |
/// | `Date` | `i32` days since 1970-01-01 |
/// | `Timestamp` | `i64` microseconds since 1970-01-01 00:00:00 UTC |
/// | `Interval` | [`Interval`] (months, days, microseconds) |
/// | `Uuid` | `u128`, big-endian reading of the 16 bytes as written |
/// | `String` | offsets + UTF-8 bytes in the batch arena |
/// | `Blob` | offsets + bytes in the batch arena |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DataType {
    /// `BOOL` / `BOOLEAN`.
    Bool,
    /// `INT8`.
    Int8,
    /// `INT16`.
    Int16,
    /// `INT32` / `INT`.
    Int32,
    /// `INT64`.
    Int64,
    /// `INT128`.
    Int128,
    /// `UINT8`.
    UInt8,
    /// `UINT16`.
    UInt16,
    /// `UINT32`.
    UInt32,
    /// `UINT64`.
    UInt64,
    /// `FLOAT`.
    Float,
    /// `DOUBLE`.
    Double,
    /// `STRING`.
    String,
    /// `DATE`.
    Date,
    /// `TIMESTAMP`.
    Timestamp,
    /// `INTERVAL`.
    Interval,
    /// `UUID`.
    Uuid,
    /// `BLOB` / `BYTEA`.
    Blob,
}

impl DataType {
    /// Every type, in declaration order.
    pub const ALL: [DataType; 18] = [
        DataType::Bool,
        DataType::Int8,
        DataType::Int16,
        DataType::Int32,
        DataType::Int64,
        DataType::Int128,
        DataType::UInt8,
        DataType::UInt16,
        DataType::UInt32,
        DataType::UInt64,
        DataType::Float,
        DataType::Double,
        DataType::String,
        DataType::Date,
        DataType::Timestamp,
        DataType::Interval,
        DataType::Uuid,
        DataType::Blob,
    ];

    /// The canonical upper-case name, as Kùzu prints it.
    pub fn name(self) -> &'static str {
        match self {
            DataType::Bool => "BOOL",
            DataType::Int8 => "INT8",
            DataType::Int16 => "INT16",
            DataType::Int32 => "INT32",
            DataType::Int64 => "INT64",
            DataType::Int128 => "INT128",
            DataType::UInt8 => "UINT8",
            DataType::UInt16 => "UINT16",
            DataType::UInt32 => "UINT32",
            DataType::UInt64 => "UINT64",
            DataType::Float => "FLOAT",
            DataType::Double => "DOUBLE",
            DataType::String => "STRING",
            DataType::Date => "DATE",
            DataType::Timestamp => "TIMESTAMP",
            DataType::Interval => "INTERVAL",
            DataType::Uuid => "UUID",
            DataType::Blob => "BLOB",
        }
    }

    /// Bytes of one value for fixed-width types, `None` for `String` and `Blob`.
    ///
    /// `Bool` reports 1: it is stored as a bitmap in batches but its width here is what a
    /// byte-per-value layout would need.
    pub fn fixed_width_bytes(self) -> Option<usize> {
        Some(match self {
            DataType::Bool | DataType::Int8 | DataType::UInt8 => 1,
            DataType::Int16 | DataType::UInt16 => 2,
            DataType::Int32 | DataType::UInt32 | DataType::Float | DataType::Date => 4,
            DataType::Int64 | DataType::UInt64 | DataType::Double | DataType::Timestamp => 8,
            DataType::Int128 | DataType::Uuid | DataType::Interval => 16,
            DataType::String | DataType::Blob => return None,
        })
    }

    /// Whether values are variable-size bytes (`String`, `Blob`).
    pub fn is_var_size(self) -> bool {
        matches!(self, DataType::String | DataType::Blob)
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Error returned when a type name is not known.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown data type {name:?}")]
pub struct UnknownType {
    /// The name as written.
    pub name: String,
}

impl FromStr for DataType {
    type Err = UnknownType;

    /// Parses a type name case-insensitively, accepting Kùzu's aliases
    /// (`BOOLEAN`, `INT`, `INTEGER`, `BIGINT`, `SMALLINT`, `TINYINT`, `HUGEINT`, `REAL`,
    /// `FLOAT4`, `FLOAT8`, `VARCHAR`, `TEXT`, `BYTEA`, `SERIAL`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        Ok(match upper.as_str() {
            "BOOL" | "BOOLEAN" => DataType::Bool,
            "INT8" | "TINYINT" => DataType::Int8,
            "INT16" | "SMALLINT" => DataType::Int16,
            "INT32" | "INT" | "INTEGER" => DataType::Int32,
            "INT64" | "BIGINT" | "SERIAL" => DataType::Int64,
            "INT128" | "HUGEINT" => DataType::Int128,
            "UINT8" => DataType::UInt8,
            "UINT16" => DataType::UInt16,
            "UINT32" => DataType::UInt32,
            "UINT64" => DataType::UInt64,
            "FLOAT" | "REAL" | "FLOAT4" => DataType::Float,
            "DOUBLE" | "FLOAT8" => DataType::Double,
            "STRING" | "VARCHAR" | "TEXT" => DataType::String,
            "DATE" => DataType::Date,
            "TIMESTAMP" => DataType::Timestamp,
            "INTERVAL" => DataType::Interval,
            "UUID" => DataType::Uuid,
            "BLOB" | "BYTEA" => DataType::Blob,
            _ => {
                return Err(UnknownType { name: s.to_owned() });
            }
        })
    }
}

/// A calendar interval: months, days and microseconds kept apart, as in Kùzu and Arrow's
/// `MonthDayNano` (with microsecond precision).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Interval {
    /// Whole months (a year is 12).
    pub months: i32,
    /// Whole days.
    pub days: i32,
    /// Microseconds (hours, minutes, seconds and fractions).
    pub micros: i64,
}

/// One named, typed column of a schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Column name as the user declared it.
    pub name: String,
    /// Column type.
    pub data_type: DataType,
}

impl Field {
    /// A field named `name` of type `data_type`.
    pub fn new(name: impl Into<String>, data_type: DataType) -> Self {
        Field {
            name: name.into(),
            data_type,
        }
    }
}

/// The ordered columns a CSV file is decoded into.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Schema {
    fields: Vec<Field>,
}

impl Schema {
    /// A schema of `fields`, in file order.
    pub fn new(fields: Vec<Field>) -> Self {
        Schema { fields }
    }

    /// The fields in order.
    pub fn fields(&self) -> &[Field] {
        &self.fields
    }

    /// Number of columns.
    pub fn len(&self) -> usize {
        self.fields.len()
    }

    /// Whether the schema has no column.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Index of the column named `name` (case-insensitive, as Kùzu), if any.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.fields
            .iter()
            .position(|f| f.name.eq_ignore_ascii_case(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_round_trip_through_from_str() {
        for t in DataType::ALL {
            assert_eq!(t.name().parse::<DataType>(), Ok(t));
            assert_eq!(t.name().to_lowercase().parse::<DataType>(), Ok(t));
        }
        assert!("LIST".parse::<DataType>().is_err());
    }

    #[test]
    fn index_of_ignores_case() {
        let s = Schema::new(vec![
            Field::new("id", DataType::Int64),
            Field::new("Name", DataType::String),
        ]);
        assert_eq!(s.index_of("NAME"), Some(1));
        assert_eq!(s.index_of("x"), None);
    }
}
