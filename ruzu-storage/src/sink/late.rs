//! [`LateDuplicates`]: the duplicate keys the primary-key index finds only when it is finished
//! (its out-of-core path), turned into late rejects with the input position of each duplicate
//! row, or into the error that fails a commit nobody reports them to.

use std::ops::ControlFlow;

use ruzu_copy::{LateReject, SinkRejectKind};

use super::positions::PositionLog;
use crate::error::{Result, StorageError};
use crate::node::pk_index::Duplicate;

/// Collects the duplicates [`PkIndexBuilder::finish`](crate::PkIndexBuilder::finish) hands
/// over, one call of [`LateDuplicates::record`] each.
///
/// With a reporter (the driver's `BatchSink::finish`), each duplicate is reported with its
/// position until the reporter asks to stop, and its row is listed for deletion. Without one
/// (a `commit` that was not preceded by `finish`), the first duplicate fails the commit.
/// Bound: 8 bytes per reported duplicate (the rows to delete).
pub(super) struct LateDuplicates<'a, 'r> {
    reporter: Option<&'a mut (dyn FnMut(LateReject) -> ControlFlow<()> + 'r)>,
    /// Positions of the rows stored since the index spilled; `None` gives lines only.
    positions: Option<&'a PositionLog>,
    /// 1-based column of the key, for the rejects.
    column: usize,
    /// Duplicates found, all of them (also those after the reporter stopped).
    found: u64,
    /// Without a reporter: the first duplicate, for the error.
    first: Option<Duplicate>,
    /// Node offsets of the reported duplicates' rows.
    rows: Vec<u64>,
    /// The reporter asked to stop: later duplicates are counted only.
    stopped: bool,
    /// Finding a reported row's position failed; the outcome is this error.
    failure: Option<StorageError>,
}

/// What [`LateDuplicates::outcome`] returns: the rows to delete (node offsets, in the order
/// found) and whether the reporter stopped the import.
pub(super) struct LateOutcome {
    pub(super) rows: Vec<u64>,
    pub(super) flow: ControlFlow<()>,
}

impl<'a, 'r> LateDuplicates<'a, 'r> {
    pub(super) fn new(
        reporter: Option<&'a mut (dyn FnMut(LateReject) -> ControlFlow<()> + 'r)>,
        positions: Option<&'a PositionLog>,
        column: usize,
    ) -> Self {
        LateDuplicates {
            reporter,
            positions,
            column,
            found: 0,
            first: None,
            rows: Vec::new(),
            stopped: false,
            failure: None,
        }
    }

    /// Takes one duplicate the index found.
    pub(super) fn record(&mut self, d: Duplicate) {
        self.found += 1;
        let Some(report) = self.reporter.as_mut() else {
            self.first.get_or_insert(d);
            return;
        };
        if self.stopped || self.failure.is_some() {
            return;
        }
        let position = match self.positions {
            Some(log) => log.position(d.dup_offset, d.dup_line),
            None => PositionLog::line_only(d.dup_line),
        };
        let position = match position {
            Ok(p) => p,
            Err(e) => {
                self.failure = Some(e);
                return;
            }
        };
        self.rows.push(d.dup_offset);
        let flow = report(LateReject {
            position,
            column: Some(self.column),
            kind: SinkRejectKind::DuplicateKey {
                first_line: (d.first_line > 0).then_some(d.first_line),
            },
            text: Some(d.key),
        });
        self.stopped = flow.is_break();
    }

    /// The outcome once the index is finished.
    ///
    /// # Errors
    ///
    /// The error finding a position failed with; without a reporter,
    /// [`StorageError::DuplicateKeys`] naming the first duplicate of `table` and the count.
    pub(super) fn outcome(self, table: &str) -> Result<LateOutcome> {
        if let Some(e) = self.failure {
            return Err(e);
        }
        if let Some(d) = self.first {
            return Err(StorageError::DuplicateKeys {
                table: table.to_owned(),
                key: d.key,
                first_line: d.first_line,
                dup_line: d.dup_line,
                count: self.found,
            });
        }
        let flow = if self.stopped {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        };
        Ok(LateOutcome {
            rows: self.rows,
            flow,
        })
    }
}
