//! The parallel phase of [`NodeTableSink`](super::NodeTableSink): on every decoder thread, the
//! batch's string columns that the table stores compressed are compressed into zstd frames
//! ([`BatchFrames`]); the sink's ordered apply then hands them to the group encoders with the
//! rows, so that the group encoder copies them instead of compressing on its own thread.

use std::sync::Arc;

use ruzu_copy::{LocalSink, Prepared, SinkError};
use ruzu_csv::Batch;

use crate::node::column::FrameCompressor;
use crate::node::group::{BatchFrames, FrameHints};

/// What the parallel phase makes of one batch, kept in the batch's [`Prepared`] state and
/// reused from batch to batch.
///
/// Bound: the compressed string bytes of one batch.
#[derive(Debug, Default)]
pub(super) struct PreparedNodes {
    pub(super) frames: BatchFrames,
}

/// One decoder thread's half of the parallel phase.
#[derive(Debug)]
pub(super) struct NodeLocal {
    hints: Arc<FrameHints>,
    /// Made on the first batch with a column to compress; `None` before, or when zstd could
    /// not make a context (the batches then go without frames).
    compressor: Option<FrameCompressor>,
}

impl NodeLocal {
    pub(super) fn new(hints: Arc<FrameHints>) -> Self {
        NodeLocal {
            hints,
            compressor: None,
        }
    }
}

impl LocalSink for NodeLocal {
    fn prepare(&mut self, batch: &Batch, prepared: &mut Prepared) -> Result<(), SinkError> {
        let state = prepared.get_or_insert_with(PreparedNodes::default);
        if self.compressor.is_none()
            && let Some(level) = self.hints.level()
        {
            self.compressor = FrameCompressor::new(level).ok();
        }
        match &mut self.compressor {
            // A failed compression only costs the group encoder the work: no frames.
            Some(c) => {
                let _ = state.frames.compress(batch, &self.hints, c);
            }
            None => state.frames.clear(),
        }
        Ok(())
    }
}
