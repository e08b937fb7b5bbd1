//! Crash consistency: fail every write, every sync, tear every write, run out of disk at every
//! page during a workload of several commits; then rebuild the file a crash would leave (under
//! several crash models) and check that it opens in the last committed state, or in the state
//! whose commit was in flight, never in anything else.

mod common;

use common::{Snapshot, WORKLOAD, crash_modes, expected_states, reopen, run, small_pool, snapshot};
use ruzu_storage::{FaultPlan, FaultyBackend, PAGE_SIZE_BYTES, Result, StorageError, Store};

/// Creates a store on a fresh backend, then arms `plan(writes, syncs)` (given the call counts
/// after create) and runs the workload.
fn run_with_fault(
    plan: impl Fn(u64, u64) -> FaultPlan,
) -> Result<(FaultyBackend, common::Outcome)> {
    let backend = FaultyBackend::new();
    let mut store = Store::create_on(Box::new(backend.clone()), small_pool())?;
    let counts = backend.counts();
    backend.set_plan(plan(counts.writes, counts.syncs));
    let outcome = run(&mut store, WORKLOAD);
    if outcome.error.is_some() {
        // The handle refuses to write on after a failure.
        assert!(matches!(store.begin_write(), Err(StorageError::PreviousIo)));
    }
    Ok((backend, outcome))
}

/// Checks every crash image of `backend` against the states of the workload.
fn check_recovery(
    backend: &FaultyBackend,
    outcome: &common::Outcome,
    states: &[Snapshot],
    label: &str,
) -> Result<()> {
    let ok_states: Vec<&Snapshot> = if outcome.failed_in_commit {
        vec![&states[outcome.committed], &states[outcome.committed + 1]]
    } else {
        vec![&states[outcome.committed]]
    };
    for mode in crash_modes() {
        let image = backend.crash_image(mode);
        let mut store =
            reopen(image).unwrap_or_else(|e| panic!("{label}, {mode:?}: reopen failed: {e}"));
        let got = snapshot(&store)?;
        assert!(
            ok_states.contains(&&got),
            "{label}, {mode:?}: recovered a state that was never committed \
             (committed {}, in commit: {})",
            outcome.committed,
            outcome.failed_in_commit
        );
        store.verify()?;
        assert_eq!(
            store.page_count() * PAGE_SIZE_BYTES,
            backend_len_after_open(&store),
            "{label}, {mode:?}: uncommitted space was not reclaimed"
        );
        // The recovered database accepts new commits and reopens with them.
        store.execute_ddl(
            &ruzu_copy::parse_ddl("CREATE NODE TABLE After(k INT64, PRIMARY KEY(k))")
                .expect("valid DDL"),
        )?;
        store.verify()?;
    }
    Ok(())
}

fn backend_len_after_open(store: &Store) -> u64 {
    // `open` truncates the file to the committed length; reading the last committed page
    // must work and reading one past it must not.
    let last = ruzu_storage::Extent::new(store.page_count() - 1, 1);
    let mut page = vec![0u8; PAGE_SIZE_BYTES as usize];
    store
        .read_extent(last, 0, &mut page)
        .expect("last page readable");
    store.page_count() * PAGE_SIZE_BYTES
}

#[test]
fn fault_free_run_commits_every_step() -> Result<()> {
    let states = expected_states(WORKLOAD)?;
    assert_eq!(states.len(), WORKLOAD.len() + 1);
    let (backend, outcome) = run_with_fault(|_, _| FaultPlan::default())?;
    assert!(outcome.error.is_none());
    let store = reopen(backend.crash_image(ruzu_storage::CrashMode::LoseUnsynced))?;
    assert_eq!(&snapshot(&store)?, states.last().expect("states"));
    store.verify()
}

#[test]
fn failing_any_write_recovers_a_committed_state() -> Result<()> {
    let states = expected_states(WORKLOAD)?;
    let total = {
        let (backend, _) = run_with_fault(|_, _| FaultPlan::default())?;
        backend.counts().writes
    };
    let mut failures = 0;
    for n in 0.. {
        let (backend, outcome) = run_with_fault(|w, _| FaultPlan {
            fail_write: Some(w + n),
            ..FaultPlan::default()
        })?;
        if outcome.error.is_none() {
            break;
        }
        failures += 1;
        check_recovery(&backend, &outcome, &states, &format!("write {n} fails"))?;
    }
    assert!(
        failures >= 10 && failures as u64 <= total,
        "{failures} of {total} writes"
    );
    Ok(())
}

#[test]
fn failing_any_sync_recovers_a_committed_state() -> Result<()> {
    let states = expected_states(WORKLOAD)?;
    let mut failures = 0;
    for n in 0.. {
        let (backend, outcome) = run_with_fault(|_, s| FaultPlan {
            fail_sync: Some(s + n),
            ..FaultPlan::default()
        })?;
        if outcome.error.is_none() {
            break;
        }
        assert!(outcome.failed_in_commit, "syncs happen only in commit");
        failures += 1;
        check_recovery(&backend, &outcome, &states, &format!("sync {n} fails"))?;
    }
    assert_eq!(failures, 2 * WORKLOAD.len(), "two syncs per commit");
    Ok(())
}

#[test]
fn tearing_any_write_recovers_a_committed_state() -> Result<()> {
    let states = expected_states(WORKLOAD)?;
    for prefix in [0usize, 1, 64, 2048, 4097] {
        for n in 0.. {
            let (backend, outcome) = run_with_fault(|w, _| FaultPlan {
                torn_write: Some((w + n, prefix)),
                ..FaultPlan::default()
            })?;
            if outcome.error.is_none() {
                break;
            }
            let label = format!("write {n} torn after {prefix} bytes");
            check_recovery(&backend, &outcome, &states, &label)?;
        }
    }
    Ok(())
}

#[test]
fn disk_full_at_any_page_recovers_a_committed_state() -> Result<()> {
    let states = expected_states(WORKLOAD)?;
    let full_len = {
        let (backend, _) = run_with_fault(|_, _| FaultPlan::default())?;
        backend.contents().len() as u64
    };
    // Capacities from just after create to the full size, every half page.
    let mut failures = 0;
    let mut cap = 3 * PAGE_SIZE_BYTES;
    while cap < full_len + PAGE_SIZE_BYTES {
        let (backend, outcome) = run_with_fault(|_, _| FaultPlan {
            capacity_bytes: Some(cap),
            ..FaultPlan::default()
        })?;
        if let Some(e) = &outcome.error {
            failures += 1;
            assert!(
                matches!(e, StorageError::Io { source, .. } if source.kind() == std::io::ErrorKind::StorageFull)
                    || matches!(e, StorageError::PreviousIo),
                "capacity {cap}: {e}"
            );
            check_recovery(&backend, &outcome, &states, &format!("disk full at {cap}"))?;
        }
        cap += PAGE_SIZE_BYTES / 2;
    }
    assert!(failures > 0, "some capacity must be too small");
    Ok(())
}

#[test]
fn crash_before_commit_reclaims_the_space_of_an_uncommitted_import() -> Result<()> {
    let backend = FaultyBackend::new();
    let mut store = Store::create_on(Box::new(backend.clone()), small_pool())?;
    store.execute_ddl(
        &ruzu_copy::parse_ddl("CREATE NODE TABLE P(id INT64, PRIMARY KEY(id))").expect("valid DDL"),
    )?;
    let committed_pages = store.page_count();
    let committed = snapshot(&store)?;
    let mut txn = store.begin_write()?;
    let id = txn.catalog().table("P").expect("table").id;
    let big = txn.allocate_extent(256)?;
    txn.write_extent(big, 0, &vec![0xAB; 256 * PAGE_SIZE_BYTES as usize])?;
    txn.attach_extent(id, big)?;
    // Crash now, with the data written (even synced by the OS) but no commit.
    let image = backend.crash_image(ruzu_storage::CrashMode::KeepUnsynced);
    assert!(image.len() as u64 > (committed_pages + 255) * PAGE_SIZE_BYTES);
    drop(txn);
    let mut reopened = reopen(image)?;
    assert_eq!(snapshot(&reopened)?, committed);
    assert_eq!(reopened.page_count(), committed_pages);
    reopened.verify()?;
    // And the space is really reusable: the same import again lands at the same place.
    let mut txn = reopened.begin_write()?;
    assert_eq!(txn.allocate_extent(256)?, big);
    txn.abort()
}
