//! SKIP and HEADER drop records before the data, and positions still count them.

mod common;

use common::{decode_all_ways, plain, s, strings};

#[test]
fn skip_then_header_are_dropped_and_lines_still_count() {
    let o = plain().with_skip_rows(2).with_header(true);
    let out = decode_all_ways(b"junk\n\"two\nlines\"\nc1,c2\na,b\n", &strings(2), &o);
    assert_eq!(out.values(), vec![vec![s("a"), s("b")]]);
    assert_eq!(out.lines(), vec![5]);
    assert_eq!(out.rows[0].1, 23);
}

#[test]
fn header_only_input_gives_no_rows() {
    let o = plain().with_header(true);
    let out = decode_all_ways(b"c1,c2\n", &strings(2), &o);
    assert!(out.rows.is_empty() && out.errors.is_empty());
}
