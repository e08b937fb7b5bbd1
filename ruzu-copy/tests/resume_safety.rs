//! `RESUME` trusts nothing it cannot check (issue: "never destroy what is not ours", items
//! 6–8): a resume point names its file by path, size, modification time and a checksum of
//! the records before it; another or an edited input is refused naming what changed; a
//! completed import leaves nothing to resume; and a plain `COPY` into a table that holds an
//! unfinished import's prefix is refused instead of storing that prefix twice.

mod common;

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use common::{PersonCsv, person_schema, person_table};
use ruzu_copy::testing::{FailPlan, MemorySink, MemoryTable};
use ruzu_copy::{
    Atomicity, CopyError, CopyOptions, Import, Input, ResumeChange, ResumePoint, SinkCall,
};
use ruzu_csv::CsvOptions;

fn options() -> CopyOptions {
    let csv = CsvOptions::default()
        .with_header(true)
        .with_chunk_bytes(4096)
        .with_batch_rows(100);
    CopyOptions::default()
        .with_csv(csv)
        .with_decoder_threads(2)
        .with_atomicity(Atomicity::ContinuePartial {
            commit_every_rows: 1000,
        })
}

fn generated(rows: u64) -> Vec<u8> {
    let mut v = Vec::new();
    PersonCsv::new(rows).read_to_end(&mut v).expect("generate");
    v
}

fn reader(bytes: &[u8]) -> Vec<Input> {
    vec![Input::reader(
        Some("people.csv".into()),
        std::io::Cursor::new(bytes.to_vec()),
    )]
}

fn rows_of(table: &Arc<Mutex<MemoryTable>>) -> usize {
    table.lock().expect("table").rows().len()
}

/// Imports `inputs` until the 40th write fails: the table keeps the checkpointed prefix.
fn interrupted(inputs: Vec<Input>) -> (Arc<Mutex<MemoryTable>>, ResumePoint) {
    let (table, sink) = person_table();
    let mut sink = sink.with_failure(FailPlan {
        call: SinkCall::Write,
        nth: 40,
    });
    let err = Import::new("Person", person_schema(), inputs, options())
        .run(&mut sink)
        .expect_err("injected failure");
    let CopyError::Sink {
        committed: Some(point),
        ..
    } = err
    else {
        panic!("expected a write failure with a committed prefix, got {err:?}");
    };
    assert!(point.rows_stored > 0 && point.input.is_some(), "{point:?}");
    assert_eq!(rows_of(&table), point.rows_stored as usize);
    (table, point)
}

fn resume(table: &Arc<Mutex<MemoryTable>>, inputs: Vec<Input>) -> Result<u64, CopyError> {
    let mut sink = MemorySink::new(table.clone());
    Import::new(
        "Person",
        person_schema(),
        inputs,
        options().with_resume(true),
    )
    .run(&mut sink)
    .map(|r| r.rows_imported)
}

fn change_of(result: Result<u64, CopyError>) -> ResumeChange {
    match result {
        Err(CopyError::ResumeMismatch { change, .. }) => change,
        other => panic!("expected a refused resume, got {other:?}"),
    }
}

#[test]
fn an_input_edited_before_the_resume_point_is_refused_and_nothing_is_imported() {
    let data = generated(10_000);
    let (table, point) = interrupted(reader(&data));
    let stored = rows_of(&table);
    // Change one digit in the middle of the stored prefix (same length, so only the checksum
    // can tell).
    let mut edited = data.clone();
    let at = usize::try_from(point.byte / 2).expect("small");
    let digit = edited[at..]
        .iter()
        .position(u8::is_ascii_digit)
        .expect("a digit")
        + at;
    edited[digit] = if edited[digit] == b'9' {
        b'8'
    } else {
        edited[digit] + 1
    };
    let err = resume(&table, reader(&edited)).expect_err("refused");
    let text = err.to_string();
    assert!(
        matches!(
            change_of(Err(err)),
            ResumeChange::Content { ended: false, .. }
        ),
        "{text}"
    );
    assert!(
        text.contains("people.csv") && text.contains("Person"),
        "{text}"
    );
    assert_eq!(rows_of(&table), stored, "nothing imported");
    // The input ends before the resume point.
    let short = &data[..usize::try_from(point.byte / 2).expect("small")];
    let change = change_of(resume(&table, reader(short)));
    assert!(
        matches!(change, ResumeChange::Content { ended: true, .. }),
        "{change:?}"
    );
    assert_eq!(rows_of(&table), stored, "nothing imported");
    // The unchanged input resumes, whatever the chunk size, and completes the table.
    let imported = resume(&table, reader(&data)).expect("resume");
    assert_eq!(imported as usize + stored, 10_000);
    assert_eq!(rows_of(&table), 10_000);
}

#[test]
fn a_completed_import_leaves_nothing_to_resume() {
    let data = generated(3000);
    let (table, mut sink) = person_table();
    Import::new("Person", person_schema(), reader(&data), options())
        .run(&mut sink)
        .expect("import");
    let err = resume(&table, reader(&data)).expect_err("nothing to resume");
    assert!(
        matches!(&err, CopyError::NothingToResume { table } if table == "Person"),
        "{err:?}"
    );
    assert!(err.to_string().contains("nothing to resume"), "{err}");
    assert_eq!(rows_of(&table), 3000, "no row imported twice");
}

#[test]
fn a_plain_copy_into_an_unfinished_import_is_refused_naming_the_ways_on() {
    let data = generated(10_000);
    let (table, point) = interrupted(reader(&data));
    let mut sink = MemorySink::new(table.clone());
    let err = Import::new("Person", person_schema(), reader(&data), options())
        .run(&mut sink)
        .expect_err("refused");
    let text = err.to_string();
    match err {
        CopyError::UnfinishedImport { table, unfinished } => {
            assert_eq!(table, "Person");
            assert_eq!(*unfinished, point);
        }
        other => panic!("expected an unfinished import, got {other:?}"),
    }
    assert!(
        text.contains("RESUME=true") && text.contains("start over"),
        "{text}"
    );
    assert_eq!(rows_of(&table), point.rows_stored as usize);
}

/// Writes `data` to `path` with modification time `at`.
fn write_at(path: &Path, data: &[u8], at: SystemTime) {
    std::fs::write(path, data).expect("write");
    std::fs::File::options()
        .write(true)
        .open(path)
        .and_then(|f| f.set_modified(at))
        .expect("set the modification time");
}

#[test]
fn another_file_or_one_edited_before_the_resume_point_is_refused_naming_what_changed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("person.csv");
    let data = generated(10_000);
    let then = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    write_at(&path, &data, then);
    let (table, point) = interrupted(vec![Input::Path(path.clone())]);
    let stored = rows_of(&table);
    assert_eq!(
        point.input.as_ref().and_then(|s| s.len_bytes),
        Some(data.len() as u64)
    );

    let other = dir.path().join("other.csv");
    write_at(&other, &data, then);
    match change_of(resume(&table, vec![Input::Path(other.clone())])) {
        ResumeChange::OtherFile { was, now } => {
            assert_eq!((was, now), (path.clone(), other.clone()));
        }
        c => panic!("expected another file, got {c:?}"),
    }
    let change = change_of(resume(&table, Vec::new()));
    assert_eq!(
        change,
        ResumeChange::MissingFile {
            file_index: 0,
            files: 0
        }
    );
    // Same size, one byte changed before the resume point, a new modification time.
    let mut edited = data.clone();
    let at = usize::try_from(point.byte / 3).expect("small");
    let digit = edited[at..]
        .iter()
        .position(u8::is_ascii_digit)
        .expect("a digit")
        + at;
    edited[digit] = if edited[digit] == b'9' {
        b'8'
    } else {
        edited[digit] + 1
    };
    write_at(&path, &edited, then + Duration::from_secs(1));
    let change = change_of(resume(&table, vec![Input::Path(path.clone())]));
    assert!(
        matches!(
            &change,
            ResumeChange::Content { path: p, ended: false, modified: true, .. } if *p == path
        ),
        "{change:?}"
    );
    assert!(change.to_string().contains("modification time"), "{change}");
    assert_eq!(rows_of(&table), stored, "nothing imported");
    // Edited only after the resume point (longer, newer): the prefix is the same, it resumes.
    let mut longer = data.clone();
    longer.extend_from_slice(b"10000,name0,1,\"extra\"\n");
    write_at(&path, &longer, then + Duration::from_secs(2));
    let imported = resume(&table, vec![Input::Path(path.clone())]).expect("resume");
    assert_eq!(imported as usize + stored, 10_001);
    assert_eq!(rows_of(&table), 10_001);
}
