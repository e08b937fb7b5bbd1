//! The import driver: error policy, atomicity under injected failures, resume, progress,
//! cancellation, order and line numbers, compressed and multiple inputs.

mod common;

use std::io::{Read, Write};
use std::sync::Arc;

use common::{CountingSink, PersonCsv, person_schema, person_table};
use ruzu_copy::testing::{FailPlan, MemorySink, OwnedValue};
use ruzu_copy::{
    Atomicity, CancelToken, CopyError, CopyOptions, Import, Input, Phase, Progress, RejectReason,
    SinkCall, Statement, parse,
};
use ruzu_csv::{CsvOptions, RowErrorKind};

fn csv_options() -> CsvOptions {
    CsvOptions::default().with_header(true)
}

/// Small chunks, so that even small inputs make many batches across both decoders.
fn small_chunks(options: CopyOptions) -> CopyOptions {
    let csv = options
        .csv
        .clone()
        .with_chunk_bytes(4096)
        .with_batch_rows(100);
    options.with_csv(csv).with_decoder_threads(2)
}

fn input(bytes: &[u8]) -> Vec<Input> {
    vec![Input::reader(
        Some("people.csv".into()),
        std::io::Cursor::new(bytes.to_vec()),
    )]
}

fn generated(rows: u64) -> Vec<u8> {
    let mut v = Vec::new();
    PersonCsv::new(rows).read_to_end(&mut v).expect("generate");
    v
}

#[test]
fn rows_arrive_in_input_order_with_their_lines() {
    let data = generated(20_000);
    let (table, mut sink) = person_table();
    let options = small_chunks(CopyOptions::default().with_csv(csv_options()));
    let report = Import::new("Person", person_schema(), input(&data), options)
        .run(&mut sink)
        .expect("import");
    assert_eq!(report.rows_imported, 20_000);
    assert_eq!(report.rows_read, 20_000);
    let table = table.lock().expect("table");
    let ids: Vec<i64> = table
        .rows()
        .iter()
        .map(|r| r[0].as_key().expect("id"))
        .collect();
    assert_eq!(ids, (0..20_000).collect::<Vec<i64>>());
    assert_eq!(table.rows()[7][1], OwnedValue::String("name7".into()));
}

#[test]
fn abort_on_first_bad_row_names_file_line_column_and_leaves_nothing_visible() {
    let mut data = generated(5000);
    // Line 3001 holds id 2999: make its score bad.
    let text = String::from_utf8(data.clone()).expect("utf8");
    let line: Vec<&str> = text.lines().collect();
    let bad = line[3000].replacen(",name999,", ",name999,x", 1);
    data = text.replacen(line[3000], &bad, 1).into_bytes();
    let (table, mut sink) = person_table();
    let options = small_chunks(CopyOptions::default().with_csv(csv_options()));
    let err = Import::new("Person", person_schema(), input(&data), options)
        .run(&mut sink)
        .expect_err("bad row");
    match &err {
        CopyError::Row { rejection: r, .. } => {
            assert_eq!(r.position.line, 3001);
            assert_eq!(r.column, Some(3));
            assert!(matches!(
                r.reason,
                RejectReason::Csv(RowErrorKind::Parse { .. })
            ));
        }
        other => panic!("expected a row error, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with("people.csv:3001:3 (score)"),
        "{message}"
    );
    assert!(table.lock().expect("table").rows().is_empty());
}

#[test]
fn bad_row_under_continue_partial_keeps_checkpoints_and_says_up_to_where() {
    let text = String::from_utf8(generated(5000)).expect("utf8");
    let line = text.lines().nth(3000).expect("line 3001").to_owned();
    let data = text.replacen(&line, &line.replacen(",name", ",x,name", 1), 1);
    let (table, mut sink) = person_table();
    let options = small_chunks(
        CopyOptions::default()
            .with_csv(csv_options())
            .with_atomicity(Atomicity::ContinuePartial {
                commit_every_rows: 500,
            }),
    );
    let err = Import::new("Person", person_schema(), input(data.as_bytes()), options)
        .run(&mut sink)
        .expect_err("bad row");
    let CopyError::Row {
        rejection,
        committed: Some(committed),
    } = &err
    else {
        panic!("expected a row error with a committed prefix, got {err:?}");
    };
    assert_eq!(rejection.position.line, 3001);
    let stored = table.lock().expect("table").rows().len() as u64;
    assert!((2500..3000).contains(&stored), "{stored}");
    assert_eq!(committed.rows_stored, stored);
    assert_eq!(committed.line, stored + 1);
    assert!(err.to_string().contains("rows are in the table"), "{err}");
}

#[test]
fn ignore_errors_skips_bad_rows_and_duplicate_keys_and_records_them_in_order() {
    let data = b"id,name,score,bio\n1,a,1.0,x\n2,b,zz,y\n1,c,2.0,z\n3,d,3.0\n4,e,4.0,w\n".to_vec();
    let dir = tempfile::tempdir().expect("temp dir");
    let rejects = dir.path().join("rejects.tsv");
    let (table, mut sink) = person_table();
    let options = CopyOptions::default()
        .with_csv(csv_options())
        .with_ignore_errors(true)
        .with_rejects_path(Some(rejects.clone()));
    let report = Import::new("Person", person_schema(), input(&data), options)
        .run(&mut sink)
        .expect("import");
    assert_eq!(report.rows_imported, 2);
    assert_eq!(report.rows_rejected, 3);
    let lines: Vec<u64> = report.rejections.iter().map(|r| r.position.line).collect();
    assert_eq!(lines, [3, 4, 5]);
    assert_eq!(report.rejections[1].reason.code(), "DUPLICATE_KEY");
    assert!(
        report.rejections[1].to_string().contains("first on line 2"),
        "{}",
        report.rejections[1]
    );
    let file = std::fs::read_to_string(&rejects).expect("rejects file");
    let codes: Vec<&str> = file
        .lines()
        .skip(1)
        .map(|l| l.split('\t').nth(4).expect("code column"))
        .collect();
    assert_eq!(codes, ["CAST", "DUPLICATE_KEY", "MISSING_COLUMNS"]);
    let ids: Vec<i64> = table
        .lock()
        .expect("table")
        .rows()
        .iter()
        .map(|r| r[0].as_key().expect("id"))
        .collect();
    assert_eq!(ids, [1, 4]);
}

#[test]
fn duplicate_key_is_fatal_without_ignore_errors() {
    let data = b"id,name,score,bio\n1,a,1.0,x\n1,c,2.0,z\n".to_vec();
    let (table, mut sink) = person_table();
    let options = CopyOptions::default().with_csv(csv_options());
    let err = Import::new("Person", person_schema(), input(&data), options)
        .run(&mut sink)
        .expect_err("duplicate key");
    assert!(err.to_string().contains("duplicate primary key"), "{err}");
    assert!(table.lock().expect("table").rows().is_empty());
}

#[test]
fn failed_write_under_rollback_all_leaves_nothing() {
    let data = generated(10_000);
    let (table, sink) = person_table();
    let mut sink = sink.with_failure(FailPlan {
        call: SinkCall::Write,
        nth: 7,
    });
    let options = small_chunks(CopyOptions::default().with_csv(csv_options()));
    let err = Import::new("Person", person_schema(), input(&data), options)
        .run(&mut sink)
        .expect_err("injected failure");
    match err {
        CopyError::Sink {
            call, committed, ..
        } => {
            assert_eq!(call, SinkCall::Write);
            assert_eq!(committed, None);
        }
        other => panic!("expected a sink error, got {other:?}"),
    }
    assert!(table.lock().expect("table").rows().is_empty());
}

#[test]
fn failed_write_under_continue_partial_keeps_the_prefix_and_resume_completes_it() {
    let data = generated(10_000);
    let (table, sink) = person_table();
    let mut sink = sink.with_failure(FailPlan {
        call: SinkCall::Write,
        nth: 40,
    });
    let options = small_chunks(
        CopyOptions::default()
            .with_csv(csv_options())
            .with_atomicity(Atomicity::ContinuePartial {
                commit_every_rows: 1000,
            }),
    );
    let err = Import::new("Person", person_schema(), input(&data), options.clone())
        .run(&mut sink)
        .expect_err("injected failure");
    let committed = match err {
        CopyError::Sink {
            call: SinkCall::Write,
            committed: Some(c),
            ..
        } => c,
        other => panic!("expected a write failure with a committed prefix, got {other:?}"),
    };
    {
        let table = table.lock().expect("table");
        let stored = table.rows().len() as u64;
        assert!(stored > 0, "something was checkpointed");
        assert_eq!(committed.rows_stored, stored);
        // The table holds exactly the input rows up to the reported line (header is line 1).
        assert_eq!(committed.line, stored + 1);
        let last = table.rows().last().expect("a row")[0].as_key();
        assert_eq!(last, Some(stored as i64 - 1));
    }
    // Resume with a healthy sink: the rest is imported, nothing twice.
    let mut sink = MemorySink::new(table.clone());
    let report = Import::new(
        "Person",
        person_schema(),
        input(&data),
        options.with_resume(true),
    )
    .run(&mut sink)
    .expect("resume");
    assert_eq!(report.resumed_from.as_ref(), Some(&committed));
    assert_eq!(report.rows_skipped, committed.rows_stored);
    let ids: Vec<i64> = table
        .lock()
        .expect("table")
        .rows()
        .iter()
        .map(|r| r[0].as_key().expect("id"))
        .collect();
    assert_eq!(ids, (0..10_000).collect::<Vec<i64>>());
}

#[test]
fn failed_commit_leaves_nothing_and_names_the_call() {
    let data = generated(100);
    let (table, sink) = person_table();
    let mut sink = sink.with_failure(FailPlan {
        call: SinkCall::Commit,
        nth: 1,
    });
    let err = Import::new(
        "Person",
        person_schema(),
        input(&data),
        CopyOptions::default().with_csv(csv_options()),
    )
    .run(&mut sink)
    .expect_err("injected failure");
    assert!(
        err.to_string().starts_with("commit of table Person failed"),
        "{err}"
    );
    assert!(table.lock().expect("table").rows().is_empty());
}

#[test]
fn progress_every_one_does_not_cut_batches_to_one_row() {
    let data = generated(20_000);
    let mut sink = CountingSink::default();
    let mut reports = 0u64;
    let options = CopyOptions::default()
        .with_csv(csv_options())
        .with_progress_every_rows(1);
    let import = Import::new("Person", person_schema(), input(&data), options);
    assert!(
        import.plan().batch_rows as u64 >= ruzu_copy::MIN_PROGRESS_BATCH_ROWS,
        "{:?}",
        import.plan()
    );
    let report = import
        .with_progress(|_| reports += 1)
        .run(&mut sink)
        .expect("import");
    assert_eq!(report.rows_imported, 20_000);
    assert!((2..1000).contains(&reports), "{reports} reports");
}

#[test]
fn progress_is_monotonic_at_least_every_interval_and_ends_with_done() {
    let data = generated(30_000);
    let mut sink = CountingSink::default();
    let mut reports: Vec<Progress> = Vec::new();
    let options = small_chunks(
        CopyOptions::default()
            .with_csv(csv_options())
            .with_progress_every_rows(1000),
    );
    let report = Import::new("Person", person_schema(), input(&data), options)
        .with_progress(|p| reports.push(p.clone()))
        .run(&mut sink)
        .expect("import");
    assert!(reports.len() >= 30, "{} reports", reports.len());
    let mut last_rows = 0;
    for pair in reports.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(b.rows_read >= a.rows_read && b.rows_written >= a.rows_written);
        assert!(b.bytes_read >= a.bytes_read && b.elapsed >= a.elapsed);
        assert!(b.rows_read - a.rows_read <= 1000, "{a:?} -> {b:?}");
        last_rows = b.rows_read;
    }
    assert!(reports[0].rows_read <= 1000);
    let last = reports.last().expect("a final report");
    assert_eq!(last.phase, Phase::Done);
    assert_eq!(last.rows_written, 30_000);
    assert_eq!(last_rows, report.rows_read);
}

#[test]
fn cancellation_aborts_the_import() {
    let data = generated(50_000);
    let (table, mut sink) = person_table();
    let token = CancelToken::new();
    let canceller = token.clone();
    let options = small_chunks(
        CopyOptions::default()
            .with_csv(csv_options())
            .with_progress_every_rows(1000),
    );
    let err = Import::new("Person", person_schema(), input(&data), options)
        .with_cancel(token)
        .with_progress(move |p| {
            if p.rows_read >= 2000 {
                canceller.cancel();
            }
        })
        .run(&mut sink)
        .expect_err("cancelled");
    assert!(
        matches!(err, CopyError::Cancelled { committed: None }),
        "{err:?}"
    );
    assert!(table.lock().expect("table").rows().is_empty());
}

#[test]
fn compressed_files_and_file_lists_import_in_order_with_per_file_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = dir.path().join("a.csv.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&a).expect("create"),
        flate2::Compression::fast(),
    );
    enc.write_all(b"id,name,score,bio\n1,a,1.5,x\n2,b,2.5,y\n")
        .expect("write");
    enc.finish().expect("finish");
    let b = dir.path().join("b.csv.zst");
    std::fs::write(
        &b,
        zstd::encode_all(&b"id,name,score,bio\n3,c,3.5,z\n4,d,oops,w\n"[..], 1).expect("zstd"),
    )
    .expect("write");
    let statement = format!(
        "COPY Person FROM ['{}', '{}'] (HEADER=true, IGNORE_ERRORS=true)",
        a.display(),
        b.display()
    );
    let Statement::CopyFrom(copy) = parse(&statement).expect("parse") else {
        panic!("an import");
    };
    let (table, mut sink) = person_table();
    let report = Import::from_statement(&copy, person_schema())
        .expect("inputs")
        .run(&mut sink)
        .expect("import");
    assert_eq!(report.rows_imported, 3);
    assert_eq!(report.rejections.len(), 1);
    let bad = &report.rejections[0];
    assert_eq!(bad.position.line, 3);
    assert_eq!(bad.position.file.as_deref(), Some(b.as_path()));
    let ids: Vec<i64> = table
        .lock()
        .expect("table")
        .rows()
        .iter()
        .map(|r| r[0].as_key().expect("id"))
        .collect();
    assert_eq!(ids, [1, 2, 3]);
}

#[test]
fn missing_file_is_an_input_error_and_the_sink_is_aborted() {
    let mut sink = CountingSink::default();
    let err = Import::new(
        "Person",
        person_schema(),
        vec![Input::Path("/nonexistent/ruzu/people.csv".into())],
        CopyOptions::default(),
    )
    .run(&mut sink)
    .expect_err("no such file");
    assert!(matches!(err, CopyError::Input { .. }), "{err:?}");
    assert!(sink.aborted && !sink.committed);
}

#[test]
fn sniffing_detects_the_dialect_of_the_first_file() {
    let data = b"id|name|score|bio\n1|a|1.5|x\n2|b|2.5|y\n".to_vec();
    let (table, mut sink) = person_table();
    let report = Import::new(
        "Person",
        person_schema(),
        input(&data),
        CopyOptions::default(),
    )
    .run(&mut sink)
    .expect("import");
    assert_eq!(report.rows_imported, 2);
    assert_eq!(
        table.lock().expect("table").rows()[1][3],
        OwnedValue::String("y".into())
    );
    let _ = Arc::clone(&person_schema());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Whatever the chunk size, batch size and thread count, every row arrives once, in order,
    /// with its line.
    #[test]
    fn every_row_arrives_once_in_order_for_any_chunking(
        rows in 0u64..400,
        chunk_bytes in 1usize..300,
        batch_rows in 1usize..40,
        threads in 1usize..4,
    ) {
        let data = generated(rows);
        let (table, mut sink) = person_table();
        let csv = csv_options().with_chunk_bytes(chunk_bytes).with_batch_rows(batch_rows);
        let options = CopyOptions::default().with_csv(csv).with_decoder_threads(threads);
        let report = Import::new("Person", person_schema(), input(&data), options)
            .run(&mut sink)
            .expect("import");
        proptest::prop_assert_eq!(report.rows_imported, rows);
        let ids: Vec<i64> = table
            .lock()
            .expect("table")
            .rows()
            .iter()
            .map(|r| r[0].as_key().expect("id"))
            .collect();
        proptest::prop_assert_eq!(ids, (0..rows as i64).collect::<Vec<i64>>());
    }
}

#[test]
fn a_line_longer_than_max_line_size_is_a_row_error_in_input_order() {
    let long = "x".repeat(10_000);
    let data =
        format!("id,name,score,bio\n1,a,1.0,x\n2,b,2.0,{long}\n3,c,3.0,y\n4,d,bad,z\n5,e,5.0,w\n");
    let (table, mut sink) = person_table();
    let csv = csv_options().with_max_line_size_bytes(1000);
    let options = small_chunks(
        CopyOptions::default()
            .with_csv(csv)
            .with_ignore_errors(true),
    );
    let report = Import::new("Person", person_schema(), input(data.as_bytes()), options)
        .run(&mut sink)
        .expect("import");
    let codes: Vec<(u64, &str)> = report
        .rejections
        .iter()
        .map(|r| (r.position.line, r.reason.code()))
        .collect();
    assert_eq!(codes, [(3, "LINE_TOO_LONG"), (5, "CAST")]);
    assert!(report.peak_memory_bytes < report.memory_limit_bytes);
    let ids: Vec<i64> = table
        .lock()
        .expect("table")
        .rows()
        .iter()
        .map(|r| r[0].as_key().expect("id"))
        .collect();
    assert_eq!(ids, [1, 3, 5]);
}

#[test]
fn cancellation_before_the_first_batch_never_commits() {
    let data = generated(1000);
    let (table, mut sink) = person_table();
    let token = CancelToken::new();
    token.cancel();
    let err = Import::new(
        "Person",
        person_schema(),
        input(&data),
        CopyOptions::default().with_csv(csv_options()),
    )
    .with_cancel(token)
    .run(&mut sink)
    .expect_err("cancelled");
    assert!(matches!(err, CopyError::Cancelled { .. }), "{err:?}");
    assert!(table.lock().expect("table").rows().is_empty());
}
