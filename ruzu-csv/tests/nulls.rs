//! NULL rules per type, quoted empty strings, no trimming.

mod common;

use common::{decode_all_ways, plain, s, schema};
use ruzu_csv::{DataType, RowErrorKind};

#[test]
fn empty_and_null_text_are_null_for_non_string_types() {
    let sc = schema(&[
        ("i", DataType::Int64),
        ("d", DataType::Double),
        ("b", DataType::Bool),
    ]);
    let out = decode_all_ways(b",NULL,null\nNuLl,,\"\"\n7,2.5,true\n", &sc, &plain());
    let null = "NULL".to_string();
    assert_eq!(
        out.values(),
        vec![
            vec![null.clone(), null.clone(), null.clone()],
            vec![null.clone(), null.clone(), null.clone()],
            vec!["7".to_string(), "2.5".to_string(), "true".to_string()],
        ]
    );
}

#[test]
fn quoted_empty_string_is_not_null() {
    let sc = schema(&[("a", DataType::String), ("b", DataType::String)]);
    let out = decode_all_ways(b",\"\"\nNULL,\"NULL\"\n", &sc, &plain());
    assert_eq!(
        out.values(),
        vec![vec!["NULL".to_string(), s("")], vec![s("NULL"), s("NULL")]]
    );
}

/// A `NULL_STRINGS` list replaces the default `['']`, as in Kùzu: without `''` in it, an
/// unquoted empty STRING field is the empty string (it used to be NULL whatever the list).
#[test]
fn null_strings_apply_to_unquoted_string_text_only() {
    let sc = schema(&[("a", DataType::String), ("b", DataType::Int64)]);
    let o = plain().with_null_strings(vec!["NA".into()]);
    let out = decode_all_ways(b"NA,1\n\"NA\",2\n,3\n", &sc, &o);
    assert_eq!(
        out.values(),
        vec![
            vec!["NULL".to_string(), "1".to_string()],
            vec![s("NA"), "2".to_string()],
            vec![s(""), "3".to_string()],
        ]
    );
    let with_empty = plain().with_null_strings(vec!["NA".into(), String::new()]);
    let out = decode_all_ways(b"NA,1\n,3\n", &sc, &with_empty);
    assert_eq!(
        out.values(),
        vec![
            vec!["NULL".to_string(), "1".to_string()],
            vec!["NULL".to_string(), "3".to_string()],
        ]
    );
}

#[test]
fn whitespace_is_not_trimmed_around_numbers() {
    let sc = schema(&[("a", DataType::Int64), ("b", DataType::String)]);
    let out = decode_all_ways(b" 2,x\n3,y\n", &sc, &plain());
    assert_eq!(out.values(), vec![vec!["3".to_string(), s("y")]]);
    assert_eq!(
        out.error_summary(),
        vec![(
            1,
            Some(1),
            RowErrorKind::Parse {
                data_type: DataType::Int64
            }
        )]
    );
}
