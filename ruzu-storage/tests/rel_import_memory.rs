//! A whole `COPY Knows` (driver, decoders, `RelTableSink`: endpoint resolution, spill runs,
//! external sort, CSR groups, commit) stays in the same heap whatever the input size:
//! knows-shaped files of ~20 MB and ~200 MB over the same persons, imported with the same
//! `MEMORY_LIMIT`, peak at the same heap within a small margin, and under the limit; the
//! persons' index does not fit, so the out-of-core endpoint join runs. Peak heap
//! is counted by this test binary's own global allocator.

mod counting_alloc;
mod rel_support;

use std::io::{self, Read};

use rel_support::{Rng, TestResult, import_persons, knows_schema, person_key, setup_graph};
use ruzu_copy::{CopyOptions, Import, Input};
use ruzu_storage::{Direction, RelTableSink, Store};

#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;

/// The smallest limit the driver accepts: runs spill and hub groups sort out of core.
const MEMORY_LIMIT_BYTES: usize = 8 << 20;
/// Enough persons that neither their index image nor their key table (about 15 bytes a key)
/// fits the sink's index budget at this limit (3 MiB): the edges take the out-of-core endpoint
/// join (late rejects path).
const PERSONS: u64 = 300_000;

/// Streams `rows` knows-shaped CSV rows (~100 bytes each) without storing them: a tenth of
/// the sources among ten hubs, destinations uniform.
struct Knows {
    rows: u64,
    next: u64,
    rng: Rng,
    line: Vec<u8>,
    pos: usize,
}

impl Knows {
    fn new(rows: u64) -> Self {
        Knows {
            rows,
            next: 0,
            rng: Rng(17),
            line: b"from,to,since,weight,tag\n".to_vec(),
            pos: 0,
        }
    }

    fn fill(&mut self) {
        use std::io::Write;
        self.line.clear();
        self.pos = 0;
        let i = self.next;
        self.next += 1;
        let from = if self.rng.below(10) == 0 {
            self.rng.below(10)
        } else {
            self.rng.below(PERSONS)
        };
        let to = self.rng.below(PERSONS);
        let tag_len = 10 + (i % 41) as usize;
        let tag: String = "knows-tag-abcdefghijklmnopqrstuvwxyz-0123456789"
            .chars()
            .cycle()
            .skip((i % 7) as usize)
            .take(tag_len)
            .collect();
        writeln!(
            self.line,
            "{},{},20{:02}-{:02}-{:02} {:02}:{:02}:{:02},0.{:06},{tag}",
            person_key(from),
            person_key(to),
            10 + i % 15,
            1 + i % 12,
            1 + i % 28,
            i % 24,
            i % 60,
            (i * 7) % 60,
            self.rng.below(1_000_000),
        )
        .expect("writing to a Vec cannot fail");
    }
}

impl Read for Knows {
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

/// Imports `rows` generated edges into a new database of `PERSONS` persons; returns the peak
/// heap of the edge import and the bytes of CSV read.
fn import_peak(rows: u64) -> TestResult<(usize, u64)> {
    let dir = tempfile::tempdir()?;
    let spill = tempfile::tempdir()?;
    let mut store = Store::create(dir.path())?;
    setup_graph(&mut store, 0)?;
    import_persons(&mut store, 0..PERSONS)?;
    counting_alloc::reset_peak();
    let before = counting_alloc::current();
    let options = CopyOptions::default().with_memory_limit_bytes(MEMORY_LIMIT_BYTES);
    let report = {
        let mut sink = RelTableSink::new(&mut store, "Knows").with_spill_dir(spill.path());
        let input = Input::reader(None, Knows::new(rows));
        let report = Import::new("Knows", knows_schema(), vec![input], options).run(&mut sink)?;
        let stats = sink.stats().expect("begun");
        assert!(stats.resolved_late && stats.spilled, "{stats:?}");
        report
    };
    let peak = counting_alloc::peak() - before;
    assert_eq!(report.rows_imported, rows);
    assert_eq!(store.row_count("Knows")?, rows);
    let hub = store.neighbours("Knows", 3, Direction::Forward)?.num_rows() as u64;
    assert!(hub > rows / 200, "hub 3 has {hub} edges");
    Ok((peak, report.bytes_read))
}

#[test]
fn rel_import_heap_is_the_same_for_20_mb_and_200_mb() -> TestResult {
    let (small, small_bytes) = import_peak(220_000)?;
    let (large, large_bytes) = import_peak(2_200_000)?;
    eprintln!(
        "peak heap: {small} bytes for {small_bytes} CSV bytes, {large} bytes for {large_bytes}"
    );
    assert!(large_bytes > 9 * small_bytes, "ten times the input");
    assert!(large_bytes > 190_000_000, "{large_bytes} bytes of CSV");
    // Flat: ten times the input may not add more than 10 % to the peak heap.
    assert!(large <= small + small / 10, "{small} -> {large} bytes");
    // Bounded: the whole import stays under its limit (plus the store's own small state).
    assert!(large <= MEMORY_LIMIT_BYTES + (4 << 20), "{large} bytes");
    Ok(())
}
