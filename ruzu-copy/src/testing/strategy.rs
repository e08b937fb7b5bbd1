//! Proptest strategies: tables, rows with nulls and edge-case strings, duplicate and missing
//! keys, and import scenarios with failures injected between calls.

use std::collections::BTreeSet;
use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;
use ruzu_csv::{DataType, Field, Schema};

use super::model::{Endpoints, TableSpec};
use super::value::{OwnedRow, OwnedValue};

/// Sizes of generated scenarios.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ScenarioConfig {
    /// Most imports into the same table, one after the other.
    pub max_imports: usize,
    /// Most calls in one import before its end (commit, abort or crash).
    pub max_ops: usize,
    /// Most rows in one batch.
    pub max_batch_rows: usize,
    /// Longest generated string or blob, in bytes (the "maximum length" case).
    pub max_string_bytes: usize,
    /// Keys are drawn from `0..key_range`, so duplicates are frequent; rel endpoints exist
    /// for the lower half only, so missing ones are too.
    pub key_range: i64,
}

impl Default for ScenarioConfig {
    fn default() -> Self {
        ScenarioConfig {
            max_imports: 3,
            max_ops: 8,
            max_batch_rows: 24,
            max_string_bytes: 1024,
            key_range: 40,
        }
    }
}

/// One call the checker makes on a sink.
#[derive(Clone, Debug)]
pub enum SinkOp {
    /// `write` a batch of these rows.
    Write(Vec<OwnedRow>),
    /// `checkpoint`.
    Checkpoint,
    /// Ask the harness to make the next call fail.
    FailNextCall,
    /// `commit` (ends the import).
    Commit,
    /// `abort` (ends the import).
    Abort,
    /// Drop the sink without commit or abort and recover (ends the import).
    Crash,
}

/// A table and the imports run into it one after the other.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The table.
    pub spec: TableSpec,
    /// Each import's calls after `begin`; the last is `Commit`, `Abort` or `Crash`.
    pub imports: Vec<Vec<SinkOp>>,
    /// For each import, whether its batches go through the sink's parallel phase (when it has
    /// one): every batch of the import prepared ahead by two local sinks on two other threads,
    /// then applied in order with `write_prepared`. Otherwise every batch goes to `write`.
    pub parallel: Vec<bool>,
}

const PROPERTY_TYPES: [DataType; 9] = [
    DataType::String,
    DataType::Int32,
    DataType::Double,
    DataType::Bool,
    DataType::Date,
    DataType::Timestamp,
    DataType::Blob,
    DataType::Uuid,
    DataType::Interval,
];

/// A node table (INT64 primary key first), a rel table (INT64 `from`, `to` first) or a plain
/// table (no key), each with up to four property columns of assorted types.
pub fn table_spec(key_range: i64) -> impl Strategy<Value = TableSpec> {
    let props = vec(proptest::sample::select(&PROPERTY_TYPES[..]), 0..=4);
    (0..3u8, props).prop_map(move |(kind, props)| {
        let mut fields = Vec::new();
        match kind {
            0 => fields.push(Field::new("id", DataType::Int64)),
            1 => {
                fields.push(Field::new("from", DataType::Int64));
                fields.push(Field::new("to", DataType::Int64));
            }
            _ => {}
        }
        fields.extend(
            props
                .iter()
                .enumerate()
                .map(|(i, t)| Field::new(format!("p{i}"), *t)),
        );
        if fields.is_empty() {
            fields.push(Field::new("p0", DataType::String));
        }
        TableSpec {
            schema: Arc::new(Schema::new(fields)),
            primary_key: (kind == 0).then_some(0),
            endpoints: (kind == 1).then(|| Endpoints {
                from_column: 0,
                to_column: 1,
                existing: (0..key_range / 2).collect::<BTreeSet<i64>>(),
            }),
        }
    })
}

fn string_value(max_bytes: usize) -> BoxedStrategy<String> {
    let max_chars = max_bytes.max(1);
    prop_oneof![
        3 => "[a-z]{1,8}",
        2 => Just(String::new()),
        1 => ".{0,12}",
        1 => "[a-z\",\\n\\r ]{0,16}",
        1 => Just("x".repeat(max_chars)),
        1 => vec(any::<char>(), 0..=max_chars / 4).prop_map(|c| c.into_iter().collect()),
    ]
    .boxed()
}

fn value(
    data_type: DataType,
    key_range: i64,
    max_string_bytes: usize,
) -> BoxedStrategy<OwnedValue> {
    let non_null: BoxedStrategy<OwnedValue> = match data_type {
        DataType::Int64 => (0..key_range).prop_map(OwnedValue::Int64).boxed(),
        DataType::Int32 => any::<i32>().prop_map(OwnedValue::Int32).boxed(),
        DataType::Double => (-1e12f64..1e12).prop_map(OwnedValue::Double).boxed(),
        DataType::Bool => any::<bool>().prop_map(OwnedValue::Bool).boxed(),
        DataType::Date => any::<i32>().prop_map(OwnedValue::Date).boxed(),
        DataType::Timestamp => any::<i64>().prop_map(OwnedValue::Timestamp).boxed(),
        DataType::Uuid => any::<u128>().prop_map(OwnedValue::Uuid).boxed(),
        DataType::Interval => (any::<i32>(), any::<i32>(), any::<i64>())
            .prop_map(|(m, d, u)| OwnedValue::Interval(m, d, u))
            .boxed(),
        DataType::Blob => vec(any::<u8>(), 0..=max_string_bytes.min(64))
            .prop_map(OwnedValue::Blob)
            .boxed(),
        _ => string_value(max_string_bytes)
            .prop_map(OwnedValue::String)
            .boxed(),
    };
    prop_oneof![1 => Just(OwnedValue::Null), 6 => non_null].boxed()
}

/// One row of `schema`: about one value in seven NULL, keys from `0..key_range`.
pub fn owned_row(
    schema: &Schema,
    key_range: i64,
    max_string_bytes: usize,
) -> impl Strategy<Value = OwnedRow> + use<> {
    schema
        .fields()
        .iter()
        .map(|f| value(f.data_type, key_range, max_string_bytes))
        .collect::<Vec<_>>()
}

/// Scenarios: a table, then up to `max_imports` imports of writes, checkpoints and injected
/// failures, each ended by a commit, an abort or a crash.
pub fn scenario(config: ScenarioConfig) -> impl Strategy<Value = Scenario> {
    table_spec(config.key_range).prop_flat_map(move |spec| {
        let row = owned_row(&spec.schema, config.key_range, config.max_string_bytes);
        let op = prop_oneof![
            6 => vec(row, 0..=config.max_batch_rows).prop_map(SinkOp::Write),
            2 => Just(SinkOp::Checkpoint),
            1 => Just(SinkOp::FailNextCall),
        ];
        let end = prop_oneof![
            5 => Just(SinkOp::Commit),
            2 => Just(SinkOp::Abort),
            2 => Just(SinkOp::Crash),
        ];
        let import = (vec(op, 0..=config.max_ops), end).prop_map(|(mut ops, end)| {
            ops.push(end);
            ops
        });
        (
            Just(spec),
            vec((import, any::<bool>()), 1..=config.max_imports),
        )
            .prop_map(|(spec, imports)| {
                let (imports, parallel) = imports.into_iter().unzip();
                Scenario {
                    spec,
                    imports,
                    parallel,
                }
            })
    })
}
