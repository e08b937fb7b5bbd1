//! Behaviour of the whole index: both build paths, duplicates, NULLs, key types, corruption.

use std::sync::Arc;

use ruzu_csv::{Batch, DataType, Field, Schema, Value};

use super::*;

/// A budget that keeps every test table in memory.
const LARGE_BUDGET: usize = 256 << 20;
/// A budget that forces the out-of-core path for a few thousand keys.
const SMALL_BUDGET: usize = 96 << 10;

fn batch_of(data_type: DataType, keys: &[Value<'_>], first_line: u64) -> Batch {
    let schema = Arc::new(Schema::new(vec![Field::new("id", data_type)]));
    let mut batch = Batch::new(schema, keys.len(), 1024);
    for (i, key) in keys.iter().enumerate() {
        batch
            .push_row(std::slice::from_ref(key), first_line + i as u64, 0)
            .expect("key matches the schema");
    }
    batch
}

/// Everything one build produced.
struct Built {
    image: Vec<u8>,
    meta: IndexMeta,
    rejects: Vec<KeyReject>,
    duplicates: Vec<Duplicate>,
    spilled: bool,
}

/// Builds an index of `keys` (row `i` on line `i + 2`) in batches of `batch_rows`.
fn build(data_type: DataType, keys: &[Value<'_>], budget: usize, batch_rows: usize) -> Built {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut builder = PkIndexBuilder::new(data_type, budget, dir.path()).expect("key type");
    let mut rejects = Vec::new();
    for (b, chunk) in keys.chunks(batch_rows).enumerate() {
        let first_line = (b * batch_rows) as u64 + 2;
        let batch = batch_of(data_type, chunk, first_line);
        let mut batch_rejects = Vec::new();
        builder
            .insert_batch(batch.column(0), batch.lines(), &mut batch_rejects)
            .expect("insert");
        rejects.extend(batch_rejects.into_iter().map(|mut r| {
            r.row += b * batch_rows;
            r
        }));
    }
    let spilled = builder.is_spilling();
    let mut image = Vec::new();
    let (meta, duplicates) = builder.finish_to_vec(&mut image).expect("finish");
    Built {
        image,
        meta,
        rejects,
        duplicates,
        spilled,
    }
}

fn int_keys(n: i64) -> Vec<i64> {
    // A permutation of 0..n spread over a wide range, as the benchmark ids are.
    (0..n)
        .map(|i| 1_000_000_000_000 + 7919 * ((i * 1_000_003) % n))
        .collect()
}

fn lookups(built: &Built, keys: &[Value<'_>]) -> Vec<Option<u64>> {
    let mut reader = PkIndexReader::open(&built.image, built.meta, 8).expect("open");
    keys.iter()
        .map(|k| reader.lookup(k).expect("lookup"))
        .collect()
}

#[test]
fn every_key_is_found_at_its_row_offset_and_absent_keys_are_not() {
    let ids = int_keys(20_000);
    let keys: Vec<Value<'_>> = ids.iter().map(|&k| Value::Int64(k)).collect();
    let built = build(DataType::Int64, &keys, LARGE_BUDGET, 4096);
    assert!(!built.spilled);
    assert!(built.rejects.is_empty());
    assert_eq!(built.meta.keys, 20_000);
    let expected: Vec<Option<u64>> = (0..20_000).map(Some).collect();
    assert_eq!(lookups(&built, &keys), expected);
    let absent: Vec<Value<'_>> = [-1i64, 0, 999_999_999_999, 1_000_000_000_001, i64::MAX]
        .map(Value::Int64)
        .to_vec();
    assert_eq!(lookups(&built, &absent), vec![None; absent.len()]);
}

#[test]
fn out_of_core_path_writes_the_same_image_as_the_memory_path() {
    let ids = int_keys(30_000);
    let keys: Vec<Value<'_>> = ids.iter().map(|&k| Value::Int64(k)).collect();
    let memory = build(DataType::Int64, &keys, LARGE_BUDGET, 1000);
    let spilled = build(DataType::Int64, &keys, SMALL_BUDGET, 1000);
    assert!(!memory.spilled && spilled.spilled);
    assert_eq!(memory.meta, spilled.meta);
    assert!(memory.image == spilled.image, "images differ");
    assert_eq!(lookups(&spilled, &keys), lookups(&memory, &keys));
}

#[test]
fn string_keys_round_trip_through_both_paths() {
    let mut texts: Vec<String> = (0..6000).map(|i| format!("person-{i:x}")).collect();
    texts.push(String::new());
    texts.push("é".repeat(200)); // 400 bytes: in the overflow area
    texts.push("x".repeat(INLINE_KEY_MAX_BYTES));
    texts.push("y".repeat(INLINE_KEY_MAX_BYTES + 1));
    texts.push("z".repeat(40_000)); // longer than a spill block
    let keys: Vec<Value<'_>> = texts.iter().map(|s| Value::String(s)).collect();
    let memory = build(DataType::String, &keys, LARGE_BUDGET, 700);
    let spilled = build(DataType::String, &keys, SMALL_BUDGET, 700);
    assert!(!memory.spilled && spilled.spilled);
    assert!(memory.image == spilled.image, "images differ");
    let expected: Vec<Option<u64>> = (0..keys.len() as u64).map(Some).collect();
    assert_eq!(lookups(&memory, &keys), expected);
    assert_eq!(lookups(&spilled, &keys), expected);
    let absent = ["person-", "x", &"z".repeat(39_999), &"é".repeat(199)];
    let absent: Vec<Value<'_>> = absent.iter().map(|s| Value::String(s)).collect();
    assert_eq!(lookups(&memory, &absent), vec![None; absent.len()]);
}

#[test]
fn memory_path_reports_duplicates_at_insert_with_both_lines() {
    let keys = [5i64, 6, 5, 7, 6, 5].map(Value::Int64);
    let built = build(DataType::Int64, &keys, LARGE_BUDGET, 4);
    let dup = |row: usize, key: &str, first_line: u64| KeyReject {
        row,
        line: row as u64 + 2,
        kind: RejectKind::Duplicate {
            key: key.into(),
            first_line,
        },
    };
    assert_eq!(
        built.rejects,
        vec![dup(2, "5", 2), dup(4, "6", 3), dup(5, "5", 2)]
    );
    assert!(built.duplicates.is_empty());
    // The first occurrences keep offsets 0, 1; key 7 is the third accepted row.
    let probe = [5i64, 6, 7].map(Value::Int64);
    assert_eq!(lookups(&built, &probe), vec![Some(0), Some(1), Some(2)]);
}

#[test]
fn out_of_core_path_reports_duplicates_at_finish_with_both_lines() {
    let mut ids = int_keys(8000);
    ids.extend([ids[10], ids[7000], ids[10]]);
    let keys: Vec<Value<'_>> = ids.iter().map(|&k| Value::Int64(k)).collect();
    let built = build(DataType::Int64, &keys, SMALL_BUDGET, 1000);
    assert!(built.spilled);
    assert!(built.rejects.is_empty());
    let mut found: Vec<(u64, u64, u64)> = built
        .duplicates
        .iter()
        .map(|d| (d.first_line, d.dup_line, d.dup_offset))
        .collect();
    found.sort_unstable();
    assert_eq!(
        found,
        vec![(12, 8002, 8000), (12, 8004, 8002), (7002, 8003, 8001)]
    );
    let key_text = ids[10].to_string();
    assert!(built.duplicates.iter().any(|d| *d.key == *key_text));
    assert_eq!(built.meta.keys, 8000);
    assert_eq!(lookups(&built, &keys[10..11]), vec![Some(10)]);
}

#[test]
fn null_keys_are_refused_and_take_no_offset() {
    for budget in [LARGE_BUDGET, SMALL_BUDGET] {
        let mut keys = vec![Value::Int64(1), Value::Null, Value::Int64(2)];
        keys.extend((10..5000).map(Value::Int64));
        let built = build(DataType::Int64, &keys, budget, 2000);
        let nulls: Vec<(usize, u64)> = built
            .rejects
            .iter()
            .filter(|r| r.kind == RejectKind::NullKey)
            .map(|r| (r.row, r.line))
            .collect();
        assert_eq!(nulls, vec![(1, 3)]);
        let probe = [1i64, 2, 10].map(Value::Int64);
        assert_eq!(lookups(&built, &probe), vec![Some(0), Some(1), Some(2)]);
    }
}

#[test]
fn tiny_budget_splits_runs_recursively_and_stays_correct() {
    let ids = int_keys(60_000);
    let keys: Vec<Value<'_>> = ids.iter().map(|&k| Value::Int64(k)).collect();
    // Two spill runs of ~30 000 keys, each far larger than the table budget.
    let built = build(DataType::Int64, &keys, 140 << 10, 5000);
    assert!(built.spilled);
    let expected: Vec<Option<u64>> = (0..60_000).map(Some).collect();
    assert_eq!(lookups(&built, &keys), expected);
    let memory = build(DataType::Int64, &keys, LARGE_BUDGET, 5000);
    assert!(memory.image == built.image, "images differ");
}

#[test]
fn fixed_width_key_types_round_trip() {
    let cases: Vec<(DataType, Vec<Value<'static>>)> = vec![
        (
            DataType::Int32,
            vec![Value::Int32(-1), Value::Int32(0), Value::Int32(i32::MAX)],
        ),
        (
            DataType::UInt64,
            vec![Value::UInt64(u64::MAX), Value::UInt64(0)],
        ),
        (DataType::Date, vec![Value::Date(0), Value::Date(-719_162)]),
        (
            DataType::Timestamp,
            vec![Value::Timestamp(1), Value::Timestamp(-1)],
        ),
        (
            DataType::Int128,
            vec![Value::Int128(i128::MIN), Value::Int128(1)],
        ),
        (
            DataType::Uuid,
            vec![Value::Uuid(u128::MAX), Value::Uuid(42)],
        ),
        (
            DataType::Blob,
            vec![Value::Blob(b"\0\xff"), Value::Blob(b"")],
        ),
    ];
    for (data_type, keys) in cases {
        let built = build(data_type, &keys, LARGE_BUDGET, 16);
        let expected: Vec<Option<u64>> = (0..keys.len() as u64).map(Some).collect();
        assert_eq!(lookups(&built, &keys), expected, "{data_type}");
    }
    let dir = tempfile::tempdir().expect("temp dir");
    assert!(matches!(
        PkIndexBuilder::new(DataType::Double, 1 << 20, dir.path()),
        Err(PkIndexError::UnsupportedKeyType { .. })
    ));
}

#[test]
fn keys_of_another_type_are_an_error() {
    let built = build(DataType::Int64, &[Value::Int64(1)], LARGE_BUDGET, 16);
    let mut reader = PkIndexReader::open(&built.image, built.meta, 1).expect("open");
    assert!(matches!(
        reader.lookup(&Value::Int32(1)),
        Err(PkIndexError::KeyTypeMismatch { .. })
    ));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut builder = PkIndexBuilder::new(DataType::Int64, 1 << 20, dir.path()).expect("new");
    let batch = batch_of(DataType::String, &[Value::String("a")], 1);
    let err = builder.insert_batch(batch.column(0), batch.lines(), &mut Vec::new());
    assert!(matches!(err, Err(PkIndexError::KeyTypeMismatch { .. })));
}

#[test]
fn corrupted_page_is_detected_by_checksum() {
    let ids = int_keys(3000);
    let keys: Vec<Value<'_>> = ids.iter().map(|&k| Value::Int64(k)).collect();
    let mut built = build(DataType::Int64, &keys, LARGE_BUDGET, 1000);
    let page = 1;
    built.image[page * PAGE_SIZE_BYTES + 100] ^= 0x10;
    let mut reader = PkIndexReader::open(&built.image, built.meta, 4).expect("open");
    let mut errors = 0;
    for key in &keys {
        match reader.lookup(key) {
            Err(PkIndexError::CorruptPage { page: 1, .. }) => errors += 1,
            Err(e) => panic!("unexpected error {e}"),
            Ok(found) => assert!(found.is_some()),
        }
    }
    assert!(errors > 0, "no lookup read the damaged page");
    assert!(matches!(
        reader.load_partition(0, 0),
        Err(PkIndexError::CorruptPage { page: 1, .. })
    ));
}

#[test]
fn corrupted_overflow_key_is_detected_by_checksum() {
    let long = "k".repeat(1000);
    let keys = [Value::String(&long)];
    let mut built = build(DataType::String, &keys, LARGE_BUDGET, 16);
    let at = built.meta.overflow_start() as usize + 10;
    built.image[at] ^= 1;
    let mut reader = PkIndexReader::open(&built.image, built.meta, 4).expect("open");
    assert!(matches!(
        reader.lookup(&keys[0]),
        Err(PkIndexError::CorruptOverflow { position: 0 })
    ));
}

#[test]
fn batched_and_partitioned_lookups_agree_with_single_lookups() {
    let ids = int_keys(10_000);
    let mut probe: Vec<Value<'_>> = ids.iter().step_by(3).map(|&k| Value::Int64(k)).collect();
    probe.extend([Value::Null, Value::Int64(-5)]);
    let keys: Vec<Value<'_>> = ids.iter().map(|&k| Value::Int64(k)).collect();
    let built = build(DataType::Int64, &keys, LARGE_BUDGET, 4096);
    let single = lookups(&built, &probe);
    let batch = batch_of(DataType::Int64, &probe, 1);
    let mut reader = PkIndexReader::open(&built.image, built.meta, 2).expect("open");
    let mut out = Vec::new();
    reader
        .lookup_batch(batch.column(0), &mut out)
        .expect("lookup batch");
    assert_eq!(out, single);

    let bits = 3;
    let mut merged = vec![None; probe.len()];
    for p in 0..1u32 << bits {
        let part = reader.load_partition(bits, p).expect("partition");
        part.lookup_batch(batch.column(0), &mut out).expect("probe");
        for (i, found) in out.iter().enumerate() {
            let mine = key_hash(&probe[i]).is_some_and(|h| hash_partition(h, bits) == p);
            if mine {
                merged[i] = *found;
            } else if let Some(offset) = found {
                // A neighbouring partition's key that happens to share a page.
                assert_eq!(Some(*offset), single[i]);
            }
        }
    }
    assert_eq!(merged, single);
}

#[test]
fn expected_keys_beyond_the_budget_spill_from_the_first_batch() {
    let dir = tempfile::tempdir().expect("temp dir");
    let builder = PkIndexBuilder::new(DataType::Int64, SMALL_BUDGET, dir.path())
        .and_then(|b| b.with_expected_keys(10_000_000))
        .expect("builder");
    assert!(builder.is_spilling());
    let dir = tempfile::tempdir().expect("temp dir");
    let mut builder = PkIndexBuilder::new(DataType::Int64, LARGE_BUDGET, dir.path())
        .and_then(|b| b.with_expected_keys(1000))
        .expect("builder");
    assert!(!builder.is_spilling());
    let keys = [3i64, 1, 2].map(Value::Int64);
    let batch = batch_of(DataType::Int64, &keys, 1);
    let accepted = builder
        .insert_batch(batch.column(0), batch.lines(), &mut Vec::new())
        .expect("insert");
    assert_eq!((accepted, builder.next_offset()), (3, 3));
}

/// Many duplicates, through both paths, against a plain model: which rows are duplicates of
/// which line, and which offset each key keeps.
#[test]
fn both_paths_agree_with_a_model_on_many_duplicates() {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let texts: Vec<String> = (0..6000).map(|_| format!("k{}", next() % 2500)).collect();
    let keys: Vec<Value<'_>> = texts.iter().map(|s| Value::String(s)).collect();

    // Model: first line of each key, its offset on each path, and every duplicate pair.
    let mut first: std::collections::HashMap<&str, (u64, u64, u64)> = Default::default();
    let mut model_dups = Vec::new();
    for (row, text) in texts.iter().enumerate() {
        let line = row as u64 + 2;
        let distinct = first.len() as u64;
        match first.get(text.as_str()) {
            Some(&(first_line, _, _)) => model_dups.push((first_line, line)),
            None => {
                first.insert(text, (line, distinct, row as u64));
            }
        }
    }
    model_dups.sort_unstable();

    let memory = build(DataType::String, &keys, LARGE_BUDGET, 512);
    let spilled = build(DataType::String, &keys, SMALL_BUDGET, 512);
    assert!(!memory.spilled && spilled.spilled);

    let mut memory_dups: Vec<(u64, u64)> = memory
        .rejects
        .iter()
        .map(|r| match &r.kind {
            RejectKind::Duplicate { first_line, .. } => (*first_line, r.line),
            RejectKind::NullKey => panic!("no NULL keys here"),
        })
        .collect();
    memory_dups.sort_unstable();
    assert_eq!(memory_dups, model_dups);

    // The spill path gave every row an offset (its row index); the memory phase before the
    // switch refused some duplicates at insert, the rest come from finish.
    let mut spilled_dups: Vec<(u64, u64)> = spilled
        .duplicates
        .iter()
        .map(|d| (d.first_line, d.dup_line))
        .chain(spilled.rejects.iter().map(|r| match &r.kind {
            RejectKind::Duplicate { first_line, .. } => (*first_line, r.line),
            RejectKind::NullKey => panic!("no NULL keys here"),
        }))
        .collect();
    spilled_dups.sort_unstable();
    assert_eq!(spilled_dups, model_dups);

    let probe: Vec<Value<'_>> = first.keys().map(|s| Value::String(s)).collect();
    let memory_found = lookups(&memory, &probe);
    for (key, found) in probe.iter().zip(&memory_found) {
        let Value::String(s) = key else {
            unreachable!()
        };
        assert_eq!(*found, Some(first[s].1), "memory path, key {s}");
    }
    // On the spill path, offsets count every row except duplicates refused at insert.
    let refused_before = |row: u64| {
        spilled
            .rejects
            .iter()
            .filter(|r| (r.line - 2) < row)
            .count() as u64
    };
    let spilled_found = lookups(&spilled, &probe);
    for (key, found) in probe.iter().zip(&spilled_found) {
        let Value::String(s) = key else {
            unreachable!()
        };
        let row = first[s].2;
        assert_eq!(
            *found,
            Some(row - refused_before(row)),
            "spill path, key {s}"
        );
    }
}
