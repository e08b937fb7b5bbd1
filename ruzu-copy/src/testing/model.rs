//! The reference model of a table under import: plain vectors and maps, obviously right.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use ruzu_csv::{Batch, Schema};

use super::value::{OwnedRow, batch_row};
use crate::sink::{SinkReject, SinkRejectKind};

/// What kind of table a sink writes: its schema and the rules that make it reject rows.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSpec {
    /// Columns of every batch.
    pub schema: Arc<Schema>,
    /// Node tables: the primary key column (an integer column). Duplicate keys keep the first
    /// row; NULL keys are rejected.
    pub primary_key: Option<usize>,
    /// Rel tables: the endpoint columns and the node keys that exist.
    pub endpoints: Option<Endpoints>,
}

/// The endpoint columns of a rel table and the keys of the nodes they may name (both
/// endpoints reference the same node table in the kit).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoints {
    /// Column of the `FROM` node's key.
    pub from_column: usize,
    /// Column of the `TO` node's key.
    pub to_column: usize,
    /// Keys of the existing nodes.
    pub existing: BTreeSet<i64>,
}

impl TableSpec {
    /// The rows of `batch` this table refuses, in row order, as a correct sink reports them,
    /// given `first_lines`: the line where each key already stored or pending was first seen.
    /// Keys of accepted rows are added to `first_lines`.
    ///
    /// Rules, checked in this order: NULL key, duplicate key (node table); `from` endpoint
    /// missing, then `to` endpoint missing (rel table; a NULL endpoint counts as missing).
    pub fn rejects(&self, batch: &Batch, first_lines: &mut HashMap<i64, u64>) -> Vec<SinkReject> {
        let mut out = Vec::new();
        for row in 0..batch.num_rows() {
            let values = batch_row(batch, row);
            if let Some((kind, column)) = self.check_row(&values, batch.line(row), first_lines) {
                out.push(SinkReject {
                    row,
                    column: Some(column + 1),
                    kind,
                    text: None,
                });
            }
        }
        out
    }

    /// Why the table refuses `values` (and the 0-based column), or `None` after recording its
    /// key at `line`.
    fn check_row(
        &self,
        values: &OwnedRow,
        line: u64,
        first_lines: &mut HashMap<i64, u64>,
    ) -> Option<(SinkRejectKind, usize)> {
        if let Some(pk) = self.primary_key {
            let Some(key) = values[pk].as_key() else {
                return Some((SinkRejectKind::NullKey, pk));
            };
            if let Some(&first) = first_lines.get(&key) {
                return Some((
                    SinkRejectKind::DuplicateKey {
                        first_line: Some(first),
                    },
                    pk,
                ));
            }
        }
        if let Some(e) = &self.endpoints {
            for (column, endpoint) in [(e.from_column, "from"), (e.to_column, "to")] {
                let found = values[column]
                    .as_key()
                    .is_some_and(|k| e.existing.contains(&k));
                if !found {
                    return Some((SinkRejectKind::MissingEndpoint { endpoint }, column));
                }
            }
        }
        if let Some(pk) = self.primary_key
            && let Some(key) = values[pk].as_key()
        {
            first_lines.insert(key, line);
        }
        None
    }
}

/// A table under import, as plain data: the durable rows and the rows written since the last
/// checkpoint.
#[derive(Clone, Debug)]
pub struct Model {
    spec: TableSpec,
    durable: Vec<OwnedRow>,
    durable_keys: HashMap<i64, u64>,
    pending: Vec<OwnedRow>,
    pending_keys: HashMap<i64, u64>,
}

impl Model {
    /// An empty table of `spec`.
    pub fn new(spec: TableSpec) -> Self {
        Model {
            spec,
            durable: Vec::new(),
            durable_keys: HashMap::new(),
            pending: Vec::new(),
            pending_keys: HashMap::new(),
        }
    }

    /// The table's rules.
    pub fn spec(&self) -> &TableSpec {
        &self.spec
    }

    /// Writes `batch`; returns the rejects a correct sink reports.
    pub fn write(&mut self, batch: &Batch) -> Vec<SinkReject> {
        let mut seen = self.durable_keys.clone();
        seen.extend(self.pending_keys.iter().map(|(k, v)| (*k, *v)));
        let rejects = self.spec.rejects(batch, &mut seen);
        let mut refused = rejects.iter().map(|r| r.row).peekable();
        for row in 0..batch.num_rows() {
            if refused.peek() == Some(&row) {
                refused.next();
                continue;
            }
            let values = batch_row(batch, row);
            if let Some(pk) = self.spec.primary_key
                && let Some(key) = values[pk].as_key()
            {
                self.pending_keys.insert(key, batch.line(row));
            }
            self.pending.push(values);
        }
        rejects
    }

    /// Makes the pending rows durable.
    pub fn checkpoint(&mut self) {
        self.durable.append(&mut self.pending);
        self.durable_keys.extend(self.pending_keys.drain());
    }

    /// Same as [`Model::checkpoint`]: commit makes everything durable.
    pub fn commit(&mut self) {
        self.checkpoint();
    }

    /// Drops the pending rows (also what a crash does).
    pub fn abort(&mut self) {
        self.pending.clear();
        self.pending_keys.clear();
    }

    /// The rows a reader sees: the durable ones.
    pub fn visible(&self) -> &[OwnedRow] {
        &self.durable
    }

    /// Rows written and accepted since the last checkpoint.
    pub fn pending(&self) -> &[OwnedRow] {
        &self.pending
    }
}
