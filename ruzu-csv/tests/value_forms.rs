//! Value spellings Kùzu 0.11.3 imports, decoded through the whole reader.

mod common;

use common::{decode_all_ways, plain, schema};
use ruzu_csv::DataType;

#[test]
fn blob_text_with_raw_non_ascii_bytes_keeps_the_utf8_bytes() {
    let sc = schema(&[("id", DataType::Int64), ("b", DataType::Blob)]);
    let out = decode_all_ways("1,ü\n2,a\\xC3\\xBCb\n".as_bytes(), &sc, &plain());
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        out.values(),
        vec![
            vec!["1".to_string(), "Blob([195, 188])".to_string()],
            vec!["2".to_string(), "Blob([97, 195, 188, 98])".to_string()],
        ]
    );
}

#[test]
fn timestamp_with_a_bare_dot_after_the_seconds_reads_as_whole_seconds() {
    let sc = schema(&[("id", DataType::Int64), ("t", DataType::Timestamp)]);
    let out = decode_all_ways(
        b"1,2020-01-01 12:00:00.\n2,2020-01-01 12:00:00\n",
        &sc,
        &plain(),
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    let values = out.values();
    assert_eq!(values[0][1], values[1][1]);
    assert_eq!(values[0][1], "Timestamp(1577880000000000)");
}
