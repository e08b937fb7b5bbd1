//! The primary-key index builds within its memory budget whatever the number of keys: peak
//! heap, counted by this test's own global allocator, stays under the budget plus a small
//! constant and is flat from 200 k to 2 M keys.
//!
//! `pk_index_speed` (ignored; run with `--release -- --ignored --nocapture`) prints build and
//! lookup rates for 5 M keys in memory and 25 M keys out of core.

mod counting_alloc;

use std::fs::File;
use std::io::BufWriter;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ruzu_csv::{Batch, DataType, Field, Schema, Value};
use ruzu_storage::{PkIndexBuilder, PkIndexReader};

#[global_allocator]
static ALLOCATOR: counting_alloc::Counting = counting_alloc::Counting;

const BATCH_ROWS: usize = 8192;

/// The benchmark's ids: a permutation of `0..n` spread over 13-digit numbers.
fn id(i: u64, n: u64) -> i64 {
    let p = (i.wrapping_mul(1_000_003)) % n;
    1_000_000_000_000 + 7919 * p as i64
}

/// CPU time of this thread so far (user + system, 10 ms resolution), from /proc: the machine
/// is shared, so wall time alone says little.
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of stat(5) are utime and stime; after the name they are at 11 and 12.
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i).and_then(|f| f.parse::<u64>().ok()))
        .sum();
    Duration::from_millis(ticks * 10)
}

/// What one build measured.
struct Measured {
    peak_heap_bytes: usize,
    insert_time: Duration,
    finish_time: Duration,
    cpu_time: Duration,
    spilled: bool,
    image: File,
    meta: ruzu_storage::IndexMeta,
}

/// Builds an index of `n` ids with `budget` bytes; the peak counts only what the build adds
/// on top of the (reused) input batch.
fn build(n: u64, budget: usize) -> Measured {
    let dir = tempfile::tempdir().expect("temp dir");
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64)]));
    let mut batch = Batch::new(schema, BATCH_ROWS, 1024);
    let mut rejects = Vec::with_capacity(BATCH_ROWS);
    let image = tempfile::tempfile().expect("image file");
    let mut out = BufWriter::with_capacity(64 * 1024, image);

    counting_alloc::reset_peak();
    let base = counting_alloc::current();
    let mut builder = PkIndexBuilder::new(DataType::Int64, budget, dir.path()).expect("builder");
    let mut insert_time = Duration::ZERO;
    let mut cpu_time = Duration::ZERO;
    let mut i = 0;
    while i < n {
        batch.clear();
        let rows = (n - i).min(BATCH_ROWS as u64);
        for r in 0..rows {
            batch
                .push_row(&[Value::Int64(id(i + r, n))], i + r + 2, 0)
                .expect("row matches schema");
        }
        i += rows;
        let (t, c) = (Instant::now(), thread_cpu());
        builder
            .insert_batch(batch.column(0), batch.lines(), &mut rejects)
            .expect("insert");
        insert_time += t.elapsed();
        cpu_time += thread_cpu() - c;
        assert!(rejects.is_empty());
    }
    let spilled = builder.is_spilling();
    let (t, c) = (Instant::now(), thread_cpu());
    let mut duplicates = 0;
    let meta = builder
        .finish(&mut out, &mut |_| duplicates += 1)
        .expect("finish");
    let finish_time = t.elapsed();
    cpu_time += thread_cpu() - c;
    let peak_heap_bytes = counting_alloc::peak() - base;
    assert_eq!(duplicates, 0);
    assert_eq!(meta.keys, n);
    let image = out.into_inner().expect("flush image");
    Measured {
        peak_heap_bytes,
        insert_time,
        finish_time,
        cpu_time,
        spilled,
        image,
        meta,
    }
}

#[test]
fn peak_heap_stays_within_budget_and_flat_from_200k_to_2m_keys() {
    const BUDGET: usize = 4 << 20;
    // One spill block (at most 1 MiB, here 16 KiB) and the overflow-area buffer (64 KiB)
    // may come on top of the budget; allow for them and the small bookkeeping.
    const MARGIN: usize = 512 << 10;
    let small = build(200_000, BUDGET);
    let large = build(2_000_000, BUDGET);
    assert!(small.spilled && large.spilled);
    eprintln!(
        "peak heap over the input batch: {} bytes for 200 k keys, {} bytes for 2 M keys",
        small.peak_heap_bytes, large.peak_heap_bytes
    );
    for m in [&small, &large] {
        assert!(
            m.peak_heap_bytes <= BUDGET + MARGIN,
            "peak {} over budget {BUDGET}",
            m.peak_heap_bytes
        );
    }
    let diff = large.peak_heap_bytes.abs_diff(small.peak_heap_bytes);
    assert!(
        diff <= BUDGET / 4,
        "peak not flat: {} vs {}",
        small.peak_heap_bytes,
        large.peak_heap_bytes
    );
    // The image read back from its file holds every key at its offset.
    let mut reader = PkIndexReader::open(&large.image, large.meta, 64).expect("open");
    for i in (0..2_000_000).step_by(9973) {
        let found = reader
            .lookup(&Value::Int64(id(i, 2_000_000)))
            .expect("lookup");
        assert_eq!(found, Some(i));
    }
}

#[test]
#[ignore = "speed measurement: run with --release -- --ignored --nocapture"]
fn pk_index_speed() {
    let report = |label: &str, n: u64, m: &Measured| {
        println!(
            "{label}: {n} keys, spilled {}, wall: insert {:.3} s + finish {:.3} s, \
             cpu {:.2} s ({:.1} M keys/cpu-s), peak heap {:.1} MiB, image {:.1} MiB",
            m.spilled,
            m.insert_time.as_secs_f64(),
            m.finish_time.as_secs_f64(),
            m.cpu_time.as_secs_f64(),
            n as f64 / m.cpu_time.as_secs_f64() / 1e6,
            m.peak_heap_bytes as f64 / (1 << 20) as f64,
            m.meta.image_bytes() as f64 / (1 << 20) as f64,
        );
    };
    let n = 5_000_000;
    let m = build(n, 512 << 20);
    report("in memory", n, &m);
    let m_ooc = build(n, 64 << 20);
    report("out of core", n, &m_ooc);

    // Lookups: batched through a cache that holds the whole image, then by partitions.
    let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64)]));
    let mut batch = Batch::new(schema, BATCH_ROWS, 1024);
    let pages = m.meta.pages as usize;
    let mut reader = PkIndexReader::open(&m.image, m.meta, pages).expect("open");
    let mut out = Vec::new();
    let mut lookup_time = Duration::ZERO;
    let mut found = 0u64;
    let probes = 2_000_000u64;
    let mut i = 0;
    while i < probes {
        batch.clear();
        for r in 0..BATCH_ROWS as u64 {
            let k = (i + r).wrapping_mul(2_654_435_761) % n;
            batch
                .push_row(&[Value::Int64(id(k, n))], 1, 0)
                .expect("row");
        }
        i += BATCH_ROWS as u64;
        let t = Instant::now();
        reader
            .lookup_batch(batch.column(0), &mut out)
            .expect("lookup");
        lookup_time += t.elapsed();
        found += out.iter().filter(|o| o.is_some()).count() as u64;
    }
    assert_eq!(found, i);
    println!(
        "lookup_batch (warm cache of {pages} pages): {:.1} M lookups/s",
        i as f64 / lookup_time.as_secs_f64() / 1e6
    );

    // Partitioned probes, as rel import does them: keys grouped by the top 6 hash bits.
    let bits = 6;
    let mut groups: Vec<Vec<i64>> = vec![Vec::new(); 1 << bits];
    for i in 0..probes {
        let k = id(i.wrapping_mul(2_654_435_761) % n, n);
        let h = ruzu_storage::key_hash(&Value::Int64(k)).expect("a key");
        groups[ruzu_storage::hash_partition(h, bits) as usize].push(k);
    }
    let mut part_time = Duration::ZERO;
    let mut found = 0u64;
    for (p, keys) in groups.iter().enumerate() {
        let schema = Arc::new(Schema::new(vec![Field::new("id", DataType::Int64)]));
        let mut batch = Batch::new(schema, keys.len(), 1024);
        for &k in keys {
            batch.push_row(&[Value::Int64(k)], 1, 0).expect("row");
        }
        let t = Instant::now();
        let part = reader.load_partition(bits, p as u32).expect("partition");
        part.lookup_batch(batch.column(0), &mut out)
            .expect("lookup");
        part_time += t.elapsed();
        found += out.iter().filter(|o| o.is_some()).count() as u64;
    }
    assert_eq!(found, probes);
    println!(
        "partitioned lookup_batch (2^{bits} partitions, loads included): {:.1} M lookups/s",
        probes as f64 / part_time.as_secs_f64() / 1e6
    );

    let n = 25_000_000;
    let m = build(n, 64 << 20);
    report("out of core", n, &m);
}
