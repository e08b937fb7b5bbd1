//! Every row error kind, with its exact line and column, and resynchronisation after it.

mod common;

use common::{decode_all_ways, plain, read_with, s, schema, strings};
use ruzu_csv::{DataType, RowErrorKind};

#[test]
fn each_error_is_reported_at_its_line_and_column_and_decoding_goes_on() {
    let sc = schema(&[
        ("id", DataType::Int64),
        ("name", DataType::String),
        ("score", DataType::Double),
    ]);
    let input: &[u8] = b"1,a,1.5\n\
x2,b,2\n\
3,\"c\"d,3\n\
4,d\n\
5,e,5,6\n\
6,f\"g\"h,6\n\
7,g,7,\n\
8,\"multi\nline\",8\n\
9, 9,abc\n\
12,\xff,1\n\
99999999999999999999,z,1\n\
13,\"open,1\n\
14,never,1\n";
    let out = decode_all_ways(input, &sc, &plain());
    assert_eq!(
        out.values(),
        vec![
            vec!["1".to_string(), s("a"), "1.5".to_string()],
            vec!["7".to_string(), s("g"), "7.0".to_string()],
            vec!["8".to_string(), s("multi\nline"), "8.0".to_string()],
        ]
    );
    assert_eq!(out.lines(), vec![1, 7, 8]);
    let int = DataType::Int64;
    assert_eq!(
        out.error_summary(),
        vec![
            (2, Some(1), RowErrorKind::Parse { data_type: int }),
            (3, Some(2), RowErrorKind::UnquotedValue),
            (
                4,
                Some(3),
                RowErrorKind::TooFewFields {
                    expected: 3,
                    found: 2
                }
            ),
            (
                5,
                None,
                RowErrorKind::TooManyFields {
                    expected: 3,
                    found: 4
                }
            ),
            (6, Some(2), RowErrorKind::UnquotedValue),
            (
                10,
                Some(3),
                RowErrorKind::Parse {
                    data_type: DataType::Double
                }
            ),
            (11, Some(2), RowErrorKind::InvalidUtf8),
            (12, Some(1), RowErrorKind::OutOfRange { data_type: int }),
            (13, Some(2), RowErrorKind::UnterminatedQuote),
        ]
    );
    // Record indices and byte offsets are exact too.
    let e = &out.errors[1];
    assert_eq!((e.1, e.2), (15, 2));
    assert_eq!(out.errors[0].5.as_deref(), Some("x2"));
}

#[test]
fn escape_before_an_ordinary_character_is_an_error() {
    let o = plain().with_escape(b'\\');
    let out = decode_all_ways(b"valid-header\n\"abc\\6\"\nok\n", &strings(1), &o);
    assert_eq!(out.values(), vec![vec![s("valid-header")], vec![s("ok")]]);
    assert_eq!(
        out.error_summary(),
        vec![(2, Some(1), RowErrorKind::UnquotedValue)]
    );
}

#[test]
fn unterminated_quote_is_reported_at_the_record_start() {
    let out = decode_all_ways(b"valid-header\n\"abc", &strings(1), &plain());
    assert_eq!(
        out.error_summary(),
        vec![(2, Some(1), RowErrorKind::UnterminatedQuote)]
    );
}

#[test]
fn error_display_names_file_line_and_column() {
    let sc = schema(&[("id", DataType::Int64), ("birthday", DataType::Int32)]);
    let mut reader = ruzu_csv::Reader::new(
        &b"1,2\n2,x\n"[..],
        sc.clone(),
        &plain(),
        Some(std::sync::Arc::from(std::path::Path::new("person.csv"))),
    )
    .expect("reader");
    let mut batch = ruzu_csv::Batch::new(sc, 8, 64);
    let mut errors = Vec::new();
    while reader
        .read_batch(&mut batch, &mut |e| errors.push(e.to_string()))
        .expect("read")
    {}
    assert_eq!(
        errors,
        vec![r#"person.csv:2:2 (birthday): cannot parse "x" as INT32"#.to_string()]
    );
}

/// A quote opens a quoted section only at the start of a field (see `split::scan`): a stray
/// quote inside an unquoted field spoils only its own record, and the error names that record's
/// line, in every way of reading.
#[test]
fn stray_quote_spoils_only_its_own_line() {
    let out = decode_all_ways(b"a,b\"c,d\ne,f,g\nh,i\"j,k\nl,m,n\n", &strings(3), &plain());
    assert_eq!(
        out.values(),
        vec![vec![s("e"), s("f"), s("g")], vec![s("l"), s("m"), s("n")]]
    );
    assert_eq!(out.lines(), vec![2, 4]);
    assert_eq!(
        out.error_summary(),
        vec![
            (1, Some(2), RowErrorKind::UnquotedValue),
            (3, Some(2), RowErrorKind::UnquotedValue)
        ]
    );
}

/// The case of the compatibility report: `O"Brien` before a quoted field with a delimiter
/// inside. The quote is sniffed as `"` (the stray quote no longer swallows the next lines), and
/// the only error is on the `O"Brien` line, not on the good quoted line after it.
#[test]
fn stray_quote_before_a_quoted_field_names_its_own_line() {
    let sc = schema(&[("id", DataType::Int64), ("name", DataType::String)]);
    let input = b"id,name\n1,O\"Brien\n2,\"Smith, J\"\n3,Ann\n";
    let out = read_with(&input[..], &sc, &ruzu_csv::CsvOptions::default());
    assert_eq!(
        out.values(),
        vec![
            vec!["2".to_string(), s("Smith, J")],
            vec!["3".to_string(), s("Ann")]
        ]
    );
    assert_eq!(out.lines(), vec![3, 4]);
    assert_eq!(
        out.error_summary(),
        vec![(2, Some(2), RowErrorKind::UnquotedValue)]
    );
}

#[test]
fn escape_at_end_of_input_is_an_unterminated_quote() {
    let o = plain().with_escape(b'\\');
    let out = decode_all_ways(b"valid-header\n\"abc\\", &strings(1), &o);
    assert_eq!(
        out.error_summary(),
        vec![(2, Some(1), RowErrorKind::UnterminatedQuote)]
    );
}
