//! Bounded memory, measured with a counting global allocator: the heap peak of an import does
//! not grow with the input, nor with the number of rejected rows, and two imports at once
//! each stay within their own limit.
//!
//! Tests in this binary run one at a time (they share the allocator's counters).
#![expect(
    unsafe_code,
    reason = "a counting global allocator must implement the unsafe GlobalAlloc trait; it only \
              forwards to System"
)]

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{CountingSink, PersonCsv, person_schema};
use ruzu_copy::{CopyOptions, CopyReport, Import, Input};
use ruzu_csv::CsvOptions;

struct CountingAlloc;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
// `System`'s guarantees hold; the counters are plain atomics.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = CURRENT.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded unchanged; `ptr` came from this allocator with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        CURRENT.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `realloc`'s contract.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = CURRENT.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::Relaxed);
            } else {
                CURRENT.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `f` and returns its result with the heap peak above what was allocated before it.
fn heap_peak<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = CURRENT.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed) - base)
}

const LIMIT_BYTES: usize = 32 << 20;

fn options() -> CopyOptions {
    CopyOptions::default()
        .with_csv(CsvOptions::default().with_header(true))
        .with_memory_limit_bytes(LIMIT_BYTES)
        .with_decoder_threads(2)
}

fn import(input: PersonCsv, options: CopyOptions) -> (CopyReport, CountingSink) {
    let mut sink = CountingSink::default();
    let report = Import::new(
        "Person",
        person_schema(),
        vec![Input::reader(None, input)],
        options,
    )
    .run(&mut sink)
    .expect("import");
    (report, sink)
}

#[test]
fn heap_peak_is_under_the_limit_and_the_same_for_10_and_100_mb() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let ((small, small_sink), small_peak) =
        heap_peak(|| import(PersonCsv::of_bytes(10 << 20), options()));
    let ((large, large_sink), large_peak) =
        heap_peak(|| import(PersonCsv::of_bytes(100 << 20), options()));
    assert_eq!(small_sink.out_of_order + large_sink.out_of_order, 0);
    assert_eq!(large.rows_imported, large_sink.rows);
    assert_eq!(small.rows_imported, small_sink.rows);
    assert!(large.bytes_read >= 100 << 20);
    assert!(small.bytes_read >= 10 << 20 && small.bytes_read < 11 << 20);
    eprintln!(
        "heap peak: 10 MB input {small_peak} B (accounted {}), 100 MB input {large_peak} B \
         (accounted {}), limit {LIMIT_BYTES} B; {:.0} rows/s",
        small.peak_memory_bytes,
        large.peak_memory_bytes,
        large.rows_per_second()
    );
    for peak in [
        small_peak,
        large_peak,
        small.peak_memory_bytes,
        large.peak_memory_bytes,
    ] {
        assert!(
            peak < LIMIT_BYTES,
            "peak {peak} over the limit {LIMIT_BYTES}"
        );
    }
    let margin = LIMIT_BYTES / 10;
    assert!(
        large_peak.abs_diff(small_peak) < margin,
        "peak grew with the input: {small_peak} -> {large_peak}"
    );
}

#[test]
fn a_million_rejected_rows_keep_memory_flat() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let bad = |rows: u64| {
        // /dev/null takes the rejects file: every row is streamed out, nothing kept on disk.
        let options = options()
            .with_ignore_errors(true)
            .with_rejects_path(Some("/dev/null".into()));
        import(PersonCsv::new(rows).with_bad_every(1), options)
    };
    let ((few, _), few_peak) = heap_peak(|| bad(100_000));
    let ((many, _), many_peak) = heap_peak(|| bad(1_000_000));
    assert_eq!(many.rows_rejected, 1_000_000);
    assert_eq!(many.rows_imported, 0);
    assert_eq!(many.rejections.len(), ruzu_copy::DEFAULT_MAX_REJECTS_KEPT);
    assert_eq!(few.rows_rejected, 100_000);
    eprintln!("heap peak: 100k bad rows {few_peak} B, 1M bad rows {many_peak} B");
    assert!(many_peak < LIMIT_BYTES, "{many_peak}");
    assert!(
        many_peak.abs_diff(few_peak) < LIMIT_BYTES / 10,
        "memory grew with rejected rows: {few_peak} -> {many_peak}"
    );
}

#[test]
fn two_imports_at_once_each_stay_within_their_limit() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let (reports, peak) = heap_peak(|| {
        std::thread::scope(|s| {
            let a = s.spawn(|| import(PersonCsv::of_bytes(10 << 20), options()).0);
            let b = s.spawn(|| import(PersonCsv::of_bytes(10 << 20), options()).0);
            [a.join().expect("import a"), b.join().expect("import b")]
        })
    });
    for r in &reports {
        assert!(r.bytes_read >= 10 << 20);
        assert_eq!(r.rows_imported, reports[0].rows_imported);
        assert!(r.peak_memory_bytes < LIMIT_BYTES, "{}", r.peak_memory_bytes);
    }
    eprintln!("heap peak of two imports at once: {peak} B (limit {LIMIT_BYTES} B each)");
    assert!(peak < 2 * LIMIT_BYTES, "{peak}");
}
