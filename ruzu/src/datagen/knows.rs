//! Rows of `knows.csv`, the `Knows` rel table of docs/bench-data.md.
//!
//! `2 * persons` edges. `to` is a uniform person; `from` is skewed: a uniform `u` in `[0, 1)` is
//! squared and scaled to a rank in `0..persons` (an inverse-power transform). Rank `r` is drawn
//! with probability about `1 / (2 * sqrt(r * persons))`, so the top rank gets about
//! `2 * sqrt(persons)` edges (4,500 at 5 M persons), a handful of hubs get thousands, and the
//! typical node gets one or two. A keyed permutation scatters the ranks over the persons, so
//! hubs are not the smallest ids.

use super::calendar::{Date, random_time};
use super::digits::{push_fraction, push_timestamp, push_u64};
use super::permutation::Permutation;
use super::person::{CREATION_YEARS, person_id, stream_key};
use super::rng::Rng;
use super::stream::RowSource;
use super::words::{Vocabulary, vocabulary};

/// The header line of `knows.csv`, newline included.
pub const KNOWS_HEADER: &str = "from,to,creation_date,weight,tag\n";
/// Edges per person.
pub const EDGES_PER_PERSON: u64 = 2;
/// Shortest `tag`, in characters.
pub const MIN_TAG_CHARS: usize = 10;
/// Longest `tag`, in characters.
pub const MAX_TAG_CHARS: usize = 50;

const HUB_STREAM: u64 = 0x11;
const ROW_STREAM: u64 = 0x12;

/// Generator of `knows.csv` rows for the persons of one seed and size.
#[derive(Debug, Clone)]
pub struct KnowsGen {
    /// Persons the edges connect.
    persons: u64,
    /// Popularity rank -> person number.
    hubs: Permutation,
    /// Key of the per-row random generators.
    row_key: u64,
    vocabulary: &'static Vocabulary,
}

impl KnowsGen {
    /// The generator of the `EDGES_PER_PERSON * persons` edges between the persons of
    /// `PersonGen::new(seed, persons)`.
    pub fn new(seed: u64, persons: u64) -> Self {
        Self {
            persons,
            hubs: Permutation::new(persons, stream_key(seed, HUB_STREAM)),
            row_key: stream_key(seed, ROW_STREAM),
            vocabulary: vocabulary(),
        }
    }

    /// The number of persons the edges connect.
    pub fn persons(&self) -> u64 {
        self.persons
    }

    /// `(from, to)` of row `row` (0-based, header not counted), as written.
    ///
    /// # Panics
    ///
    /// If `row >= rows()`.
    pub fn endpoints(&self, row: u64) -> (i64, i64) {
        assert!(row < self.rows(), "row {row} of {} edges", self.rows());
        let (_, from, to) = self.draw_endpoints(row);
        (from, to)
    }

    /// The row's generator, positioned after the endpoints, and the endpoints.
    #[inline]
    fn draw_endpoints(&self, row: u64) -> (Rng, i64, i64) {
        let mut rng = Rng::for_row(self.row_key, row);
        let u = rng.next_u64() >> 32;
        let u_squared = (u * u) >> 32;
        let rank = (u_squared * self.persons) >> 32;
        let from = person_id(self.hubs.apply(rank));
        let to = person_id(rng.below(self.persons));
        (rng, from, to)
    }
}

impl RowSource for KnowsGen {
    fn header(&self) -> &'static [u8] {
        KNOWS_HEADER.as_bytes()
    }

    fn rows(&self) -> u64 {
        EDGES_PER_PERSON * self.persons
    }

    fn write_row(&self, row: u64, out: &mut Vec<u8>) {
        let (mut rng, from, to) = self.draw_endpoints(row);
        push_u64(out, from.unsigned_abs());
        out.push(b',');
        push_u64(out, to.unsigned_abs());
        out.push(b',');
        push_timestamp(
            out,
            Date::random(&mut rng, CREATION_YEARS),
            random_time(&mut rng),
        );
        out.push(b',');
        let weight = rng.below(1_000_000);
        out.push(b'0');
        push_fraction(out, weight, 6);
        out.push(b',');
        // The longest of three uniform lengths: tags lean long, about 40 characters on average.
        let span = (MAX_TAG_CHARS - MIN_TAG_CHARS + 1) as u64;
        let len = rng.below(span).max(rng.below(span)).max(rng.below(span)) as usize;
        self.vocabulary
            .tags
            .push_exact(&mut rng, MIN_TAG_CHARS + len, out);
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_endpoints_match_endpoints() {
        let g = KnowsGen::new(3, 100);
        for row in 0..g.rows() {
            let mut out = Vec::new();
            g.write_row(row, &mut out);
            let (from, to) = g.endpoints(row);
            assert!(out.starts_with(format!("{from},{to},").as_bytes()));
        }
    }

    #[test]
    #[should_panic(expected = "row 0 of 0 edges")]
    fn endpoints_of_an_empty_table_panic() {
        KnowsGen::new(1, 0).endpoints(0);
    }

    #[test]
    fn weight_is_a_fraction_of_one() {
        let g = KnowsGen::new(4, 200);
        for row in 0..g.rows() {
            let mut out = Vec::new();
            g.write_row(row, &mut out);
            let text = String::from_utf8(out).expect("ASCII");
            let weight: f64 = text
                .split(',')
                .nth(3)
                .expect("4 fields")
                .parse()
                .expect("number");
            assert!((0.0..1.0).contains(&weight), "{text}");
        }
    }
}
