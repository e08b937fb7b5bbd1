//! The generator's fixed vocabulary: names and words built from syllables, browsers, domains.
//!
//! Everything here is derived from a constant seed, so it is the same in every run and for every
//! user seed; the user seed only chooses among it. Built once per process ([`vocabulary`]).

use std::collections::HashSet;
use std::sync::OnceLock;

use super::append::{SHORT_BYTES, Short, push_prefix};
use super::rng::Rng;

/// Number of distinct first names.
pub(crate) const FIRST_NAMES: usize = 500;
/// Number of distinct last names.
pub(crate) const LAST_NAMES: usize = 1000;
/// Number of distinct words the text corpora are made of.
const WORDS: usize = 1200;
/// Bytes of each text corpus; windows are cut out of it at random word starts.
const CORPUS_BYTES: usize = 64 * 1024;
/// Longest window a caller may ask for.
pub(crate) const MAX_WINDOW_BYTES: usize = 160;
/// The constant seed of the vocabulary.
const VOCABULARY_SEED: u64 = 0x7275_7a75_766f_6361; // "ruzuvoca"

/// Browser names of the `browser` column.
pub(crate) const BROWSERS: [Short; 5] = [
    Short::new(b"Chrome"),
    Short::new(b"Firefox"),
    Short::new(b"Safari"),
    Short::new(b"Edge"),
    Short::new(b"Opera"),
];
/// Mail domains of the `email` column.
pub(crate) const DOMAINS: [Short; 8] = [
    Short::new(b"example.com"),
    Short::new(b"mail.test"),
    Short::new(b"post.example"),
    Short::new(b"inbox.invalid"),
    Short::new(b"web.example"),
    Short::new(b"letters.test"),
    Short::new(b"ruzu.example"),
    Short::new(b"net.invalid"),
];

const ONSETS: [&str; 24] = [
    "b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "r", "s",
    "sh", "st", "t", "th", "v", "w",
];
const VOWELS: [&str; 9] = ["a", "e", "i", "o", "u", "ia", "ea", "ou", "ai"];
const CODAS: [&str; 8] = ["", "", "n", "r", "l", "s", "th", "m"];

/// A name as written in a name column and, lower-cased, in an email address.
#[derive(Debug)]
pub(crate) struct Name {
    /// Capitalized, e.g. `Drani`.
    pub(crate) display: Short,
    /// Lower case, e.g. `drani`.
    pub(crate) lower: Short,
}

/// A long run of words with single separators, to cut windows from.
#[derive(Debug)]
pub(crate) struct Text {
    /// The words; at least [`MAX_WINDOW_BYTES`] bytes follow every entry of `word_starts`.
    bytes: Vec<u8>,
    /// Offsets in `bytes` where a word begins.
    word_starts: Vec<u32>,
    /// The byte between two words.
    separator: u8,
}

/// All fixed word material of the generator.
#[derive(Debug)]
pub(crate) struct Vocabulary {
    /// [`FIRST_NAMES`] distinct first names.
    pub(crate) first_names: Vec<Name>,
    /// [`LAST_NAMES`] distinct last names.
    pub(crate) last_names: Vec<Name>,
    /// Words separated by spaces, for `bio`.
    pub(crate) prose: Text,
    /// Words separated by `-`, for `tag`.
    pub(crate) tags: Text,
}

/// The process-wide vocabulary, built on first use.
pub(crate) fn vocabulary() -> &'static Vocabulary {
    static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
    VOCABULARY.get_or_init(Vocabulary::build)
}

impl Vocabulary {
    fn build() -> Self {
        let mut rng = Rng::new(VOCABULARY_SEED);
        let first_names = distinct(&mut rng, FIRST_NAMES, 2, 2);
        let last_names = distinct(&mut rng, LAST_NAMES, 2, 3);
        let words: Vec<Box<[u8]>> = distinct(&mut rng, WORDS, 1, 3)
            .into_iter()
            .map(|n| n.lower.as_bytes().into())
            .collect();
        let prose = Text::build(&mut rng, &words, b' ');
        let tags = Text::build(&mut rng, &words, b'-');
        Self {
            first_names,
            last_names,
            prose,
            tags,
        }
    }
}

/// `count` distinct names of `min..=max` syllables.
fn distinct(rng: &mut Rng, count: usize, min: u64, max: u64) -> Vec<Name> {
    let mut seen = HashSet::with_capacity(count);
    let mut names = Vec::with_capacity(count);
    while names.len() < count {
        let syllables = rng.between(min, max);
        let mut word = String::new();
        for _ in 0..syllables {
            word.push_str(pick(rng, &ONSETS));
            word.push_str(pick(rng, &VOWELS));
        }
        word.push_str(pick(rng, &CODAS));
        if word.len() <= SHORT_BYTES - 4 && seen.insert(word.clone()) {
            let mut display = word.clone().into_bytes();
            display[0] = display[0].to_ascii_uppercase();
            names.push(Name {
                display: Short::new(&display),
                lower: Short::new(word.as_bytes()),
            });
        }
    }
    names
}

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

impl Text {
    fn build(rng: &mut Rng, words: &[Box<[u8]>], separator: u8) -> Self {
        let mut bytes = Vec::with_capacity(CORPUS_BYTES + MAX_WINDOW_BYTES + 16);
        let mut word_starts = Vec::new();
        while bytes.len() < CORPUS_BYTES + MAX_WINDOW_BYTES {
            if !bytes.is_empty() {
                bytes.push(separator);
            }
            if bytes.len() < CORPUS_BYTES {
                word_starts.push(u32::try_from(bytes.len()).expect("invariant: corpus < 4 GiB"));
            }
            bytes.extend_from_slice(&words[rng.below(words.len() as u64) as usize]);
        }
        Self {
            bytes,
            word_starts,
            separator,
        }
    }

    /// Whole words from a random word start, at most `max_len` (<= [`MAX_WINDOW_BYTES`]) bytes,
    /// never starting or ending with a separator; empty when the first word is too long.
    #[inline]
    pub(crate) fn words(&self, rng: &mut Rng, max_len: usize) -> &[u8] {
        let (start, len) = self.word_window(rng, max_len);
        &self.bytes[start..start + len]
    }

    /// Appends what [`Text::words`] would return, with a fixed-size copy.
    #[inline]
    pub(crate) fn push_words(&self, rng: &mut Rng, max_len: usize, out: &mut Vec<u8>) {
        let (start, len) = self.word_window(rng, max_len);
        push_prefix(out, self.block(start), len);
    }

    /// Start and length of the window of [`Text::words`].
    #[inline]
    fn word_window(&self, rng: &mut Rng, max_len: usize) -> (usize, usize) {
        debug_assert!(max_len <= MAX_WINDOW_BYTES);
        let start = self.random_start(rng);
        if self.bytes[start + max_len] == self.separator {
            return (start, max_len);
        }
        let window = &self.bytes[start..start + max_len];
        (
            start,
            window
                .iter()
                .rposition(|&b| b == self.separator)
                .unwrap_or(0),
        )
    }

    /// Exactly `len` (<= [`MAX_WINDOW_BYTES`]) bytes from a random word start.
    #[cfg(test)]
    fn exact(&self, rng: &mut Rng, len: usize) -> &[u8] {
        let start = self.random_start(rng);
        &self.bytes[start..start + len]
    }

    /// Appends exactly `len` (<= [`MAX_WINDOW_BYTES`]) bytes from a random word start, with a
    /// fixed-size copy.
    #[inline]
    pub(crate) fn push_exact(&self, rng: &mut Rng, len: usize, out: &mut Vec<u8>) {
        debug_assert!(len <= MAX_WINDOW_BYTES);
        let start = self.random_start(rng);
        push_prefix(out, self.block(start), len);
    }

    /// The [`MAX_WINDOW_BYTES`] bytes from `start`, a word start.
    #[inline]
    fn block(&self, start: usize) -> &[u8; MAX_WINDOW_BYTES] {
        self.bytes[start..start + MAX_WINDOW_BYTES]
            .try_into()
            .expect("invariant: MAX_WINDOW_BYTES follow every word start")
    }

    #[inline]
    fn random_start(&self, rng: &mut Rng) -> usize {
        self.word_starts[rng.below(self.word_starts.len() as u64) as usize] as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_distinct_and_capitalized() {
        let v = vocabulary();
        assert_eq!(v.first_names.len(), FIRST_NAMES);
        assert_eq!(v.last_names.len(), LAST_NAMES);
        let distinct: HashSet<&[u8]> = v.last_names.iter().map(|n| n.display.as_bytes()).collect();
        assert_eq!(distinct.len(), LAST_NAMES);
        for n in v.first_names.iter().chain(&v.last_names) {
            assert!(n.display.as_bytes()[0].is_ascii_uppercase());
            assert_eq!(
                n.display.as_bytes().to_ascii_lowercase(),
                n.lower.as_bytes()
            );
            assert!(n.lower.as_bytes().iter().all(u8::is_ascii_lowercase));
        }
    }

    #[test]
    fn word_windows_are_whole_words_within_the_limit() {
        let v = vocabulary();
        let mut rng = Rng::new(9);
        for max_len in 0..=140 {
            let w = v.prose.words(&mut rng, max_len);
            assert!(w.len() <= max_len);
            assert!(!w.starts_with(b" ") && !w.ends_with(b" "), "{:?}", w);
            assert!(!w.windows(2).any(|p| p == b"  "));
            assert!(w.iter().all(|&b| b == b' ' || b.is_ascii_lowercase()));
        }
    }

    #[test]
    fn pushed_windows_equal_returned_windows() {
        let v = vocabulary();
        for max_len in [0, 1, 9, 50, 140, MAX_WINDOW_BYTES] {
            let (mut a, mut b) = (Rng::new(max_len as u64), Rng::new(max_len as u64));
            let mut out = b"x".to_vec();
            v.prose.push_words(&mut a, max_len, &mut out);
            assert_eq!(&out[1..], v.prose.words(&mut b, max_len));
            let mut out = Vec::new();
            v.tags.push_exact(&mut a, max_len, &mut out);
            assert_eq!(out, v.tags.exact(&mut b, max_len));
        }
    }

    #[test]
    fn exact_windows_have_the_asked_length() {
        let v = vocabulary();
        let mut rng = Rng::new(10);
        for len in 10..=50 {
            let t = v.tags.exact(&mut rng, len);
            assert_eq!(t.len(), len);
            assert!(t.iter().all(|&b| b == b'-' || b.is_ascii_lowercase()));
        }
    }
}
