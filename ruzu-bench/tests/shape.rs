//! The generated tables have the shapes of docs/bench-data.md.

mod common;

use std::collections::{HashMap, HashSet};

use common::{knows_csv, person_csv, records};
use ruzu_bench::{
    KNOWS_HEADER, MAX_BIO_CHARS, MAX_TAG_CHARS, MIN_TAG_CHARS, PERSON_HEADER, PERSON_ID_BASE,
    PERSON_ID_STRIDE, person_id,
};

const SEED: u64 = 2024;
const PERSONS: u64 = 20_000;

fn header_fields(header: &str) -> Vec<String> {
    header.trim_end().split(',').map(str::to_owned).collect()
}

#[test]
fn person_rows_have_eleven_well_formed_fields() {
    let rows = records(&person_csv(SEED, PERSONS));
    assert_eq!(rows[0], header_fields(PERSON_HEADER));
    assert_eq!(rows.len() as u64, PERSONS + 1);
    for row in &rows[1..] {
        assert_eq!(row.len(), 11, "{row:?}");
        assert!(row[3] == "male" || row[3] == "female");
        let birth_year: u32 = row[4][..4].parse().expect("year");
        assert!(
            (1950..=2005).contains(&birth_year) && row[4].len() == 10,
            "{row:?}"
        );
        let created: u32 = row[5][..4].parse().expect("year");
        assert!(
            (2010..=2024).contains(&created) && row[5].len() == 19,
            "{row:?}"
        );
        assert_eq!(
            row[6]
                .split('.')
                .filter(|o| o.parse::<u8>().is_ok())
                .count(),
            4
        );
        let score: f64 = row[9].parse().expect("score is a number");
        assert!((0.0..1000.0).contains(&score));
        assert!(
            row[9]
                .split_once('.')
                .is_none_or(|(_, frac)| frac.len() <= 6)
        );
        assert!(row[10].len() <= MAX_BIO_CHARS, "{}", row[10].len());
    }
}

#[test]
fn person_ids_are_unique_documented_and_not_in_file_order() {
    let rows = records(&person_csv(SEED, PERSONS));
    let ids: Vec<i64> = rows[1..]
        .iter()
        .map(|r| r[0].parse().expect("id is INT64"))
        .collect();
    let unique: HashSet<i64> = ids.iter().copied().collect();
    assert_eq!(unique.len() as u64, PERSONS);
    for &id in &ids {
        assert_eq!(id.to_string().len(), 13);
        let p = id - PERSON_ID_BASE;
        assert!(p >= 0 && p % PERSON_ID_STRIDE == 0 && p / PERSON_ID_STRIDE < PERSONS as i64);
    }
    let ascending = ids.windows(2).filter(|w| w[0] < w[1]).count();
    assert!(
        ascending > 9_000 && ascending < 11_000,
        "{ascending} ascending pairs: shuffled"
    );
}

#[test]
fn about_one_bio_in_ten_needs_quotes_and_some_are_null() {
    let text = person_csv(SEED, PERSONS);
    let bios: Vec<String> = records(&text)[1..].iter().map(|r| r[10].clone()).collect();
    let commas = bios.iter().filter(|b| b.contains(',')).count();
    let quotes = bios.iter().filter(|b| b.contains('"')).count();
    let special = (commas + quotes) as f64 / PERSONS as f64;
    assert!((0.08..0.12).contains(&special), "{special}");
    assert!(
        commas > 500 && quotes > 500,
        "{commas} commas, {quotes} quotes"
    );
    assert!(bios.iter().any(String::is_empty));
    // Both `"word"` at a field edge (a tripled quote) and a quote inside occur.
    assert!(text.windows(3).any(|w| w == b"\"\"\""));
}

#[test]
fn knows_rows_refer_to_existing_persons() {
    let persons: HashSet<String> = records(&person_csv(SEED, PERSONS))[1..]
        .iter()
        .map(|r| r[0].clone())
        .collect();
    let rows = records(&knows_csv(SEED, PERSONS));
    assert_eq!(rows[0], header_fields(KNOWS_HEADER));
    assert_eq!(rows.len() as u64, 2 * PERSONS + 1);
    for row in &rows[1..] {
        assert_eq!(row.len(), 5, "{row:?}");
        assert!(
            persons.contains(&row[0]) && persons.contains(&row[1]),
            "{row:?}"
        );
        let weight: f64 = row[3].parse().expect("weight is a number");
        assert!((0.0..1.0).contains(&weight));
        assert!(
            (MIN_TAG_CHARS..=MAX_TAG_CHARS).contains(&row[4].len()),
            "{row:?}"
        );
    }
}

#[test]
fn out_degree_is_skewed_and_in_degree_is_not() {
    let rows = records(&knows_csv(SEED, PERSONS));
    let degrees = |col: usize| {
        let mut counts: HashMap<&str, u64> = HashMap::new();
        for row in &rows[1..] {
            *counts.entry(row[col].as_str()).or_default() += 1;
        }
        let mut v: Vec<u64> = counts.into_values().collect();
        v.sort_unstable();
        v
    };
    let out = degrees(0);
    let (out_max, out_median) = (out[out.len() - 1], out[out.len() / 2]);
    assert!(
        out_max >= 50 * out_median,
        "max {out_max}, median {out_median}"
    );
    assert!(
        out.len() as u64 > PERSONS / 2,
        "most persons have an edge: {}",
        out.len()
    );
    let hubs = out.iter().filter(|&&d| d >= 100).count();
    assert!((2..50).contains(&hubs), "{hubs} hubs");
    let inn = degrees(1);
    assert!(
        inn[inn.len() - 1] < 20,
        "to is uniform: max in-degree {}",
        inn[inn.len() - 1]
    );
    // Hubs are scattered over the id range, not the smallest ids.
    assert_ne!(
        rows[1..]
            .iter()
            .filter(|r| r[0] == person_id(0).to_string())
            .count(),
        out_max as usize
    );
}

#[test]
fn rows_are_about_the_documented_size() {
    let person = person_csv(SEED, PERSONS).len() as f64 / PERSONS as f64;
    let knows = knows_csv(SEED, PERSONS).len() as f64 / (2 * PERSONS) as f64;
    assert!(
        (185.0..215.0).contains(&person),
        "{person} bytes per person"
    );
    assert!((90.0..110.0).contains(&knows), "{knows} bytes per edge");
}
