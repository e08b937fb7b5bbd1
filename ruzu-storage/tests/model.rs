//! Model test: random sequences of transactions (create/drop tables, write/free extents),
//! each ending in commit, abort, a crash, or a failed write during commit, checked against a
//! plain in-memory model after every reopen.

mod common;

use std::collections::BTreeMap;

use common::{pattern, reopen, small_pool};
use proptest::prelude::*;
use ruzu_csv::DataType;
use ruzu_storage::{ColumnDef, CrashMode, FaultPlan, FaultyBackend, Store, WriteTxn};

const NAMES: [&str; 3] = ["A", "B", "C"];

/// Table name -> (length, crc32c) of the contents of its extents, in the store's order.
type Model = BTreeMap<String, Vec<(usize, u32)>>;

fn digest(bytes: &[u8]) -> (usize, u32) {
    (bytes.len(), crc32c::crc32c(bytes))
}

#[derive(Clone, Debug)]
enum Op {
    Create(usize),
    Drop(usize),
    Write { table: usize, pages: u64, tag: u8 },
    Free { table: usize, index: usize },
    Checkpoint,
}

#[derive(Clone, Debug)]
enum End {
    Commit,
    Abort,
    /// Crash before commit, unsynced writes treated per seed.
    CrashBeforeCommit(u64),
    /// The write with this index (counted from the commit's start) fails, then a crash.
    FailInCommit(u64, u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0..3usize).prop_map(Op::Create),
        (0..3usize).prop_map(Op::Drop),
        (0..3usize, 1..6u64, any::<u8>()).prop_map(|(table, pages, tag)| Op::Write {
            table,
            pages,
            tag
        }),
        (0..3usize, 0..4usize).prop_map(|(table, index)| Op::Free { table, index }),
        Just(Op::Checkpoint),
    ]
}

fn end() -> impl Strategy<Value = End> {
    prop_oneof![
        4 => Just(End::Commit),
        1 => Just(End::Abort),
        1 => any::<u64>().prop_map(End::CrashBeforeCommit),
        2 => (0..4u64, any::<u64>()).prop_map(|(n, s)| End::FailInCommit(n, s)),
    ]
}

fn logical(store: &Store) -> Model {
    let mut m = Model::new();
    for def in store.catalog().tables() {
        let storage = store.table_storage(def.id).expect("storage");
        let extents = storage
            .extents()
            .iter()
            .map(|&e| {
                let mut buf = vec![0u8; e.byte_len() as usize];
                store.read_extent(e, 0, &mut buf).expect("read extent");
                digest(&buf)
            })
            .collect();
        m.insert(def.name.clone(), extents);
    }
    m
}

/// Applies `op` to the transaction and the model alike (a checkpoint commits the model).
fn apply(txn: &mut WriteTxn<'_>, model: &mut Model, committed: &mut Model, op: &Op) {
    match *op {
        Op::Checkpoint => {
            txn.checkpoint().expect("checkpoint");
            *committed = model.clone();
        }
        Op::Create(i) => {
            let name = NAMES[i];
            let r = txn.create_node_table(name, vec![ColumnDef::new("k", DataType::Int64)], "k");
            assert_eq!(r.is_ok(), !model.contains_key(name));
            model.entry(name.into()).or_default();
        }
        Op::Drop(i) => {
            let r = txn.drop_table(NAMES[i]);
            assert_eq!(r.is_ok(), model.remove(NAMES[i]).is_some());
        }
        Op::Write { table, pages, tag } => {
            let Some(extents) = model.get_mut(NAMES[table]) else {
                return;
            };
            let id = txn.catalog().table(NAMES[table]).expect("in model").id;
            let e = txn.allocate_extent(pages).expect("allocate");
            let data = pattern(tag, e.byte_len() as usize);
            txn.write_extent(e, 0, &data).expect("write");
            txn.attach_extent(id, e).expect("attach");
            extents.push(digest(&data));
        }
        Op::Free { table, index } => {
            let Some(extents) = model.get_mut(NAMES[table]) else {
                return;
            };
            if index >= extents.len() {
                return;
            }
            let id = txn.catalog().table(NAMES[table]).expect("in model").id;
            let e = txn.table_storage(id).expect("storage").extents()[index];
            txn.free_extent(id, e).expect("free");
            extents.swap_remove(index);
        }
    }
}

fn run_case(txns: &[(Vec<Op>, End)]) {
    let mut backend = FaultyBackend::new();
    let mut store = Store::create_on(Box::new(backend.clone()), small_pool()).expect("create");
    let mut committed = Model::new();
    for (ops, end) in txns {
        let mut model = committed.clone();
        let mut txn = store.begin_write().expect("begin");
        for op in ops {
            apply(&mut txn, &mut model, &mut committed, op);
        }
        let crashed = match *end {
            End::Commit => {
                txn.commit().expect("commit");
                committed = model;
                None
            }
            End::Abort => {
                txn.abort().expect("abort");
                None
            }
            End::CrashBeforeCommit(seed) => {
                drop(txn);
                Some((
                    backend.crash_image(CrashMode::Scrambled(seed)),
                    vec![committed.clone()],
                ))
            }
            End::FailInCommit(n, seed) => {
                let writes = backend.counts().writes;
                backend.set_plan(FaultPlan {
                    fail_write: Some(writes + n),
                    ..FaultPlan::default()
                });
                match txn.commit() {
                    Ok(_) => {
                        // The commit had fewer writes than `n`: it succeeded.
                        backend.set_plan(FaultPlan::default());
                        committed = model;
                        None
                    }
                    Err(_) => Some((
                        backend.crash_image(CrashMode::Scrambled(seed)),
                        vec![committed.clone(), model],
                    )),
                }
            }
        };
        if let Some((image, allowed)) = crashed {
            let reopened_backend = FaultyBackend::from_bytes(image);
            store = Store::open_on(Box::new(reopened_backend.clone()), small_pool())
                .expect("a crash image always opens");
            backend = reopened_backend;
            let got = logical(&store);
            assert!(
                allowed.contains(&got),
                "recovered state was never committed"
            );
            committed = got;
        }
        store.verify().expect("space accounting");
        assert_eq!(logical(&store), committed);
    }
    // Finally the durable state equals the model.
    let reopened = reopen(backend.crash_image(CrashMode::LoseUnsynced)).expect("reopen");
    assert_eq!(logical(&reopened), committed);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn random_transactions_with_crashes_match_the_model(
        txns in prop::collection::vec((prop::collection::vec(op(), 0..6), end()), 1..8)
    ) {
        run_case(&txns);
    }
}

/// Pages a transaction frees stay untouched until it commits: reusing them in the same
/// transaction would overwrite committed data that abort or a crash must bring back.
#[test]
fn freed_committed_extent_is_not_reused_before_commit() {
    let write = |tag| Op::Write {
        table: 0,
        pages: 2,
        tag,
    };
    for end in [
        End::Abort,
        End::CrashBeforeCommit(3),
        End::FailInCommit(0, 1),
    ] {
        run_case(&[
            (vec![Op::Create(0), write(1)], End::Commit),
            (vec![Op::Free { table: 0, index: 0 }, write(9)], end.clone()),
            (
                vec![
                    write(2),
                    Op::Checkpoint,
                    Op::Free { table: 0, index: 0 },
                    write(3),
                ],
                end.clone(),
            ),
            (vec![Op::Drop(0), Op::Create(0), write(5)], end),
        ]);
    }
}
