//! An in-memory sink that keeps the contract, with failures injectable at any call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use ruzu_csv::{Batch, Value};

use super::checker::{RowOrder, SinkHarness};
use super::model::TableSpec;
use super::value::{OwnedRow, batch_row};
use crate::error::SinkCall;
use crate::sink::{BatchSink, ResumePoint, SinkContext, SinkError, SinkReject};

/// The durable state of an in-memory table: what survives a crash.
#[derive(Debug)]
pub struct MemoryTable {
    spec: TableSpec,
    rows: Vec<OwnedRow>,
    keys: HashMap<i64, u64>,
    resume: Option<ResumePoint>,
}

impl MemoryTable {
    /// An empty table of `spec`, shared by the sinks that import into it.
    pub fn new(spec: TableSpec) -> Arc<Mutex<Self>> {
        Arc::new(Mutex::new(MemoryTable {
            spec,
            rows: Vec::new(),
            keys: HashMap::new(),
            resume: None,
        }))
    }

    /// The rows a reader sees.
    pub fn rows(&self) -> &[OwnedRow] {
        &self.rows
    }

    /// The resume point stored with the last checkpoint.
    pub fn resume_point(&self) -> Option<&ResumePoint> {
        self.resume.as_ref()
    }
}

/// Which call of a [`MemorySink`] fails: the `nth` (1-based) call of kind `call`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FailPlan {
    /// The kind of call.
    pub call: SinkCall,
    /// 1-based number of that kind of call.
    pub nth: u64,
}

/// A [`BatchSink`] into a [`MemoryTable`], keeping its pending rows apart until checkpoint or
/// commit. The reference implementation of the contract.
#[derive(Debug)]
pub struct MemorySink {
    table: Arc<Mutex<MemoryTable>>,
    pending: Vec<OwnedRow>,
    pending_keys: HashMap<i64, u64>,
    fail: Option<FailPlan>,
    fail_next: bool,
    calls: HashMap<&'static str, u64>,
    failed: bool,
    /// Rows written over the sink's life (accepted ones), for tests.
    pub rows_written: u64,
}

fn lock(table: &Mutex<MemoryTable>) -> MutexGuard<'_, MemoryTable> {
    table.lock().unwrap_or_else(|e| e.into_inner())
}

impl MemorySink {
    /// A sink importing into `table`.
    pub fn new(table: Arc<Mutex<MemoryTable>>) -> Self {
        MemorySink {
            table,
            pending: Vec::new(),
            pending_keys: HashMap::new(),
            fail: None,
            fail_next: false,
            calls: HashMap::new(),
            failed: false,
            rows_written: 0,
        }
    }

    /// Makes the call described by `plan` fail with an I/O error ("disk full").
    pub fn with_failure(mut self, plan: FailPlan) -> Self {
        self.fail = Some(plan);
        self
    }

    /// Makes the next begin, write, checkpoint or commit call fail.
    pub fn fail_next_call(&mut self) {
        self.fail_next = true;
    }

    fn enter(&mut self, call: SinkCall) -> Result<(), SinkError> {
        let name = call.name();
        let n = self.calls.entry(name).or_insert(0);
        *n += 1;
        if call == SinkCall::Abort {
            return Ok(());
        }
        if self.failed {
            return Err(format!("{name} refused: an earlier call failed").into());
        }
        let planned = self.fail.is_some_and(|p| p.call == call && p.nth == *n);
        if planned || std::mem::take(&mut self.fail_next) {
            self.failed = true;
            return Err(Box::new(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                format!("injected failure in {name} #{n}"),
            )));
        }
        Ok(())
    }

    fn publish(&mut self) {
        let mut table = lock(&self.table);
        table.rows.append(&mut self.pending);
        let keys = std::mem::take(&mut self.pending_keys);
        table.keys.extend(keys);
    }
}

impl BatchSink for MemorySink {
    fn begin(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        self.enter(SinkCall::Begin)?;
        let table = lock(&self.table);
        if *ctx.schema != *table.spec.schema {
            return Err("batch schema differs from the table's".into());
        }
        Ok(if ctx.resume {
            table.resume.clone()
        } else {
            None
        })
    }

    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        self.enter(SinkCall::Write)?;
        let table = lock(&self.table);
        let mut seen = table.keys.clone();
        seen.extend(self.pending_keys.iter().map(|(k, v)| (*k, *v)));
        let found = table.spec.rejects(batch, &mut seen);
        let pk = table.spec.primary_key;
        drop(table);
        let mut refused = found.iter().map(|r| r.row).peekable();
        for row in 0..batch.num_rows() {
            if refused.peek() == Some(&row) {
                refused.next();
                continue;
            }
            let values = batch_row(batch, row);
            if let Some(key) = pk.and_then(|pk| values[pk].as_key()) {
                self.pending_keys.insert(key, batch.line(row));
            }
            self.pending.push(values);
            self.rows_written += 1;
        }
        for mut r in found {
            if let Some(c) = r.column {
                let text = match batch.value(r.row, c - 1) {
                    Value::Null => "NULL".to_owned(),
                    Value::Int64(v) => v.to_string(),
                    Value::Int32(v) => v.to_string(),
                    Value::UInt64(v) => v.to_string(),
                    Value::String(v) => v.to_owned(),
                    other => format!("{other:?}"),
                };
                r.text = Some(ruzu_csv::snippet(text.as_bytes()));
            }
            rejects.push(r);
        }
        Ok(())
    }

    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<(), SinkError> {
        self.enter(SinkCall::Checkpoint)?;
        self.publish();
        lock(&self.table).resume = Some(resume.clone());
        Ok(())
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        self.enter(SinkCall::Commit)?;
        self.publish();
        lock(&self.table).resume = None;
        Ok(())
    }

    fn abort(&mut self) -> Result<(), SinkError> {
        self.enter(SinkCall::Abort)?;
        self.pending.clear();
        self.pending_keys.clear();
        Ok(())
    }
}

/// The [`SinkHarness`] of [`MemorySink`].
#[derive(Debug, Default)]
pub struct MemoryHarness {
    table: Option<Arc<Mutex<MemoryTable>>>,
}

impl MemoryHarness {
    fn table(&self) -> &Arc<Mutex<MemoryTable>> {
        self.table
            .as_ref()
            .expect("invariant: the checker creates the table first")
    }
}

impl SinkHarness for MemoryHarness {
    type Sink = MemorySink;

    fn create_table(&mut self, spec: &TableSpec) {
        self.table = Some(MemoryTable::new(spec.clone()));
    }

    fn sink(&mut self) -> MemorySink {
        MemorySink::new(self.table().clone())
    }

    fn stored_rows(&mut self) -> Vec<OwnedRow> {
        lock(self.table()).rows.clone()
    }

    fn crash(&mut self, sink: MemorySink) {
        drop(sink);
    }

    fn inject_failure(&mut self, sink: &mut MemorySink) -> bool {
        sink.fail_next_call();
        true
    }

    fn row_order(&self) -> RowOrder {
        RowOrder::Insertion
    }
}
