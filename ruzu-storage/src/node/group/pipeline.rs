//! Encoding node groups off the writer's thread.
//!
//! [`EncodePipeline`] owns one worker thread. The writer hands it a full group (the column
//! encoders holding the group's values, and a buffer for the images) and goes on filling a
//! second set of encoders with the next rows; the worker runs the chunk encoders (frame of
//! reference, dictionaries, zstd: the CPU-heavy part of a durable import) and hands back the
//! group's images, which the writer then writes to disk on its own thread (the transaction
//! is not shared). At most one group is in flight, so the writer holds at most two groups of
//! values plus their images. Groups come back in the order they were sent.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::meta::ChunkRef;
use crate::node::column::ChunkEncoder;

/// A full group on its way to the worker.
pub(super) struct Job {
    pub(super) columns: Vec<ChunkEncoder>,
    /// Buffer for the images (cleared by the worker).
    pub(super) image: Vec<u8>,
    pub(super) rows: usize,
}

/// An encoded group on its way back: the encoders (empty again, for reuse), the images back
/// to back (8-byte aligned), and where each column's image lies.
pub(super) struct Encoded {
    pub(super) columns: Vec<ChunkEncoder>,
    pub(super) image: Vec<u8>,
    pub(super) chunks: Vec<ChunkRef>,
    pub(super) rows: usize,
}

/// Appends the image of every column of a group of `rows` rows to `image`, each at an
/// 8-byte-aligned offset, and returns where they lie. Leaves the encoders empty.
pub(super) fn encode_group(
    columns: &mut [ChunkEncoder],
    rows: usize,
    image: &mut Vec<u8>,
) -> Vec<ChunkRef> {
    let mut chunks = Vec::with_capacity(columns.len());
    for encoder in columns {
        while !image.len().is_multiple_of(8) {
            image.push(0);
        }
        let offset = image.len();
        let meta = encoder.finish(image);
        debug_assert_eq!(meta.rows as usize, rows);
        chunks.push(ChunkRef {
            offset: offset as u64,
            len: meta.image_bytes,
            crc: meta.crc32c,
        });
    }
    chunks
}

/// The worker thread and its two channels (capacity one each way).
#[derive(Debug)]
pub(super) struct EncodePipeline {
    to_worker: Option<SyncSender<Job>>,
    from_worker: Receiver<Encoded>,
    worker: Option<JoinHandle<()>>,
}

impl EncodePipeline {
    /// Starts the worker, or `None` when the system refuses a thread (the writer then
    /// encodes on its own thread).
    pub(super) fn start() -> Option<Self> {
        let (to_worker, jobs) = sync_channel::<Job>(1);
        let (done, from_worker) = sync_channel::<Encoded>(1);
        let worker = std::thread::Builder::new()
            .name("ruzu-group-encoder".into())
            .spawn(move || {
                while let Ok(mut job) = jobs.recv() {
                    job.image.clear();
                    let chunks = encode_group(&mut job.columns, job.rows, &mut job.image);
                    let encoded = Encoded {
                        columns: job.columns,
                        image: job.image,
                        chunks,
                        rows: job.rows,
                    };
                    if done.send(encoded).is_err() {
                        break;
                    }
                }
            })
            .ok()?;
        Some(EncodePipeline {
            to_worker: Some(to_worker),
            from_worker,
            worker: Some(worker),
        })
    }

    /// Hands `job` to the worker (the previous job must have been received).
    pub(super) fn send(&self, job: Job) {
        self.to_worker
            .as_ref()
            .expect("invariant: the sender lives until drop")
            .send(job)
            .expect("invariant: the encoder thread runs until the pipeline is dropped");
    }

    /// Waits for the job sent last.
    pub(super) fn receive(&self) -> Encoded {
        self.from_worker
            .recv()
            .expect("invariant: the encoder thread answers every job (it cannot fail)")
    }
}

impl Drop for EncodePipeline {
    fn drop(&mut self) {
        // Closing the job channel ends the worker's loop.
        drop(self.to_worker.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}
