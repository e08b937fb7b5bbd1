//! The decoder: one chunk of records into one batch, with every bad record reported.
//!
//! Two phases per chunk. First every record is split into fields (the tokenizer), and the field
//! ranges are stored column-major; records that cannot be split are reported and left out.
//! Then each column is decoded in one type-specialised loop (`decode::columns`). If any value
//! fails, the batch is cleared and the columns are decoded again without the failed rows: a
//! rare path, and it keeps the hot loops free of row bookkeeping.

use std::sync::Arc;

use crate::batch::Batch;
use crate::decode::columns::{ColumnFields, Failure, NullStrings, decode_column};
use crate::error::{CsvError, Position, Result, RowError, RowErrorKind};
use crate::options::{CsvOptions, Dialect};
use crate::split::scan::content_len;
use crate::split::{Chunk, long_snippet_len};
use crate::tokenize::{FieldRef, TokenError, Tokenizer};
use crate::types::Schema;

/// What one call of [`Decoder::decode`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Records in the chunk (blank lines included).
    pub records: usize,
    /// Rows put into the batch.
    pub rows: usize,
    /// Records reported as errors.
    pub errors: usize,
}

/// A bad record found while decoding a chunk, before it is turned into a [`RowError`].
#[derive(Clone, Debug)]
struct Pending {
    /// Record index in the chunk.
    record: usize,
    /// 0-based column, when about one field.
    column: Option<usize>,
    kind: RowErrorKind,
    /// Byte range of the offending text: in the chunk, or in the side buffer when `side`.
    text: (usize, usize),
    side: bool,
}

/// Decodes chunks into batches of one schema and dialect.
///
/// Each worker thread owns one decoder (it is `Clone`); all its buffers are reused from chunk to
/// chunk, so a steady-state decode allocates nothing.
///
/// Bound: scratch of one chunk: field ranges (8 bytes per field), the unescaped copies of its
/// quoted fields, and its bad records (each error text is cut short).
#[derive(Clone, Debug)]
pub struct Decoder {
    schema: Arc<Schema>,
    tokenizer: Tokenizer,
    nulls: NullStrings,
    max_line_bytes: usize,
    /// Field ranges, column-major: column `c` of tokenized row `g` is `fields[c * stride + g]`.
    fields: Vec<FieldRef>,
    /// One record's fields while it is split.
    row: Vec<FieldRef>,
    /// Unescaped copies of quoted fields.
    side: Vec<u8>,
    /// Chunk record index of every tokenized row.
    good: Vec<u32>,
    /// Tokenized rows rejected by a value.
    rejected: Vec<bool>,
    failures: Vec<Failure>,
    pending: Vec<Pending>,
    blob_scratch: Vec<u8>,
}

impl Decoder {
    /// A decoder for `schema` and a resolved `dialect`; `options` give `NULL_STRINGS` and
    /// `MAX_LINE_SIZE`.
    ///
    /// # Errors
    ///
    /// [`CsvError::InvalidOption`] when the schema has no column or the dialect uses one
    /// character for two roles, or a line end as one of them.
    pub fn new(schema: Arc<Schema>, dialect: Dialect, options: &CsvOptions) -> Result<Self> {
        if schema.is_empty() {
            return Err(CsvError::InvalidOption {
                option: "SCHEMA",
                reason: "the table has no column".into(),
            });
        }
        check_dialect(&dialect)?;
        Ok(Decoder {
            tokenizer: Tokenizer::new(&dialect),
            row: vec![FieldRef::default(); schema.len()],
            schema,
            nulls: NullStrings::new(&options.null_strings),
            max_line_bytes: options.max_line_size_bytes,
            fields: Vec::new(),
            side: Vec::new(),
            good: Vec::new(),
            rejected: Vec::new(),
            failures: Vec::new(),
            pending: Vec::new(),
            blob_scratch: Vec::new(),
        })
    }

    /// The schema rows are decoded into.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// Decodes `chunk` into `batch` (cleared first; its source and seq are set from the chunk).
    ///
    /// Bad records are reported to `on_error` in input order and skipped; the good rows land in
    /// the batch, each with its line and byte offset.
    ///
    /// # Errors
    ///
    /// None today; the `Result` leaves room for fatal conditions.
    ///
    /// # Panics
    ///
    /// If `batch` has another schema than the decoder.
    pub fn decode(
        &mut self,
        chunk: &Chunk,
        batch: &mut Batch,
        on_error: &mut dyn FnMut(RowError),
    ) -> Result<DecodeStats> {
        assert!(
            batch.schema().fields() == self.schema.fields(),
            "invariant: the batch and the decoder share one schema"
        );
        batch.clear();
        batch.set_source(chunk.source.clone());
        batch.set_seq(chunk.seq);
        if let Some(long) = &chunk.long_record {
            let position = Position {
                file: chunk.source.clone(),
                line: long.line,
                byte: long.byte,
                record: long.record,
            };
            on_error(
                RowError::new(
                    position,
                    RowErrorKind::LineTooLong {
                        limit_bytes: self.max_line_bytes,
                    },
                )
                .with_text(&long.snippet),
            );
            return Ok(DecodeStats {
                records: 1,
                rows: 0,
                errors: 1,
            });
        }
        self.tokenize(chunk);
        let ngood = self.good.len();
        self.rejected.clear();
        self.rejected.resize(ngood, false);
        self.decode_columns(chunk, batch, false);
        if self.rejected.iter().any(|&r| r) {
            batch.clear();
            batch.set_source(chunk.source.clone());
            batch.set_seq(chunk.seq);
            let before = self.pending.len();
            self.decode_columns(chunk, batch, true);
            debug_assert_eq!(self.pending.len(), before, "a rerun finds no new failure");
        }
        let mut rows = 0;
        {
            let parts = batch.parts_mut();
            for (g, &k) in self.good.iter().enumerate() {
                if !self.rejected[g] {
                    let (start, _) = chunk.record_range(k as usize);
                    parts.lines.push(chunk.lines[k as usize]);
                    parts.byte_offsets.push(chunk.first_byte + start as u64);
                    rows += 1;
                }
            }
        }
        batch.finish_rows(rows);
        let errors = self.report(chunk, on_error);
        Ok(DecodeStats {
            records: chunk.ends.len(),
            rows,
            errors,
        })
    }

    /// Splits every record of `chunk` into `self.fields`; bad records go to `self.pending`.
    fn tokenize(&mut self, chunk: &Chunk) {
        let data = chunk.bytes();
        let nrec = chunk.ends.len();
        let ncols = self.schema.len();
        self.fields.clear();
        self.fields.resize(ncols * nrec, FieldRef::default());
        self.side.clear();
        self.good.clear();
        self.pending.clear();
        let stride = nrec;
        let mut start = 0;
        for (k, &end) in chunk.ends.iter().enumerate() {
            let end = end as usize;
            let content_end = start + content_len(&data[start..end]);
            let record_start = start;
            start = end;
            if content_end == record_start && ncols > 1 {
                continue; // a blank line
            }
            if content_end - record_start > self.max_line_bytes {
                self.pending.push(Pending {
                    record: k,
                    column: None,
                    kind: RowErrorKind::LineTooLong {
                        limit_bytes: self.max_line_bytes,
                    },
                    text: (
                        record_start,
                        record_start + long_snippet_len(self.max_line_bytes),
                    ),
                    side: false,
                });
                continue;
            }
            match self.tokenizer.split(
                data,
                record_start,
                content_end,
                &mut self.row,
                &mut self.side,
            ) {
                Ok(()) => {
                    let g = self.good.len();
                    for (c, &f) in self.row.iter().enumerate() {
                        self.fields[c * stride + g] = f;
                    }
                    self.good.push(k as u32);
                }
                Err(TokenError { kind, field, text }) => self.pending.push(Pending {
                    record: k,
                    column: field,
                    kind,
                    text,
                    side: false,
                }),
            }
        }
    }

    /// Decodes every column of the tokenized rows into `batch`; with `skip`, rejected rows are
    /// left out. Failed values become pending errors.
    fn decode_columns(&mut self, chunk: &Chunk, batch: &mut Batch, skip: bool) {
        let data = chunk.bytes();
        let ascii = data.is_ascii();
        let stride = chunk.ends.len();
        let ngood = self.good.len();
        let parts = batch.parts_mut();
        for (c, column) in parts.columns.iter_mut().enumerate() {
            let fields = &self.fields[c * stride..c * stride + ngood];
            let input = ColumnFields {
                data,
                side: &self.side,
                fields,
                skip: skip.then_some(self.rejected.as_slice()),
                ascii,
            };
            self.failures.clear();
            decode_column(
                column,
                parts.arena,
                &input,
                &self.nulls,
                &mut self.blob_scratch,
                &mut self.failures,
            );
            for (g, kind) in self.failures.drain(..) {
                let f = fields[g as usize];
                let (start, end, side) = f.range();
                self.rejected[g as usize] = true;
                self.pending.push(Pending {
                    record: self.good[g as usize] as usize,
                    column: Some(c),
                    kind,
                    text: (start, end),
                    side,
                });
            }
        }
    }

    /// Sends every pending error, in input order (one per record, its first column), and
    /// returns how many records failed.
    fn report(&mut self, chunk: &Chunk, on_error: &mut dyn FnMut(RowError)) -> usize {
        self.pending
            .sort_by_key(|p| (p.record, p.column.unwrap_or(usize::MAX)));
        self.pending.dedup_by_key(|p| p.record);
        let errors = self.pending.len();
        let data = chunk.bytes();
        for p in self.pending.drain(..) {
            let (start, _) = chunk.record_range(p.record);
            let position = Position {
                file: chunk.source.clone(),
                line: chunk.lines[p.record],
                byte: chunk.first_byte + start as u64,
                record: chunk.first_record + p.record as u64,
            };
            let text = if p.side {
                &self.side[p.text.0..p.text.1]
            } else {
                &data[p.text.0..p.text.1]
            };
            let mut e = RowError::new(position, p.kind).with_text(text);
            if let Some(c) = p.column {
                let name = self.schema.fields().get(c).map(|f| f.name.as_str());
                e = e.with_column(c + 1, name);
            }
            on_error(e);
        }
        errors
    }
}

/// Checks that the dialect's characters are usable together.
fn check_dialect(d: &Dialect) -> Result<()> {
    let bad = |option: &'static str, reason: &str| {
        Err(CsvError::InvalidOption {
            option,
            reason: reason.into(),
        })
    };
    for (name, c) in [
        ("DELIM", d.delimiter),
        ("QUOTE", d.quote),
        ("ESCAPE", d.escape),
    ] {
        if c == b'\n' || c == b'\r' {
            return bad(name, "a line end cannot be a dialect character");
        }
    }
    if d.delimiter == d.quote {
        return bad("DELIM", "the delimiter and the quote must differ");
    }
    if d.delimiter == d.escape {
        return bad("DELIM", "the delimiter and the escape must differ");
    }
    Ok(())
}
