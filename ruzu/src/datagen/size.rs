//! The documented data set sizes of docs/bench-data.md.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// A documented data set size: the person count behind "100mb" .. "5gb" (the edge file has twice
/// as many rows and about the same number of bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    /// 500 k persons, ~100 MB per file.
    Mb100,
    /// 2.5 M persons, ~500 MB per file.
    Mb500,
    /// 5 M persons, ~1 GB per file.
    Gb1,
    /// 25 M persons, ~5 GB per file.
    Gb5,
}

impl Size {
    /// Every size, smallest first.
    pub const ALL: [Size; 4] = [Size::Mb100, Size::Mb500, Size::Gb1, Size::Gb5];

    /// Rows of `person.csv`.
    pub fn persons(self) -> u64 {
        match self {
            Size::Mb100 => 500_000,
            Size::Mb500 => 2_500_000,
            Size::Gb1 => 5_000_000,
            Size::Gb5 => 25_000_000,
        }
    }

    /// The name used on the command line and in reports, e.g. `1gb`.
    pub fn name(self) -> &'static str {
        match self {
            Size::Mb100 => "100mb",
            Size::Mb500 => "500mb",
            Size::Gb1 => "1gb",
            Size::Gb5 => "5gb",
        }
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Size {
    type Err = Error;

    /// Parses a size name, ignoring case: `100mb`, `500mb`, `1gb`, `5gb`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Size::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| Error::UnknownSize {
                text: text.to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_case_is_ignored() {
        for s in Size::ALL {
            assert_eq!(s.name().parse::<Size>().expect("own name parses"), s);
        }
        assert_eq!("1GB".parse::<Size>().expect("upper case parses"), Size::Gb1);
        assert_eq!(Size::Gb5.persons(), 5 * Size::Gb1.persons());
    }

    #[test]
    fn unknown_size_is_an_error_naming_the_text() {
        let err = "2gb".parse::<Size>().expect_err("not a documented size");
        assert!(err.to_string().contains("\"2gb\""), "{err}");
    }
}
