//! Progress of one import, reported to a callback at a bounded row interval.

use std::time::Duration;

/// What an import is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Phase {
    /// Reading, decoding and writing rows.
    Loading,
    /// All input is read; the sink is committing.
    Committing,
    /// The import has ended (committed, or failed and aborted).
    Done,
}

/// A snapshot of an import's progress, handed to the progress callback.
///
/// Counts never decrease from one report to the next.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// What the import is doing.
    pub phase: Phase,
    /// Records read from the input (stored, rejected or still in flight).
    pub rows_read: u64,
    /// Rows handed to the sink and stored by it.
    pub rows_written: u64,
    /// Rows rejected (bad CSV or refused by the sink).
    pub rows_rejected: u64,
    /// Input bytes consumed (compressed bytes for compressed files).
    pub bytes_read: u64,
    /// Total input bytes, when every input's size is known (not for stdin).
    pub bytes_total: Option<u64>,
    /// Time since the import started.
    pub elapsed: Duration,
}

/// Decides when to report: at most `every_rows` rows apart, given batches of at most
/// `max_batch_rows` rows (each report happens after a batch).
#[derive(Debug)]
pub(crate) struct ProgressClock {
    every_rows: u64,
    max_batch_rows: u64,
    last_rows: u64,
}

impl ProgressClock {
    /// A clock for reports at most `every_rows` apart; batches larger than that make a report
    /// after every batch.
    pub(crate) fn new(every_rows: u64, max_batch_rows: u64) -> Self {
        ProgressClock {
            every_rows,
            max_batch_rows: max_batch_rows.min(every_rows),
            last_rows: 0,
        }
    }

    /// Whether to report now, with `rows` handled so far: when one more full batch could pass
    /// the interval.
    pub(crate) fn due(&mut self, rows: u64) -> bool {
        if rows - self.last_rows + self.max_batch_rows > self.every_rows {
            self.last_rows = rows;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_never_more_than_the_interval_apart() {
        let mut clock = ProgressClock::new(1000, 300);
        let mut rows = 0;
        let mut last = 0;
        for batch in [300, 1, 299, 300, 300, 300, 7, 300, 300, 300, 300] {
            rows += batch;
            if clock.due(rows) {
                assert!(rows - last <= 1000);
                last = rows;
            }
        }
        assert!(rows - last <= 1000 - 300 + 300);
    }

    #[test]
    fn batches_larger_than_the_interval_report_after_every_batch() {
        let mut clock = ProgressClock::new(10, 64);
        assert!(clock.due(64));
        assert!(clock.due(128));
    }
}
