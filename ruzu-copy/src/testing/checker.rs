//! The contract checker: drives any sink through a scenario, step by step beside the model.

use std::cmp::Ordering;
use std::ops::ControlFlow;

use ruzu_csv::Batch;

use super::model::{Model, TableSpec};
use super::strategy::{Scenario, SinkOp};
use super::value::{OwnedRow, push_owned_row};
use crate::sink::{
    BatchSink, InputStamp, LocalSink, Prepared, ResumePoint, SinkContext, SinkError, SinkReject,
    SinkRejectKind,
};

/// How a sink's table returns its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowOrder {
    /// In the order they were written (node tables).
    Insertion,
    /// In an order of the table's own (rel tables in CSR order): compared as multisets.
    Any,
}

/// What the checker needs from the implementation under test besides the sink itself.
pub trait SinkHarness {
    /// The sink under test.
    type Sink: BatchSink;

    /// Creates an empty table of `spec` (for a rel table, with nodes of every key in
    /// `spec.endpoints.existing`), replacing any earlier one. Called once per scenario.
    fn create_table(&mut self, spec: &TableSpec);

    /// A new sink importing into the table. Called once per import.
    fn sink(&mut self) -> Self::Sink;

    /// Every row the table holds now, as a reader sees it (committed state only). Called
    /// between sink calls, also while an import is open.
    fn stored_rows(&mut self) -> Vec<OwnedRow>;

    /// Simulates a crash: `sink` is dropped without `commit` or `abort`, and the table is
    /// reopened as recovery leaves it.
    fn crash(&mut self, sink: Self::Sink);

    /// Makes the next `write`, `checkpoint` or `commit` of `sink` fail with an error, as a
    /// full disk would. Returns false when the harness cannot inject failures (the checker
    /// then skips the step).
    fn inject_failure(&mut self, sink: &mut Self::Sink) -> bool;

    /// The order in which [`SinkHarness::stored_rows`] returns rows.
    fn row_order(&self) -> RowOrder;
}

/// Runs `scenario` against the sinks of `harness` and, beside it, against the [`Model`];
/// after every call compares the sink's result, its rejects and the stored rows.
///
/// Imports marked [`Scenario::parallel`] run the sink's parallel phase as the driver does, only
/// more adversarially: two local sinks prepare every batch of the import on two other threads
/// before the first call after `begin` (so each batch is prepared before the batches, the
/// checkpoints and the failures ahead of it), then the batches are applied in order with
/// `write_prepared`. The stored rows and rejects must be those of the serial path.
///
/// # Errors
///
/// A description of the first difference: which import, which step, what was expected and
/// what the sink did.
pub fn check_contract<H: SinkHarness>(harness: &mut H, scenario: &Scenario) -> Result<(), String> {
    let spec = &scenario.spec;
    harness.create_table(spec);
    let mut model = Model::new(spec.clone());
    let mut resume: Option<ResumePoint> = None;
    let mut line = 1u64;
    compare_stored(harness, &model, "after create_table")?;
    'imports: for (i, import) in scenario.imports.iter().enumerate() {
        let mut sink = harness.sink();
        let ctx = SinkContext::new("t", spec.schema.clone(), 16 << 20)
            .with_checkpoints(true)
            .with_resume(true);
        let at = |step: usize, what: &str| format!("import {i}, step {step} ({what})");
        let begun = sink
            .begin(&ctx)
            .map_err(|e| format!("{}: begin failed: {e}", at(0, "begin")))?;
        if begun != resume {
            return Err(format!(
                "{}: begin returned resume point {begun:?}, expected {resume:?}",
                at(0, "begin")
            ));
        }
        let parallel = scenario.parallel.get(i).copied().unwrap_or(false);
        let mut prepared = if parallel {
            PreparedImport::new(&mut sink, spec, import, line)
                .map_err(|e| format!("{}: {e}", at(0, "parallel phase")))?
        } else {
            None
        };
        let mut batch = Batch::new(spec.schema.clone(), 8, 256);
        let mut writes = 0usize;
        let mut armed = false;
        let mut failed = false;
        for (step, op) in import.iter().enumerate() {
            let step = step + 1;
            match op {
                SinkOp::FailNextCall => armed = harness.inject_failure(&mut sink),
                SinkOp::Write(rows) => {
                    let mut rejects = Vec::new();
                    let (result, batch) = match &mut prepared {
                        Some(p) => {
                            let (b, state) = p.take(writes);
                            (sink.write_prepared(b, state, &mut rejects), b)
                        }
                        None => {
                            batch.clear();
                            let mut l = line;
                            for row in rows {
                                l += 1;
                                push_owned_row(&mut batch, row, l, l * 100).map_err(|e| {
                                    format!("{}: bad generated row: {e}", at(step, "write"))
                                })?;
                            }
                            (sink.write(&batch, &mut rejects), &batch)
                        }
                    };
                    writes += 1;
                    line += rows.len() as u64;
                    if armed {
                        expect_failure(result, &at(step, "write with injected failure"))?;
                        failed = true;
                        break;
                    }
                    result.map_err(|e| format!("{}: write failed: {e}", at(step, "write")))?;
                    let expected = model.write(batch);
                    compare_rejects(&rejects, &expected, &at(step, "write"))?;
                    compare_stored(
                        harness,
                        &model,
                        &at(step, "after write: pending rows must not be visible"),
                    )?;
                }
                SinkOp::Checkpoint => {
                    let point = ResumePoint {
                        line,
                        rows_stored: (model.visible().len() + model.pending().len()) as u64,
                        input: Some(Box::new(InputStamp {
                            len_bytes: Some(line * 100),
                            modified_nanos: line.is_multiple_of(2).then_some(line << 32),
                            checked_end_byte: line * 64,
                            records_crc32c: line as u32 ^ 0x5eed,
                        })),
                        ..ResumePoint::default()
                    };
                    let result = sink.checkpoint(&point);
                    if armed {
                        expect_failure(result, &at(step, "checkpoint with injected failure"))?;
                        failed = true;
                        break;
                    }
                    result.map_err(|e| {
                        format!("{}: checkpoint failed: {e}", at(step, "checkpoint"))
                    })?;
                    model.checkpoint();
                    resume = Some(point);
                    compare_stored(harness, &model, &at(step, "after checkpoint"))?;
                }
                SinkOp::Commit => {
                    // The driver calls `finish` right before `commit`. Within the checker's
                    // memory share every refused row is found in `write` (as the model
                    // does), so no row may be refused late here. An injected failure may
                    // surface in either call.
                    let mut late = Vec::new();
                    let finished = sink.finish(&mut |r| {
                        late.push(r);
                        ControlFlow::Continue(())
                    });
                    if armed && finished.is_err() {
                        failed = true;
                        break;
                    }
                    finished.map_err(|e| format!("{}: finish failed: {e}", at(step, "finish")))?;
                    if !late.is_empty() {
                        return Err(format!(
                            "{}: finish refused {} rows late, the model refused them in write (or not at all): {late:?}",
                            at(step, "finish"),
                            late.len()
                        ));
                    }
                    let result = sink.commit();
                    if armed {
                        expect_failure(result, &at(step, "commit with injected failure"))?;
                        failed = true;
                        break;
                    }
                    result.map_err(|e| format!("{}: commit failed: {e}", at(step, "commit")))?;
                    model.commit();
                    resume = None;
                    compare_stored(harness, &model, &at(step, "after commit"))?;
                }
                SinkOp::Abort => {
                    sink.abort()
                        .map_err(|e| format!("{}: abort failed: {e}", at(step, "abort")))?;
                    model.abort();
                    compare_stored(harness, &model, &at(step, "after abort"))?;
                }
                SinkOp::Crash => {
                    drop(prepared);
                    harness.crash(sink);
                    model.abort();
                    compare_stored(harness, &model, &at(step, "after crash and recovery"))?;
                    continue 'imports;
                }
            }
        }
        drop(prepared);
        if failed {
            let what = "after a failed call";
            batch.clear();
            if sink.write(&batch, &mut Vec::new()).is_ok() {
                return Err(format!("import {i}: {what}, a further write was accepted"));
            }
            sink.abort()
                .map_err(|e| format!("import {i}: {what}, abort failed: {e}"))?;
            model.abort();
            compare_stored(harness, &model, &format!("import {i}: {what} and abort"))?;
        }
    }
    Ok(())
}

/// The batches of one import, each prepared by a local sink of the sink under test.
struct PreparedImport {
    batches: Vec<(Batch, Prepared)>,
}

impl PreparedImport {
    /// Builds every write of `import` (rows numbered from line `line + 1`, as the serial path
    /// numbers them) and prepares them on two threads, one local sink each, alternating.
    /// `None` when the sink has no parallel phase.
    fn new<S: BatchSink>(
        sink: &mut S,
        spec: &TableSpec,
        import: &[SinkOp],
        mut line: u64,
    ) -> Result<Option<Self>, String> {
        let mut locals: Vec<Box<dyn LocalSink>> = Vec::new();
        for _ in 0..2 {
            match sink.local_sink() {
                Ok(Some(l)) => locals.push(l),
                Ok(None) => return Ok(None),
                Err(e) => return Err(format!("local_sink failed: {e}")),
            }
        }
        let mut batches = Vec::new();
        for op in import {
            let SinkOp::Write(rows) = op else { continue };
            let mut batch = Batch::new(spec.schema.clone(), 8, 256);
            for row in rows {
                line += 1;
                push_owned_row(&mut batch, row, line, line * 100)
                    .map_err(|e| format!("bad generated row: {e}"))?;
            }
            batches.push((batch, Prepared::new()));
        }
        let mut halves: [Vec<&mut (Batch, Prepared)>; 2] = [Vec::new(), Vec::new()];
        for (n, b) in batches.iter_mut().enumerate() {
            halves[n % 2].push(b);
        }
        let results: Vec<Result<(), SinkError>> = std::thread::scope(|s| {
            let threads: Vec<_> = locals
                .iter_mut()
                .zip(halves)
                .map(|(local, half)| {
                    s.spawn(move || {
                        for (batch, state) in half {
                            local.prepare(batch, state)?;
                            state.set_ready(true);
                        }
                        Ok(())
                    })
                })
                .collect();
            threads
                .into_iter()
                .map(|t| t.join().unwrap_or_else(|_| Err("prepare panicked".into())))
                .collect()
        });
        for r in results {
            r.map_err(|e| format!("prepare failed: {e}"))?;
        }
        drop(locals);
        Ok(Some(PreparedImport { batches }))
    }

    /// The `n`th write's batch and its prepared state.
    fn take(&mut self, n: usize) -> (&Batch, &mut Prepared) {
        let (batch, state) = &mut self.batches[n];
        (batch, state)
    }
}

fn expect_failure<T>(result: Result<T, crate::sink::SinkError>, at: &str) -> Result<(), String> {
    match result {
        Err(_) => Ok(()),
        Ok(_) => Err(format!("{at}: the call succeeded")),
    }
}

fn compare_rejects(got: &[SinkReject], expected: &[SinkReject], at: &str) -> Result<(), String> {
    let same = got.len() == expected.len()
        && got.iter().zip(expected).all(|(g, e)| {
            g.row == e.row
                && g.column == e.column
                && match (&g.kind, &e.kind) {
                    // A sink may not know where a duplicate key came from.
                    (
                        SinkRejectKind::DuplicateKey { first_line: None },
                        SinkRejectKind::DuplicateKey { .. },
                    ) => true,
                    (g, e) => g == e,
                }
        });
    if same {
        Ok(())
    } else {
        Err(format!(
            "{at}: rejects differ:\n  sink:  {got:?}\n  model: {expected:?}"
        ))
    }
}

fn compare_stored<H: SinkHarness>(harness: &mut H, model: &Model, at: &str) -> Result<(), String> {
    let mut got = harness.stored_rows();
    let mut expected = model.visible().to_vec();
    if harness.row_order() == RowOrder::Any {
        got.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
        expected.sort_by(|a, b| a.partial_cmp(b).unwrap_or(Ordering::Equal));
    }
    if got == expected {
        return Ok(());
    }
    let first = got
        .iter()
        .zip(&expected)
        .position(|(g, e)| g != e)
        .unwrap_or(got.len().min(expected.len()));
    Err(format!(
        "{at}: stored rows differ: sink has {} rows, model {}; first difference at row {first}:\n  sink:  {:?}\n  model: {:?}",
        got.len(),
        expected.len(),
        got.get(first),
        expected.get(first)
    ))
}
