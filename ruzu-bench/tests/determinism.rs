//! The generator's output depends on the seed and size only.

mod common;

use std::io::Read;

use common::{knows_csv, person_csv};
use ruzu_bench::{KnowsReader, PersonReader};

#[test]
fn same_seed_gives_the_same_bytes() {
    assert_eq!(person_csv(11, 3_000), person_csv(11, 3_000));
    assert_eq!(knows_csv(11, 3_000), knows_csv(11, 3_000));
}

#[test]
fn other_seed_gives_other_bytes() {
    let a = person_csv(11, 3_000);
    let b = person_csv(12, 3_000);
    let header = ruzu_bench::PERSON_HEADER.len();
    assert_eq!(a[..header], b[..header], "same header");
    assert_ne!(a, b);
    assert_ne!(knows_csv(11, 3_000), knows_csv(12, 3_000));
}

#[test]
fn readers_stream_the_same_bytes_as_the_writer() {
    let mut person = Vec::new();
    PersonReader::new(13, 2_000)
        .read_to_end(&mut person)
        .expect("generated reads succeed");
    assert_eq!(person, person_csv(13, 2_000));
    let mut knows = Vec::new();
    KnowsReader::new(13, 2_000)
        .read_to_end(&mut knows)
        .expect("generated reads succeed");
    assert_eq!(knows, knows_csv(13, 2_000));
}

#[test]
fn a_smaller_size_is_not_a_prefix_of_a_larger_one() {
    // The id order is a permutation of the whole size, so sizes are independent data sets.
    let small = person_csv(14, 1_000);
    let large = person_csv(14, 2_000);
    assert!(!large.starts_with(&small));
}
