//! Rows a sink refuses only in `finish` (after their batches were written): the driver applies
//! the error policy to them like to any other bad row.

mod common;

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};

use common::{PersonCsv, person_schema};
use ruzu_copy::{
    BatchSink, CopyError, CopyOptions, Import, Input, LateReject, ResumePoint, SinkContext,
    SinkError, SinkReject, SinkRejectKind,
};
use ruzu_csv::{ColumnData, CsvOptions, Position};

/// A sink that keeps `(position, id)` of every row and, in `finish`, refuses the rows whose id
/// ends in 7 as if their rel endpoint were found missing only then.
struct LateSink {
    pending: Vec<(Position, i64)>,
    committed: Arc<Mutex<Vec<i64>>>,
    finished: bool,
}

impl LateSink {
    fn new() -> (Self, Arc<Mutex<Vec<i64>>>) {
        let committed = Arc::new(Mutex::new(Vec::new()));
        let sink = LateSink {
            pending: Vec::new(),
            committed: committed.clone(),
            finished: false,
        };
        (sink, committed)
    }
}

impl BatchSink for LateSink {
    fn begin(&mut self, _ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        Ok(None)
    }

    fn write(
        &mut self,
        batch: &ruzu_csv::Batch,
        _rejects: &mut Vec<SinkReject>,
    ) -> Result<(), SinkError> {
        let ColumnData::Int64(ids) = batch.column(0).data() else {
            return Err("id column is not INT64".into());
        };
        for (row, &id) in ids.iter().enumerate() {
            let position = Position {
                file: batch.source().cloned(),
                line: batch.line(row),
                byte: batch.byte_offset(row),
                record: 0,
            };
            self.pending.push((position, id));
        }
        Ok(())
    }

    fn checkpoint(&mut self, _resume: &ResumePoint) -> Result<(), SinkError> {
        Err("no checkpoints".into())
    }

    fn finish(
        &mut self,
        on_reject: &mut dyn FnMut(LateReject) -> ControlFlow<()>,
    ) -> Result<(), SinkError> {
        self.finished = true;
        let mut kept = Vec::with_capacity(self.pending.len());
        for (position, id) in self.pending.drain(..) {
            if id % 10 != 7 {
                kept.push((position, id));
                continue;
            }
            let late = LateReject {
                position,
                column: Some(1),
                kind: SinkRejectKind::MissingEndpoint { endpoint: "from" },
                text: Some(id.to_string().into()),
            };
            if on_reject(late).is_break() {
                return Ok(());
            }
        }
        self.pending = kept;
        Ok(())
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        if !self.finished {
            return Err("commit before finish".into());
        }
        let mut committed = self.committed.lock().map_err(|_| "poisoned")?;
        committed.extend(self.pending.drain(..).map(|(_, id)| id));
        Ok(())
    }

    fn abort(&mut self) -> Result<(), SinkError> {
        self.pending.clear();
        Ok(())
    }
}

fn input(rows: u64) -> Vec<Input> {
    vec![Input::reader(
        Some("people.csv".into()),
        PersonCsv::new(rows),
    )]
}

fn options() -> CopyOptions {
    let csv = CsvOptions::default()
        .with_header(true)
        .with_chunk_bytes(4096)
        .with_batch_rows(100);
    CopyOptions::default().with_csv(csv).with_decoder_threads(2)
}

#[test]
fn late_rejects_are_recorded_and_not_counted_as_imported_under_ignore_errors() {
    let (mut sink, committed) = LateSink::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let rejects = dir.path().join("rejects.tsv");
    let options = options()
        .with_ignore_errors(true)
        .with_rejects_path(Some(rejects.clone()));
    let report = Import::new("Knows", person_schema(), input(1000), options)
        .run(&mut sink)
        .expect("import");
    assert_eq!(report.rows_read, 1000);
    assert_eq!(report.rows_rejected, 100);
    assert_eq!(report.rows_imported, 900);
    // Id `n` is on line `n + 2` (after the header).
    let first = &report.rejections[0];
    assert_eq!(first.position.line, 9);
    assert_eq!(first.column_name.as_deref(), Some("id"));
    assert!(
        first.to_string().starts_with("people.csv:9:1 (id)"),
        "{first}"
    );
    let file = std::fs::read_to_string(&rejects).expect("rejects file");
    assert_eq!(
        file.lines().count(),
        1 + 100,
        "header and one line per reject"
    );
    let stored = committed.lock().expect("committed");
    assert_eq!(stored.len(), 900);
    assert!(stored.iter().all(|id| id % 10 != 7));
}

#[test]
fn first_late_reject_fails_the_import_without_ignore_errors() {
    let (mut sink, committed) = LateSink::new();
    let err = Import::new("Knows", person_schema(), input(1000), options())
        .run(&mut sink)
        .expect_err("a late reject aborts");
    match &err {
        CopyError::Row { rejection, .. } => {
            assert_eq!(rejection.position.line, 9);
            assert_eq!(rejection.reason.code(), "MISSING_ENDPOINT");
        }
        other => panic!("expected a row error, got {other:?}"),
    }
    assert!(committed.lock().expect("committed").is_empty());
}
