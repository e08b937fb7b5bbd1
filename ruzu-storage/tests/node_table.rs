//! Node table data: batches written column by column in node groups read back value for
//! value, across groups, transactions, checkpoints and reopen; damage is detected.

mod common;

use std::sync::Arc;

use common::{reopen, small_pool};
use ruzu_csv::{Batch, DataType, Interval, Value};
use ruzu_storage::{
    ColumnDef, CrashMode, FaultyBackend, NodeTableReader, NodeTableWriter, Result, StorageError,
    Store, TableId,
};

fn all_types_columns() -> Vec<ColumnDef> {
    let mut cols = vec![ColumnDef::new("id", DataType::Int64)];
    cols.extend(
        DataType::ALL
            .iter()
            .map(|&t| ColumnDef::new(format!("c_{t}"), t)),
    );
    cols
}

/// A deterministic value of fixed-width type `t` for row `row`.
fn value_of(t: DataType, row: u64) -> Value<'static> {
    let r = row as i64;
    match t {
        DataType::Bool => Value::Bool(row.is_multiple_of(3)),
        DataType::Int8 => Value::Int8((r % 100) as i8 - 50),
        DataType::Int16 => Value::Int16((r as i16).wrapping_mul(-7)),
        DataType::Int32 => Value::Int32((r as i32).wrapping_mul(1001)),
        DataType::Int64 => Value::Int64(r.wrapping_mul(-1_000_000_007)),
        DataType::Int128 => Value::Int128(i128::from(r) << 70),
        DataType::UInt8 => Value::UInt8(row as u8),
        DataType::UInt16 => Value::UInt16((row as u16).wrapping_mul(3)),
        DataType::UInt32 => Value::UInt32(u32::MAX - row as u32),
        DataType::UInt64 => Value::UInt64(u64::MAX - row),
        DataType::Float => Value::Float(row as f32 * 0.5),
        DataType::Double => Value::Double(-(row as f64) / 3.0),
        DataType::Date => Value::Date(r as i32 - 10_000),
        DataType::Timestamp => Value::Timestamp(r.wrapping_mul(86_400_000_000)),
        DataType::Interval => Value::Interval(Interval {
            months: r as i32,
            days: -(r as i32),
            micros: r.wrapping_mul(1000),
        }),
        DataType::Uuid => Value::Uuid(u128::from(row).wrapping_mul(0x0123_4567_89AB_CDEF_u128)),
        _ => unreachable!("strings and blobs are built by the caller"),
    }
}

fn text(row: u64) -> String {
    match row % 4 {
        0 => String::new(),
        1 => format!("name-{row}"),
        2 => "héllo, \"wörld\"\n".repeat(row as usize % 7),
        _ => "x".repeat(row as usize * 13 % 300),
    }
}

/// A batch of rows `start..start + n` of the all-types table; every 5th row is NULL except
/// for the key.
fn batch(columns: &[ColumnDef], start: u64, n: u64) -> Batch {
    let schema = Arc::new(ruzu_csv::Schema::new(
        columns
            .iter()
            .map(|c| ruzu_csv::Field::new(c.name.clone(), c.data_type))
            .collect(),
    ));
    let mut b = Batch::new(schema, n as usize, 1 << 16);
    for row in start..start + n {
        let s = text(row);
        let blob: Vec<u8> = (0..row % 9).map(|i| i.wrapping_mul(row) as u8).collect();
        let values: Vec<Value<'_>> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    Value::Int64(row as i64)
                } else if row % 5 == 4 {
                    Value::Null
                } else {
                    match c.data_type {
                        DataType::String => Value::String(&s),
                        DataType::Blob => Value::Blob(&blob),
                        t => value_of(t, row),
                    }
                }
            })
            .collect();
        b.push_row(&values, row + 2, row * 100)
            .expect("row matches schema");
    }
    b
}

/// Checks that the table holds exactly rows `0..rows` as `batch` builds them.
fn check_rows(store: &Store, table: TableId, columns: &[ColumnDef], rows: u64) -> Result<()> {
    let reader = NodeTableReader::open(store, table)?;
    assert_eq!(reader.rows(), rows);
    let mut next = 0u64;
    for g in 0..reader.groups() {
        let group = reader.read_group(g)?;
        let expected = batch(columns, next, group.rows() as u64);
        for r in 0..group.rows() {
            for c in 0..columns.len() {
                assert_eq!(
                    group.value(r, c),
                    expected.value(r, c),
                    "row {} col {c}",
                    next + r as u64
                );
            }
        }
        next += group.rows() as u64;
    }
    assert_eq!(next, rows);
    Ok(())
}

fn all_types_store() -> Result<(FaultyBackend, Store, TableId, Vec<ColumnDef>)> {
    let backend = FaultyBackend::new();
    let mut store = Store::create_on(Box::new(backend.clone()), small_pool())?;
    let columns = all_types_columns();
    let mut txn = store.begin_write()?;
    let id = txn.create_node_table("T", columns.clone(), "id")?;
    txn.commit()?;
    Ok((backend, store, id, columns))
}

#[test]
fn all_types_round_trip_across_groups_transactions_and_reopen() -> Result<()> {
    let (backend, mut store, id, columns) = all_types_store()?;
    let mut txn = store.begin_write()?;
    let mut w = NodeTableWriter::with_group_rows(&txn, id, 7)?;
    for k in 0..3 {
        w.append(&mut txn, &batch(&columns, k * 10, 10))?;
    }
    // Four full groups: three written, the last one being encoded (counted as buffered).
    assert_eq!((w.rows_flushed(), w.rows_buffered()), (21, 9));
    w.flush(&mut txn)?;
    txn.commit()?;
    check_rows(&store, id, &columns, 30)?;

    // A second import appends to the same table.
    let mut txn = store.begin_write()?;
    let mut w = NodeTableWriter::with_group_rows(&txn, id, 16)?;
    w.append(&mut txn, &batch(&columns, 30, 25))?;
    w.append(&mut txn, &batch(&columns, 55, 1))?;
    w.flush(&mut txn)?;
    txn.commit()?;
    let reopened = reopen(backend.crash_image(CrashMode::LoseUnsynced))?;
    reopened.verify()?;
    check_rows(&reopened, id, &columns, 56)?;
    // A projection of two columns, in another order, reads the same values.
    let reader = NodeTableReader::open(&reopened, id)?;
    let picked = [13usize, 0];
    let mut next = 0u64;
    for g in 0..reader.groups() {
        let group = reader.read_group_columns(g, &picked)?;
        let expected = batch(&columns, next, group.rows() as u64);
        for r in 0..group.rows() {
            for (i, &c) in picked.iter().enumerate() {
                assert_eq!(group.value(r, i), expected.value(r, c));
            }
        }
        next += group.rows() as u64;
    }
    assert_eq!(next, 56);
    assert!(matches!(
        reader.read_group_columns(0, &[99]),
        Err(StorageError::OutOfBounds { .. })
    ));
    assert_eq!(NodeTableReader::open(&reopened, id)?.groups(), 5 + 2);
    Ok(())
}

#[test]
fn abort_and_checkpoint_bound_what_is_visible() -> Result<()> {
    let (_, mut store, id, columns) = all_types_store()?;
    let mut txn = store.begin_write()?;
    let mut w = NodeTableWriter::with_group_rows(&txn, id, 8)?;
    w.append(&mut txn, &batch(&columns, 0, 20))?;
    w.flush(&mut txn)?;
    txn.checkpoint()?;
    w.append(&mut txn, &batch(&columns, 20, 20))?;
    w.flush(&mut txn)?;
    txn.abort()?;
    check_rows(&store, id, &columns, 20)
}

#[test]
fn batch_with_other_columns_is_refused() -> Result<()> {
    let (_, mut store, id, _) = all_types_store()?;
    let mut txn = store.begin_write()?;
    let mut w = NodeTableWriter::new(&txn, id)?;
    let other = vec![ColumnDef::new("id", DataType::Int64)];
    assert!(matches!(
        w.append(&mut txn, &batch(&other, 0, 3)),
        Err(StorageError::InvalidTable { .. })
    ));
    Ok(())
}

#[test]
fn damaged_chunk_is_corrupt_not_a_panic() -> Result<()> {
    let (backend, mut store, id, columns) = all_types_store()?;
    let mut txn = store.begin_write()?;
    let mut w = NodeTableWriter::new(&txn, id)?;
    w.append(&mut txn, &batch(&columns, 0, 50))?;
    w.flush(&mut txn)?;
    txn.commit()?;
    let extent = store.table_storage(id).expect("storage").extents()[0];
    let image = backend.contents();
    let used = 4000.min(extent.byte_len() as usize);
    let mut detected = 0;
    for pos in (0..used).step_by(37) {
        let mut damaged = image.clone();
        damaged[extent.byte_offset() as usize + pos] ^= 0x20;
        let store = reopen(damaged)?;
        let reader = NodeTableReader::open(&store, id)?;
        match reader.read_group(0) {
            Err(StorageError::Corrupt { what, .. }) => {
                assert_eq!(what, "column chunk");
                detected += 1;
            }
            Ok(_) => {} // the byte was padding between chunks
            Err(e) => panic!("byte {pos}: unexpected {e}"),
        }
    }
    assert!(
        detected > used / 37 / 2,
        "only {detected} damaged bytes detected"
    );
    Ok(())
}

#[test]
fn writer_memory_stays_bounded_over_many_groups() -> Result<()> {
    let (_, mut store, id, columns) = all_types_store()?;
    let mut txn = store.begin_write()?;
    let mut w = NodeTableWriter::with_group_rows(&txn, id, 512)?;
    w.append(&mut txn, &batch(&columns, 0, 1200))?;
    // Two groups sent: one written, one being encoded, and 176 rows being filled.
    let steady = w.memory_bytes();
    for k in 2..12 {
        w.append(&mut txn, &batch(&columns, k * 600, 600))?;
        assert!(
            w.memory_bytes() <= 2 * steady,
            "batch {k}: {}",
            w.memory_bytes()
        );
    }
    w.flush(&mut txn)?;
    txn.commit()?;
    assert_eq!(NodeTableReader::open(&store, id)?.rows(), 12 * 600);
    Ok(())
}

#[test]
fn low_cardinality_strings_are_dictionary_encoded_and_read_back() -> Result<()> {
    let backend = FaultyBackend::new();
    let mut store = Store::create_on(Box::new(backend.clone()), small_pool())?;
    store.execute_ddl(
        &ruzu_copy::parse_ddl(
            "CREATE NODE TABLE P(id INT64, gender STRING, tag BLOB, PRIMARY KEY(id))",
        )
        .expect("valid DDL"),
    )?;
    let id = store.catalog().table("P").expect("table").id;
    let columns = store.catalog().table("P").expect("table").columns.clone();
    let schema = Arc::new(ruzu_csv::Schema::new(
        columns
            .iter()
            .map(|c| ruzu_csv::Field::new(c.name.clone(), c.data_type))
            .collect(),
    ));
    let genders = ["female", "male", "", "diverse"];
    let rows = 10_000usize;
    let expected = |r: usize| -> [Value<'static>; 3] {
        [
            Value::Int64(r as i64),
            if r.is_multiple_of(11) {
                Value::Null
            } else {
                Value::String(genders[r % 4])
            },
            Value::Blob(&b"\x00\x01\x02\xFF"[..r % 5]),
        ]
    };
    let mut txn = store.begin_write()?;
    let mut w = NodeTableWriter::new(&txn, id)?;
    let mut b = Batch::new(schema, 1000, 1 << 16);
    for r in 0..rows {
        b.push_row(&expected(r), r as u64 + 2, 0)
            .expect("row matches");
        if b.num_rows() == 1000 {
            w.append(&mut txn, &b)?;
            b.clear();
        }
    }
    w.flush(&mut txn)?;
    txn.commit()?;
    let pages: u64 = store
        .table_storage(id)
        .expect("storage")
        .extents()
        .iter()
        .map(|e| e.pages)
        .sum();
    // Plain would take 2 x (40 KB of offsets) + 63 KB of bytes + 80 KB of ids: 56 pages;
    // bit-packed ids (14 bits) and dictionary codes (2 and 3 bits) take about 24 KB.
    assert!(
        pages <= 7,
        "{pages} pages: strings were not dictionary encoded"
    );
    let reopened = reopen(backend.crash_image(CrashMode::LoseUnsynced))?;
    let reader = NodeTableReader::open(&reopened, id)?;
    let group = reader.read_group(0)?;
    assert_eq!(group.rows(), rows);
    for r in 0..rows {
        for (c, v) in expected(r).iter().enumerate() {
            assert_eq!(&group.value(r, c), v, "row {r} col {c}");
        }
    }
    // Every damaged byte of the dictionary chunks is caught.
    let extent = reopened.table_storage(id).expect("storage").extents()[0];
    let image = backend.contents();
    let mut detected = 0;
    for pos in (0..extent.byte_len() as usize).step_by(97) {
        let mut damaged = image.clone();
        damaged[extent.byte_offset() as usize + pos] ^= 0x04;
        let store = reopen(damaged)?;
        match NodeTableReader::open(&store, id)?.read_group(0) {
            Err(StorageError::Corrupt { .. }) => detected += 1,
            Ok(_) => {} // padding
            Err(e) => panic!("byte {pos}: unexpected {e}"),
        }
    }
    assert!(detected > 0);
    Ok(())
}
