//! Records longer than MAX_LINE_SIZE are row errors, skipped without being buffered.

mod common;

use common::{decode_all_ways, plain, s, strings};
use ruzu_csv::RowErrorKind;

#[test]
fn long_record_is_an_error_and_reading_resumes_after_it() {
    let o = plain().with_max_line_size_bytes(16);
    let long = format!("2,\"{}\n{}\"\n", "x".repeat(30), "y".repeat(30));
    let input = format!("1,a\n{long}3,c\n");
    let out = decode_all_ways(input.as_bytes(), &strings(2), &o);
    assert_eq!(
        out.values(),
        vec![vec![s("1"), s("a")], vec![s("3"), s("c")]]
    );
    assert_eq!(out.lines(), vec![1, 4]);
    assert_eq!(
        out.error_summary(),
        vec![(2, None, RowErrorKind::LineTooLong { limit_bytes: 16 })]
    );
    assert_eq!((out.errors[0].1, out.errors[0].2), (4, 1));
    assert_eq!(out.rows[1].1, 4 + long.len() as u64);
}

#[test]
fn long_last_record_without_terminator_is_an_error() {
    let o = plain().with_max_line_size_bytes(8);
    let out = decode_all_ways(b"a,b\nccccccccccccccccc,d", &strings(2), &o);
    assert_eq!(out.values(), vec![vec![s("a"), s("b")]]);
    assert_eq!(
        out.error_summary(),
        vec![(2, None, RowErrorKind::LineTooLong { limit_bytes: 8 })]
    );
}

#[test]
fn long_header_is_dropped_without_error() {
    let o = plain().with_max_line_size_bytes(8).with_header(true);
    let out = decode_all_ways(b"a_long_header,another\n1,2\n", &strings(2), &o);
    assert_eq!(out.values(), vec![vec![s("1"), s("2")]]);
    assert_eq!(out.lines(), vec![2]);
    assert!(out.errors.is_empty());
}
