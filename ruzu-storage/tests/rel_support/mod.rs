//! Helpers of the rel table tests: a tiny deterministic person/knows generator, imports
//! through the sinks, and a plain in-memory model of both adjacency directions to compare
//! the store's neighbour lists with.

#![allow(dead_code)] // Each test binary uses a different subset of these helpers.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
use ruzu_copy::testing::{OwnedRow, OwnedValue, batch_rows, push_owned_row};
use std::ops::ControlFlow;

use ruzu_copy::{BatchSink, LateReject, Prepared, SinkContext, SinkReject};
use ruzu_csv::{Batch, DataType, Field, Schema, Writer, WriterOptions};
use ruzu_storage::{Direction, NodeTableSink, RelImportStats, RelTableSink, Store};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const PERSON_DDL: &str = "CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))";
pub const KNOWS_DDL: &str =
    "CREATE REL TABLE Knows(FROM Person TO Person, since TIMESTAMP, weight DOUBLE, tag STRING)";

/// splitmix64: a deterministic stream of pseudo-random numbers.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The key of person `i`: 13-digit ids out of order, as in the benchmark data.
pub fn person_key(i: u64) -> i64 {
    const P: u128 = 1_099_511_627_791;
    (1_000_000_000_000 + ((u128::from(i) * 7919) % P) as u64) as i64
}

/// The schema of a knows batch: from, to, then the properties.
pub fn knows_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("from", DataType::Int64),
        Field::new("to", DataType::Int64),
        Field::new("since", DataType::Timestamp),
        Field::new("weight", DataType::Double),
        Field::new("tag", DataType::String),
    ]))
}

/// The properties of edge `i`: some NULL, some empty strings.
pub fn edge_props(i: u64) -> Vec<OwnedValue> {
    let since = if i % 11 == 3 {
        OwnedValue::Null
    } else {
        OwnedValue::Timestamp(1_300_000_000_000_000 + i as i64 * 1_000_000)
    };
    let tag = match i % 7 {
        0 => OwnedValue::Null,
        1 => OwnedValue::String(String::new()),
        _ => OwnedValue::String(format!("tag {i}, \"q\"")),
    };
    vec![since, OwnedValue::Double((i % 1000) as f64 / 1000.0), tag]
}

/// `edges` knows rows over persons `0..persons`: a quarter of the sources among five hubs,
/// the rest uniform; destinations uniform.
pub fn generate_edges(persons: u64, edges: u64, seed: u64) -> Vec<OwnedRow> {
    let mut rng = Rng(seed);
    (0..edges)
        .map(|i| {
            let from = if rng.below(4) == 0 {
                rng.below(5.min(persons))
            } else {
                rng.below(persons)
            };
            let to = rng.below(persons);
            let mut row = vec![
                OwnedValue::Int64(person_key(from)),
                OwnedValue::Int64(person_key(to)),
            ];
            row.extend(edge_props(i));
            row
        })
        .collect()
}

/// A new database in `dir` with `Person` and `Knows`, and persons `0..persons` imported.
pub fn create_graph(dir: &Path, persons: u64) -> TestResult<Store> {
    let mut store = Store::create(dir)?;
    setup_graph(&mut store, persons)?;
    Ok(store)
}

/// Creates `Person` and `Knows` in `store` and imports persons `0..persons`.
pub fn setup_graph(store: &mut Store, persons: u64) -> TestResult {
    store.execute_ddl(&ruzu_copy::parse_ddl(PERSON_DDL).expect("valid DDL"))?;
    store.execute_ddl(&ruzu_copy::parse_ddl(KNOWS_DDL).expect("valid DDL"))?;
    import_persons(store, 0..persons)
}

/// The CSV text (with header) of knows `rows`, written by `ruzu_csv::Writer`.
pub fn knows_csv(rows: &[OwnedRow]) -> TestResult<Vec<u8>> {
    let schema = knows_schema();
    let mut writer = Writer::new(
        Vec::new(),
        schema.clone(),
        WriterOptions::default().with_header(true),
    )?;
    let mut batch = Batch::new(schema, 1024, 1 << 16);
    for chunk in rows.chunks(1024) {
        batch.clear();
        for row in chunk {
            push_owned_row(&mut batch, row, 0, 0)?;
        }
        writer.write_batch(&batch)?;
    }
    Ok(writer.finish()?)
}

/// Every person of the table as (key, name) rows, in node offset order.
pub fn person_rows(store: &Store) -> TestResult<Vec<OwnedRow>> {
    let schema = Arc::new(store.copy_schema("Person")?);
    let mut rows = Vec::new();
    for rb in store.scan_node_table("Person")? {
        rows.extend(record_rows(&rb?, schema.clone())?);
    }
    Ok(rows)
}

/// Imports persons `range` (key [`person_key`], name `p<i>`).
pub fn import_persons(store: &mut Store, range: std::ops::Range<u64>) -> TestResult {
    let schema = Arc::new(store.copy_schema("Person")?);
    let mut sink = NodeTableSink::new(store, "Person");
    sink.begin(&SinkContext::new("Person", schema.clone(), 16 << 20))?;
    let mut batch = Batch::new(schema, 1024, 64 << 10);
    let ids: Vec<u64> = range.collect();
    for part in ids.chunks(1024) {
        batch.clear();
        for &i in part {
            let row = [
                OwnedValue::Int64(person_key(i)),
                OwnedValue::String(format!("p{i}")),
            ];
            push_owned_row(&mut batch, &row, i + 2, 0)?;
        }
        let mut rejects = Vec::new();
        sink.write(&batch, &mut rejects)?;
        assert!(rejects.is_empty(), "{rejects:?}");
    }
    sink.commit()?;
    Ok(())
}

/// How a test runs a rel import.
#[derive(Clone, Debug)]
pub struct RelImport {
    pub memory_bytes: usize,
    pub group_nodes: Option<u32>,
    pub batch_rows: usize,
    /// `SinkContext::threads`: above 1, batches go through the sink's parallel phase (when it
    /// has one: every batch prepared on another thread, then applied in order) and groups
    /// are built on that many threads.
    pub threads: usize,
}

impl Default for RelImport {
    fn default() -> Self {
        RelImport {
            memory_bytes: 64 << 20,
            group_nodes: None,
            batch_rows: 1000,
            threads: 1,
        }
    }
}

/// What a rel import through the sink did.
#[derive(Debug)]
pub struct Imported {
    /// Index into the input rows of each rejected row, with the reject.
    pub rejects: Vec<(usize, SinkReject)>,
    /// Rows rejected late (by `finish`), in the order reported.
    pub late: Vec<LateReject>,
    pub stats: RelImportStats,
}

/// Imports `rows` into `Knows` through a `RelTableSink` (batches of `how.batch_rows`) and
/// commits.
pub fn import_edges(
    store: &mut Store,
    rows: &[OwnedRow],
    how: &RelImport,
    spill: &Path,
) -> TestResult<Imported> {
    let schema = knows_schema();
    let mut sink = RelTableSink::new(store, "Knows").with_spill_dir(spill);
    if let Some(g) = how.group_nodes {
        sink = sink.with_group_nodes(g);
    }
    let ctx = SinkContext::new("Knows", schema.clone(), how.memory_bytes).with_threads(how.threads);
    sink.begin(&ctx)?;
    let mut local = if how.threads > 1 {
        sink.local_sink()?
    } else {
        None
    };
    let mut batch = Batch::new(schema, how.batch_rows, 64 << 10);
    let mut prepared = Prepared::new();
    let mut all = Vec::new();
    for (p, part) in rows.chunks(how.batch_rows.max(1)).enumerate() {
        batch.clear();
        for (i, row) in part.iter().enumerate() {
            push_owned_row(&mut batch, row, (p * how.batch_rows + i) as u64 + 2, 0)?;
        }
        let mut rejects = Vec::new();
        match &mut local {
            Some(l) => {
                // Prepared on another thread, as a decoder thread would (a batch is `Send`,
                // not `Sync`: it moves there and back).
                let (b, p, result) = std::thread::scope(|s| {
                    s.spawn(move || {
                        let result = l.prepare(&batch, &mut prepared);
                        (batch, prepared, result)
                    })
                    .join()
                })
                .expect("prepare does not panic");
                (batch, prepared) = (b, p);
                result?;
                prepared.set_ready(true);
                sink.write_prepared(&batch, &mut prepared, &mut rejects)?;
            }
            None => sink.write(&batch, &mut rejects)?,
        }
        all.extend(rejects.into_iter().map(|r| (p * how.batch_rows + r.row, r)));
    }
    drop(local);
    let mut late = Vec::new();
    sink.finish(&mut |r| {
        late.push(r);
        ControlFlow::Continue(())
    })?;
    let stats = sink.stats().expect("open");
    sink.commit()?;
    Ok(Imported {
        rejects: all,
        late,
        stats,
    })
}

/// Both adjacency directions of the accepted edges, as `neighbours` must return them:
/// per node offset, rows of (neighbour offset, neighbour key, properties) in import order.
#[derive(Debug, Default, PartialEq)]
pub struct Model {
    pub forward: HashMap<u64, Vec<OwnedRow>>,
    pub backward: HashMap<u64, Vec<OwnedRow>>,
    pub edges: u64,
}

impl Model {
    /// Adds the edges of `rows` whose endpoints are in `offsets` (key -> node offset).
    pub fn add(&mut self, rows: &[OwnedRow], offsets: &HashMap<i64, u64>) {
        for row in rows {
            let key = |v: &OwnedValue| match v {
                OwnedValue::Int64(k) => offsets.get(k).copied(),
                _ => None,
            };
            let (Some(src), Some(dst)) = (key(&row[0]), key(&row[1])) else {
                continue;
            };
            let mut f = vec![OwnedValue::UInt64(dst), row[1].clone()];
            f.extend(row[2..].iter().cloned());
            self.forward.entry(src).or_default().push(f);
            let mut b = vec![OwnedValue::UInt64(src), row[0].clone()];
            b.extend(row[2..].iter().cloned());
            self.backward.entry(dst).or_default().push(b);
            self.edges += 1;
        }
    }
}

/// Key -> node offset of persons `0..persons` imported in order.
pub fn offsets(persons: u64) -> HashMap<i64, u64> {
    (0..persons).map(|i| (person_key(i), i)).collect()
}

/// The rows of a record batch of `schema`.
pub fn record_rows(rb: &RecordBatch, schema: Arc<Schema>) -> TestResult<Vec<OwnedRow>> {
    let mut batch = Batch::new(schema, rb.num_rows().max(1), 64 << 10);
    batch.push_arrow(rb, 0)?;
    Ok(batch_rows(&batch))
}

pub fn neighbour_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("offset", DataType::UInt64),
        Field::new("key", DataType::Int64),
        Field::new("since", DataType::Timestamp),
        Field::new("weight", DataType::Double),
        Field::new("tag", DataType::String),
    ]))
}

/// Checks every node's neighbours both ways, the degree sums and the edge count against
/// `model`.
pub fn check_against_model(store: &Store, persons: u64, model: &Model) -> TestResult {
    assert_eq!(store.row_count("Knows")?, model.edges);
    let mut degrees = [0u64; 2];
    for node in 0..persons {
        for (d, dir, map) in [
            (0, Direction::Forward, &model.forward),
            (1, Direction::Backward, &model.backward),
        ] {
            let rb = store.neighbours("Knows", node, dir)?;
            let got = record_rows(&rb, neighbour_schema())?;
            let want = map.get(&node).cloned().unwrap_or_default();
            assert_eq!(got, want, "node {node} {dir:?}");
            degrees[d] += got.len() as u64;
        }
    }
    assert_eq!(degrees, [model.edges, model.edges]);
    Ok(())
}

/// Every edge of the table through the scan, sorted (the scan is in CSR order).
pub fn scanned_edges(store: &Store) -> TestResult<Vec<OwnedRow>> {
    let mut rows = Vec::new();
    for rb in store.scan_rel_table("Knows")? {
        rows.extend(record_rows(&rb?, knows_schema())?);
    }
    Ok(rows)
}
