//! The `BatchSink` contract of `ruzu_copy::testing`, checked against `NodeTableSink` on an
//! in-memory store: rejects, visibility of pending rows, checkpoints, resume points, aborts,
//! injected failures and crashes (scrambled crash images) against a plain model.

mod sink_support;

use proptest::prelude::*;
use ruzu_copy::testing::{
    OwnedRow, RowOrder, ScenarioConfig, SinkHarness, TableSpec, check_contract, scenario,
};
use ruzu_storage::{CrashMode, FaultPlan, FaultyBackend, NodeTableSink, Store};
use sink_support::{create_store, open_snapshot, options, stored_rows};

const TABLE: &str = "t";

/// Harness over one `FaultyBackend` file. Each sink gets its own `Store` opened on the file;
/// the sink borrows it for `'static`, so the store is leaked (tests only, with a 64 KiB pool).
struct NodeHarness {
    backend: FaultyBackend,
    spill: tempfile::TempDir,
    crashes: u64,
}

impl NodeHarness {
    fn new() -> Self {
        NodeHarness {
            backend: FaultyBackend::new(),
            spill: tempfile::tempdir().expect("temp dir"),
            crashes: 0,
        }
    }
}

impl SinkHarness for NodeHarness {
    type Sink = NodeTableSink<'static>;

    fn create_table(&mut self, spec: &TableSpec) {
        assert_eq!(
            spec.primary_key,
            Some(0),
            "only node table scenarios are run"
        );
        self.backend = FaultyBackend::new();
        create_store(&self.backend, TABLE, &spec.schema).expect("create table");
    }

    fn sink(&mut self) -> NodeTableSink<'static> {
        self.backend.set_plan(FaultPlan::default());
        let store = Store::open_on(Box::new(self.backend.clone()), options()).expect("open");
        let store: &'static mut Store = Box::leak(Box::new(store));
        // Tiny node groups: batches span groups, checkpoints write short ones.
        NodeTableSink::new(store, TABLE)
            .with_spill_dir(self.spill.path())
            .with_group_rows(7)
    }

    fn stored_rows(&mut self) -> Vec<OwnedRow> {
        let store = open_snapshot(&self.backend).expect("open snapshot");
        store.verify().expect("space accounting");
        stored_rows(&store, TABLE).expect("read rows")
    }

    fn crash(&mut self, sink: NodeTableSink<'static>) {
        drop(sink);
        self.crashes += 1;
        let image = self.backend.crash_image(CrashMode::Scrambled(self.crashes));
        self.backend = FaultyBackend::from_bytes(image);
    }

    fn inject_failure(&mut self, sink: &mut NodeTableSink<'static>) -> bool {
        sink.fail_next_call();
        true
    }

    fn row_order(&self) -> RowOrder {
        RowOrder::Insertion
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn node_table_sink_keeps_the_sink_contract(
        s in scenario(ScenarioConfig::default())
            .prop_filter("node tables only", |s| s.spec.primary_key.is_some())
    ) {
        check_contract(&mut NodeHarness::new(), &s).map_err(TestCaseError::fail)?;
    }
}
