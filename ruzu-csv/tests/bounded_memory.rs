//! Peak heap while decoding does not grow with the input: a 4 MB and a 40 MB input streamed from
//! a generator through a pool of batches peak at the same heap size, under a stated bound.

#![expect(
    unsafe_code,
    reason = "a counting global allocator that forwards to System"
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use ruzu_csv::{BatchPool, CsvOptions, DataType, Field, Reader, Schema};

/// Counts live heap bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

fn note_alloc(size: usize) {
    ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    let now = LIVE.fetch_add(size, Ordering::Relaxed) + size;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call is forwarded to `System` with the same arguments; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_alloc(layout.size());
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            note_alloc(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
        }
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The counters are global: tests that read them run one at a time.
static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Generates person-like rows on the fly, never holding more than one row.
struct Generator {
    remaining_bytes: usize,
    row: Vec<u8>,
    pos: usize,
    i: u64,
}

impl Generator {
    fn new(bytes: usize) -> Self {
        Generator {
            remaining_bytes: bytes,
            row: Vec::with_capacity(256),
            pos: 0,
            i: 0,
        }
    }
}

impl Read for Generator {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            if self.pos == self.row.len() {
                if self.remaining_bytes == 0 {
                    break;
                }
                use std::io::Write;
                self.row.clear();
                let i = self.i;
                self.i += 1;
                let bio = if i.is_multiple_of(10) {
                    "\"a \"\"quoted\"\", bio\nover two lines\""
                } else {
                    "plain bio text of some length for the row"
                };
                let _ = writeln!(
                    self.row,
                    "{},name{},last{},{},2000-01-{:02},ip{}.{},{}.{},{bio}",
                    1_000_000_000_000 + 7919 * i,
                    i % 500,
                    i % 1000,
                    if i.is_multiple_of(2) {
                        "male"
                    } else {
                        "female"
                    },
                    1 + i % 28,
                    i % 256,
                    i % 7,
                    i % 1000,
                    i % 997
                );
                self.pos = 0;
                self.remaining_bytes = self.remaining_bytes.saturating_sub(self.row.len());
            }
            let k = (buf.len() - n).min(self.row.len() - self.pos);
            buf[n..n + k].copy_from_slice(&self.row[self.pos..self.pos + k]);
            self.pos += k;
            n += k;
        }
        Ok(n)
    }
}

fn schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        Field::new("first", DataType::String),
        Field::new("last", DataType::String),
        Field::new("gender", DataType::String),
        Field::new("birthday", DataType::String),
        Field::new("ip", DataType::String),
        Field::new("score", DataType::Double),
        Field::new("bio", DataType::String),
    ]))
}

/// Decodes `bytes` of generated input; returns (rows, peak heap bytes during the decode).
fn peak_for(bytes: usize) -> (usize, usize) {
    let schema = schema();
    let options = CsvOptions::default()
        .with_auto_detect(false)
        .with_chunk_bytes(1 << 20)
        .with_batch_rows(4096);
    let pool = BatchPool::new(schema.clone(), 3, 4096, 1 << 20);
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let mut reader =
        Reader::new(Generator::new(bytes), schema, &options, None).expect("reader opens");
    let mut rows = 0;
    loop {
        let mut batch = pool.take().expect("pool is open");
        let more = reader
            .read_batch(&mut batch, &mut |e| panic!("unexpected row error {e}"))
            .expect("generated input reads");
        rows += batch.num_rows();
        pool.put(batch);
        if !more {
            break;
        }
    }
    (rows, PEAK.load(Ordering::Relaxed))
}

#[test]
fn peak_heap_does_not_grow_with_input_size() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (small_rows, small_peak) = peak_for(4 << 20);
    let (large_rows, large_peak) = peak_for(40 << 20);
    assert!(
        large_rows > 9 * small_rows,
        "{small_rows} vs {large_rows} rows"
    );
    // Bound: 3 batches (1 MiB arena + ~0.3 MiB columns each), one 1 MiB chunk plus carry,
    // decoder scratch (~0.3 MiB of field ranges): well under 12 MiB.
    let bound = 12 << 20;
    println!("peak heap: {small_peak} bytes for 4 MiB, {large_peak} bytes for 40 MiB");
    assert!(
        small_peak < bound,
        "small input peaked at {small_peak} bytes"
    );
    assert!(
        large_peak < bound,
        "large input peaked at {large_peak} bytes"
    );
    assert!(
        large_peak <= small_peak + small_peak / 20,
        "peak grew with the input: {small_peak} -> {large_peak} bytes"
    );
}

#[test]
fn steady_state_decoding_allocates_nothing_per_batch() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    use ruzu_csv::{Batch, Chunk, Decoder, Splitter};
    let schema = schema();
    let options = CsvOptions::default()
        .with_auto_detect(false)
        .with_chunk_bytes(256 << 10)
        .with_batch_rows(4096);
    let dialect = options.explicit_dialect();
    let mut splitter = Splitter::new(Generator::new(8 << 20), dialect, &options, None);
    let mut decoder = Decoder::new(schema.clone(), dialect, &options).expect("decoder");
    let mut chunk = Chunk::new();
    let mut batch = Batch::new(schema, 4096, 1 << 20);
    let mut per_batch = Vec::new();
    while splitter.next_chunk(&mut chunk).expect("read") {
        let before = ALLOCATIONS.load(Ordering::Relaxed);
        decoder
            .decode(&chunk, &mut batch, &mut |e| {
                panic!("unexpected row error {e}")
            })
            .expect("decode");
        per_batch.push(ALLOCATIONS.load(Ordering::Relaxed) - before);
    }
    assert!(per_batch.len() > 10);
    // The first batches size the reusable buffers; after that, decoding allocates nothing.
    assert!(per_batch[3..].iter().all(|&n| n == 0), "{per_batch:?}");
}
