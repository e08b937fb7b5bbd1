//! `COPY Knows FROM` end to end: CSV text through `ruzu_copy::Import` into a `RelTableSink`
//! on a database directory. A missing endpoint aborts the import by default (the database is
//! unchanged) and is skipped and reported with its line and key under `IGNORE_ERRORS`; a COPY
//! naming other endpoint tables is refused.

mod rel_support;

use std::io::Cursor;

use rel_support::{
    Model, TestResult, check_against_model, create_graph, generate_edges, knows_csv, knows_schema,
    offsets, scanned_edges,
};
use ruzu_copy::testing::OwnedValue;
use ruzu_copy::{
    BatchSink, CopyError, CopyOptions, Import, Input, RejectReason, SinkContext, SinkRejectKind,
};
use ruzu_csv::CsvOptions;
use ruzu_storage::{RelTableSink, Store};

fn copy(
    store: &mut Store,
    csv: Vec<u8>,
    options: CopyOptions,
) -> Result<ruzu_copy::CopyReport, CopyError> {
    let spill = std::env::temp_dir();
    let mut sink = RelTableSink::new(store, "Knows").with_spill_dir(spill);
    let options = options.with_csv(CsvOptions::default().with_header(true).with_batch_rows(300));
    Import::new(
        "Knows",
        knows_schema(),
        vec![Input::reader(Some("knows.csv".into()), Cursor::new(csv))],
        options,
    )
    .run(&mut sink)
}

/// 2000 edges over 400 persons, three of them naming persons that do not exist.
fn rows_with_missing() -> Vec<ruzu_copy::testing::OwnedRow> {
    let mut rows = generate_edges(400, 2000, 5);
    rows[10][0] = OwnedValue::Int64(7);
    rows[1200][1] = OwnedValue::Int64(8);
    rows[1999][0] = OwnedValue::Null;
    rows
}

#[test]
fn a_missing_endpoint_aborts_the_copy_and_leaves_the_database_unchanged() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut store = create_graph(dir.path(), 400)?;
    let generation = store.generation();
    let err = copy(
        &mut store,
        knows_csv(&rows_with_missing())?,
        CopyOptions::default(),
    )
    .expect_err("missing endpoint");
    assert!(matches!(err, CopyError::Row { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("knows.csv:12"), "{text}");
    assert_eq!(store.generation(), generation);
    assert_eq!(store.row_count("Knows")?, 0);
    assert_eq!(store.row_count("Person")?, 400);
    Ok(())
}

#[test]
fn ignore_errors_skips_and_reports_missing_endpoints_with_line_and_key() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut store = create_graph(dir.path(), 400)?;
    let rows = rows_with_missing();
    let report = copy(
        &mut store,
        knows_csv(&rows)?,
        CopyOptions::default().with_ignore_errors(true),
    )?;
    assert_eq!((report.rows_imported, report.rows_rejected), (1997, 3));
    let got: Vec<_> = report
        .rejections
        .iter()
        .map(|r| {
            (
                r.position.line,
                r.column,
                r.reason.clone(),
                r.text.as_deref().map(str::to_owned),
            )
        })
        .collect();
    let missing = |endpoint| RejectReason::Sink(SinkRejectKind::MissingEndpoint { endpoint });
    assert_eq!(
        got,
        vec![
            (12, Some(1), missing("from"), Some("7".to_owned())),
            (1202, Some(2), missing("to"), Some("8".to_owned())),
            (2001, Some(1), missing("from"), Some("NULL".to_owned())),
        ]
    );
    let mut model = Model::default();
    model.add(&rows, &offsets(400));
    check_against_model(&store, 400, &model)?;
    assert_eq!(scanned_edges(&store)?.len(), 1997);
    Ok(())
}

#[test]
fn copy_naming_other_endpoint_tables_is_refused_with_the_limitation() -> TestResult {
    let dir = tempfile::tempdir()?;
    let mut store = create_graph(dir.path(), 3)?;
    store.execute_ddl(
        &ruzu_copy::parse_ddl("CREATE NODE TABLE City(name STRING, PRIMARY KEY(name))")
            .expect("valid DDL"),
    )?;
    let mut sink = RelTableSink::new(&mut store, "Knows");
    let ctx =
        SinkContext::new("Knows", knows_schema(), 8 << 20).with_rel_endpoints("Person", "City");
    let err = sink.begin(&ctx).expect_err("one FROM/TO pair");
    let text = err.to_string();
    assert!(text.contains("exactly one FROM/TO pair"), "{text}");
    drop(sink);
    // Naming the table's own endpoints is fine.
    let mut sink = RelTableSink::new(&mut store, "Knows");
    let ctx =
        SinkContext::new("Knows", knows_schema(), 8 << 20).with_rel_endpoints("person", "PERSON");
    sink.begin(&ctx)?;
    sink.commit()?;
    Ok(())
}
