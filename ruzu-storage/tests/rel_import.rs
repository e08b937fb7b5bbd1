//! Rel table import through `RelTableSink`, read back through `neighbours`, the scan and the
//! edge count, against a plain in-memory model: both directions, missing endpoints, multigraph
//! edges, self-loops, a hub, empty imports, the out-of-core paths and appends.

mod rel_support;

use rel_support::{
    Model, RelImport, TestResult, check_against_model, create_graph, edge_props, generate_edges,
    import_edges, import_persons, offsets, person_key, scanned_edges,
};
use ruzu_copy::SinkRejectKind;
use ruzu_copy::testing::{OwnedRow, OwnedValue};

fn sorted(mut rows: Vec<OwnedRow>) -> Vec<OwnedRow> {
    rows.sort_by(|a, b| a.partial_cmp(b).expect("no NaN in generated rows"));
    rows
}

fn edge(from: u64, to: u64, i: u64) -> OwnedRow {
    let mut row = vec![
        OwnedValue::Int64(person_key(from)),
        OwnedValue::Int64(person_key(to)),
    ];
    row.extend(edge_props(i));
    row
}

#[test]
fn knows_round_trip_matches_the_model_both_ways() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let persons = 3000;
    let mut store = create_graph(dir.path(), persons)?;
    let rows = generate_edges(persons, 20_000, 7);
    let how = RelImport {
        group_nodes: Some(1000),
        ..RelImport::default()
    };
    let imported = import_edges(&mut store, &rows, &how, spill.path())?;
    assert!(imported.rejects.is_empty());
    assert!(imported.stats.index_in_memory);
    drop(store);

    let store = ruzu_storage::Store::open(dir.path())?;
    store.verify()?;
    let mut model = Model::default();
    model.add(&rows, &offsets(persons));
    check_against_model(&store, persons, &model)?;
    assert_eq!(sorted(scanned_edges(&store)?), sorted(rows));
    Ok(())
}

#[test]
fn missing_endpoints_are_rejected_with_their_key_and_the_rest_is_stored() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let persons = 50;
    let mut store = create_graph(dir.path(), persons)?;
    let mut rows = vec![
        edge(1, 2, 0),
        edge(3, 4, 1),
        edge(5, 6, 2),
        edge(7, 8, 3),
        edge(9, 9, 4),
    ];
    rows[1][0] = OwnedValue::Int64(42); // no such from
    rows[2][1] = OwnedValue::Int64(-1); // no such to
    rows[3][0] = OwnedValue::Null; // NULL from counts as missing
    // Serially, then with the parallel phase (rejects found on another thread).
    let imported = import_edges(&mut store, &rows, &RelImport::default(), spill.path())?;
    let dir2 = tempfile::tempdir()?;
    let mut store2 = create_graph(dir2.path(), persons)?;
    let parallel = RelImport {
        threads: 2,
        ..RelImport::default()
    };
    let imported2 = import_edges(&mut store2, &rows, &parallel, spill.path())?;
    assert!(imported2.stats.typed);
    let missing = |endpoint| SinkRejectKind::MissingEndpoint { endpoint };
    for imported in [imported, imported2] {
        let got: Vec<_> = imported
            .rejects
            .iter()
            .map(|(i, r)| {
                (
                    *i,
                    r.column,
                    r.kind.clone(),
                    r.text.as_deref().map(str::to_owned),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (1, Some(1), missing("from"), Some("42".to_owned())),
                (2, Some(2), missing("to"), Some("-1".to_owned())),
                (3, Some(1), missing("from"), Some("NULL".to_owned())),
            ]
        );
    }
    let mut model = Model::default();
    model.add(&rows, &offsets(persons));
    assert_eq!(model.edges, 2);
    check_against_model(&store2, persons, &model)?;
    check_against_model(&store, persons, &model)
}

#[test]
fn duplicate_edges_and_self_loops_are_all_kept() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let persons = 10;
    let mut store = create_graph(dir.path(), persons)?;
    let rows = vec![
        edge(1, 2, 0),
        edge(1, 2, 1),
        edge(1, 2, 0),
        edge(3, 3, 2),
        edge(3, 3, 3),
        edge(2, 1, 4),
    ];
    import_edges(&mut store, &rows, &RelImport::default(), spill.path())?;
    let mut model = Model::default();
    model.add(&rows, &offsets(persons));
    assert_eq!(model.edges, 6);
    assert_eq!(model.forward[&1].len(), 3);
    assert_eq!(model.backward[&3].len(), 2);
    check_against_model(&store, persons, &model)
}

#[test]
fn a_hub_with_100_000_edges_is_stored_within_a_small_budget() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let persons = 2000;
    let mut store = create_graph(dir.path(), persons)?;
    let rows: Vec<OwnedRow> = (0..100_000).map(|i| edge(7, i % persons, i)).collect();
    let how = RelImport {
        memory_bytes: 1 << 20,
        group_nodes: Some(512),
        batch_rows: 2048,
        threads: 2,
    };
    let imported = import_edges(&mut store, &rows, &how, spill.path())?;
    assert!(imported.rejects.is_empty());
    assert!(imported.stats.spilled, "{:?}", imported.stats);
    let mut model = Model::default();
    model.add(&rows, &offsets(persons));
    check_against_model(&store, persons, &model)
}

#[test]
fn an_empty_import_commits_an_empty_rel_table() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let mut store = create_graph(dir.path(), 5)?;
    let generation = store.generation();
    import_edges(&mut store, &[], &RelImport::default(), spill.path())?;
    assert_eq!(store.generation(), generation + 1);
    assert_eq!(store.row_count("Knows")?, 0);
    assert!(scanned_edges(&store)?.is_empty());
    check_against_model(&store, 5, &Model::default())
}

/// The same edges through every path: serial and parallel (typed resolution prepared on
/// another thread, groups built on two threads) within a roomy budget, and the out-of-core
/// paths of a tiny one, store the same table.
#[test]
fn tiny_memory_takes_the_out_of_core_paths_and_stores_the_same_table() -> TestResult {
    let persons = 20_000;
    let rows = generate_edges(persons, 30_000, 11);
    let mut results = Vec::new();
    for (memory_bytes, threads) in [(64 << 20, 1), (64 << 20, 2), (256 << 10, 2)] {
        let dir = tempfile::tempdir()?;
        let spill = tempfile::tempdir()?;
        let mut store = create_graph(dir.path(), persons)?;
        let how = RelImport {
            memory_bytes,
            group_nodes: Some(4096),
            batch_rows: 1000,
            threads,
        };
        let imported = import_edges(&mut store, &rows, &how, spill.path())?;
        let small = memory_bytes < (1 << 20);
        assert_eq!(
            imported.stats.index_in_memory, !small,
            "{:?}",
            imported.stats
        );
        assert_eq!(imported.stats.typed, !small, "{:?}", imported.stats);
        assert_eq!(imported.stats.spilled, small, "{:?}", imported.stats);
        // Every node's lists cost a key column read each; a sample (hubs included) and the
        // full scan cover the groups.
        let sample = (0..persons).step_by(37).chain(0..5);
        let forward: Vec<_> = sample
            .clone()
            .map(|n| store.neighbours("Knows", n, ruzu_storage::Direction::Forward))
            .collect::<Result<_, _>>()?;
        let backward: Vec<_> = sample
            .map(|n| store.neighbours("Knows", n, ruzu_storage::Direction::Backward))
            .collect::<Result<_, _>>()?;
        results.push((forward, backward, scanned_edges(&store)?));
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0], results[2]);
    let mut model = Model::default();
    model.add(&rows, &offsets(persons));
    assert_eq!(results[0].2.len() as u64, model.edges);
    Ok(())
}

#[test]
fn missing_endpoints_found_by_the_late_join_are_late_rejects_with_their_line() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let persons = 20_000;
    let mut store = create_graph(dir.path(), persons)?;
    let mut rows = generate_edges(persons, 3000, 13);
    rows[5][0] = OwnedValue::Int64(42);
    rows[2500][1] = OwnedValue::Int64(43);
    rows[2600][0] = OwnedValue::Null;
    let how = RelImport {
        memory_bytes: 256 << 10,
        group_nodes: Some(4096),
        batch_rows: 500,
        threads: 2,
    };
    let imported = import_edges(&mut store, &rows, &how, spill.path())?;
    assert!(imported.stats.resolved_late);
    // The NULL key is known in `write`; the others only at the join (rows start on line 2).
    let early: Vec<_> = imported
        .rejects
        .iter()
        .map(|(i, r)| (*i, r.column))
        .collect();
    assert_eq!(early, vec![(2600, Some(1))]);
    let mut late: Vec<_> = imported
        .late
        .iter()
        .map(|r| {
            let endpoint = match r.kind {
                SinkRejectKind::MissingEndpoint { endpoint } => endpoint,
                _ => "other",
            };
            (
                r.position.line,
                r.column,
                endpoint,
                r.text.as_deref().map(str::to_owned),
            )
        })
        .collect();
    late.sort();
    assert_eq!(
        late,
        vec![
            (7, Some(1), "from", Some("42".to_owned())),
            (2502, Some(2), "to", Some("43".to_owned())),
        ]
    );
    let mut model = Model::default();
    model.add(&rows, &offsets(persons));
    assert_eq!(store.row_count("Knows")?, model.edges);
    assert_eq!(
        sorted(scanned_edges(&store)?),
        sorted(model_rows(&rows, persons))
    );
    for node in (0..persons).step_by(101).chain(0..5) {
        for (dir, map) in [
            (ruzu_storage::Direction::Forward, &model.forward),
            (ruzu_storage::Direction::Backward, &model.backward),
        ] {
            let rb = store.neighbours("Knows", node, dir)?;
            let got = rel_support::record_rows(&rb, rel_support::neighbour_schema())?;
            assert_eq!(
                got,
                map.get(&node).cloned().unwrap_or_default(),
                "{node} {dir:?}"
            );
        }
    }
    Ok(())
}

/// The rows of `rows` whose endpoints both exist.
fn model_rows(rows: &[OwnedRow], persons: u64) -> Vec<OwnedRow> {
    let keys = offsets(persons);
    rows.iter()
        .filter(|r| {
            [&r[0], &r[1]]
                .iter()
                .all(|v| matches!(v, OwnedValue::Int64(k) if keys.contains_key(k)))
        })
        .cloned()
        .collect()
}

#[test]
fn a_second_copy_appends_and_new_nodes_get_new_groups() -> TestResult {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let mut store = create_graph(dir.path(), 1500)?;
    let how = RelImport {
        group_nodes: Some(500),
        ..RelImport::default()
    };
    let first = generate_edges(1500, 4000, 1);
    import_edges(&mut store, &first, &how, spill.path())?;
    let pages_after_first = store.page_count();
    // More persons, then edges among all of them: old groups are merged, new ones created.
    import_persons(&mut store, 1500..2600)?;
    let second = generate_edges(2600, 5000, 2);
    import_edges(&mut store, &second, &how, spill.path())?;
    store.verify()?;
    assert!(store.page_count() >= pages_after_first);

    let mut model = Model::default();
    model.add(&first, &offsets(2600));
    model.add(&second, &offsets(2600));
    check_against_model(&store, 2600, &model)?;
    let mut all = first;
    all.extend(second);
    assert_eq!(sorted(scanned_edges(&store)?), sorted(all));
    Ok(())
}
