//! Encoding node groups off the writer's thread.
//!
//! [`EncodePipeline`] owns one worker thread. The writer hands it a full group (the column
//! encoders holding the group's values, and a buffer for the images) and goes on filling a
//! second set of encoders with the next rows; the worker runs the chunk encoders (frame of
//! reference, dictionaries, zstd: the CPU-heavy part of a durable import) and hands back the
//! group's images, which the writer then writes to disk on its own thread (the transaction
//! is not shared). At most one group is in flight, so the writer holds at most two groups of
//! values plus their images (the worker cuts a group's columns in two runs and encodes the
//! second on a scoped thread into a spare buffer: about half of one group's images more).
//! Groups come back in the order they were sent.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use super::frames::FrameHints;
use super::meta::ChunkRef;
use crate::node::column::{ChunkEncoder, Encoding};

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
/// 8-byte-aligned offset, and returns where they lie. Leaves the encoders empty. Records in
/// `hints` which string columns came out compressed.
pub(super) fn encode_group(
    columns: &mut [ChunkEncoder],
    rows: usize,
    image: &mut Vec<u8>,
    hints: &FrameHints,
) -> Vec<ChunkRef> {
    let mut chunks = Vec::with_capacity(columns.len());
    encode_columns(columns, 0, rows, image, &mut chunks, hints);
    chunks
}

/// [`encode_group`] on two threads: the columns are cut in two runs of about equal work
/// (string bytes: dictionaries and zstd are the cost), the second run is encoded into
/// `spare` on a scoped thread, then appended. The image is byte for byte the one
/// [`encode_group`] makes (every column starts 8-byte aligned in both).
///
/// Measured on the person shape (2 cores, busy machine): the single encoder thread was
/// the busiest thread of the import (35% of samples against the sink's 29%), and the sink
/// waited on it.
pub(super) fn encode_group_split(
    columns: &mut [ChunkEncoder],
    rows: usize,
    image: &mut Vec<u8>,
    spare: &mut Vec<u8>,
    hints: &FrameHints,
) -> Vec<ChunkRef> {
    let cut = balanced_cut(columns);
    if cut == 0 || cut == columns.len() {
        return encode_group(columns, rows, image, hints);
    }
    let (head, tail) = columns.split_at_mut(cut);
    let mut chunks = Vec::with_capacity(head.len() + tail.len());
    spare.clear();
    let tail_chunks = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("ruzu-group-encoder-2".into())
            .spawn_scoped(scope, || {
                let mut tail_chunks = Vec::with_capacity(tail.len());
                encode_columns(tail, cut, rows, spare, &mut tail_chunks, hints);
                tail_chunks
            });
        encode_columns(head, 0, rows, image, &mut chunks, hints);
        match worker {
            Ok(handle) => Some(
                handle
                    .join()
                    .expect("invariant: encoding a chunk cannot panic"),
            ),
            // No second thread: the tail is encoded below, on this one.
            Err(_) => None,
        }
    });
    match tail_chunks {
        Some(tail_chunks) => {
            while !image.len().is_multiple_of(8) {
                image.push(0);
            }
            let base = image.len() as u64;
            image.extend_from_slice(spare);
            chunks.extend(tail_chunks.into_iter().map(|c| ChunkRef {
                offset: c.offset + base,
                ..c
            }));
        }
        None => encode_columns(tail, cut, rows, image, &mut chunks, hints),
    }
    chunks
}

/// The index that cuts `columns` into two runs of most equal work (string bytes, plus 8
/// per row for every column).
fn balanced_cut(columns: &[ChunkEncoder]) -> usize {
    let work: Vec<u64> = columns
        .iter()
        .map(|c| c.var_bytes() + 8 * c.len() as u64)
        .collect();
    let total: u64 = work.iter().sum();
    let mut head = 0u64;
    let mut best = (total, 0usize);
    for (i, w) in work.iter().enumerate() {
        head += w;
        let worst = head.max(total - head);
        if worst < best.0 {
            best = (worst, i + 1);
        }
    }
    best.1
}

/// Encodes `columns` (the table's columns from `first` on) into `image`.
fn encode_columns(
    columns: &mut [ChunkEncoder],
    first: usize,
    rows: usize,
    image: &mut Vec<u8>,
    chunks: &mut Vec<ChunkRef>,
    hints: &FrameHints,
) {
    for (i, encoder) in columns.iter_mut().enumerate() {
        while !image.len().is_multiple_of(8) {
            image.push(0);
        }
        let offset = image.len();
        let meta = encoder.finish(image);
        debug_assert_eq!(meta.rows as usize, rows);
        hints.set(first + i, meta.encoding == Encoding::VarLenZstd);
        chunks.push(ChunkRef {
            offset: offset as u64,
            len: meta.image_bytes,
            crc: meta.crc32c,
        });
    }
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
    pub(super) fn start(hints: Arc<FrameHints>) -> Option<Self> {
        let (to_worker, jobs) = sync_channel::<Job>(1);
        let (done, from_worker) = sync_channel::<Encoded>(1);
        let worker = std::thread::Builder::new()
            .name("ruzu-group-encoder".into())
            .spawn(move || {
                // The second thread's images, kept across groups.
                let mut spare = Vec::new();
                while let Ok(mut job) = jobs.recv() {
                    job.image.clear();
                    let chunks = encode_group_split(
                        &mut job.columns,
                        job.rows,
                        &mut job.image,
                        &mut spare,
                        &hints,
                    );
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ruzu_csv::{Batch, DataType, Field, Schema, Value};

    use super::*;

    fn filled(batch: &Batch) -> Vec<ChunkEncoder> {
        (0..batch.schema().len())
            .map(|c| {
                let mut e = ChunkEncoder::new(batch.column(c).data_type()).expect("supported");
                e.append(batch.column(c), 0..batch.num_rows())
                    .expect("type and range are right");
                e
            })
            .collect()
    }

    #[test]
    fn split_encoding_makes_the_same_image_as_one_thread() {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64),
            Field::new("name", DataType::String),
            Field::new("score", DataType::Double),
            Field::new("bio", DataType::String),
        ]));
        let mut batch = Batch::new(schema, 64, 1024);
        for i in 0..5000i64 {
            let name = format!("n{}", i % 37);
            let bio = format!("bio of {i} with some words {}", i * 7919 % 1000);
            let row = [
                Value::Int64(i * 3),
                Value::String(&name),
                Value::Double(i as f64 / 4.0),
                Value::String(&bio),
            ];
            batch.push_row(&row, i as u64 + 2, 0).expect("row matches");
        }
        let hints = FrameHints::new(&[DataType::Int64; 4], None);
        let mut one = Vec::new();
        let chunks_one = encode_group(&mut filled(&batch), 5000, &mut one, &hints);
        let mut columns = filled(&batch);
        assert!((1..columns.len()).contains(&balanced_cut(&columns)));
        let (mut two, mut spare) = (Vec::new(), Vec::new());
        let chunks_two = encode_group_split(&mut columns, 5000, &mut two, &mut spare, &hints);
        assert_eq!(chunks_one, chunks_two);
        assert_eq!(one, two);
        assert!(columns.iter().all(ChunkEncoder::is_empty));
    }
}
