//! [`RelTableSink`]: the [`BatchSink`] that imports edges into a rel table of a [`Store`].

mod local;

use std::ops::ControlFlow;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;

use ruzu_copy::{
    BatchSink, LateReject, LocalSink, Prepared, ResumePoint, SinkContext, SinkError, SinkReject,
    SinkRejectKind,
};
use ruzu_csv::{Batch, Schema, Value};

use local::{KeyTables, PreparedEdges, RelLocal};

use crate::catalog::{TableDef, TableId, TableKind};
use crate::error::{Result, StorageError};
use crate::rel::csr::{
    DEFAULT_GROUP_NODES, EDGE_CHUNK_EDGES, Emit, GroupSource, GroupWriter, ImagePool,
    MIN_CHUNK_EDGES, PendingGroup, Piece, recycle_image, write_piece,
};
use crate::rel::join::LateJoin;
use crate::rel::meta::{DIRECTIONS, GroupMeta, RelMeta};
use crate::rel::record::{LEN_BYTES, Record, encode_props, push_record, record_len};
use crate::rel::resolve::{Endpoint, MISSING};
use crate::rel::sort::{Merge, Sorted, Source, for_each_sorted, sorted_sources};
use crate::rel::spill::{Run, Runs};
use crate::rel::{chunk_schemas_of, key_text};
use crate::store::{FileView, Store, WriteTxn};

/// Least memory any part of the sink's budget gets.
const MIN_PART_BYTES: usize = 64 << 10;

/// The [`BatchSink`] of a rel table: resolves each edge's `from` and `to` keys to node offsets
/// through the endpoint tables' primary-key indexes, rejects edges whose endpoint does not
/// exist, and builds the table's CSR groups in both directions; commits through one
/// [`WriteTxn`].
///
/// Batch columns: the `from` key, the `to` key (the types of the endpoint tables' primary
/// keys), then the rel table's properties in catalog order ([`Store::copy_schema`]).
///
/// See the `rel` module docs for the steps and the memory budget.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use ruzu_copy::{BatchSink, SinkContext};
/// use ruzu_csv::{Batch, DataType, Field, Schema, Value};
/// use ruzu_storage::{Direction, NodeTableSink, RelTableSink, Store};
///
/// let dir = tempfile::tempdir()?;
/// let mut store = Store::create(dir.path())?;
/// store.execute_ddl(&ruzu_copy::parse_ddl("CREATE NODE TABLE Person(id INT64, PRIMARY KEY(id))")?)?;
/// store.execute_ddl(&ruzu_copy::parse_ddl("CREATE REL TABLE Knows(FROM Person TO Person, w DOUBLE)")?)?;
///
/// let persons = Arc::new(store.copy_schema("Person")?);
/// let mut batch = Batch::new(persons.clone(), 4, 64);
/// for id in [10, 20] {
///     batch.push_row(&[Value::Int64(id)], 0, 0)?;
/// }
/// let mut sink = NodeTableSink::new(&mut store, "Person");
/// sink.begin(&SinkContext::new("Person", persons, 8 << 20))?;
/// sink.write(&batch, &mut Vec::new())?;
/// sink.commit()?;
/// drop(sink);
///
/// let knows = Arc::new(store.copy_schema("Knows")?);
/// let mut batch = Batch::new(knows.clone(), 4, 64);
/// batch.push_row(&[Value::Int64(10), Value::Int64(20), Value::Double(0.5)], 2, 0)?;
/// batch.push_row(&[Value::Int64(10), Value::Int64(99), Value::Double(0.1)], 3, 0)?;
/// let mut sink = RelTableSink::new(&mut store, "Knows");
/// sink.begin(&SinkContext::new("Knows", knows, 8 << 20))?;
/// let mut rejects = Vec::new();
/// sink.write(&batch, &mut rejects)?;
/// assert_eq!(rejects.len(), 1); // no person 99
/// sink.commit()?;
/// drop(sink);
///
/// assert_eq!(store.row_count("Knows")?, 1);
/// let out = store.neighbours("Knows", 0, Direction::Forward)?;
/// assert_eq!(out.num_rows(), 1); // person 10 (offset 0) knows offset 1
/// # Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
/// ```
pub struct RelTableSink<'s> {
    store: Option<&'s mut Store>,
    table_name: String,
    spill_dir: PathBuf,
    group_nodes: Option<u32>,
    open: Option<Open<'s>>,
    /// The stats of the import when it ended.
    last_stats: Option<RelImportStats>,
    failed: bool,
    fail_next: bool,
}

/// Which paths an import into a rel table took (see [`RelTableSink::stats`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct RelImportStats {
    /// The endpoint indexes fit the cache budget and are cached whole (in-memory resolution).
    pub index_in_memory: bool,
    /// Endpoints are resolved through in-memory key tables (integer keys), in the sink's
    /// parallel phase on every decoder thread.
    pub typed: bool,
    /// Heap bytes of those key tables (0 off the typed path).
    pub key_table_bytes: usize,
    /// Edge runs passed their memory budget and went to temporary files.
    pub spilled: bool,
    /// Endpoints are resolved at the end by the partitioned join (indexes too large for the
    /// cache, no checkpoints); missing endpoints are then late rejects.
    pub resolved_late: bool,
    /// Most heap bytes the run buffers held.
    pub peak_run_bytes: usize,
}

/// The state of an open import.
struct Open<'s> {
    txn: WriteTxn<'s>,
    table: TableId,
    /// Edge chunk schemas, forward then backward.
    chunk_schemas: [Arc<Schema>; DIRECTIONS],
    from: Endpoint,
    /// `None` when `to` is the same node table as `from`.
    to: Option<Endpoint>,
    /// Whether the endpoint indexes are cached whole.
    index_in_memory: bool,
    /// The in-memory key tables of both endpoints, when they take the typed path (then every
    /// batch is resolved by [`KeyTables::prepare`], in the parallel phase or in `write`).
    typed: Option<KeyTables>,
    /// What `write` prepares a batch into on the typed path when the driver did not.
    scratch: PreparedEdges,
    /// The out-of-core endpoint join, when the indexes do not fit and there are no
    /// checkpoints: `write` partitions, `finish` resolves.
    late: Option<LateJoin>,
    /// Most heap bytes the run buffers held.
    peak_run_bytes: usize,
    /// Forward runs `0..groups[0]`, then backward runs.
    runs: Runs,
    groups: [usize; DIRECTIONS],
    meta: RelMeta,
    /// Edges written since the last flush.
    pending: u64,
    /// Sequence number of the last edge written (import order; stored edges have 0).
    seq: u64,
    sort_budget_bytes: usize,
    /// Threads that build groups at a checkpoint or the commit (`SinkContext::threads`).
    threads: usize,
    /// Most edges per edge chunk, from the budget.
    chunk_edges: usize,
    /// Index cache bytes of `from` and `to` while edges are written.
    cache_bytes: [usize; 2],
    spill_dir: PathBuf,
    from_offsets: Vec<Option<u64>>,
    to_offsets: Vec<Option<u64>>,
    props: Vec<u8>,
}

impl std::fmt::Debug for RelTableSink<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelTableSink")
            .field("table", &self.table_name)
            .field("open", &self.open.is_some())
            .field("failed", &self.failed)
            .finish_non_exhaustive()
    }
}

impl<'s> RelTableSink<'s> {
    /// A sink importing into rel table `table` (case-insensitive) of `store`. Spill runs go to
    /// the system's temporary directory.
    pub fn new(store: &'s mut Store, table: impl Into<String>) -> Self {
        RelTableSink {
            store: Some(store),
            table_name: table.into(),
            spill_dir: std::env::temp_dir(),
            group_nodes: None,
            open: None,
            last_stats: None,
            failed: false,
            fail_next: false,
        }
    }

    /// Sets the directory for spill runs (anonymous temporary files).
    pub fn with_spill_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spill_dir = dir.into();
        self
    }

    /// Sets the nodes per rel group of a table that holds no edge yet (default 32 768);
    /// a table with edges keeps its own. Small groups make tests cross group boundaries.
    pub fn with_group_nodes(mut self, nodes: u32) -> Self {
        self.group_nodes = Some(nodes.max(1));
        self
    }

    /// Testing hook: makes the next `write`, `checkpoint` or `commit` fail as an I/O error
    /// would (nothing of the call happens), after which the sink accepts only `abort`.
    pub fn fail_next_call(&mut self) {
        self.fail_next = true;
    }

    /// What the import did so far, also after it ended (`None` before `begin`).
    pub fn stats(&self) -> Option<RelImportStats> {
        match &self.open {
            Some(o) => Some(RelImportStats {
                index_in_memory: o.index_in_memory,
                typed: o.typed.is_some(),
                key_table_bytes: o.typed.as_ref().map_or(0, KeyTables::memory_bytes),
                spilled: o.runs.spilled(),
                resolved_late: o.late.is_some(),
                peak_run_bytes: o.peak_run_bytes.max(o.runs.memory_bytes()),
            }),
            None => self.last_stats,
        }
    }

    fn enter(&mut self, call: &'static str) -> Result<&mut Open<'s>> {
        if self.failed {
            return Err(StorageError::SinkState {
                call,
                reason: "an earlier call of this import failed",
            });
        }
        if std::mem::take(&mut self.fail_next) {
            return Err(StorageError::Io {
                op: call,
                offset: 0,
                source: std::io::Error::other("injected failure"),
            });
        }
        self.open.as_mut().ok_or(StorageError::SinkState {
            call,
            reason: "the import is not open",
        })
    }

    fn fail<T>(&mut self, result: Result<T>) -> Result<T> {
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    fn begin_import(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>> {
        let store = self.store.take().ok_or(StorageError::SinkState {
            call: "begin",
            reason: "the import has already begun",
        })?;
        let def = rel_def(store, &self.table_name)?;
        let TableKind::Rel { from, to } = def.kind else {
            unreachable!("invariant: rel_def returns rel tables");
        };
        let from_def = store
            .catalog()
            .table_by_id(from)
            .ok_or(StorageError::UnknownTableId { id: from })?
            .clone();
        let to_def = store
            .catalog()
            .table_by_id(to)
            .ok_or(StorageError::UnknownTableId { id: to })?
            .clone();
        if let Some((f, t)) = &ctx.rel_endpoints
            && !(f.eq_ignore_ascii_case(&from_def.name) && t.eq_ignore_ascii_case(&to_def.name))
        {
            return Err(StorageError::InvalidTable {
                table: def.name.clone(),
                reason: format!(
                    "it connects {} to {}; a COPY naming from={f}, to={t} is not supported (ruzu rel tables have exactly one FROM/TO pair)",
                    from_def.name, to_def.name
                ),
            });
        }
        let expected = store.copy_schema(&def.name)?;
        check_schema(&def, &expected, &ctx.schema)?;
        let mut from_ep = Endpoint::new(store, &from_def)?;
        let mut to_ep = if to == from {
            None
        } else {
            Some(Endpoint::new(store, &to_def)?)
        };
        let share = ctx.memory_bytes.max(4 * MIN_PART_BYTES);
        // Three quarters of the share hold the endpoint indexes while edges are written:
        // as key tables (typed path) or cached pages, whole when they fit. They are released
        // while groups are built, which then sort within half the share.
        let index_budget = share / 4 * 3;
        let typed_bytes = match (from_ep.key_table_bytes(), &to_ep) {
            (Some(f), None) => Some(f),
            (Some(f), Some(t)) => t.key_table_bytes().map(|t| f + t),
            (None, _) => None,
        };
        let typed = match typed_bytes {
            Some(bytes) if bytes <= index_budget as u64 => {
                let from_table = Arc::new(from_ep.load_key_table()?);
                let to_table = match &mut to_ep {
                    Some(t) => Arc::new(t.load_key_table()?),
                    None => from_table.clone(),
                };
                let to_name = to_ep.as_ref().map_or(&from_ep.name, |t| &t.name).clone();
                Some(KeyTables {
                    from: from_table,
                    to: to_table,
                    names: Arc::new([from_ep.name.clone(), to_name]),
                })
            }
            _ => None,
        };
        let images = from_ep.image_bytes() + to_ep.as_ref().map_or(0, Endpoint::image_bytes);
        let fits = typed.is_some() || images <= index_budget as u64;
        let per_index = if to_ep.is_some() {
            index_budget / 2
        } else {
            index_budget
        };
        let cache = |e: &Endpoint| -> usize {
            if fits {
                usize::try_from(e.image_bytes())
                    .unwrap_or(usize::MAX)
                    .max(1)
            } else {
                per_index
            }
        };
        // Without checkpoints, indexes that do not fit are joined out of core at `finish`;
        // continue-partial imports must resolve in `write` (bounded cache), since a
        // checkpoint makes its edges durable.
        let join = !fits && !ctx.checkpoints;
        let cache_bytes = if join || typed.is_some() {
            [1, 1]
        } else {
            [cache(&from_ep), to_ep.as_ref().map_or(0, cache)]
        };
        from_ep.set_cache_bytes(cache_bytes[0])?;
        if let Some(t) = &mut to_ep {
            t.set_cache_bytes(cache_bytes[1])?;
        }
        let storage = store
            .table_storage(def.id)
            .ok_or(StorageError::UnknownTableId { id: def.id })?;
        let meta = RelMeta::decode(
            storage.meta(),
            self.group_nodes.unwrap_or(DEFAULT_GROUP_NODES),
        )?;
        let g = u64::from(meta.group_nodes);
        let to_nodes = to_ep.as_ref().map_or(from_ep.nodes, |t| t.nodes);
        let groups = [
            usize::try_from(from_ep.nodes.div_ceil(g)).unwrap_or(usize::MAX),
            usize::try_from(to_nodes.div_ceil(g)).unwrap_or(usize::MAX),
        ];
        let runs = Runs::new(groups[0] + groups[1], share / 8, &self.spill_dir);
        let late = join.then(|| {
            LateJoin::new(
                &from_ep,
                to_ep.as_ref().unwrap_or(&from_ep),
                def.columns.iter().map(|c| c.data_type).collect(),
                share / 4,
                share / 8,
                share / 4,
                &self.spill_dir,
            )
        });
        let resume = meta.resume.clone();
        let txn = store.begin_write()?;
        self.open = Some(Open {
            txn,
            table: def.id,
            chunk_schemas: chunk_schemas_of(&def),
            from: from_ep,
            to: to_ep,
            index_in_memory: fits,
            typed,
            scratch: PreparedEdges::default(),
            late,
            peak_run_bytes: 0,
            runs,
            groups,
            meta,
            pending: 0,
            seq: 0,
            sort_budget_bytes: (share / 2).max(MIN_PART_BYTES),
            threads: ctx.threads.max(1),
            chunk_edges: chunk_edges_for(&def, share / 8),
            cache_bytes,
            spill_dir: self.spill_dir.clone(),
            from_offsets: Vec::new(),
            to_offsets: Vec::new(),
            props: Vec::new(),
        });
        Ok(resume)
    }
}

/// The reject of row `row` whose key in `column` (0 `from`, 1 `to`) names no node.
fn missing(row: usize, column: usize, key: &Value<'_>) -> SinkReject {
    SinkReject {
        row,
        column: Some(column + 1),
        kind: SinkRejectKind::MissingEndpoint {
            endpoint: if column == 0 { "from" } else { "to" },
        },
        text: Some(key_text(key)),
    }
}

/// Appends edge `[src, dst, seq]` with encoded properties `props` to the forward run of its
/// source's group. Its backward record is made when the forward group is built (it needs the
/// edge's rank there, see [`GroupWriter::with_reverse`]).
fn push_edge(runs: &mut Runs, g: u64, edge: [u64; 3], props: &[u8]) -> Result<()> {
    let [src, dst, seq] = edge;
    let fwd = (src / g) as usize;
    let before = runs.buffer(fwd).len();
    push_record(runs.buffer(fwd), src, dst, seq, props);
    let added = runs.buffer(fwd).len() - before;
    runs.appended(added)
}

/// Appends the backward records of a [`Piece::Reverse`] to the backward runs of their bound
/// nodes' groups (runs `groups0 + bound / g`) and gives the buffer back to `pool`.
fn route_reverse(
    runs: &mut Runs,
    groups0: usize,
    g: u64,
    records: Vec<u8>,
    pool: &ImagePool,
) -> Result<()> {
    let mut at = 0;
    while at < records.len() {
        let len = record_len(&records[at..])
            .filter(|&n| at + n <= records.len())
            .ok_or_else(|| StorageError::corrupt("rel backward records", 0, "truncated record"))?;
        let bound = Record::new(&records[at + LEN_BYTES..at + len])?.bound();
        let run = groups0 + usize::try_from(bound / g).unwrap_or(usize::MAX);
        if run >= runs.count() {
            return Err(StorageError::corrupt(
                "rel backward records",
                0,
                format!("destination {bound} past the last rel group"),
            ));
        }
        runs.buffer(run).extend_from_slice(&records[at..at + len]);
        runs.appended(len)?;
        at += len;
    }
    recycle_image(pool, records);
    Ok(())
}

/// Edges per edge chunk such that one chunk (batch, encoders, image: about three copies of
/// its rows) stays within `budget_bytes`.
fn chunk_edges_for(def: &TableDef, budget_bytes: usize) -> usize {
    let row_bytes = 8 + def
        .columns
        .iter()
        .map(|c| c.data_type.fixed_width_bytes().unwrap_or(32) + 1)
        .sum::<usize>();
    (budget_bytes / (3 * row_bytes)).clamp(MIN_CHUNK_EDGES, EDGE_CHUNK_EDGES)
}

/// One group to build: its direction and number, its stored edges and its new run.
struct BuildJob {
    dir: usize,
    gid: u32,
    base: u64,
    old: Option<GroupMeta>,
    run: Run,
}

/// Where the pieces of group builds go: the transaction (edge chunks and headers of table
/// `table`) and the backward runs (backward records, runs `groups0..`).
struct Out<'a, 't> {
    txn: &'a mut WriteTxn<'t>,
    table: TableId,
    runs: &'a mut Runs,
    groups0: usize,
}

/// What every group build needs, shared by the build threads.
struct BuildSpec {
    view: FileView,
    chunk_schema: Arc<Schema>,
    /// Whether the groups are forward ones, whose builds hand over backward records.
    reverse: bool,
    group_nodes: u64,
    chunk_edges: usize,
    /// Sort budget of one build thread.
    sort_budget_bytes: usize,
    spill_dir: PathBuf,
    pool: ImagePool,
}

impl BuildSpec {
    /// Sorts `job`'s run, merges it behind the group's stored edges and encodes the group,
    /// handing its pieces to `emit`.
    fn build(&self, job: &mut BuildJob, emit: &mut Emit<'_>) -> Result<()> {
        let sorted = sorted_sources(&mut job.run, self.sort_budget_bytes, &self.spill_dir)?;
        let mut writer = GroupWriter::new(
            job.base,
            self.group_nodes,
            self.chunk_schema.clone(),
            self.chunk_edges,
            self.pool.clone(),
        )?;
        if self.reverse {
            writer = writer.with_reverse();
        }
        match (&job.old, sorted) {
            // A new group sorted in memory: read in place, no merge.
            (None, Sorted::Memory(records)) => {
                for_each_sorted(&records, |record| writer.push(emit, record))?;
            }
            (old, sorted) => {
                let mut sources: Vec<Box<dyn Source>> = Vec::new();
                if let Some(old) = old {
                    sources.push(Box::new(GroupSource::new(
                        self.view.clone(),
                        old.clone(),
                        job.base,
                        self.chunk_schema.clone(),
                    )?));
                }
                sources.extend(sorted.into_sources());
                let mut merge = Merge::new(sources)?;
                let mut record = Vec::new();
                while merge.next_into(&mut record)?.is_some() {
                    writer.push(emit, Record::new(&record[LEN_BYTES..])?)?;
                }
            }
        }
        writer.finish(emit)
    }
}

/// Builds `jobs` on `threads` scoped threads, writing their pieces into `txn` on this thread
/// as they arrive (backward records into `out.runs`); returns each job's group metadata, in
/// job order.
///
/// Bound: each thread holds one group's sort (its share of the budget) and one chunk being
/// encoded; at most `2 * threads` encoded pieces wait for this thread.
fn build_parallel(
    out: Out<'_, '_>,
    spec: &BuildSpec,
    jobs: &mut [BuildJob],
    threads: usize,
) -> Result<Vec<GroupMeta>> {
    let Out {
        txn,
        table,
        runs,
        groups0,
    } = out;
    let queue: Vec<std::sync::Mutex<&mut BuildJob>> =
        jobs.iter_mut().map(std::sync::Mutex::new).collect();
    let next = AtomicUsize::new(0);
    let mut pending: Vec<PendingGroup> =
        (0..queue.len()).map(|_| PendingGroup::default()).collect();
    let mut built: Vec<Option<GroupMeta>> = vec![None; queue.len()];
    let (tx, rx) = sync_channel::<(usize, Result<Piece>)>(2 * threads);
    let mut failure = None;
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let (tx, queue, next) = (tx.clone(), &queue, &next);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = queue.get(i) else { return };
                    let mut job = job.lock().unwrap_or_else(|e| e.into_inner());
                    let result = spec.build(&mut job, &mut |piece| {
                        tx.send((i, Ok(piece)))
                            .map_err(|_| StorageError::SinkState {
                                call: "commit",
                                reason: "the group writer stopped",
                            })
                    });
                    if let Err(e) = result {
                        // The writer may be gone already (it stopped first).
                        let _ = tx.send((i, Err(e)));
                        return;
                    }
                }
            });
        }
        drop(tx);
        for (i, message) in &rx {
            let written = message.and_then(|piece| match piece {
                Piece::Reverse { records } => {
                    route_reverse(runs, groups0, spec.group_nodes, records, &spec.pool)
                        .map(|()| None)
                }
                piece => write_piece(txn, table, &mut pending[i], piece, &spec.pool),
            });
            match written {
                Ok(Some(meta)) => built[i] = Some(meta),
                Ok(None) => {}
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        // Build threads still sending see the channel closed and stop.
        drop(rx);
    });
    if let Some(e) = failure {
        return Err(e);
    }
    built
        .into_iter()
        .map(|m| {
            m.ok_or_else(|| StorageError::corrupt("rel group", 0, "group built without a header"))
        })
        .collect()
}

/// The definition of rel table `name`.
fn rel_def(store: &Store, name: &str) -> Result<TableDef> {
    let def = store
        .catalog()
        .table(name)
        .ok_or_else(|| StorageError::NoSuchTable { name: name.into() })?;
    match def.kind {
        TableKind::Rel { .. } => Ok(def.clone()),
        TableKind::Node { .. } => Err(StorageError::InvalidTable {
            table: def.name.clone(),
            reason: "not a rel table (use NodeTableSink)".into(),
        }),
    }
}

/// The batch schema must have the types of the copy schema.
fn check_schema(def: &TableDef, expected: &Schema, got: &Schema) -> Result<()> {
    let same = expected.len() == got.len()
        && expected
            .fields()
            .iter()
            .zip(got.fields())
            .all(|(e, g)| e.data_type == g.data_type);
    if same {
        Ok(())
    } else {
        Err(StorageError::InvalidTable {
            table: def.name.clone(),
            reason: format!(
                "the import's columns do not match from, to and the properties ({} columns expected)",
                expected.len()
            ),
        })
    }
}

impl Open<'_> {
    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<()> {
        if let Some(tables) = &self.typed {
            let mut prepared = std::mem::take(&mut self.scratch);
            let result = tables
                .prepare(batch, &mut prepared)
                .and_then(|()| self.apply(batch, &prepared, rejects));
            self.scratch = prepared;
            return result;
        }
        if let Some(late) = &mut self.late {
            // Only NULL keys are known to be missing now; the join finds the others.
            for row in 0..batch.num_rows() {
                let null = (0..2).find(|&c| matches!(batch.value(row, c), Value::Null));
                if let Some(column) = null {
                    rejects.push(missing(row, column, &batch.value(row, column)));
                    continue;
                }
                self.seq += 1;
                late.push(batch, row, self.seq)?;
            }
            return Ok(());
        }
        self.from
            .lookup_batch(batch.column(0), &mut self.from_offsets)?;
        match &mut self.to {
            Some(to) => to.lookup_batch(batch.column(1), &mut self.to_offsets)?,
            None => self
                .from
                .lookup_batch(batch.column(1), &mut self.to_offsets)?,
        }
        let g = u64::from(self.meta.group_nodes);
        let columns = batch.schema().len();
        for row in 0..batch.num_rows() {
            let (src, dst) = match (self.from_offsets[row], self.to_offsets[row]) {
                (Some(s), Some(d)) => (s, d),
                (s, _) => {
                    let column = if s.is_none() { 0 } else { 1 };
                    rejects.push(missing(row, column, &batch.value(row, column)));
                    continue;
                }
            };
            self.props.clear();
            encode_props((2..columns).map(|c| batch.value(row, c)), &mut self.props);
            self.seq += 1;
            push_edge(&mut self.runs, g, [src, dst, self.seq], &self.props)?;
            self.pending += 1;
        }
        self.peak_run_bytes = self.peak_run_bytes.max(self.runs.memory_bytes());
        Ok(())
    }

    /// The ordered apply of a batch prepared by [`KeyTables::prepare`]: rows with a missing
    /// endpoint are refused, the others numbered and appended to their group runs.
    fn apply(
        &mut self,
        batch: &Batch,
        prepared: &PreparedEdges,
        rejects: &mut Vec<SinkReject>,
    ) -> Result<()> {
        if prepared.src.len() != batch.num_rows() || prepared.dst.len() != batch.num_rows() {
            return Err(StorageError::SinkState {
                call: "write",
                reason: "the prepared edges are not the batch's",
            });
        }
        let g = u64::from(self.meta.group_nodes);
        for row in 0..batch.num_rows() {
            let (src, dst) = (prepared.src[row], prepared.dst[row]);
            if src == MISSING || dst == MISSING {
                let column = if src == MISSING { 0 } else { 1 };
                rejects.push(missing(row, column, &batch.value(row, column)));
                continue;
            }
            self.seq += 1;
            push_edge(&mut self.runs, g, [src, dst, self.seq], prepared.props(row))?;
            self.pending += 1;
        }
        self.peak_run_bytes = self.peak_run_bytes.max(self.runs.memory_bytes());
        Ok(())
    }

    /// Resolves the edges waiting for the out-of-core join: missing endpoints go to
    /// `on_reject`, the others to the group runs. `Break` when `on_reject` stopped it.
    fn resolve_late(
        &mut self,
        on_reject: &mut dyn FnMut(LateReject) -> ControlFlow<()>,
    ) -> Result<ControlFlow<()>> {
        let Some(late) = &mut self.late else {
            return Ok(ControlFlow::Continue(()));
        };
        let g = u64::from(self.meta.group_nodes);
        let (runs, pending, peak) = (&mut self.runs, &mut self.pending, &mut self.peak_run_bytes);
        let to = self.to.as_ref().unwrap_or(&self.from);
        let flow = late.resolve(&self.from, to, on_reject, &mut |src, dst, seq, props| {
            push_edge(runs, g, [src, dst, seq], props)?;
            *pending += 1;
            *peak = (*peak).max(runs.memory_bytes());
            Ok(())
        })?;
        Ok(flow)
    }

    /// Builds the CSR groups the pending edges touch (merging each with its stored group) and
    /// records them in the metadata; the runs are emptied.
    fn flush(&mut self) -> Result<()> {
        // The index caches give their memory to the sort while groups are built.
        self.set_caches([1, 1])?;
        self.build_groups()?;
        self.set_caches(self.cache_bytes)
    }

    fn set_caches(&mut self, bytes: [usize; 2]) -> Result<()> {
        self.from.set_cache_bytes(bytes[0])?;
        match &mut self.to {
            Some(to) => to.set_cache_bytes(bytes[1]),
            None => Ok(()),
        }
    }

    /// Builds every group that has pending edges, forward groups first: their builds rank
    /// the new edges and hand over the backward records, which fill the backward runs; then
    /// the backward groups. The runs are emptied.
    fn build_groups(&mut self) -> Result<()> {
        for dir in 0..DIRECTIONS {
            self.build_direction(dir)?;
            self.peak_run_bytes = self.peak_run_bytes.max(self.runs.memory_bytes());
        }
        self.runs.clear();
        self.meta.edges += std::mem::take(&mut self.pending);
        Ok(())
    }

    /// Builds the groups of direction `dir` that have pending edges: sorted and encoded on up
    /// to `threads` worker threads (one group each at a time, each within its share of the
    /// sort budget), written by this thread, which owns the transaction, as the pieces arrive.
    fn build_direction(&mut self, dir: usize) -> Result<()> {
        let g = u64::from(self.meta.group_nodes);
        let first_run = if dir == 0 { 0 } else { self.groups[0] };
        let mut jobs = Vec::new();
        for group in 0..self.groups[dir] {
            let run = self.runs.run_mut(first_run + group);
            if run.is_empty() {
                continue;
            }
            let gid = u32::try_from(group).map_err(|_| StorageError::InvalidTable {
                table: format!("table {}", self.table),
                reason: "more than 2^32 rel groups".into(),
            })?;
            jobs.push(BuildJob {
                dir,
                gid,
                base: group as u64 * g,
                old: self.meta.groups[dir].get(&gid).cloned(),
                run: std::mem::take(run),
            });
        }
        if jobs.is_empty() {
            return Ok(());
        }
        let threads = self.threads.clamp(1, jobs.len());
        // At a checkpoint the key tables stay (more batches come): the sorts then make do
        // with the share's last eighth.
        let sort_budget = if self.typed.is_some() {
            self.sort_budget_bytes / 4
        } else {
            self.sort_budget_bytes
        };
        // While forward groups are built, the backward runs fill up to their buffer budget:
        // the sorts give it up, so building both directions peaks no higher than one.
        let sort_budget = if dir == 0 {
            sort_budget.saturating_sub(self.runs.memory_limit_bytes())
        } else {
            sort_budget
        };
        let spec = BuildSpec {
            view: self.txn.file_view(),
            chunk_schema: self.chunk_schemas[dir].clone(),
            reverse: dir == 0,
            group_nodes: g,
            chunk_edges: self.chunk_edges,
            sort_budget_bytes: (sort_budget / threads).max(MIN_PART_BYTES),
            spill_dir: self.spill_dir.clone(),
            pool: ImagePool::default(),
        };
        let out = Out {
            txn: &mut self.txn,
            table: self.table,
            runs: &mut self.runs,
            groups0: self.groups[0],
        };
        let built = if threads == 1 {
            let Out {
                txn,
                table,
                runs,
                groups0,
            } = out;
            let mut built = Vec::with_capacity(jobs.len());
            for job in &mut jobs {
                let mut pending = PendingGroup::default();
                let mut meta = None;
                let pool = &spec.pool;
                spec.build(job, &mut |piece| {
                    match piece {
                        Piece::Reverse { records } => {
                            route_reverse(runs, groups0, g, records, pool)?;
                        }
                        piece => meta = write_piece(txn, table, &mut pending, piece, pool)?,
                    }
                    Ok(())
                })?;
                built.push(meta.ok_or_else(|| {
                    StorageError::corrupt("rel group", 0, "group built without a header")
                })?);
            }
            built
        } else {
            build_parallel(out, &spec, &mut jobs, threads)?
        };
        for (job, built) in jobs.into_iter().zip(built) {
            if let Some(old) = job.old {
                for e in old.extents() {
                    self.txn.free_extent(self.table, e)?;
                }
            }
            self.meta.groups[job.dir].insert(job.gid, built);
        }
        Ok(())
    }

    fn store_meta(&mut self) -> Result<()> {
        self.txn.set_table_meta(self.table, self.meta.encode())
    }

    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<()> {
        self.flush()?;
        self.meta.resume = Some(resume.clone());
        self.store_meta()?;
        self.txn.checkpoint()?;
        Ok(())
    }

    fn finish(&mut self) -> Result<()> {
        if self.late.as_ref().is_some_and(|l| !l.is_empty()) {
            // `BatchSink::finish` was not called: resolve now; a missing endpoint cannot be
            // reported any more, so it fails the commit.
            let mut missing = 0u64;
            let mut first = None;
            let _always_continues = self.resolve_late(&mut |r| {
                missing += 1;
                first.get_or_insert(r);
                ControlFlow::Continue(())
            })?;
            if let Some(r) = first {
                return Err(StorageError::InvalidTable {
                    table: format!("table {}", self.table),
                    reason: format!(
                        "{missing} edges name missing endpoints (first: {} on line {}); call BatchSink::finish before commit to have them reported",
                        r.text.as_deref().unwrap_or("?"),
                        r.position.line
                    ),
                });
            }
        }
        // No batch comes any more: the key tables give their memory to the sorts.
        self.typed = None;
        self.scratch = PreparedEdges::default();
        self.flush()?;
        self.meta.resume = None;
        self.store_meta()
    }
}

impl BatchSink for RelTableSink<'_> {
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

    /// On the typed path, one local sink per decoder thread: endpoint resolution and
    /// property encoding run in the parallel phase.
    fn local_sink(&mut self) -> Result<Option<Box<dyn LocalSink>>, SinkError> {
        Ok(self
            .open
            .as_ref()
            .and_then(|o| o.typed.clone())
            .map(|tables| Box::new(RelLocal { tables }) as Box<dyn LocalSink>))
    }

    fn write_prepared(
        &mut self,
        batch: &Batch,
        prepared: &mut Prepared,
        rejects: &mut Vec<SinkReject>,
    ) -> Result<(), SinkError> {
        let result = self.enter("write").and_then(|open| {
            match (&open.typed, prepared.get_mut::<PreparedEdges>()) {
                (Some(_), Some(p)) => open.apply(batch, p, rejects),
                _ => open.write(batch, rejects),
            }
        });
        Ok(self.fail(result)?)
    }

    fn finish(
        &mut self,
        on_reject: &mut dyn FnMut(LateReject) -> ControlFlow<()>,
    ) -> Result<(), SinkError> {
        let result = self
            .enter("finish")
            .and_then(|open| open.resolve_late(on_reject).map(|_| ()));
        Ok(self.fail(result)?)
    }

    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<(), SinkError> {
        let result = self
            .enter("checkpoint")
            .and_then(|open| open.checkpoint(resume));
        Ok(self.fail(result)?)
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        let result = self.enter("commit").map(|_| ());
        self.fail(result)?;
        self.last_stats = self.stats();
        let mut open = self
            .open
            .take()
            .expect("invariant: enter checked the import is open");
        let result = match open.finish() {
            Ok(()) => open.txn.commit().map(|_| ()),
            Err(e) => {
                let _ = open.txn.abort();
                Err(e)
            }
        };
        Ok(self.fail(result)?)
    }

    fn abort(&mut self) -> Result<(), SinkError> {
        self.failed = true;
        self.last_stats = self.stats();
        if let Some(open) = self.open.take() {
            open.txn.abort()?;
        }
        Ok(())
    }
}
