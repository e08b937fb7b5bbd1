//! Faults during an import into a `RelTableSink`: the Nth write or sync of the file fails (and
//! the process may crash right after, leaving any subset of the unsynced writes, torn or not).
//! Reopening must give the node table untouched and the rel table as before the import
//! (rollback-all) or with a checkpointed prefix of it (continue-partial, which then resumes to
//! the full table), never a torn table.

mod rel_support;

use std::io::Cursor;

use rel_support::{
    RelImport, generate_edges, import_edges, knows_csv, knows_schema, person_rows, scanned_edges,
    setup_graph,
};
use ruzu_copy::testing::OwnedRow;
use ruzu_copy::{Atomicity, CopyError, CopyOptions, CopyReport, Import, Input};
use ruzu_csv::CsvOptions;
use ruzu_storage::{CrashMode, FaultPlan, FaultyBackend, RelTableSink, Store, StoreOptions};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

const PERSONS: u64 = 100;
const BASE_EDGES: u64 = 200;
const NEW_EDGES: u64 = 600;

fn options() -> StoreOptions {
    StoreOptions::default().with_buffer_pool_bytes(64 << 10)
}

fn all_edges() -> Vec<OwnedRow> {
    generate_edges(PERSONS, BASE_EDGES + NEW_EDGES, 3)
}

fn sorted(mut rows: Vec<OwnedRow>) -> Vec<OwnedRow> {
    rows.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    rows
}

fn run_import(backend: &FaultyBackend, options_: CopyOptions) -> Result<CopyReport, CopyError> {
    let mut store = Store::open_on(Box::new(backend.clone()), options()).expect("open");
    let mut sink = RelTableSink::new(&mut store, "Knows").with_spill_dir(std::env::temp_dir());
    let csv = knows_csv(&all_edges()[BASE_EDGES as usize..]).expect("csv");
    let options_ = options_.with_csv(CsvOptions::default().with_header(true).with_batch_rows(100));
    Import::new(
        "Knows",
        knows_schema(),
        vec![Input::reader(None, Cursor::new(csv))],
        options_,
    )
    .run(&mut sink)
}

/// A file with the persons and the first `BASE_EDGES` edges, in rel groups of 64 nodes.
fn base_image() -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
    let backend = FaultyBackend::new();
    let mut store = Store::create_on(Box::new(backend.clone()), options())?;
    setup_graph(&mut store, PERSONS)?;
    let how = RelImport {
        group_nodes: Some(64),
        ..RelImport::default()
    };
    import_edges(
        &mut store,
        &all_edges()[..BASE_EDGES as usize],
        &how,
        &std::env::temp_dir(),
    )?;
    drop(store);
    Ok(backend.contents())
}

/// The edges (sorted) of the database in `image`, after checking its space accounting and
/// that the persons are untouched.
fn edges_after_reopen(
    image: Vec<u8>,
    persons: &[OwnedRow],
) -> Result<Vec<OwnedRow>, Box<dyn std::error::Error + Send + Sync>> {
    let store = Store::open_on(Box::new(FaultyBackend::from_bytes(image)), options())?;
    store.verify()?;
    assert_eq!(person_rows(&store)?, persons);
    let edges = scanned_edges(&store)?;
    assert_eq!(store.row_count("Knows")?, edges.len() as u64);
    Ok(sorted(edges))
}

fn crash_images(backend: &FaultyBackend, seed: u64) -> Vec<Vec<u8>> {
    backend.set_plan(FaultPlan::default());
    vec![
        backend.contents(),
        backend.crash_image(CrashMode::LoseUnsynced),
        backend.crash_image(CrashMode::KeepUnsynced),
        backend.crash_image(CrashMode::Scrambled(seed)),
    ]
}

/// Runs the import with the `nth` write (or sync) failing, for every `nth` until it
/// succeeds; hands each failed run's backend to `check`. Returns the faults tried.
fn for_each_fault(
    sync: bool,
    atomicity: Atomicity,
    mut check: impl FnMut(&FaultyBackend) -> TestResult,
) -> Result<u64, Box<dyn std::error::Error + Send + Sync>> {
    let base = base_image()?;
    let persons = {
        let store = Store::open_on(Box::new(FaultyBackend::from_bytes(base.clone())), options())?;
        person_rows(&store)?
    };
    for nth in 0..500 {
        let backend = FaultyBackend::from_bytes(base.clone());
        let counts = backend.counts();
        backend.set_plan(if sync {
            FaultPlan {
                fail_sync: Some(counts.syncs + nth),
                ..FaultPlan::default()
            }
        } else {
            FaultPlan {
                fail_write: Some(counts.writes + nth),
                ..FaultPlan::default()
            }
        });
        match run_import(&backend, CopyOptions::default().with_atomicity(atomicity)) {
            Ok(_) => {
                backend.set_plan(FaultPlan::default());
                assert_eq!(
                    edges_after_reopen(backend.contents(), &persons)?,
                    sorted(all_edges())
                );
                return Ok(nth);
            }
            Err(_) => check(&backend)?,
        }
    }
    panic!("the import never succeeded");
}

#[test]
fn failed_write_or_sync_rolls_the_whole_edge_import_back() -> TestResult {
    let base = base_image()?;
    let persons = {
        let store = Store::open_on(Box::new(FaultyBackend::from_bytes(base)), options())?;
        person_rows(&store)?
    };
    let before = sorted(all_edges()[..BASE_EDGES as usize].to_vec());
    let after = sorted(all_edges());
    for sync in [false, true] {
        let mut seed = 0;
        let faults = for_each_fault(sync, Atomicity::RollbackAll, |backend| {
            seed += 1;
            for (i, image) in crash_images(backend, seed).into_iter().enumerate() {
                let edges = edges_after_reopen(image, &persons)?;
                assert!(
                    edges == before || (sync && edges == after),
                    "sync={sync} image {i}: {} edges",
                    edges.len()
                );
            }
            Ok(())
        })?;
        let least = if sync { 2 } else { 8 };
        assert!(faults >= least, "the import did {faults} writes/syncs only");
    }
    Ok(())
}

#[test]
fn failed_write_or_sync_keeps_a_checkpointed_prefix_that_resumes() -> TestResult {
    let base = base_image()?;
    let persons = {
        let store = Store::open_on(Box::new(FaultyBackend::from_bytes(base)), options())?;
        person_rows(&store)?
    };
    let every = Atomicity::ContinuePartial {
        commit_every_rows: 300,
    };
    for sync in [false, true] {
        let mut seed = 100;
        let mut prefixes = std::collections::BTreeSet::new();
        for_each_fault(sync, every, |backend| {
            seed += 1;
            for (i, image) in crash_images(backend, seed).into_iter().enumerate() {
                let edges = edges_after_reopen(image.clone(), &persons)?;
                let n = edges.len();
                assert!((BASE_EDGES as usize..=(BASE_EDGES + NEW_EDGES) as usize).contains(&n));
                assert_eq!(edges, sorted(all_edges()[..n].to_vec()), "a prefix");
                prefixes.insert(n);
                if n == (BASE_EDGES + NEW_EDGES) as usize || i % 2 == 1 {
                    continue;
                }
                // With no checkpoint landed there is nothing to resume: a plain import
                // completes the table.
                let resumed = FaultyBackend::from_bytes(image);
                let partial = CopyOptions::default().with_atomicity(every);
                let report = match run_import(&resumed, partial.clone().with_resume(true)) {
                    Err(CopyError::NothingToResume { .. }) if n == BASE_EDGES as usize => {
                        run_import(&resumed, partial)?
                    }
                    other => other?,
                };
                assert_eq!(report.rows_imported + report.rows_skipped, NEW_EDGES);
                assert_eq!(
                    edges_after_reopen(resumed.contents(), &persons)?,
                    sorted(all_edges())
                );
            }
            Ok(())
        })?;
        assert!(prefixes.len() > 2, "sync={sync}: prefixes {prefixes:?}");
    }
    Ok(())
}
