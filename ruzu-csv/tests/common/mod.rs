//! Helpers shared by the integration tests: run one input through every path that must agree.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the helpers"
)]

use std::io::Read;
use std::sync::Arc;

use ruzu_csv::{
    Batch, Chunk, CsvOptions, DataType, Decoder, Field, Reader, RowError, RowErrorKind, Schema,
    Splitter, Value,
};

/// A `Read` that hands out at most a cycling number of bytes per call (1, 2, .., max, 1, ..).
pub struct Pieces<'a> {
    data: &'a [u8],
    pos: usize,
    max: usize,
    next: usize,
}

impl<'a> Pieces<'a> {
    pub fn new(data: &'a [u8], max: usize) -> Self {
        Pieces {
            data,
            pos: 0,
            max: max.max(1),
            next: 1,
        }
    }
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.next.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        self.next = if self.next >= self.max {
            1
        } else {
            self.next + 1
        };
        Ok(n)
    }
}

/// One decoded row: start line, start byte, values as debug text.
pub type Row = (u64, u64, Vec<String>);

/// One reported error: line, byte, record, column, kind, text.
pub type Err = (u64, u64, u64, Option<usize>, RowErrorKind, Option<String>);

/// Everything decoding an input produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub rows: Vec<Row>,
    pub errors: Vec<Err>,
}

impl Outcome {
    /// The values only.
    pub fn values(&self) -> Vec<Vec<String>> {
        self.rows.iter().map(|r| r.2.clone()).collect()
    }

    /// Start lines of the rows.
    pub fn lines(&self) -> Vec<u64> {
        self.rows.iter().map(|r| r.0).collect()
    }

    /// (line, column, kind) of each error.
    pub fn error_summary(&self) -> Vec<(u64, Option<usize>, RowErrorKind)> {
        self.errors
            .iter()
            .map(|e| (e.0, e.3, e.4.clone()))
            .collect()
    }
}

pub fn value_text(v: Value<'_>) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::String(s) => format!("{s:?}"),
        Value::Int64(x) => x.to_string(),
        Value::Int32(x) => x.to_string(),
        Value::Double(x) => format!("{x:?}"),
        Value::Bool(x) => x.to_string(),
        other => format!("{other:?}"),
    }
}

fn err_of(e: RowError) -> Err {
    (
        e.position.line,
        e.position.byte,
        e.position.record,
        e.column,
        e.kind,
        e.text.map(|t| t.to_string()),
    )
}

fn collect(batch: &Batch, out: &mut Outcome) {
    for r in 0..batch.num_rows() {
        let values = (0..batch.schema().len())
            .map(|c| value_text(batch.value(r, c)))
            .collect();
        out.rows.push((batch.line(r), batch.byte_offset(r), values));
    }
}

/// Decodes `input` with the sequential [`Reader`], fed by `read`.
pub fn read_with(read: impl Read, schema: &Arc<Schema>, options: &CsvOptions) -> Outcome {
    let mut out = Outcome {
        rows: Vec::new(),
        errors: Vec::new(),
    };
    let mut reader = Reader::new(read, schema.clone(), options, None).expect("reader opens");
    let mut batch = Batch::new(schema.clone(), 16, 64);
    let mut errors = Vec::new();
    while reader
        .read_batch(&mut batch, &mut |e| errors.push(e))
        .expect("in-memory read cannot fail")
    {
        assert!(batch.num_rows() <= options.batch_rows);
        collect(&batch, &mut out);
    }
    out.errors = errors.into_iter().map(err_of).collect();
    out
}

/// Splits all chunks first, then decodes them in reverse order, each with a fresh decoder, and
/// puts the results back in input order: chunks must be independent.
pub fn read_chunks_out_of_order(
    input: &[u8],
    schema: &Arc<Schema>,
    options: &CsvOptions,
) -> Outcome {
    let reader = Reader::new(input, schema.clone(), options, None).expect("reader opens");
    let dialect = reader.dialect();
    let mut splitter = Splitter::new(input, dialect, options, None);
    let mut chunks = Vec::new();
    loop {
        let mut chunk = Chunk::new();
        if !splitter.next_chunk(&mut chunk).expect("in-memory read") {
            break;
        }
        chunks.push(chunk);
    }
    let mut parts: Vec<(u64, Outcome)> = Vec::new();
    for chunk in chunks.iter().rev() {
        let mut decoder = Decoder::new(schema.clone(), dialect, options).expect("decoder");
        let mut batch = Batch::new(schema.clone(), 4, 16);
        let mut errors = Vec::new();
        decoder
            .decode(chunk, &mut batch, &mut |e| errors.push(e))
            .expect("decode");
        let mut out = Outcome {
            rows: Vec::new(),
            errors: errors.into_iter().map(err_of).collect(),
        };
        collect(&batch, &mut out);
        parts.push((chunk.seq(), out));
    }
    parts.sort_by_key(|p| p.0);
    let mut all = Outcome {
        rows: Vec::new(),
        errors: Vec::new(),
    };
    for (_, p) in parts {
        all.rows.extend(p.rows);
        all.errors.extend(p.errors);
    }
    all
}

/// Decodes `input` through every path (whole, byte pieces of every size up to 9, tiny chunks and
/// batches, chunks decoded out of order) and asserts they agree; returns the outcome.
pub fn decode_all_ways(input: &[u8], schema: &Arc<Schema>, options: &CsvOptions) -> Outcome {
    let reference = read_with(input, schema, options);
    for max in 1..=9 {
        let got = read_with(Pieces::new(input, max), schema, options);
        assert_eq!(got, reference, "reads of at most {max} bytes differ");
    }
    for (chunk_bytes, batch_rows) in [(1, 1), (1, 1000), (7, 3), (64, 2), (1000, 1)] {
        let o = options
            .clone()
            .with_chunk_bytes(chunk_bytes)
            .with_batch_rows(batch_rows);
        let got = read_with(Pieces::new(input, 5), schema, &o);
        assert_eq!(
            got, reference,
            "chunk_bytes {chunk_bytes}, batch_rows {batch_rows} differ"
        );
        let got = read_chunks_out_of_order(input, schema, &o);
        assert_eq!(
            got, reference,
            "chunks decoded out of order differ (chunk_bytes {chunk_bytes})"
        );
    }
    reference
}

/// A schema of `(name, type)` pairs.
pub fn schema(cols: &[(&str, DataType)]) -> Arc<Schema> {
    Arc::new(Schema::new(
        cols.iter().map(|(n, t)| Field::new(*n, *t)).collect(),
    ))
}

/// `n` STRING columns named c1..cn.
pub fn strings(n: usize) -> Arc<Schema> {
    Arc::new(Schema::new(
        (1..=n)
            .map(|i| Field::new(format!("c{i}"), DataType::String))
            .collect(),
    ))
}

/// Options with the default dialect and no sniffing.
pub fn plain() -> CsvOptions {
    CsvOptions::default().with_auto_detect(false)
}

/// Quoted-string text of each value, as `value_text` prints it.
pub fn s(v: &str) -> String {
    format!("{v:?}")
}
