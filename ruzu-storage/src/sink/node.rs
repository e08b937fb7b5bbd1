//! [`NodeTableSink`]: the [`BatchSink`] that imports into a node table of a [`Store`].

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use ruzu_copy::{
    BatchSink, LateReject, ResumePoint, SinkContext, SinkError, SinkReject, SinkRejectKind,
};
use ruzu_csv::Batch;

use super::begin::{check_schema, group_rows_for, reload_keys, row_bytes};
use super::late::{LateDuplicates, LateOutcome};
use super::positions::PositionLog;
use crate::catalog::{TableId, TableKind};
use crate::error::{Result, StorageError};
use crate::node::group::{NodeTableReader, NodeTableWriter};
use crate::node::pk_index::{IndexMeta, KeyReject, PkIndexBuilder, RejectKind};
use crate::node::table_meta::{
    DeletedLocation, IndexLocation, TableMeta, encode_deleted, load_deleted,
};
use crate::page_file::pages_for;
use crate::store::{Store, WriteTxn};

/// Smallest budget given to the primary-key index builder.
const MIN_INDEX_BUDGET_BYTES: usize = 1 << 20;
/// Bytes per write when the finished index image is copied into its extent.
const COPY_BUFFER_BYTES: usize = 1 << 20;

/// The [`BatchSink`] of a node table: appends the accepted rows of each batch to the table's
/// node groups and builds the table's primary-key index; commits through one [`WriteTxn`].
///
/// See the module docs of `sink` for the steps. Memory: two node group buffers (one being
/// filled, one being encoded on the writer's worker thread), each sized to at most a quarter
/// of `SinkContext::memory_bytes` (and at most
/// [`DEFAULT_NODE_GROUP_ROWS`](crate::DEFAULT_NODE_GROUP_ROWS) rows), and the index builder,
/// which gets the rest (at least 1 MiB); once the index spills, a 256 KiB position log
/// buffer; the deleted rows list, 8 bytes per late duplicate. Nothing else grows with the
/// input.
///
/// The sink borrows the store for its lifetime, so one import runs at a time and reads of the
/// store wait until the sink is dropped.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use ruzu_copy::{BatchSink, SinkContext};
/// use ruzu_csv::{Batch, DataType, Field, Schema, Value};
/// use ruzu_storage::{NodeTableSink, Store};
///
/// let dir = tempfile::tempdir()?;
/// let mut store = Store::create(dir.path())?;
/// store.execute_ddl(&ruzu_copy::parse_ddl("CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))")?)?;
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("id", DataType::Int64),
///     Field::new("name", DataType::String),
/// ]));
/// let mut batch = Batch::new(schema.clone(), 4, 64);
/// batch.push_row(&[Value::Int64(1), Value::String("Ada")], 2, 0)?;
/// batch.push_row(&[Value::Int64(1), Value::String("Bob")], 3, 0)?;
///
/// let mut sink = NodeTableSink::new(&mut store, "Person");
/// sink.begin(&SinkContext::new("Person", schema, 8 << 20))?;
/// let mut rejects = Vec::new();
/// sink.write(&batch, &mut rejects)?;
/// assert_eq!(rejects.len(), 1); // the second id 1
/// sink.commit()?;
/// drop(sink);
///
/// assert_eq!(store.row_count("Person")?, 1);
/// assert_eq!(store.lookup("Person", &Value::Int64(1))?, Some(0));
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub struct NodeTableSink<'s> {
    /// The store, until `begin` turns it into the transaction.
    store: Option<&'s mut Store>,
    table_name: String,
    spill_dir: PathBuf,
    group_rows: Option<usize>,
    /// The open import, between `begin` and `commit`/`abort`.
    open: Option<Open<'s>>,
    /// A call failed: only `abort` is accepted.
    failed: bool,
    /// Test hook: the next `write`, `checkpoint` or `commit` fails.
    fail_next: bool,
}

/// The state of an open import.
struct Open<'s> {
    txn: WriteTxn<'s>,
    table: TableId,
    table_name: String,
    /// Column of the primary key.
    pk: usize,
    writer: NodeTableWriter,
    /// The index builder; taken by `finish` (which consumes it).
    index: Option<PkIndexBuilder>,
    meta: TableMeta,
    key_rejects: Vec<KeyReject>,
    /// Where index spill runs and the position log go.
    spill_dir: PathBuf,
    /// Positions of the rows stored since the index began to spill (late duplicates are
    /// among them).
    positions: Option<PositionLog>,
    /// Deleted rows (node offsets, sorted): those of earlier imports, then the late
    /// duplicates `finish` found. Grows by 8 bytes per late duplicate.
    deleted: Vec<u64>,
    /// Late duplicates were found (the deleted rows list must be rewritten at commit).
    deleted_changed: bool,
    /// The finished index image, between `finish` and `commit`.
    finished: Option<(File, IndexMeta)>,
}

impl std::fmt::Debug for NodeTableSink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeTableSink")
            .field("table", &self.table_name)
            .field("open", &self.open.is_some())
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl<'s> NodeTableSink<'s> {
    /// A sink importing into node table `table` (case-insensitive) of `store`. Spill runs of
    /// the index go to the system's temporary directory.
    pub fn new(store: &'s mut Store, table: impl Into<String>) -> Self {
        NodeTableSink {
            store: Some(store),
            table_name: table.into(),
            spill_dir: std::env::temp_dir(),
            group_rows: None,
            open: None,
            failed: false,
            fail_next: false,
        }
    }

    /// Sets the directory for the index's spill runs and its image while it is built
    /// (anonymous temporary files).
    pub fn with_spill_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spill_dir = dir.into();
        self
    }

    /// Sets the rows per node group instead of sizing them from the memory budget.
    pub fn with_group_rows(mut self, rows: usize) -> Self {
        self.group_rows = Some(rows.max(1));
        self
    }

    /// Testing hook: makes the next `write`, `checkpoint` or `commit` fail as an I/O error
    /// would (nothing of the call happens), after which the sink accepts only `abort`.
    pub fn fail_next_call(&mut self) {
        self.fail_next = true;
    }

    /// Heap bytes the open import holds: the node group buffer and the index builder (0
    /// before `begin` and after the import ended). Bounded by about `SinkContext::memory_bytes`
    /// (at least 1 MiB for the index) plus one spill block, whatever the input.
    pub fn memory_bytes(&self) -> usize {
        self.open.as_ref().map_or(0, |o| {
            o.writer.memory_bytes()
                + o.index.as_ref().map_or(0, |i| i.memory_bytes())
                + o.positions.as_ref().map_or(0, PositionLog::memory_bytes)
                + o.deleted.capacity() * 8
        })
    }

    /// Whether the primary-key index stopped fitting in its budget and spills to disk: from
    /// then on duplicate keys are found only at `commit` (see the `sink` module docs).
    pub fn is_spilling(&self) -> bool {
        self.open
            .as_ref()
            .and_then(|o| o.index.as_ref())
            .is_some_and(PkIndexBuilder::is_spilling)
    }

    /// Checks the sink may run `call` and takes the injected failure, if armed.
    fn enter(&mut self, call: &'static str) -> Result<&mut Open<'s>> {
        if self.failed {
            return Err(StorageError::SinkState {
                call,
                reason: "an earlier call of this import failed",
            });
        }
        if std::mem::take(&mut self.fail_next) {
            self.failed = true;
            return Err(StorageError::Io {
                op: call,
                offset: 0,
                source: std::io::Error::new(std::io::ErrorKind::StorageFull, "injected failure"),
            });
        }
        self.open.as_mut().ok_or(StorageError::SinkState {
            call,
            reason: "the import has not begun or has ended",
        })
    }

    fn begin_import(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>> {
        let store = self.store.take().ok_or(StorageError::SinkState {
            call: "begin",
            reason: "the sink has begun already",
        })?;
        let def = store
            .catalog()
            .table(&self.table_name)
            .ok_or_else(|| StorageError::NoSuchTable {
                name: self.table_name.clone(),
            })?
            .clone();
        let TableKind::Node { primary_key: pk } = def.kind else {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: "not a node table".into(),
            });
        };
        check_schema(&def, &ctx.schema)?;
        let key_type = def.columns[pk].data_type;
        // Node groups of at most a quarter of the share; the writer holds two of them (one
        // being filled, one being encoded), the rest is the index's.
        let group_rows = self
            .group_rows
            .unwrap_or_else(|| group_rows_for(&def, ctx.memory_bytes / 4));
        let group_bytes = group_rows.saturating_mul(4 * row_bytes(&def));
        let index_budget = ctx
            .memory_bytes
            .saturating_sub(group_bytes)
            .max(MIN_INDEX_BUDGET_BYTES);
        let mut index = PkIndexBuilder::new(key_type, index_budget, &self.spill_dir)?;

        // The keys already stored take node offsets 0..rows, so that duplicates of them are
        // refused and the finished index covers the whole table.
        let reader = NodeTableReader::open(store, def.id)?;
        let meta = TableMeta::decode(reader.extra_meta())?;
        let deleted = load_deleted(store, &meta, reader.rows())?;
        reload_keys(&reader, pk, key_type, &deleted, &mut index)?;
        drop(reader);

        let resume = meta.resume.clone();
        let txn = store.begin_write()?;
        let writer = NodeTableWriter::with_group_rows(&txn, def.id, group_rows)?;
        self.open = Some(Open {
            txn,
            table: def.id,
            table_name: def.name,
            pk,
            writer,
            index: Some(index),
            meta,
            key_rejects: Vec::new(),
            spill_dir: self.spill_dir.clone(),
            positions: None,
            deleted,
            deleted_changed: false,
            finished: None,
        });
        Ok(resume)
    }

    fn fail<T>(&mut self, result: Result<T>) -> Result<T> {
        if result.is_err() {
            self.failed = true;
        }
        result
    }
}

impl Open<'_> {
    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<()> {
        if self.finished.is_some() {
            return Err(StorageError::SinkState {
                call: "write",
                reason: "the import is finished",
            });
        }
        self.key_rejects.clear();
        let first_offset = self.writer.rows_flushed() + self.writer.rows_buffered() as u64;
        let index = self
            .index
            .as_mut()
            .expect("invariant: the index is taken only at finish");
        index.insert_batch(batch.column(self.pk), batch.lines(), &mut self.key_rejects)?;
        if self.positions.is_none() && index.is_spilling() {
            // Late duplicates are rows stored from the batch whose keys were the first spilled.
            self.positions = Some(PositionLog::new(&self.spill_dir, first_offset)?);
        }
        let mut start = 0;
        for r in &self.key_rejects {
            if r.row > start {
                self.writer
                    .append_rows(&mut self.txn, batch, start..r.row)?;
                if let Some(log) = &mut self.positions {
                    log.append(batch, start..r.row)?;
                }
            }
            start = r.row + 1;
            let (kind, text) = match &r.kind {
                RejectKind::Duplicate { key, first_line } => (
                    SinkRejectKind::DuplicateKey {
                        first_line: (*first_line > 0).then_some(*first_line),
                    },
                    Some(key.clone()),
                ),
                RejectKind::NullKey => (SinkRejectKind::NullKey, Some("NULL".into())),
            };
            rejects.push(SinkReject {
                row: r.row,
                column: Some(self.pk + 1),
                kind,
                text,
            });
        }
        if start < batch.num_rows() {
            self.writer
                .append_rows(&mut self.txn, batch, start..batch.num_rows())?;
            if let Some(log) = &mut self.positions {
                log.append(batch, start..batch.num_rows())?;
            }
        }
        Ok(())
    }

    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<()> {
        if self.index.as_ref().is_some_and(PkIndexBuilder::is_spilling) {
            return Err(StorageError::CheckpointWhileSpilling {
                table: self.table_name.clone(),
            });
        }
        self.writer.flush(&mut self.txn)?;
        self.meta.resume = Some(resume.clone());
        self.writer
            .set_extra_meta(&mut self.txn, self.meta.encode())?;
        self.txn.checkpoint()?;
        Ok(())
    }

    /// Writes the last group and finishes the index into a temporary file. Duplicates found
    /// now (out-of-core path) are reported to `on_reject` and their rows deleted; without
    /// `on_reject` the first one fails with [`StorageError::DuplicateKeys`]. Returns
    /// `Break` when `on_reject` stopped the reporting (the import is to be aborted).
    fn finish_index(
        &mut self,
        on_reject: Option<&mut dyn FnMut(LateReject) -> ControlFlow<()>>,
    ) -> Result<ControlFlow<()>> {
        self.writer.flush(&mut self.txn)?;
        if let Some(log) = &mut self.positions {
            log.flush()?;
        }
        let index = self
            .index
            .take()
            .expect("invariant: finish runs once, after the writes");
        let mut image = tempfile::tempfile_in(&self.spill_dir).map_err(io("create index image"))?;
        let mut late = LateDuplicates::new(on_reject, self.positions.as_ref(), self.pk + 1);
        let index_meta = {
            let mut out = std::io::BufWriter::with_capacity(COPY_BUFFER_BYTES, &mut image);
            let meta = index.finish(&mut out, &mut |d| late.record(d))?;
            out.flush().map_err(io("write index image"))?;
            meta
        };
        let LateOutcome { rows, flow } = late.outcome(&self.table_name)?;
        if !rows.is_empty() {
            self.deleted.extend(rows);
            self.deleted.sort_unstable();
            self.deleted.dedup();
            self.deleted_changed = true;
        }
        self.finished = Some((image, index_meta));
        Ok(flow)
    }

    /// Everything of `commit` but the transaction's commit: the index image (finished now if
    /// `finish` was not called), the deleted rows list, the metadata.
    fn complete(&mut self) -> Result<()> {
        if self.finished.is_none() {
            let flow = self.finish_index(None)?;
            debug_assert!(flow.is_continue(), "invariant: only a reporter stops");
        }
        let (image, index_meta) = self
            .finished
            .take()
            .expect("invariant: finish_index stored the image");
        self.store_index(image, index_meta)?;
        if self.deleted_changed {
            self.store_deleted()?;
        }
        self.meta.resume = None;
        self.writer
            .set_extra_meta(&mut self.txn, self.meta.encode())
    }

    /// Copies the finished index image into a new extent of the table, freeing the previous
    /// image's extent.
    fn store_index(&mut self, mut image: File, index_meta: IndexMeta) -> Result<()> {
        let rows = self.writer.rows_flushed();
        if let Some(old) = self.meta.index.take() {
            self.txn.free_extent(self.table, old.extent)?;
        }
        let image_bytes = index_meta.image_bytes();
        if image_bytes == 0 {
            return Ok(());
        }
        let extent = self.txn.allocate_extent(pages_for(image_bytes))?;
        image
            .seek(SeekFrom::Start(0))
            .map_err(io("read index image"))?;
        let mut buf = vec![0u8; COPY_BUFFER_BYTES];
        let mut at = 0u64;
        while at < image_bytes {
            let n = usize::try_from((image_bytes - at).min(COPY_BUFFER_BYTES as u64))
                .expect("invariant: at most the buffer size");
            image
                .read_exact(&mut buf[..n])
                .map_err(io("read index image"))?;
            self.txn.write_extent(extent, at, &buf[..n])?;
            at += n as u64;
        }
        self.txn.attach_extent(self.table, extent)?;
        self.meta.index = Some(IndexLocation {
            extent,
            rows,
            meta: index_meta,
        });
        Ok(())
    }

    /// Writes the deleted rows list into a new extent of the table, freeing the previous
    /// list's extent.
    fn store_deleted(&mut self) -> Result<()> {
        if let Some(old) = self.meta.deleted.take() {
            self.txn.free_extent(self.table, old.extent)?;
        }
        let mut list = encode_deleted(&self.deleted);
        let extent = self.txn.allocate_extent(pages_for(list.len() as u64))?;
        list.resize(
            usize::try_from(extent.byte_len()).expect("invariant: the list is in memory"),
            0,
        );
        self.txn.write_extent(extent, 0, &list)?;
        self.txn.attach_extent(self.table, extent)?;
        self.meta.deleted = Some(DeletedLocation {
            extent,
            count: self.deleted.len() as u64,
        });
        Ok(())
    }
}

fn io(op: &'static str) -> impl FnOnce(std::io::Error) -> StorageError {
    move |source| StorageError::Io {
        op,
        offset: 0,
        source,
    }
}

impl BatchSink for NodeTableSink<'_> {
    fn begin(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        let result = self.begin_import(ctx);
        Ok(self.fail(result)?)
    }

    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        let result = self
            .enter("write")
            .and_then(|open| open.write(batch, rejects));
        Ok(self.fail(result)?)
    }

    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<(), SinkError> {
        let result = self
            .enter("checkpoint")
            .and_then(|open| open.checkpoint(resume));
        Ok(self.fail(result)?)
    }

    fn finish(
        &mut self,
        on_reject: &mut dyn FnMut(LateReject) -> ControlFlow<()>,
    ) -> Result<(), SinkError> {
        let result = self.enter("finish").and_then(|open| {
            if open.finished.is_some() {
                return Err(StorageError::SinkState {
                    call: "finish",
                    reason: "the import is finished already",
                });
            }
            open.finish_index(Some(on_reject))
        });
        if let ControlFlow::Break(()) = self.fail(result)? {
            // The driver aborts: nothing more is accepted.
            self.failed = true;
        }
        Ok(())
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        let result = self.enter("commit").map(|_| ());
        self.fail(result)?;
        let mut open = self
            .open
            .take()
            .expect("invariant: enter checked the import is open");
        let result = match open.complete() {
            Ok(()) => open.txn.commit().map(|_| ()),
            Err(e) => {
                // Roll back now (the file is cut back to the committed state); the error that
                // made the commit fail is the one to report.
                let _ = open.txn.abort();
                Err(e)
            }
        };
        // After a failed `WriteTxn::commit` the file refuses writes; the next open recovers
        // the state of the last checkpoint (or of before `begin`).
        Ok(self.fail(result)?)
    }

    fn abort(&mut self) -> Result<(), SinkError> {
        self.failed = true;
        if let Some(open) = self.open.take() {
            open.txn.abort()?;
        }
        Ok(())
    }
}
