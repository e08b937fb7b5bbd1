//! Quoted fields, escapes and unescaping.

mod common;

use common::{decode_all_ways, plain, s, strings};

#[test]
fn quoted_field_spans_two_lines() {
    let out = decode_all_ways(b"\"a\nb\",x\nc,d\n", &strings(2), &plain());
    assert_eq!(
        out.values(),
        vec![vec![s("a\nb"), s("x")], vec![s("c"), s("d")]]
    );
    assert_eq!(out.lines(), vec![1, 3]);
}

#[test]
fn doubled_quote_is_a_literal_quote() {
    let out = decode_all_ways(b"\"abc\"\"def\",\"\"\"\"\n", &strings(2), &plain());
    assert_eq!(out.values(), vec![vec![s("abc\"def"), s("\"")]]);
}

#[test]
fn quoted_delimiter_and_crlf_stay_in_the_value() {
    let out = decode_all_ways(b"\"a,b\r\nc\",2\r\n", &strings(2), &plain());
    assert_eq!(out.values(), vec![vec![s("a,b\r\nc"), s("2")]]);
}

#[test]
fn backslash_escape_unescapes_quote_and_backslash() {
    let o = plain().with_escape(b'\\');
    let out = decode_all_ways(b"\"abc\\\\\\\"\",x\n", &strings(2), &o);
    assert_eq!(out.values(), vec![vec![s("abc\\\""), s("x")]]);
}

#[test]
fn backslash_outside_quotes_is_ordinary() {
    let o = plain().with_escape(b'\\');
    let out = decode_all_ways(b"a,b\n\\,\\,\n", &strings(2), &o);
    assert_eq!(
        out.values(),
        vec![vec![s("a"), s("b")], vec![s("\\"), s("\\")]]
    );
}

#[test]
fn single_quote_and_other_delimiters_work() {
    let o = plain().with_quote(b'\'').with_delimiter(b'|');
    let out = decode_all_ways(b"'a|b'|'it''s'\n", &strings(2), &o);
    assert_eq!(out.values(), vec![vec![s("a|b"), s("it's")]]);
    let o = plain().with_delimiter(b'\t');
    let out = decode_all_ways(b"a\tb\n\"c\td\"\te\n", &strings(2), &o);
    assert_eq!(
        out.values(),
        vec![vec![s("a"), s("b")], vec![s("c\td"), s("e")]]
    );
}

#[test]
fn eof_right_after_closing_quote_ends_the_record() {
    let out = decode_all_ways(b"\"abc\",\"def\"", &strings(2), &plain());
    assert_eq!(out.values(), vec![vec![s("abc"), s("def")]]);
}
