//! [`CheckedFile`]: a backend wrapper that stops writing after the first failure.
//!
//! Why: after a failed `write` or `fsync` the kernel may have dropped dirty pages, marked them
//! clean, or written some of them; retrying can silently publish a header over data that never
//! reached the disk. The only safe reaction is to stop, and let the next open recover the last
//! committed state from what is actually on disk (the redb `CheckedBackend` pattern).

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};

use super::StorageBackend;
use crate::error::{Result, StorageError};

/// A [`StorageBackend`] that refuses every write, length change and sync after one of them
/// failed, with [`StorageError::PreviousIo`]. Reads keep working.
#[derive(Debug)]
pub struct CheckedFile {
    backend: Box<dyn StorageBackend>,
    /// Set (never cleared) by the first failed write, `set_len` or sync.
    failed: AtomicBool,
}

impl CheckedFile {
    /// Wraps `backend`.
    pub fn new(backend: Box<dyn StorageBackend>) -> Self {
        CheckedFile {
            backend,
            failed: AtomicBool::new(false),
        }
    }

    /// Whether a write or sync failed, so that writes are refused.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// Length of the file in bytes.
    ///
    /// # Errors
    ///
    /// [`StorageError::Io`] from the backend.
    pub fn len(&self) -> Result<u64> {
        self.backend.len().map_err(|source| StorageError::Io {
            op: "len",
            offset: 0,
            source,
        })
    }

    /// Whether the file is empty.
    ///
    /// # Errors
    ///
    /// [`StorageError::Io`] from the backend.
    pub fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Reads exactly `buf.len()` bytes at `offset`.
    ///
    /// # Errors
    ///
    /// [`StorageError::Io`] from the backend (`UnexpectedEof` past the end of the file).
    pub fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<()> {
        self.backend
            .read_at(offset, buf)
            .map_err(|source| StorageError::Io {
                op: "read",
                offset,
                source,
            })
    }

    /// Writes all of `data` at `offset`.
    ///
    /// # Errors
    ///
    /// [`StorageError::PreviousIo`] if an earlier write or sync failed; [`StorageError::Io`] if
    /// this one fails (and from then on every write is refused).
    pub fn write_at(&self, offset: u64, data: &[u8]) -> Result<()> {
        self.guarded("write", offset, |b| b.write_at(offset, data))
    }

    /// Makes earlier writes durable.
    ///
    /// # Errors
    ///
    /// As [`CheckedFile::write_at`].
    pub fn sync_data(&self) -> Result<()> {
        self.guarded("sync", 0, |b| b.sync_data())
    }

    /// Sets the length of the file.
    ///
    /// # Errors
    ///
    /// As [`CheckedFile::write_at`].
    pub fn set_len(&self, len: u64) -> Result<()> {
        self.guarded("set_len", len, |b| b.set_len(len))
    }

    fn guarded(
        &self,
        op: &'static str,
        offset: u64,
        f: impl FnOnce(&dyn StorageBackend) -> io::Result<()>,
    ) -> Result<()> {
        if self.has_failed() {
            return Err(StorageError::PreviousIo);
        }
        f(self.backend.as_ref()).map_err(|source| {
            self.failed.store(true, Ordering::Release);
            StorageError::Io { op, offset, source }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::{FaultPlan, FaultyBackend};

    #[test]
    fn writes_are_refused_after_a_failed_write() {
        let backend = FaultyBackend::new();
        backend.set_plan(FaultPlan {
            fail_write: Some(1),
            ..FaultPlan::default()
        });
        let file = CheckedFile::new(Box::new(backend.clone()));
        file.write_at(0, b"ok").expect("first write succeeds");
        assert!(matches!(
            file.write_at(2, b"boom"),
            Err(StorageError::Io {
                op: "write",
                offset: 2,
                ..
            })
        ));
        assert!(file.has_failed());
        assert!(matches!(
            file.write_at(0, b"x"),
            Err(StorageError::PreviousIo)
        ));
        assert!(matches!(file.sync_data(), Err(StorageError::PreviousIo)));
        assert!(matches!(file.set_len(0), Err(StorageError::PreviousIo)));
        // The refused calls never reached the backend.
        assert_eq!(backend.counts().writes, 2);
        assert_eq!(backend.counts().syncs, 0);
        let mut buf = [0u8; 2];
        file.read_at(0, &mut buf).expect("reads still work");
        assert_eq!(&buf, b"ok");
    }

    #[test]
    fn writes_are_refused_after_a_failed_sync() {
        let backend = FaultyBackend::new();
        backend.set_plan(FaultPlan {
            fail_sync: Some(0),
            ..FaultPlan::default()
        });
        let file = CheckedFile::new(Box::new(backend));
        file.write_at(0, b"data").expect("write succeeds");
        assert!(matches!(
            file.sync_data(),
            Err(StorageError::Io { op: "sync", .. })
        ));
        assert!(matches!(
            file.write_at(0, b"x"),
            Err(StorageError::PreviousIo)
        ));
    }
}
