//! Conversion of a [`Batch`](super::Batch) to an Arrow `RecordBatch`.
