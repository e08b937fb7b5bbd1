use super::*;
use crate::options::Atomicity;

fn copy_from(s: &str) -> CopyFrom {
    match parse(s) {
        Ok(Statement::CopyFrom(c)) => c,
        other => panic!("expected COPY FROM for {s:?}, got {other:?}"),
    }
}

fn syntax_error(s: &str) -> (usize, usize, String) {
    match parse(s) {
        Err(CopyError::Syntax {
            byte,
            column,
            expected,
            ..
        }) => (byte, column, expected),
        other => panic!("expected a syntax error for {s:?}, got {other:?}"),
    }
}

#[test]
fn kuzu_basic_copy_with_header() {
    let c = copy_from("COPY Person FROM 'person.csv' (HEADER=true)");
    assert_eq!(c.table, "Person");
    assert_eq!(c.paths, ["person.csv"]);
    assert_eq!(c.options.csv.header, Some(true));
    assert_eq!(c.columns, None);
}

#[test]
fn keywords_and_options_ignore_case_and_double_quotes_work() {
    let c = copy_from("copy User from \"user.csv\" (header = TRUE, delim = '|', Quote=\"'\");");
    assert_eq!(c.options.csv.header, Some(true));
    assert_eq!(c.options.csv.delimiter, Some(b'|'));
    assert_eq!(c.options.csv.quote, Some(b'\''));
}

#[test]
fn escapes_in_strings_are_resolved() {
    let c = copy_from(r"COPY T FROM 'a.tsv' (DELIM='\t', ESCAPE='\\')");
    assert_eq!(c.options.csv.delimiter, Some(b'\t'));
    assert_eq!(c.options.csv.escape, Some(b'\\'));
    let c = copy_from(r#"COPY T FROM "it\"s.csv""#);
    assert_eq!(c.paths, ["it\"s.csv"]);
}

#[test]
fn delimiters_follow_kuzus_backslash_rule() {
    for (text, byte) in [
        (r"'\\t'", b'\t'),
        (r"'\t'", b'\t'),
        (r"'\\|'", b'|'),
        (r"'|'", b'|'),
        (r"'\\\\'", b'\\'),
        (r"'\\;'", b';'),
        (r#""\\,""#, b','),
    ] {
        let c = copy_from(&format!("COPY T FROM 'a.csv' (DELIM={text}, QUOTE='\\\'')"));
        assert_eq!(c.options.csv.delimiter, Some(byte), "DELIM={text}");
    }
    for (text, value) in [
        ("'ab'", "ab"),
        (r"'\\ab'", "\\ab"),
        ("''", ""),
        (r"'a\\'", "a\\"),
        ("'é'", "é"),
    ] {
        match parse(&format!("COPY T FROM 'a.csv' (DELIM={text})")) {
            Err(CopyError::InvalidOption { option, reason, .. }) => {
                assert_eq!(option, "DELIM");
                assert!(reason.contains(&format!("{value:?}")), "{reason}");
            }
            other => panic!("DELIM={text}: expected an option error, got {other:?}"),
        }
    }
}

#[test]
fn file_lists_globs_and_column_lists() {
    let c = copy_from("COPY T (id, name) FROM ['a.csv', \"b.csv.gz\"] (PARALLEL=false)");
    assert_eq!(c.paths, ["a.csv", "b.csv.gz"]);
    assert_eq!(c.columns, Some(vec!["id".to_owned(), "name".to_owned()]));
    assert!(!c.options.csv.parallel);
    let c = copy_from("COPY T FROM GLOB('data/*.csv')");
    assert_eq!(c.paths, ["data/*.csv"]);
}

#[test]
fn null_strings_take_a_list_or_one_string() {
    let c = copy_from("COPY T FROM 'a.csv' (NULL_STRINGS=['NA', ''])");
    assert_eq!(c.options.csv.null_strings, ["NA", ""]);
    let c = copy_from("COPY T FROM 'a.csv' (NULL_STRINGS='-')");
    assert_eq!(c.options.csv.null_strings, ["-"]);
}

#[test]
fn option_without_value_is_true_and_equals_is_optional() {
    let c = copy_from("COPY T FROM 'a.csv' (HEADER, IGNORE_ERRORS true, SKIP 2)");
    assert_eq!(c.options.csv.header, Some(true));
    assert!(c.options.ignore_errors);
    assert_eq!(c.options.csv.skip_rows, 2);
}

#[test]
fn ruzu_options_are_parsed() {
    let c = copy_from(
        "COPY T FROM 'a.csv' (COMMIT_EVERY=1000, MEMORY_LIMIT='400MB', PROGRESS_EVERY=5000, \
         REJECTS='bad.tsv', RESUME=true, MAX_LINE_SIZE=1024, SAMPLE_SIZE=10, AUTO_DETECT=false)",
    );
    let o = &c.options;
    assert_eq!(
        o.atomicity,
        Atomicity::ContinuePartial {
            commit_every_rows: 1000
        }
    );
    assert_eq!(o.memory_limit_bytes, Some(400 << 20));
    assert_eq!(o.progress_every_rows, 5000);
    assert_eq!(
        o.rejects_path.as_deref(),
        Some(std::path::Path::new("bad.tsv"))
    );
    assert!(o.resume);
    assert_eq!(o.csv.max_line_size_bytes, 1024);
    assert_eq!(o.csv.sample_size, 10);
    assert!(!o.csv.auto_detect);
}

#[test]
fn rel_table_from_and_to() {
    let c = copy_from("COPY Knows FROM 'knows.csv' (from='Person', to='Person', header=true)");
    assert_eq!(c.options.rel_from.as_deref(), Some("Person"));
    assert_eq!(c.options.rel_to.as_deref(), Some("Person"));
}

#[test]
fn copy_to_has_export_defaults_and_options() {
    match parse("COPY Person TO 'out.csv' (DELIM='|', HEADER=false)") {
        Ok(Statement::CopyTo(t)) => {
            assert_eq!(t.table, "Person");
            assert_eq!(t.path, "out.csv");
            assert_eq!(t.delimiter, b'|');
            assert!(!t.header);
            assert_eq!(t.quote, b'"');
        }
        other => panic!("expected COPY TO, got {other:?}"),
    }
    assert!(matches!(
        parse("COPY Person TO 'out.csv' (SKIP=1)"),
        Err(CopyError::InvalidOption { .. })
    ));
}

#[test]
fn unknown_option_is_an_error_at_its_position() {
    let s = "COPY T FROM 'a.csv' (HEADER=true, COLOUR='red')";
    match parse(s) {
        Err(CopyError::InvalidOption {
            option,
            byte,
            column,
            reason,
            ..
        }) => {
            assert_eq!(option, "COLOUR");
            assert_eq!(byte, s.find("COLOUR").expect("in statement"));
            assert_eq!(column, byte + 1);
            assert!(reason.contains("unknown option"), "{reason}");
        }
        other => panic!("expected an option error, got {other:?}"),
    }
}

#[test]
fn bad_values_are_errors() {
    for s in [
        "COPY T FROM 'a.csv' (HEADER=3)",
        "COPY T FROM 'a.csv' (DELIM='ab')",
        "COPY T FROM 'a.csv' (SKIP=-1)",
        "COPY T FROM 'a.csv' (SKIP='x')",
        "COPY T FROM 'a.csv' (MEMORY_LIMIT='1KB')",
        "COPY T FROM 'a.csv' (COMMIT_EVERY=0)",
        "COPY T FROM 'a.csv' (ATOMIC=true, COMMIT_EVERY=10)",
        "COPY T FROM 'a.csv' (from='A')",
        "COPY T FROM 'a.csv' (DELIM='\\n')",
    ] {
        assert!(
            matches!(parse(s), Err(CopyError::InvalidOption { .. })),
            "{s}: {:?}",
            parse(s)
        );
    }
}

#[test]
fn syntax_errors_name_position_and_expectation() {
    let (byte, column, expected) = syntax_error("COPY Person FRM 'a.csv'");
    assert_eq!((byte, column), (12, 13));
    assert_eq!(expected, "FROM or TO");

    let (byte, _, expected) = syntax_error("COPY Person FROM a.csv");
    assert_eq!(byte, 17);
    assert!(expected.contains("quoted path"), "{expected}");

    let (byte, _, expected) = syntax_error("COPY Person FROM 'a.csv");
    assert_eq!(byte, 17);
    assert!(expected.contains("closing quote"), "{expected}");

    let (byte, _, _) = syntax_error("COPY Person FROM 'a.csv' (HEADER=true");
    assert_eq!(byte, 37);

    let (byte, _, expected) = syntax_error("COPY Person FROM 'a.csv' extra");
    assert_eq!(byte, 25);
    assert_eq!(expected, "the end of the statement");

    let (byte, _, _) = syntax_error(r"COPY T FROM 'a\qb'");
    assert_eq!(byte, 14);
}

#[test]
fn syntax_error_display_is_one_actionable_line() {
    let e = parse("COPY Person\n  FRM 'a.csv'").expect_err("bad keyword");
    assert_eq!(
        e.to_string(),
        "syntax error at line 2, column 3 (byte 14): expected FROM or TO, found FRM"
    );
}
