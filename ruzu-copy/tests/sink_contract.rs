//! The `BatchSink` contract, checked by the kit's checker against the in-memory reference
//! sink, and the checker itself shown to catch sinks that break the contract.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use ruzu_copy::testing::{
    MemoryHarness, MemorySink, OwnedRow, RowOrder, ScenarioConfig, SinkHarness, TableSpec,
    check_contract, scenario,
};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use ruzu_copy::{BatchSink, LocalSink, Prepared, ResumePoint, SinkContext, SinkError, SinkReject};
use ruzu_csv::Batch;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn memory_sink_keeps_the_contract(s in scenario(ScenarioConfig::default())) {
        check_contract(&mut MemoryHarness::default(), &s).map_err(TestCaseError::fail)?;
    }

    #[test]
    fn memory_sink_keeps_the_contract_with_its_parallel_phase(
        s in scenario(ScenarioConfig::default())
    ) {
        let mut harness = MemoryHarness::parallel();
        check_contract(&mut harness, &s).map_err(TestCaseError::fail)?;
    }
}

#[test]
fn parallel_scenarios_apply_prepared_batches() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = scenario(ScenarioConfig::default());
    let mut prepared = 0;
    for _ in 0..50 {
        let s = strategy
            .new_tree(&mut runner)
            .expect("scenario generation")
            .current();
        let mut harness = CountingHarness {
            inner: MemoryHarness::parallel(),
            prepared: Arc::new(AtomicU64::new(0)),
        };
        check_contract(&mut harness, &s).expect("the reference sink keeps the contract");
        prepared += harness.prepared.load(Ordering::Relaxed);
    }
    assert!(prepared > 0, "no batch went through write_prepared");
}

/// Counts the batches its sinks stored from prepared rows (added up as each sink is dropped).
struct CountingHarness {
    inner: MemoryHarness,
    prepared: Arc<AtomicU64>,
}

impl SinkHarness for CountingHarness {
    type Sink = CountedSink;
    fn create_table(&mut self, spec: &TableSpec) {
        self.inner.create_table(spec);
    }
    fn sink(&mut self) -> CountedSink {
        CountedSink(self.inner.sink(), self.prepared.clone())
    }
    fn stored_rows(&mut self) -> Vec<OwnedRow> {
        self.inner.stored_rows()
    }
    fn crash(&mut self, sink: CountedSink) {
        drop(sink);
    }
    fn inject_failure(&mut self, sink: &mut CountedSink) -> bool {
        self.inner.inject_failure(&mut sink.0)
    }
    fn row_order(&self) -> RowOrder {
        RowOrder::Insertion
    }
}

/// The reference sink, passing its count of prepared batches on when dropped.
struct CountedSink(MemorySink, Arc<AtomicU64>);

impl Drop for CountedSink {
    fn drop(&mut self) {
        self.1.fetch_add(self.0.batches_prepared, Ordering::Relaxed);
    }
}

impl BatchSink for CountedSink {
    fn begin(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        self.0.begin(ctx)
    }
    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        self.0.write(batch, rejects)
    }
    fn local_sink(&mut self) -> Result<Option<Box<dyn LocalSink>>, SinkError> {
        self.0.local_sink()
    }
    fn write_prepared(
        &mut self,
        batch: &Batch,
        prepared: &mut Prepared,
        rejects: &mut Vec<SinkReject>,
    ) -> Result<(), SinkError> {
        self.0.write_prepared(batch, prepared, rejects)
    }
    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<(), SinkError> {
        self.0.checkpoint(resume)
    }
    fn commit(&mut self) -> Result<(), SinkError> {
        self.0.commit()
    }
    fn abort(&mut self) -> Result<(), SinkError> {
        self.0.abort()
    }
}

/// A sink that breaks the contract in one chosen way, wrapping the reference sink.
struct BrokenSink {
    inner: MemorySink,
    flaw: Flaw,
    /// Batches applied so far (what a flawed parallel phase looks at).
    applied: Arc<AtomicU64>,
}

/// A local sink whose work depends on what was applied before it ran.
struct StaleLocal {
    applied: Arc<AtomicU64>,
}

/// What [`StaleLocal`] prepares: how many batches were applied when it ran.
struct Snapshot(u64);

impl LocalSink for StaleLocal {
    fn prepare(&mut self, _batch: &Batch, prepared: &mut Prepared) -> Result<(), SinkError> {
        prepared.get_or_insert_with(|| Snapshot(0)).0 = self.applied.load(Ordering::Relaxed);
        Ok(())
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flaw {
    /// Publishes every write at once (rows visible before checkpoint or commit).
    WriteIsVisible,
    /// Forgets to report rejected rows.
    SilentRejects,
    /// Keeps writing after a failed call.
    AcceptsAfterFailure,
    /// Its parallel phase does work that depends on the batches applied before (it drops a
    /// batch prepared before the previous one was applied).
    OrderDependentPrepare,
}

impl BatchSink for BrokenSink {
    fn begin(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        self.inner.begin(ctx)
    }
    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        let r = self.inner.write(batch, rejects);
        match self.flaw {
            Flaw::WriteIsVisible => {
                r?;
                self.inner.checkpoint(&ResumePoint::default())
            }
            Flaw::SilentRejects => {
                rejects.clear();
                r
            }
            Flaw::AcceptsAfterFailure => {
                if batch.is_empty() {
                    Ok(())
                } else {
                    r
                }
            }
            Flaw::OrderDependentPrepare => r,
        }
    }
    fn local_sink(&mut self) -> Result<Option<Box<dyn LocalSink>>, SinkError> {
        Ok((self.flaw == Flaw::OrderDependentPrepare).then(|| {
            Box::new(StaleLocal {
                applied: self.applied.clone(),
            }) as Box<dyn LocalSink>
        }))
    }
    fn write_prepared(
        &mut self,
        batch: &Batch,
        prepared: &mut Prepared,
        rejects: &mut Vec<SinkReject>,
    ) -> Result<(), SinkError> {
        let applied = self.applied.fetch_add(1, Ordering::Relaxed);
        match prepared.get_mut::<Snapshot>() {
            Some(Snapshot(seen)) if *seen != applied => Ok(()),
            _ => self.write(batch, rejects),
        }
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

struct BrokenHarness {
    inner: MemoryHarness,
    flaw: Flaw,
}

impl SinkHarness for BrokenHarness {
    type Sink = BrokenSink;
    fn create_table(&mut self, spec: &TableSpec) {
        self.inner.create_table(spec);
    }
    fn sink(&mut self) -> BrokenSink {
        BrokenSink {
            inner: self.inner.sink(),
            flaw: self.flaw,
            applied: Arc::new(AtomicU64::new(0)),
        }
    }
    fn stored_rows(&mut self) -> Vec<OwnedRow> {
        self.inner.stored_rows()
    }
    fn crash(&mut self, sink: BrokenSink) {
        self.inner.crash(sink.inner);
    }
    fn inject_failure(&mut self, sink: &mut BrokenSink) -> bool {
        self.inner.inject_failure(&mut sink.inner)
    }
    fn row_order(&self) -> RowOrder {
        RowOrder::Insertion
    }
}

/// Runs generated scenarios until the checker reports the flaw; fails if it never does.
fn checker_catches(flaw: Flaw) {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = scenario(ScenarioConfig::default());
    for _ in 0..500 {
        let s = strategy
            .new_tree(&mut runner)
            .expect("scenario generation")
            .current();
        let mut harness = BrokenHarness {
            inner: MemoryHarness::default(),
            flaw,
        };
        if check_contract(&mut harness, &s).is_err() {
            return;
        }
    }
    panic!("the checker never caught {flaw:?} in 500 scenarios");
}

#[test]
fn checker_catches_rows_visible_before_checkpoint() {
    checker_catches(Flaw::WriteIsVisible);
}

#[test]
fn checker_catches_unreported_rejects() {
    checker_catches(Flaw::SilentRejects);
}

#[test]
fn checker_catches_writes_accepted_after_a_failure() {
    checker_catches(Flaw::AcceptsAfterFailure);
}

#[test]
fn checker_catches_a_parallel_phase_that_depends_on_order() {
    checker_catches(Flaw::OrderDependentPrepare);
}
