//! Medians and ranges of repeated measurements.

use serde::{Deserialize, Serialize};

/// Median, minimum and maximum of a set of measurements.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// The median (the mean of the two middle values for an even count).
    pub median: f64,
    /// The smallest value.
    pub min: f64,
    /// The largest value.
    pub max: f64,
}

impl Summary {
    /// The summary of `values`; `None` when there are none. NaNs sort last.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Self> {
        let mut sorted: Vec<f64> = values.into_iter().collect();
        sorted.sort_by(f64::total_cmp);
        let (&min, &max) = (sorted.first()?, sorted.last()?);
        Some(Self {
            median: median_of_sorted(&sorted),
            min,
            max,
        })
    }

    /// `max - min`.
    pub fn range(&self) -> f64 {
        self.max - self.min
    }
}

fn median_of_sorted(sorted: &[f64]) -> f64 {
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_count_is_the_middle_value() {
        let s = Summary::of([3.0, 1.0, 2.0]).expect("values");
        assert_eq!((s.min, s.median, s.max), (1.0, 2.0, 3.0));
        assert_eq!(s.range(), 2.0);
    }

    #[test]
    fn median_of_even_count_is_the_mean_of_the_middle_two() {
        let s = Summary::of([10.0, 4.0, 1.0, 6.0]).expect("values");
        assert_eq!((s.min, s.median, s.max), (1.0, 5.0, 10.0));
    }

    #[test]
    fn one_value_is_its_own_summary_and_none_has_none() {
        let s = Summary::of([7.5]).expect("one value");
        assert_eq!((s.min, s.median, s.max, s.range()), (7.5, 7.5, 7.5, 0.0));
        assert!(Summary::of([]).is_none());
    }
}
