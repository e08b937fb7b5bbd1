//! File I/O: the [`StorageBackend`] trait every read, write and sync goes through, the real
//! [`FileBackend`], the fault-injecting [`FaultyBackend`] for tests, and [`CheckedFile`], the
//! wrapper that refuses further writes after one failed.
//!
//! Nothing above this module touches `std::fs` for the database file: that is what lets tests
//! fail the Nth write or sync, run out of disk space, tear a write, and rebuild the file a crash
//! would have left.

mod backend;
mod checked;
mod faulty;

pub(crate) use backend::lock_exclusive;
pub use backend::{FileBackend, StorageBackend};
pub use checked::CheckedFile;
pub use faulty::{CrashMode, FaultPlan, FaultyBackend, IoCounts};
