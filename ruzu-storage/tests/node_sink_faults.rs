//! Faults during an import into a `NodeTableSink`: the Nth write or sync of the file fails
//! (and the process may crash right after, leaving any subset of the unsynced writes, torn or
//! not). Reopening must give the state before the import (rollback-all) or a prefix of it at
//! a checkpoint (continue-partial, which then resumes to the full table), never a torn table.

mod sink_support;

use std::io::Cursor;
use std::sync::Arc;

use ruzu_copy::testing::{OwnedRow, OwnedValue};
use ruzu_copy::{Atomicity, CopyError, CopyOptions, CopyReport, Import, Input};
use ruzu_csv::{CsvOptions, DataType, Field, Schema, Value};
use ruzu_storage::{CrashMode, FaultPlan, FaultyBackend, NodeTableSink, Store};
use sink_support::{create_store, options, stored_rows};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const BASE_ROWS: u64 = 300;
const NEW_ROWS: u64 = 1500;

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
        Field::new("score", DataType::Double),
    ]))
}

fn row(i: u64) -> OwnedRow {
    vec![
        OwnedValue::Int64(i as i64),
        OwnedValue::String(format!("person \"{i}\", ü")),
        OwnedValue::Double(i as f64 / 4.0),
    ]
}

fn csv(rows: std::ops::Range<u64>) -> Vec<u8> {
    let mut out = String::from("id,name,score\n");
    for i in rows {
        out.push_str(&format!(
            "{i},\"person \"\"{i}\"\", ü\",{}\n",
            i as f64 / 4.0
        ));
    }
    out.into_bytes()
}

fn run_import(
    backend: &FaultyBackend,
    rows: std::ops::Range<u64>,
    options_: CopyOptions,
) -> Result<CopyReport, CopyError> {
    let mut store = Store::open_on(Box::new(backend.clone()), options()).expect("open");
    let spill = std::env::temp_dir();
    let mut sink = NodeTableSink::new(&mut store, "Person")
        .with_spill_dir(spill)
        .with_group_rows(256);
    let options_ = options_.with_csv(CsvOptions::default().with_header(true).with_batch_rows(100));
    Import::new(
        "Person",
        schema(),
        vec![Input::reader(None, Cursor::new(csv(rows)))],
        options_,
    )
    .run(&mut sink)
}

/// A file holding the table with rows `0..BASE_ROWS`, committed by an import.
fn base_image() -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let backend = FaultyBackend::new();
    drop(create_store(&backend, "Person", &schema())?);
    run_import(&backend, 0..BASE_ROWS, CopyOptions::default())?;
    Ok(backend.contents())
}

/// The rows of the table in `image`, after checking the file's space accounting and that
/// every row's key is found through the index (or the scan of the rows it does not cover).
fn rows_after_reopen(image: Vec<u8>) -> Result<Vec<OwnedRow>, Box<dyn std::error::Error>> {
    let store = Store::open_on(Box::new(FaultyBackend::from_bytes(image)), options())?;
    store.verify()?;
    let rows = stored_rows(&store, "Person")?;
    for (offset, r) in rows.iter().enumerate().step_by(97) {
        let OwnedValue::Int64(key) = r[0] else {
            panic!("key column")
        };
        assert_eq!(
            store.lookup("Person", &Value::Int64(key))?,
            Some(offset as u64)
        );
    }
    Ok(rows)
}

fn expected(rows: std::ops::Range<u64>) -> Vec<OwnedRow> {
    rows.map(row).collect()
}

/// Runs the import with the `nth` write (or sync) after the start failing, for every `nth`
/// until the import succeeds; hands each failed run's backend to `check`.
fn for_each_fault(
    sync: bool,
    atomicity: Atomicity,
    mut check: impl FnMut(&FaultyBackend, &CopyError) -> TestResult,
) -> Result<u64, Box<dyn std::error::Error>> {
    let base = base_image()?;
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
        let options_ = CopyOptions::default().with_atomicity(atomicity);
        match run_import(&backend, BASE_ROWS..BASE_ROWS + NEW_ROWS, options_) {
            Ok(_) => {
                backend.set_plan(FaultPlan::default());
                assert_eq!(
                    rows_after_reopen(backend.contents())?,
                    expected(0..BASE_ROWS + NEW_ROWS)
                );
                return Ok(nth);
            }
            Err(e) => check(&backend, &e)?,
        }
    }
    panic!("the import never succeeded");
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

#[test]
fn failed_write_or_sync_rolls_the_whole_import_back() -> TestResult {
    for sync in [false, true] {
        let mut seed = 0;
        let faults = for_each_fault(sync, Atomicity::RollbackAll, |backend, _| {
            seed += 1;
            for (i, image) in crash_images(backend, seed).into_iter().enumerate() {
                let rows = rows_after_reopen(image)?;
                // Only the final sync of the commit may have published the new state (its
                // header write landed before the sync failed).
                let all = expected(0..BASE_ROWS + NEW_ROWS);
                assert!(
                    rows == expected(0..BASE_ROWS) || (sync && rows == all),
                    "sync={sync} image {i}: {} rows",
                    rows.len()
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
    for sync in [false, true] {
        let mut seed = 100;
        let mut prefixes = std::collections::BTreeSet::new();
        for_each_fault(
            sync,
            Atomicity::ContinuePartial {
                commit_every_rows: 400,
            },
            |backend, _| {
                seed += 1;
                for (i, image) in crash_images(backend, seed).into_iter().enumerate() {
                    let rows = rows_after_reopen(image.clone())?;
                    let n = rows.len() as u64;
                    assert!((BASE_ROWS..=BASE_ROWS + NEW_ROWS).contains(&n));
                    assert_eq!(rows, expected(0..n), "a prefix of the input");
                    prefixes.insert(n);
                    // Resume from two of the images only, to keep the test fast.
                    if n == BASE_ROWS + NEW_ROWS || i % 2 == 1 {
                        // (A full table: the commit's header landed before its final sync
                        // failed; the import is complete and there is nothing to resume.)
                        continue;
                    }

                    // Resuming completes the table exactly; with no checkpoint landed there
                    // is nothing to resume, and a plain import completes it.
                    let resumed = FaultyBackend::from_bytes(image);
                    let partial =
                        CopyOptions::default().with_atomicity(Atomicity::ContinuePartial {
                            commit_every_rows: 400,
                        });
                    let rest = BASE_ROWS..BASE_ROWS + NEW_ROWS;
                    let report =
                        match run_import(&resumed, rest.clone(), partial.clone().with_resume(true))
                        {
                            Err(CopyError::NothingToResume { .. }) if n == BASE_ROWS => {
                                run_import(&resumed, rest, partial)?
                            }
                            other => other?,
                        };
                    assert_eq!(report.rows_imported + report.rows_skipped, NEW_ROWS);
                    assert_eq!(
                        rows_after_reopen(resumed.contents())?,
                        expected(0..BASE_ROWS + NEW_ROWS)
                    );
                }
                Ok(())
            },
        )?;
        assert!(prefixes.len() > 2, "sync={sync}: prefixes {prefixes:?}");
    }
    Ok(())
}
