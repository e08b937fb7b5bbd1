//! An in-memory sink that keeps the contract, with failures injectable at any call.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use ruzu_csv::{Batch, Value};

use super::checker::{RowOrder, SinkHarness};
use super::model::TableSpec;
use super::value::{OwnedRow, batch_row};
use crate::error::SinkCall;
use crate::sink::{
    BatchSink, LocalSink, Prepared, ResumePoint, SinkContext, SinkError, SinkReject,
};

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
///
/// With [`MemorySink::with_parallel_phase`] it also offers the parallel phase: its local sinks
/// copy each batch's rows out of the batch (the work that needs no order), and
/// `write_prepared` checks keys and stores them in order.
#[derive(Debug)]
pub struct MemorySink {
    table: Arc<Mutex<MemoryTable>>,
    pending: Vec<OwnedRow>,
    pending_keys: HashMap<i64, u64>,
    fail: Option<FailPlan>,
    fail_next: bool,
    calls: HashMap<&'static str, u64>,
    failed: bool,
    /// Whether [`BatchSink::local_sink`] offers local sinks.
    parallel: bool,
    /// Rows written over the sink's life (accepted ones), for tests.
    pub rows_written: u64,
    /// Batches stored through `write_prepared` with rows a local sink prepared, for tests.
    pub batches_prepared: u64,
}

/// The local sink of a [`MemorySink`]: copies the rows of a batch out of it.
#[derive(Debug)]
struct MemoryLocal;

/// What a [`MemoryLocal`] prepared: the batch's rows, owned.
#[derive(Debug, Default)]
struct PreparedRows {
    rows: Vec<OwnedRow>,
}

impl LocalSink for MemoryLocal {
    fn prepare(&mut self, batch: &Batch, prepared: &mut Prepared) -> Result<(), SinkError> {
        let state = prepared.get_or_insert_with(PreparedRows::default);
        state.rows.clear();
        state
            .rows
            .extend((0..batch.num_rows()).map(|row| batch_row(batch, row)));
        Ok(())
    }
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
            parallel: false,
            rows_written: 0,
            batches_prepared: 0,
        }
    }

    /// Offers the parallel phase (see the type's docs).
    pub fn with_parallel_phase(mut self) -> Self {
        self.parallel = true;
        self
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

impl MemorySink {
    /// Stores `rows` (the rows of `batch`, owned) but those refused, which go to `rejects`.
    fn store(&mut self, batch: &Batch, rows: Vec<OwnedRow>, rejects: &mut Vec<SinkReject>) {
        let table = lock(&self.table);
        let mut seen = table.keys.clone();
        seen.extend(self.pending_keys.iter().map(|(k, v)| (*k, *v)));
        let found = table.spec.rejects(batch, &mut seen);
        let pk = table.spec.primary_key;
        drop(table);
        let mut refused = found.iter().map(|r| r.row).peekable();
        for (row, values) in rows.into_iter().enumerate() {
            if refused.peek() == Some(&row) {
                refused.next();
                continue;
            }
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
    }
}

impl BatchSink for MemorySink {
    fn begin(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        self.enter(SinkCall::Begin)?;
        let table = lock(&self.table);
        if *ctx.schema != *table.spec.schema {
            return Err("batch schema differs from the table's".into());
        }
        Ok(table.resume.clone())
    }

    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        self.enter(SinkCall::Write)?;
        let rows = (0..batch.num_rows())
            .map(|row| batch_row(batch, row))
            .collect();
        self.store(batch, rows, rejects);
        Ok(())
    }

    fn local_sink(&mut self) -> Result<Option<Box<dyn LocalSink>>, SinkError> {
        Ok(self
            .parallel
            .then(|| Box::new(MemoryLocal) as Box<dyn LocalSink>))
    }

    fn write_prepared(
        &mut self,
        batch: &Batch,
        prepared: &mut Prepared,
        rejects: &mut Vec<SinkReject>,
    ) -> Result<(), SinkError> {
        let Some(state) = prepared.get_mut::<PreparedRows>() else {
            return self.write(batch, rejects);
        };
        self.enter(SinkCall::Write)?;
        if state.rows.len() != batch.num_rows() {
            return Err("the prepared rows are not the batch's".into());
        }
        let rows = std::mem::take(&mut state.rows);
        self.batches_prepared += 1;
        self.store(batch, rows, rejects);
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
    /// Whether its sinks offer the parallel phase.
    parallel: bool,
}

impl MemoryHarness {
    /// A harness whose sinks offer the parallel phase ([`MemorySink::with_parallel_phase`]).
    pub fn parallel() -> Self {
        MemoryHarness {
            table: None,
            parallel: true,
        }
    }

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
        let sink = MemorySink::new(self.table().clone());
        if self.parallel {
            sink.with_parallel_phase()
        } else {
            sink
        }
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
