//! Helpers shared by the integration tests: generating whole tables and a small reference CSV
//! splitter.

#![allow(dead_code)] // each test file uses a different part of the helpers

use ruzu_bench::{KnowsGen, PersonGen, RowSource, write_csv};

/// The whole `person.csv` of `(seed, persons)`.
pub fn person_csv(seed: u64, persons: u64) -> Vec<u8> {
    table(&PersonGen::new(seed, persons))
}

/// The whole `knows.csv` of `(seed, persons)`.
pub fn knows_csv(seed: u64, persons: u64) -> Vec<u8> {
    table(&KnowsGen::new(seed, persons))
}

fn table(source: &dyn RowSource) -> Vec<u8> {
    let mut out = Vec::new();
    write_csv(source, &mut out).expect("writing into a Vec does not fail");
    out
}

/// Splits RFC 4180 CSV (`,`, `"` quoting with `""` escapes, `\n` records) into records of
/// unquoted fields. Panics on malformed input: the generator must never produce any.
pub fn records(text: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(text).expect("generated CSV is UTF-8");
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        match c {
            '"' if at_field_start => {
                loop {
                    match chars.next().expect("quoted field is closed") {
                        '"' if chars.peek() == Some(&'"') => {
                            chars.next();
                            field.push('"');
                        }
                        '"' => break,
                        other => field.push(other),
                    }
                }
                let next = chars.peek().copied();
                assert!(
                    matches!(next, Some(',' | '\n') | None),
                    "junk after quote: {next:?}"
                );
                at_field_start = false;
            }
            '"' => panic!("quote inside an unquoted field: {field:?}"),
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            other => {
                field.push(other);
                at_field_start = false;
            }
        }
    }
    assert!(
        field.is_empty() && record.is_empty(),
        "last record ends with a newline"
    );
    records
}
