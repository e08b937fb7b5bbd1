//! AUTO_DETECT: delimiter, quote, escape and header from a sample.

mod common;

use common::{decode_all_ways, s, schema, strings};
use ruzu_csv::{CsvOptions, DataType, Dialect, Schema, sniff};

fn sniffed(sample: &[u8], sc: &Schema) -> Dialect {
    sniff(sample, &CsvOptions::default(), sc).expect("sniff")
}

#[test]
fn delimiter_is_sniffed_among_candidates() {
    assert_eq!(
        sniffed(b"abc\tdef\n\nghi\tjkl\n", &strings(2)).delimiter,
        b'\t'
    );
    assert_eq!(sniffed(b"a;b;c\nd;e;f\n", &strings(3)).delimiter, b';');
    assert_eq!(sniffed(b"a|b\nc|d\n", &strings(2)).delimiter, b'|');
    assert_eq!(sniffed(b"a,b\nc,d\n", &strings(2)).delimiter, b',');
}

#[test]
fn single_quote_and_backslash_escape_are_sniffed() {
    let d = sniffed(b"1;'a;b'\n2;'c;d'\n", &strings(2));
    assert_eq!((d.delimiter, d.quote), (b';', b'\''));
    let d = sniffed(b"1;\"114\\\"514\"\n2;\"x\"\n", &strings(2));
    assert_eq!((d.delimiter, d.quote, d.escape), (b';', b'"', b'\\'));
    let d = sniffed(b"1;\"114\"\"514\"\n2;\"x\"\n", &strings(2));
    assert_eq!(d.escape, b'"');
}

#[test]
fn header_is_sniffed_from_names_or_types() {
    let sc = schema(&[("id", DataType::Int64), ("name", DataType::String)]);
    assert!(sniffed(b"ID,Name\n1,a\n", &sc).header);
    assert!(sniffed(b"key,label\n1,a\n2,b\n", &sc).header);
    assert!(!sniffed(b"1,a\n2,b\n", &sc).header);
    assert!(!sniffed(b"a,b\nc,d\n", &strings(2)).header);
}

#[test]
fn user_settings_win_over_sniffing() {
    let o = CsvOptions::default()
        .with_delimiter(b',')
        .with_header(false);
    let d = sniff(b"id|name\n1|a\n", &o, &strings(1)).expect("sniff");
    assert_eq!((d.delimiter, d.header), (b',', false));
}

#[test]
fn reader_with_default_options_imports_a_file_with_header() {
    let sc = schema(&[("id", DataType::Int64), ("name", DataType::String)]);
    let out = decode_all_ways(b"id|name\n1|\"a|b\"\n2|c\n", &sc, &CsvOptions::default());
    assert_eq!(
        out.values(),
        vec![
            vec!["1".to_string(), s("a|b")],
            vec!["2".to_string(), s("c")]
        ]
    );
    assert_eq!(out.lines(), vec![2, 3]);
}
