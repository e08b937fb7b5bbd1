//! The `COPY` statement, the `BatchSink` contract between import and storage, and the
//! streaming import driver with its memory budget, progress and error policy.
//!
//! Not built yet: this crate is a placeholder in the workspace so that dependencies point the
//! right way from the first commit.
