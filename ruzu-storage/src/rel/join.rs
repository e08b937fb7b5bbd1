//! The out-of-core endpoint join: resolving `from` and `to` keys when the endpoint indexes do
//! not fit the sink's cache budget.
//!
//! `write` only partitions: each edge (its keys, properties, sequence number and input
//! position) goes to the run of its `from` key's hash partition (the index's own hash, see
//! `node/pk_index`). At the end ([`BatchSink::finish`](ruzu_copy::BatchSink::finish)), for
//! each partition the matching pages of the `from` index are loaded whole
//! ([`PkIndexReader::load_partition`](crate::PkIndexReader::load_partition)) and the run is
//! resolved in chunks; resolved edges go to the run of their `to` key's partition, which a
//! second pass resolves the same way against the `to` index, handing each fully resolved edge
//! to the group runs. An edge whose endpoint is missing is reported then, as a late reject with
//! its file, line and byte, and dropped.
//!
//! Records (`record.rs` layout): bound = input line, neighbour = input byte offset, sequence
//! number, then the values `[file id (UINT32), from key, to key, properties...]`; after the
//! first pass the resolved source offset (UINT64) is put in front of them.
//!
//! Memory: each pass's runs buffer at most a quarter of the share; one index partition (the
//! bits are chosen so that it is at most a quarter) and one chunk of records (an eighth) are
//! held while a partition is resolved.

use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Arc;

use ruzu_copy::{LateReject, SinkRejectKind};
use ruzu_csv::{Batch, DataType, Field, Position, Schema, Value};

use super::key_text;
use super::record::{LEN_BYTES, Record, encode_props, push_record};
use super::resolve::Endpoint;
use super::spill::Runs;
use crate::error::Result;
use crate::node::pk_index::{hash_partition, key_hash};

/// No input file known for a row.
const NO_FILE: u32 = u32::MAX;

/// The state of the join between `write` and `finish`.
pub(crate) struct LateJoin {
    /// Hash bits of the `from` and `to` partitions.
    bits: [u32; 2],
    /// Edges by `from` partition (first pass), then by `to` partition (second pass).
    runs: [Runs; 2],
    /// Input files by id.
    files: Vec<Arc<Path>>,
    key_types: [DataType; 2],
    prop_types: Vec<DataType>,
    chunk_bytes: usize,
    scratch: Vec<u8>,
    values: Vec<u8>,
}

/// What the second pass hands on for each resolved edge: source, destination, sequence
/// number and the encoded properties.
pub(crate) type Emit<'a> = dyn FnMut(u64, u64, u64, &[u8]) -> Result<()> + 'a;

impl LateJoin {
    /// A join of `from` into `to`, buffering each pass's runs in `runs_bytes` and resolving in
    /// chunks of `chunk_bytes`; index partitions of at most `partition_bytes`.
    pub(crate) fn new(
        from: &Endpoint,
        to: &Endpoint,
        prop_types: Vec<DataType>,
        runs_bytes: usize,
        chunk_bytes: usize,
        partition_bytes: usize,
        spill_dir: &Path,
    ) -> Self {
        let bits = [
            from.partition_bits(partition_bytes),
            to.partition_bits(partition_bytes),
        ];
        LateJoin {
            bits,
            runs: [
                Runs::new(1 << bits[0], runs_bytes, spill_dir),
                Runs::new(1 << bits[1], runs_bytes, spill_dir),
            ],
            files: Vec::new(),
            key_types: [from.key_type, to.key_type],
            prop_types,
            chunk_bytes: chunk_bytes.max(1 << 16),
            scratch: Vec::new(),
            values: Vec::new(),
        }
    }

    /// Partitions row `row` of `batch` (both keys non-NULL) by its `from` key.
    pub(crate) fn push(&mut self, batch: &Batch, row: usize, seq: u64) -> Result<()> {
        let file = match batch.source() {
            None => NO_FILE,
            Some(src) => match self
                .files
                .iter()
                .position(|f| Arc::ptr_eq(f, src) || f == src)
            {
                Some(i) => i as u32,
                None => {
                    self.files.push(src.clone());
                    (self.files.len() - 1) as u32
                }
            },
        };
        let from = batch.value(row, 0);
        let hash = key_hash(&from).unwrap_or(0);
        self.values.clear();
        encode_props(
            std::iter::once(Value::UInt32(file))
                .chain((0..batch.schema().len()).map(|c| batch.value(row, c))),
            &mut self.values,
        );
        let p = hash_partition(hash, self.bits[0]) as usize;
        let buf = self.runs[0].buffer(p);
        let before = buf.len();
        push_record(
            buf,
            batch.line(row),
            batch.byte_offset(row),
            seq,
            &self.values,
        );
        let added = buf.len() - before;
        self.runs[0].appended(added)
    }

    /// Whether edges wait for the join.
    pub(crate) fn is_empty(&self) -> bool {
        self.runs.iter().all(Runs::is_empty)
    }

    /// Runs both passes: resolved edges go to `emit`, missing endpoints to `on_reject`. Stops
    /// early (returning `Break`) when `on_reject` does.
    ///
    /// # Errors
    ///
    /// I/O errors, corrupt runs, index errors.
    pub(crate) fn resolve(
        &mut self,
        from: &Endpoint,
        to: &Endpoint,
        on_reject: &mut dyn FnMut(LateReject) -> ControlFlow<()>,
        emit: &mut Emit<'_>,
    ) -> Result<ControlFlow<()>> {
        for pass in 0..2 {
            let endpoint = if pass == 0 { from } else { to };
            for p in 0..self.runs[pass].count() {
                if self.runs[pass].run_mut(p).is_empty() {
                    continue;
                }
                let flow = self.resolve_partition(endpoint, pass, p, on_reject, emit)?;
                if flow.is_break() {
                    return Ok(flow);
                }
            }
            self.runs[pass].clear();
        }
        Ok(ControlFlow::Continue(()))
    }

    fn resolve_partition(
        &mut self,
        endpoint: &Endpoint,
        pass: usize,
        p: usize,
        on_reject: &mut dyn FnMut(LateReject) -> ControlFlow<()>,
        emit: &mut Emit<'_>,
    ) -> Result<ControlFlow<()>> {
        let bits = self.bits[pass];
        let LateJoin {
            runs,
            files,
            key_types,
            prop_types,
            chunk_bytes,
            scratch,
            bits: all_bits,
            ..
        } = self;
        let (first, second) = runs.split_at_mut(1);
        let (input, next) = if pass == 0 {
            (&mut first[0], Some(&mut second[0]))
        } else {
            (&mut second[0], None)
        };
        // Value types of the records of this pass.
        let mut types = Vec::with_capacity(prop_types.len() + 4);
        if pass == 1 {
            types.push(DataType::UInt64);
        }
        types.push(DataType::UInt32);
        types.extend([key_types[0], key_types[1]]);
        types.extend(prop_types.iter().copied());
        let key_at = if pass == 0 { 1 } else { 3 };
        let key_schema = Arc::new(Schema::new(vec![Field::new("key", key_types[pass])]));
        let next_bits = all_bits[1];
        endpoint.with_partition(bits, p as u32, |lookup| {
            let mut reader = input.run_mut(p).reader()?;
            let mut next = next;
            let mut keys = Batch::new(key_schema.clone(), 1024, 64 << 10);
            let mut found = Vec::new();
            let mut starts = Vec::new();
            let mut out = Vec::new();
            loop {
                scratch.clear();
                starts.clear();
                let mut more = true;
                while scratch.len() < *chunk_bytes {
                    let at = scratch.len();
                    if !reader.next_into(scratch)? {
                        more = false;
                        break;
                    }
                    starts.push(at);
                }
                if starts.is_empty() {
                    return Ok(ControlFlow::Continue(()));
                }
                keys.clear();
                let mut values = Vec::with_capacity(types.len());
                for w in 0..starts.len() {
                    let end = starts.get(w + 1).copied().unwrap_or(scratch.len());
                    let r = Record::new(&scratch[starts[w] + LEN_BYTES..end])?;
                    r.props(&types, &mut values)?;
                    keys.push_row(&[values[key_at]], 0, 0).map_err(|e| {
                        crate::error::StorageError::corrupt("rel join run", 0, e.to_string())
                    })?;
                }
                lookup(keys.column(0), &mut found)?;
                for w in 0..starts.len() {
                    let end = starts.get(w + 1).copied().unwrap_or(scratch.len());
                    let bytes = &scratch[starts[w] + LEN_BYTES..end];
                    let r = Record::new(bytes)?;
                    r.props(&types, &mut values)?;
                    let Some(offset) = found[w] else {
                        let file_at = if pass == 0 { 0 } else { 1 };
                        let file = match values[file_at] {
                            Value::UInt32(f) if f != NO_FILE => files.get(f as usize).cloned(),
                            _ => None,
                        };
                        let reject = LateReject {
                            position: Position {
                                file,
                                line: r.bound(),
                                byte: r.neighbour(),
                                record: 0,
                            },
                            column: Some(pass + 1),
                            kind: SinkRejectKind::MissingEndpoint {
                                endpoint: if pass == 0 { "from" } else { "to" },
                            },
                            text: Some(key_text(&values[key_at])),
                        };
                        if on_reject(reject).is_break() {
                            return Ok(ControlFlow::Break(()));
                        }
                        continue;
                    };
                    match next.as_deref_mut() {
                        Some(next) => {
                            // First pass: put the source in front, partition by `to`.
                            let hash = key_hash(&values[2]).unwrap_or(0);
                            let q = hash_partition(hash, next_bits) as usize;
                            out.clear();
                            encode_props(std::iter::once(Value::UInt64(offset)), &mut out);
                            out.extend_from_slice(&bytes[super::record::HEAD_BYTES..]);
                            let buf = next.buffer(q);
                            let before = buf.len();
                            push_record(buf, r.bound(), r.neighbour(), r.seq(), &out);
                            let added = buf.len() - before;
                            next.appended(added)?;
                        }
                        None => {
                            let Value::UInt64(src) = values[0] else {
                                return Err(crate::error::StorageError::corrupt(
                                    "rel join run",
                                    0,
                                    "no source offset",
                                ));
                            };
                            out.clear();
                            encode_props(values[4..].iter().copied(), &mut out);
                            emit(src, offset, r.seq(), &out)?;
                        }
                    }
                }
                if !more {
                    return Ok(ControlFlow::Continue(()));
                }
            }
        })
    }
}
