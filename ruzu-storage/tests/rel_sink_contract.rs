//! The `BatchSink` contract of `ruzu_copy::testing`, checked against `RelTableSink` on an
//! in-memory store: missing endpoints, visibility of pending edges, checkpoints (which build
//! and append CSR groups), resume points, aborts, injected failures and crashes (scrambled
//! crash images) against a plain model.

mod sink_support;

use std::sync::Arc;

use proptest::prelude::*;
use ruzu_copy::testing::{
    OwnedRow, OwnedValue, RowOrder, ScenarioConfig, SinkHarness, TableSpec, batch_rows,
    check_contract, push_owned_row, scenario,
};
use ruzu_copy::{BatchSink, SinkContext};
use ruzu_csv::{Batch, DataType, Field, Schema};
use ruzu_storage::{
    ColumnDef, CrashMode, FaultPlan, FaultyBackend, NodeTableSink, RelTableSink, Store,
};
use sink_support::{open_snapshot, options};

const TABLE: &str = "t";
const NODES: &str = "n";

struct RelHarness {
    backend: FaultyBackend,
    spill: tempfile::TempDir,
    crashes: u64,
}

impl RelHarness {
    fn new() -> Self {
        RelHarness {
            backend: FaultyBackend::new(),
            spill: tempfile::tempdir().expect("temp dir"),
            crashes: 0,
        }
    }
}

/// A store on `backend` with node table `n` holding `keys` and rel table `t` of `spec`.
fn create_rel_store(backend: &FaultyBackend, spec: &TableSpec) -> ruzu_storage::Result<()> {
    let endpoints = spec.endpoints.as_ref().expect("rel scenarios only");
    let mut store = Store::create_on(Box::new(backend.clone()), options())?;
    let mut txn = store.begin_write()?;
    txn.create_node_table(NODES, vec![ColumnDef::new("id", DataType::Int64)], "id")?;
    let props = spec.schema.fields()[2..]
        .iter()
        .map(|f| ColumnDef::new(f.name.clone(), f.data_type))
        .collect();
    txn.create_rel_table(TABLE, NODES, NODES, props)?;
    txn.commit()?;
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64)]));
    let mut batch = Batch::new(schema.clone(), endpoints.existing.len().max(1), 1024);
    for (i, &k) in endpoints.existing.iter().enumerate() {
        push_owned_row(&mut batch, &[OwnedValue::Int64(k)], i as u64 + 2, 0)
            .expect("generated key");
    }
    let mut sink = NodeTableSink::new(&mut store, NODES);
    let ok = sink
        .begin(&SinkContext::new(NODES, schema, 1 << 20))
        .and_then(|_| sink.write(&batch, &mut Vec::new()))
        .and_then(|()| sink.commit());
    ok.expect("node import");
    Ok(())
}

impl SinkHarness for RelHarness {
    type Sink = RelTableSink<'static>;

    fn create_table(&mut self, spec: &TableSpec) {
        self.backend = FaultyBackend::new();
        create_rel_store(&self.backend, spec).expect("create tables");
    }

    fn sink(&mut self) -> RelTableSink<'static> {
        self.backend.set_plan(FaultPlan::default());
        let store = Store::open_on(Box::new(self.backend.clone()), options()).expect("open");
        let store: &'static mut Store = Box::leak(Box::new(store));
        // Tiny rel groups: batches span groups, checkpoints append to stored ones.
        RelTableSink::new(store, TABLE)
            .with_spill_dir(self.spill.path())
            .with_group_nodes(3)
    }

    fn stored_rows(&mut self) -> Vec<OwnedRow> {
        let store = open_snapshot(&self.backend).expect("open snapshot");
        store.verify().expect("space accounting");
        let mut rows = Vec::new();
        // Not through Arrow: generated intervals may exceed its nanosecond range.
        let mut scan = store.scan_rel_table(TABLE).expect("scan");
        while let Some(batch) = scan.next_rows() {
            rows.extend(batch_rows(&batch.expect("scan batch")));
        }
        rows
    }

    fn crash(&mut self, sink: RelTableSink<'static>) {
        drop(sink);
        self.crashes += 1;
        let image = self.backend.crash_image(CrashMode::Scrambled(self.crashes));
        self.backend = FaultyBackend::from_bytes(image);
    }

    fn inject_failure(&mut self, sink: &mut RelTableSink<'static>) -> bool {
        sink.fail_next_call();
        true
    }

    fn row_order(&self) -> RowOrder {
        RowOrder::Any
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn rel_table_sink_keeps_the_sink_contract(
        s in scenario(ScenarioConfig::default())
            .prop_filter("rel tables only", |s| s.spec.endpoints.is_some())
    ) {
        check_contract(&mut RelHarness::new(), &s).map_err(TestCaseError::fail)?;
    }
}
