//! The `BatchSink` contract, checked by the kit's checker against the in-memory reference
//! sink, and the checker itself shown to catch sinks that break the contract.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use ruzu_copy::testing::{
    MemoryHarness, MemorySink, OwnedRow, RowOrder, ScenarioConfig, SinkHarness, TableSpec,
    check_contract, scenario,
};
use ruzu_copy::{BatchSink, ResumePoint, SinkContext, SinkError, SinkReject};
use ruzu_csv::Batch;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn memory_sink_keeps_the_contract(s in scenario(ScenarioConfig::default())) {
        check_contract(&mut MemoryHarness::default(), &s).map_err(TestCaseError::fail)?;
    }
}

/// A sink that breaks the contract in one chosen way, wrapping the reference sink.
struct BrokenSink {
    inner: MemorySink,
    flaw: Flaw,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flaw {
    /// Publishes every write at once (rows visible before checkpoint or commit).
    WriteIsVisible,
    /// Forgets to report rejected rows.
    SilentRejects,
    /// Keeps writing after a failed call.
    AcceptsAfterFailure,
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
