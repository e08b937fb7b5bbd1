//! Rows of `person.csv`, the `Person` node table of docs/bench-data.md.
//!
//! Row `i` is a pure function of `(seed, persons, i)`: the id comes from a keyed permutation of
//! `0..persons` (so ids are unique, all present, and not in file order), every other field from
//! the row's own random generator.

use super::calendar::{Date, random_time};
use super::digits::{push_date, push_fraction, push_timestamp, push_u64};
use super::permutation::Permutation;
use super::rng::{Rng, mix64};
use super::stream::RowSource;
use super::words::{BROWSERS, DOMAINS, Vocabulary, vocabulary};

/// The header line of `person.csv`, newline included.
pub const PERSON_HEADER: &str =
    "id,first_name,last_name,gender,birthday,creation_date,location_ip,browser,email,score,bio\n";
/// Smallest person id: ids are `PERSON_ID_BASE + PERSON_ID_STRIDE * p` for `p` in `0..persons`.
pub const PERSON_ID_BASE: i64 = 1_000_000_000_000;
/// Distance between consecutive person ids (a prime, so ids look scattered).
pub const PERSON_ID_STRIDE: i64 = 7919;
/// Longest `bio`, in characters (all ASCII, so bytes too).
pub const MAX_BIO_CHARS: usize = 140;

/// Stream keys, so that the order, the rows and the edges draw unrelated numbers.
const ORDER_STREAM: u64 = 0x01;
const ROW_STREAM: u64 = 0x02;

/// Birthday years, inclusive.
const BIRTH_YEARS: (u16, u16) = (1950, 2005);
/// Creation years, inclusive (shared with `knows.csv`).
pub(crate) const CREATION_YEARS: (u16, u16) = (2010, 2024);

/// The id of person number `p` (`p` in `0..persons`; any such `p` exists in the file).
///
/// # Example
///
/// ```
/// assert_eq!(ruzu::datagen::person_id(0), 1_000_000_000_000);
/// assert_eq!(ruzu::datagen::person_id(2), 1_000_000_015_838);
/// ```
pub fn person_id(p: u64) -> i64 {
    PERSON_ID_BASE + PERSON_ID_STRIDE * i64::try_from(p).expect("invariant: person number < 2^63")
}

/// The key of one of the generator's independent random streams.
pub(crate) fn stream_key(seed: u64, stream: u64) -> u64 {
    mix64(seed ^ mix64(stream))
}

/// Generator of `person.csv` rows for one seed and size.
#[derive(Debug, Clone)]
pub struct PersonGen {
    /// Number of rows.
    persons: u64,
    /// Row index -> person number.
    order: Permutation,
    /// Key of the per-row random generators.
    row_key: u64,
    vocabulary: &'static Vocabulary,
}

impl PersonGen {
    /// The generator of `persons` rows for `seed`.
    pub fn new(seed: u64, persons: u64) -> Self {
        Self {
            persons,
            order: Permutation::new(persons, stream_key(seed, ORDER_STREAM)),
            row_key: stream_key(seed, ROW_STREAM),
            vocabulary: vocabulary(),
        }
    }

    /// The number of rows (persons).
    pub fn persons(&self) -> u64 {
        self.persons
    }

    /// The id in row `row` (0-based, header not counted).
    ///
    /// # Panics
    ///
    /// If `row >= persons`.
    pub fn id(&self, row: u64) -> i64 {
        assert!(row < self.persons, "row {row} of {} persons", self.persons);
        person_id(self.order.apply(row))
    }
}

impl RowSource for PersonGen {
    fn header(&self) -> &'static [u8] {
        PERSON_HEADER.as_bytes()
    }

    fn rows(&self) -> u64 {
        self.persons
    }

    fn write_row(&self, row: u64, out: &mut Vec<u8>) {
        let v = self.vocabulary;
        let mut rng = Rng::for_row(self.row_key, row);

        push_u64(out, self.id(row).unsigned_abs());
        out.push(b',');
        let first = &v.first_names[rng.below(v.first_names.len() as u64) as usize];
        let last = &v.last_names[rng.below(v.last_names.len() as u64) as usize];
        first.display.push_to(out);
        out.push(b',');
        last.display.push_to(out);
        let bits = rng.next_u64();
        out.extend_from_slice(if bits & 1 == 0 {
            b",male,"
        } else {
            b",female,"
        });
        push_date(out, Date::random(&mut rng, BIRTH_YEARS));
        out.push(b',');
        push_timestamp(
            out,
            Date::random(&mut rng, CREATION_YEARS),
            random_time(&mut rng),
        );
        out.push(b',');
        push_ip(out, rng.next_u64());
        out.push(b',');
        BROWSERS[((bits >> 8) % BROWSERS.len() as u64) as usize].push_to(out);
        out.push(b',');
        first.lower.push_to(out);
        out.push(b'.');
        last.lower.push_to(out);
        push_u64(out, (bits >> 16) % 1000);
        out.push(b'@');
        DOMAINS[((bits >> 32) % DOMAINS.len() as u64) as usize].push_to(out);
        out.push(b',');
        let score = rng.below(1_000_000_000);
        push_u64(out, score / 1_000_000);
        push_fraction(out, score % 1_000_000, 6);
        out.push(b',');
        self.push_bio(&mut rng, out);
        out.push(b'\n');
    }
}

impl PersonGen {
    /// Appends a bio of 0..=[`MAX_BIO_CHARS`] characters of words. One row in 20 has a comma
    /// and one in 20 has `"` (both quoted, `"` doubled); an empty bio is an empty field (NULL).
    fn push_bio(&self, rng: &mut Rng, out: &mut Vec<u8>) {
        let prose = &self.vocabulary.prose;
        let max_len = rng.below(MAX_BIO_CHARS as u64 + 1) as usize;
        match rng.below(20) {
            0 => {
                // `alpha, beta gamma`: one character more than the words.
                let words = prose.words(rng, max_len.saturating_sub(1));
                if words.is_empty() {
                    return;
                }
                let cut = words.iter().position(|&b| b == b' ').unwrap_or(words.len());
                out.push(b'"');
                out.extend_from_slice(&words[..cut]);
                out.push(b',');
                out.extend_from_slice(&words[cut..]);
                out.push(b'"');
            }
            1 => {
                // `alpha "beta gamma"`, or `"alpha"` for one word: two characters more.
                let words = prose.words(rng, max_len.saturating_sub(2));
                if words.is_empty() {
                    return;
                }
                let cut = words.iter().position(|&b| b == b' ').map_or(0, |i| i + 1);
                out.push(b'"');
                out.extend_from_slice(&words[..cut]);
                out.extend_from_slice(b"\"\"");
                out.extend_from_slice(&words[cut..]);
                out.extend_from_slice(b"\"\"\"");
            }
            _ => prose.push_words(rng, max_len, out),
        }
    }
}

/// Appends a dotted IPv4 address made of the bytes of `bits`, first octet in 1..=223.
#[inline]
fn push_ip(out: &mut Vec<u8>, bits: u64) {
    let first = 1 + (((bits & 0xff) * 223) >> 8);
    push_u64(out, first);
    for shift in [8, 16, 24] {
        out.push(b'.');
        push_u64(out, (bits >> shift) & 0xff);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(seed: u64, persons: u64) -> Vec<String> {
        let g = PersonGen::new(seed, persons);
        (0..persons)
            .map(|r| {
                let mut out = Vec::new();
                g.write_row(r, &mut out);
                String::from_utf8(out).expect("invariant: generated text is ASCII")
            })
            .collect()
    }

    #[test]
    fn row_starts_with_its_id_and_ends_with_a_newline() {
        let g = PersonGen::new(1, 50);
        for (r, row) in rows(1, 50).iter().enumerate() {
            assert!(row.starts_with(&format!("{},", g.id(r as u64))), "{row}");
            assert!(row.ends_with('\n') && row.matches('\n').count() == 1);
        }
    }

    #[test]
    #[should_panic(expected = "row 10 of 10 persons")]
    fn id_past_the_last_row_panics() {
        PersonGen::new(1, 10).id(10);
    }

    #[test]
    fn email_is_built_from_the_row_names() {
        for row in rows(2, 100) {
            let f: Vec<&str> = row.splitn(11, ',').collect();
            let local = format!("{}.{}", f[1].to_lowercase(), f[2].to_lowercase());
            assert!(f[8].starts_with(&local), "{row}");
            let (name_n, domain) = f[8].split_once('@').expect("email has @");
            assert!(
                name_n[local.len()..].parse::<u32>().is_ok_and(|n| n < 1000),
                "{row}"
            );
            assert!(DOMAINS.iter().any(|d| d.as_bytes() == domain.as_bytes()));
        }
    }

    #[test]
    fn ip_octets_are_in_range() {
        for bits in [0u64, u64::MAX, 0x1234_5678_9abc_def0] {
            let mut out = Vec::new();
            push_ip(&mut out, bits);
            let text = String::from_utf8(out).expect("ASCII");
            let octets: Vec<u32> = text
                .split('.')
                .map(|o| o.parse().expect("octet is a number"))
                .collect();
            assert_eq!(octets.len(), 4, "{text}");
            assert!((1..=223).contains(&octets[0]) && octets.iter().all(|&o| o <= 255));
        }
    }
}
