//! A whole `COPY` into a node table (driver, decoders, `NodeTableSink`, primary-key index,
//! commit) stays in the same heap whatever the input size: person-shaped files of ~20 MB and
//! ~200 MB, imported with the same `MEMORY_LIMIT`, peak at the same heap within a small margin,
//! and under the limit. Peak heap is counted by this test binary's own global allocator.

mod counting_alloc;

use std::io::{self, Read};
use std::sync::Arc;

use ruzu_copy::{CopyOptions, Import, Input};
use ruzu_csv::{DataType, Field, Schema, Value};
use ruzu_storage::{NodeTableSink, Store};

#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;

/// The smallest limit the driver accepts: small enough that the index spills in both runs.
const MEMORY_LIMIT_BYTES: usize = 8 << 20;

const DDL: &str = "CREATE NODE TABLE Person(id INT64, first_name STRING, last_name STRING, \
    birthday DATE, creation_date TIMESTAMP, email STRING, score DOUBLE, bio STRING, \
    PRIMARY KEY(id))";

fn schema() -> Arc<Schema> {
    let s = |n| Field::new(n, DataType::String);
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        s("first_name"),
        s("last_name"),
        Field::new("birthday", DataType::Date),
        Field::new("creation_date", DataType::Timestamp),
        s("email"),
        Field::new("score", DataType::Double),
        s("bio"),
    ]))
}

/// The id of row `i`: a permutation of `0..n` (n < 2^40) spread over 13-digit numbers, so
/// keys arrive out of order as in the benchmark data.
fn id(i: u64) -> i64 {
    // 1_099_511_627_791 is prime > 2^40; multiplying by a unit mod p permutes the residues.
    const P: u128 = 1_099_511_627_791;
    (1_000_000_000_000 + ((u128::from(i) * 7919) % P) as u64) as i64
}

/// Streams `rows` person-shaped CSV rows (~190 bytes each) without storing them.
struct People {
    rows: u64,
    next: u64,
    line: Vec<u8>,
    pos: usize,
}

impl People {
    fn new(rows: u64) -> Self {
        let mut line = Vec::new();
        line.extend_from_slice(b"id,first_name,last_name,birthday,creation_date,email,score,bio\n");
        People {
            rows,
            next: 0,
            line,
            pos: 0,
        }
    }

    fn fill(&mut self) {
        use std::io::Write;
        self.line.clear();
        self.pos = 0;
        let i = self.next;
        self.next += 1;
        let words = [
            "graph",
            "column",
            "page",
            "\"quoted\"",
            "stream",
            "batch",
            "index",
        ];
        let bio: Vec<&str> = (0..(i % 9))
            .map(|k| words[((i + k) % 7) as usize])
            .collect();
        let bio = bio.join(" ");
        let bio = if bio.contains('"') {
            format!("\"{}\"", bio.replace('"', "\"\""))
        } else {
            bio
        };
        writeln!(
            self.line,
            "{},Name{},Family{},19{:02}-{:02}-{:02},20{:02}-{:02}-{:02} {:02}:{:02}:{:02},\
             name{}.family{}@mail.example,{}.{:03},{} and some more words to fill the row",
            id(i),
            i % 500,
            i % 1000,
            50 + i % 50,
            1 + i % 12,
            1 + i % 28,
            10 + i % 15,
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60,
            (i * 7) % 60,
            i % 500,
            i % 1000,
            i % 1000,
            i % 997,
            bio
        )
        .expect("writing to a Vec cannot fail");
    }
}

impl Read for People {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.line.len() {
            if self.next == self.rows {
                return Ok(0);
            }
            self.fill();
        }
        let n = buf.len().min(self.line.len() - self.pos);
        buf[..n].copy_from_slice(&self.line[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Imports `rows` generated persons into a new database; returns the peak heap of the import
/// and the bytes of CSV read.
fn import_peak(rows: u64) -> Result<(usize, u64), Box<dyn std::error::Error + Send + Sync>> {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let mut store = Store::create(dir.path())?;
    store.execute_ddl(&ruzu_copy::parse_ddl(DDL).expect("valid DDL"))?;
    counting_alloc::reset_peak();
    let before = counting_alloc::current();
    let options = CopyOptions::default().with_memory_limit_bytes(MEMORY_LIMIT_BYTES);
    let report = {
        let mut sink = NodeTableSink::new(&mut store, "Person").with_spill_dir(spill.path());
        let input = Input::reader(None, People::new(rows));
        Import::new("Person", schema(), vec![input], options).run(&mut sink)?
    };
    let peak = counting_alloc::peak() - before;
    assert_eq!(report.rows_imported, rows);
    assert_eq!(store.row_count("Person")?, rows);
    for i in [0, rows / 2, rows - 1] {
        assert!(
            store.lookup("Person", &Value::Int64(id(i)))?.is_some(),
            "row {i}"
        );
    }
    Ok((peak, report.bytes_read))
}

#[test]
fn node_import_heap_is_the_same_for_20_mb_and_200_mb()
-> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (small, small_bytes) = import_peak(120_000)?;
    let (large, large_bytes) = import_peak(1_200_000)?;
    eprintln!(
        "peak heap: {small} bytes for {small_bytes} CSV bytes, {large} bytes for {large_bytes}"
    );
    assert!(
        large_bytes > 9 * small_bytes,
        "the second input is ten times the first"
    );
    assert!(large_bytes > 190_000_000, "{large_bytes} bytes of CSV");
    // Flat: ten times the input may not add more than 10 % to the peak heap.
    assert!(large <= small + small / 10, "{small} -> {large} bytes");
    // Bounded: the whole import stays under its limit (plus the store's own small state).
    assert!(large <= MEMORY_LIMIT_BYTES + (4 << 20), "{large} bytes");
    Ok(())
}
