//! Helpers shared by the driver tests: a generated CSV input, a counting sink, schemas.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the helpers"
)]

use std::io::{self, Read};
use std::sync::Arc;

use ruzu_copy::testing::{MemorySink, MemoryTable, TableSpec};
use ruzu_copy::{BatchSink, ResumePoint, SinkContext, SinkError, SinkReject};
use ruzu_csv::{Batch, ColumnData, DataType, Field, Schema};

/// `id INT64 (primary key), name STRING, score DOUBLE, bio STRING`.
pub fn person_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("name", DataType::String),
        Field::new("score", DataType::Double),
        Field::new("bio", DataType::String),
    ]))
}

/// An in-memory node table of `person_schema` and a sink into it.
pub fn person_table() -> (Arc<std::sync::Mutex<MemoryTable>>, MemorySink) {
    let table = MemoryTable::new(TableSpec {
        schema: person_schema(),
        primary_key: Some(0),
        endpoints: None,
    });
    let sink = MemorySink::new(table.clone());
    (table, sink)
}

/// A generated person CSV, never stored: a header, then rows `id,name,score,bio` with ids
/// `0..rows` and score `id / 2`; with `with_bad_every(n)` every `n`th row gets an unparsable
/// score.
pub struct PersonCsv {
    next: u64,
    rows: u64,
    bad_every: Option<u64>,
    /// Stop after this many bytes (at a row boundary), when set.
    max_bytes: Option<u64>,
    produced: u64,
    header_done: bool,
    buf: Vec<u8>,
    pos: usize,
}

impl PersonCsv {
    /// `rows` good rows.
    pub fn new(rows: u64) -> Self {
        PersonCsv {
            next: 0,
            rows,
            bad_every: None,
            max_bytes: None,
            produced: 0,
            header_done: false,
            buf: Vec::new(),
            pos: 0,
        }
    }

    /// Makes every `n`th row (ids `0, n, 2n, ...`) bad.
    pub fn with_bad_every(mut self, n: u64) -> Self {
        self.bad_every = Some(n);
        self
    }

    /// Rows until at least `bytes` of input.
    pub fn of_bytes(bytes: u64) -> Self {
        let mut csv = PersonCsv::new(u64::MAX);
        csv.max_bytes = Some(bytes);
        csv
    }

    fn refill(&mut self) {
        use std::io::Write;
        self.buf.clear();
        self.pos = 0;
        if !self.header_done {
            self.buf.extend_from_slice(b"id,name,score,bio\n");
            self.header_done = true;
        }
        while self.buf.len() < 64 * 1024
            && self.next < self.rows
            && self
                .max_bytes
                .is_none_or(|max| self.produced + (self.buf.len() as u64) < max)
        {
            let i = self.next;
            self.next += 1;
            let bad = self.bad_every.is_some_and(|n| i.is_multiple_of(n));
            let bio_len = (i * 7919 % 60) as usize;
            let bio = &"lorem ipsum dolor sit amet, consectetur adipiscing elit sed do eiusmod"
                [..bio_len];
            let result = if bad {
                writeln!(self.buf, "{i},name{},oops,\"{bio}\"", i % 1000)
            } else {
                writeln!(
                    self.buf,
                    "{i},name{},{}.{},\"{bio}\"",
                    i % 1000,
                    i / 2,
                    (i % 2) * 5
                )
            };
            result.expect("write to a Vec");
        }
    }
}

impl Read for PersonCsv {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.buf.len() {
            self.produced += self.buf.len() as u64;
            self.refill();
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// A sink that keeps only counts, and checks that ids arrive in increasing order.
#[derive(Debug, Default)]
pub struct CountingSink {
    pub rows: u64,
    pub batches: u64,
    pub last_id: Option<i64>,
    pub out_of_order: u64,
    pub committed: bool,
    pub aborted: bool,
}

impl BatchSink for CountingSink {
    fn begin(&mut self, _ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        Ok(None)
    }
    fn write(&mut self, batch: &Batch, _rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        self.rows += batch.num_rows() as u64;
        self.batches += 1;
        if let ColumnData::Int64(ids) = batch.column(0).data() {
            for &id in ids {
                if self.last_id.is_some_and(|last| id <= last) {
                    self.out_of_order += 1;
                }
                self.last_id = Some(id);
            }
        }
        Ok(())
    }
    fn checkpoint(&mut self, _resume: &ResumePoint) -> Result<(), SinkError> {
        Ok(())
    }
    fn commit(&mut self) -> Result<(), SinkError> {
        self.committed = true;
        Ok(())
    }
    fn abort(&mut self) -> Result<(), SinkError> {
        self.aborted = true;
        Ok(())
    }
}
