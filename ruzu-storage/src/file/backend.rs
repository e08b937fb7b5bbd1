//! The backend trait and its `std::fs` implementation.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::Path;

/// Positional I/O on the one file that holds a database.
///
/// The store calls these methods from one writer at a time (and may read from several threads),
/// so implementations take `&self`. A method either does all it was asked or returns an error;
/// after an error of `write_at`, `set_len` or `sync_data` the caller ([`CheckedFile`]) treats the
/// file contents as unknown and issues no further writes.
///
/// Durability contract: bytes written by `write_at` (and lengths set by `set_len`) are durable
/// only once a later `sync_data` returned `Ok`. Until then a crash may lose them, keep them, or
/// keep only part of them, in any combination.
///
/// [`CheckedFile`]: super::CheckedFile
pub trait StorageBackend: Send + Sync + fmt::Debug {
    /// Current length of the file in bytes.
    fn len(&self) -> io::Result<u64>;

    /// Whether the file is empty.
    fn is_empty(&self) -> io::Result<bool> {
        Ok(self.len()? == 0)
    }

    /// Fills `buf` with the bytes at `offset..offset + buf.len()`.
    ///
    /// # Errors
    ///
    /// `io::ErrorKind::UnexpectedEof` when the range reaches past the end of the file; any error
    /// of the device.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()>;

    /// Writes all of `data` at `offset`, growing the file if needed.
    ///
    /// # Errors
    ///
    /// Any error of the device, `io::ErrorKind::StorageFull` when the disk is full. Part of the
    /// data may have landed.
    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()>;

    /// Makes every earlier write and length change durable (`fdatasync`).
    ///
    /// # Errors
    ///
    /// Any error of the device; then nothing is known about which earlier writes are durable.
    fn sync_data(&self) -> io::Result<()>;

    /// Truncates or extends the file to `len` bytes (extension reads as zeros).
    ///
    /// # Errors
    ///
    /// Any error of the device.
    fn set_len(&self, len: u64) -> io::Result<()>;
}

/// A [`StorageBackend`] over a real file, with positional reads and writes
/// (`pread`/`pwrite` through [`FileExt`]).
///
/// The file is locked exclusively (`flock`) while the backend lives, so a second process (or
/// a second handle in this one) cannot open the same database and corrupt it.
#[derive(Debug)]
pub struct FileBackend {
    file: File,
}

impl FileBackend {
    /// Creates a new file at `path`; fails if it exists. The parent directory is synced so that
    /// the new directory entry survives a crash.
    ///
    /// # Errors
    ///
    /// Any error of creating the file or syncing its directory.
    pub fn create(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)?;
        lock_exclusive(&file)?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir)?.sync_all()?;
        }
        Ok(FileBackend { file })
    }

    /// Opens the existing file at `path` for reading and writing.
    ///
    /// # Errors
    ///
    /// Any error of opening the file (`NotFound` if it does not exist); `WouldBlock` if another
    /// handle holds the lock.
    pub fn open(path: &Path) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).open(path)?;
        lock_exclusive(&file)?;
        Ok(FileBackend { file })
    }

    /// Wraps `file`, on which the caller already holds the exclusive lock (see
    /// [`lock_exclusive`]): the database's creation locks its file before it has its final
    /// name.
    pub(crate) fn from_locked(file: File) -> Self {
        FileBackend { file }
    }
}

/// Takes the exclusive lock without waiting.
///
/// # Errors
///
/// `WouldBlock` if another handle holds it; any error of `flock`.
pub(crate) fn lock_exclusive(file: &File) -> io::Result<()> {
    file.try_lock().map_err(|e| match e {
        std::fs::TryLockError::WouldBlock => io::Error::new(
            io::ErrorKind::WouldBlock,
            "the database is opened by another handle",
        ),
        std::fs::TryLockError::Error(e) => e,
    })
}

impl StorageBackend for FileBackend {
    fn len(&self) -> io::Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        self.file.read_exact_at(buf, offset)
    }

    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.file.write_all_at(data, offset)
    }

    fn sync_data(&self) -> io::Result<()> {
        self.file.sync_data()
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.file.set_len(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_backend_reads_back_positional_writes() -> io::Result<()> {
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("f");
        let b = FileBackend::create(&path)?;
        b.write_at(10, b"hello")?;
        b.sync_data()?;
        assert_eq!(b.len()?, 15);
        let mut buf = [0u8; 15];
        b.read_at(0, &mut buf)?;
        assert_eq!(&buf[10..], b"hello");
        assert_eq!(&buf[..10], &[0u8; 10]);
        let mut past = [0u8; 4];
        let err = b
            .read_at(13, &mut past)
            .expect_err("read past the end must fail");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        b.set_len(3)?;
        assert_eq!(b.len()?, 3);
        assert!(
            FileBackend::create(&path).is_err(),
            "create must not clobber"
        );
        Ok(())
    }
}
