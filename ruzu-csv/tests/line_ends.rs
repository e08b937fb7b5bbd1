//! Line ends, BOM, blank lines, trailing delimiters and line numbers.

mod common;

use common::{decode_all_ways, plain, s, strings};

#[test]
fn mixed_line_ends_with_blank_lines_skip_blanks_for_two_columns() {
    let out = decode_all_ways(b"abc,def\r\r\n\nghi,jkl\r\n", &strings(2), &plain());
    assert_eq!(
        out.values(),
        vec![vec![s("abc"), s("def")], vec![s("ghi"), s("jkl")]]
    );
    assert_eq!(out.lines(), vec![1, 4]);
    assert!(out.errors.is_empty());
}

#[test]
fn blank_lines_are_null_rows_for_one_column() {
    let out = decode_all_ways(b"abc\r\n\ndef\r\r\r\nghi\r", &strings(1), &plain());
    assert_eq!(
        out.values(),
        vec![
            vec![s("abc")],
            vec!["NULL".to_string()],
            vec![s("def")],
            vec!["NULL".to_string()],
            vec!["NULL".to_string()],
            vec![s("ghi")],
        ]
    );
    assert_eq!(out.lines(), vec![1, 2, 3, 4, 5, 6]);
}

#[test]
fn last_line_without_terminator_is_read() {
    let out = decode_all_ways(b"a,b\nc,d", &strings(2), &plain());
    assert_eq!(
        out.values(),
        vec![vec![s("a"), s("b")], vec![s("c"), s("d")]]
    );
    assert_eq!(out.rows[1].1, 4);
}

#[test]
fn bom_is_stripped_only_at_byte_zero() {
    let out = decode_all_ways(b"\xEF\xBB\xBFa,b\n\xEF\xBB\xBFc,d\n", &strings(2), &plain());
    assert_eq!(
        out.values(),
        vec![vec![s("a"), s("b")], vec![s("\u{feff}c"), s("d")]]
    );
    assert_eq!(out.rows[0].1, 3, "byte offsets count the BOM");
}

#[test]
fn one_trailing_delimiter_is_ignored() {
    let out = decode_all_ways(b"a,b,\nc,d\n", &strings(2), &plain());
    assert_eq!(
        out.values(),
        vec![vec![s("a"), s("b")], vec![s("c"), s("d")]]
    );
    assert!(out.errors.is_empty());
}

#[test]
fn byte_offsets_and_lines_follow_quoted_newlines() {
    let input = b"x,\"1\r\n2\r3\n4\"\ny,z\r\nw,v\n";
    let out = decode_all_ways(input, &strings(2), &plain());
    assert_eq!(out.lines(), vec![1, 5, 6]);
    assert_eq!(out.rows[1].1, 13);
    assert_eq!(out.rows[2].1, 18);
}

#[test]
fn empty_input_gives_no_rows() {
    let out = decode_all_ways(b"", &strings(2), &plain());
    assert!(out.rows.is_empty() && out.errors.is_empty());
}
