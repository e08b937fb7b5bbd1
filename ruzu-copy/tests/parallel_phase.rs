//! The driver's parallel phase: batches prepared by the sink's local sinks on the decoder
//! threads, applied in input order; resume, failures and panics on that path.

mod common;

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use common::{PersonCsv, person_schema};
use ruzu_copy::testing::{FailPlan, MemorySink, MemoryTable, TableSpec};
use ruzu_copy::{
    Atomicity, BatchSink, CopyError, CopyOptions, Import, Input, LocalSink, Prepared, ResumePoint,
    SinkCall, SinkContext, SinkError, SinkReject,
};
use ruzu_csv::{Batch, CsvOptions};

/// Small chunks and batches on two decoder threads, so that many batches are prepared out of
/// order.
fn options() -> CopyOptions {
    let csv = CsvOptions::default()
        .with_header(true)
        .with_chunk_bytes(4096)
        .with_batch_rows(100);
    CopyOptions::default().with_csv(csv).with_decoder_threads(2)
}

fn input(rows: u64) -> Vec<Input> {
    let mut bytes = Vec::new();
    PersonCsv::new(rows)
        .read_to_end(&mut bytes)
        .expect("generate");
    vec![Input::reader(
        Some("people.csv".into()),
        std::io::Cursor::new(bytes),
    )]
}

fn table() -> Arc<std::sync::Mutex<MemoryTable>> {
    MemoryTable::new(TableSpec {
        schema: person_schema(),
        primary_key: Some(0),
        endpoints: None,
    })
}

fn ids(table: &std::sync::Mutex<MemoryTable>) -> Vec<i64> {
    table
        .lock()
        .expect("table")
        .rows()
        .iter()
        .map(|r| r[0].as_key().expect("id"))
        .collect()
}

#[test]
fn prepared_batches_are_applied_in_input_order() {
    let table = table();
    let mut sink = MemorySink::new(table.clone()).with_parallel_phase();
    let report = Import::new("Person", person_schema(), input(20_000), options())
        .run(&mut sink)
        .expect("import");
    assert_eq!(report.rows_imported, 20_000);
    assert_eq!(ids(&table), (0..20_000).collect::<Vec<i64>>());
    // Every batch went through the parallel phase (100-row batches: at least 200 of them).
    assert!(sink.batches_prepared >= 200, "{}", sink.batches_prepared);
}

#[test]
fn resume_trims_a_prepared_batch_and_the_sink_prepares_the_rest_itself() {
    let table = table();
    let partial = options().with_atomicity(Atomicity::ContinuePartial {
        commit_every_rows: 1000,
    });
    let mut failing = MemorySink::new(table.clone())
        .with_parallel_phase()
        .with_failure(FailPlan {
            call: SinkCall::Write,
            nth: 33,
        });
    let err = Import::new("Person", person_schema(), input(10_000), partial.clone())
        .run(&mut failing)
        .expect_err("injected failure");
    let committed = match err {
        CopyError::Sink {
            committed: Some(c), ..
        } => c,
        other => panic!("expected a write failure with a committed prefix, got {other:?}"),
    };
    let mut sink = MemorySink::new(table.clone()).with_parallel_phase();
    let report = Import::new(
        "Person",
        person_schema(),
        input(10_000),
        partial.with_resume(true),
    )
    .run(&mut sink)
    .expect("resume");
    assert_eq!(report.rows_skipped, committed.rows_stored);
    assert_eq!(ids(&table), (0..10_000).collect::<Vec<i64>>());
}

/// What [`FailingLocal`] does on its `nth` prepare.
#[derive(Clone, Copy)]
enum Mishap {
    Error,
    Panic,
}

/// A local sink that fails on the `nth` prepare of the import (counted over all threads).
struct FailingLocal {
    calls: Arc<AtomicU64>,
    nth: u64,
    mishap: Mishap,
}

impl LocalSink for FailingLocal {
    fn prepare(&mut self, _batch: &Batch, _prepared: &mut Prepared) -> Result<(), SinkError> {
        if self.calls.fetch_add(1, Ordering::Relaxed) + 1 == self.nth {
            match self.mishap {
                Mishap::Error => return Err("index page unreadable".into()),
                Mishap::Panic => panic!("prepare bug"),
            }
        }
        Ok(())
    }
}

/// The reference sink with a parallel phase that fails.
struct FailingPrepareSink {
    inner: MemorySink,
    calls: Arc<AtomicU64>,
    mishap: Mishap,
}

impl BatchSink for FailingPrepareSink {
    fn begin(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        self.inner.begin(ctx)
    }
    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        self.inner.write(batch, rejects)
    }
    fn local_sink(&mut self) -> Result<Option<Box<dyn LocalSink>>, SinkError> {
        Ok(Some(Box::new(FailingLocal {
            calls: self.calls.clone(),
            nth: 5,
            mishap: self.mishap,
        })))
    }
    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<(), SinkError> {
        self.inner.checkpoint(resume)
    }
    fn commit(&mut self) -> Result<(), SinkError> {
        self.inner.commit()
    }
    fn abort(&mut self) -> Result<(), SinkError> {
        self.inner.abort()
    }
}

fn failing_import(mishap: Mishap) -> (CopyError, Arc<std::sync::Mutex<MemoryTable>>) {
    let table = table();
    let mut sink = FailingPrepareSink {
        inner: MemorySink::new(table.clone()),
        calls: Arc::new(AtomicU64::new(0)),
        mishap,
    };
    let err = Import::new("Person", person_schema(), input(5_000), options())
        .run(&mut sink)
        .expect_err("the parallel phase fails");
    (err, table)
}

#[test]
fn a_failed_prepare_aborts_the_import_naming_the_call() {
    let (err, table) = failing_import(Mishap::Error);
    match &err {
        CopyError::Sink {
            call, committed, ..
        } => {
            assert_eq!(*call, SinkCall::Prepare);
            assert_eq!(*committed, None);
        }
        other => panic!("expected a sink error, got {other:?}"),
    }
    assert!(err.to_string().contains("prepare"), "{err}");
    assert!(ids(&table).is_empty());
}

#[test]
fn a_panic_in_prepare_is_an_error_not_a_hang() {
    let (err, table) = failing_import(Mishap::Panic);
    assert!(
        matches!(&err, CopyError::WorkerPanicked(p) if p.contains("prepare bug")),
        "{err:?}"
    );
    assert!(ids(&table).is_empty());
}
