//! Creating a database's page file atomically, under the same exclusive lock every writer
//! takes.
//!
//! The first state is written into [`CREATING_FILE_NAME`] while the creator holds the
//! exclusive lock on that file, then given its final name with a link that never replaces an
//! existing name. The lock belongs to the file, not to the name, so the creator still holds it
//! once the file is [`DATA_FILE_NAME`]: a second creator or opener sees `locked` until the
//! creator closes the database, and never a half-made file.
//!
//! Two creators racing on one directory:
//! - the one that locks `data.ruzu.creating` first creates the database;
//! - the other finds it locked ([`StorageError::Locked`]) or, once it has been linked into
//!   place, finds a database there ([`StorageError::AlreadyExists`]).
//!
//! A creator only truncates or removes `data.ruzu.creating` while it holds the lock on the file
//! that name points to (checked by device and inode after locking), so no creator destroys
//! another's work. A leftover from a crash during create is replaced; a create that fails
//! removes its own temporary file.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use crate::error::{Result, StorageError};
use crate::file::{FileBackend, lock_exclusive};

use super::DATA_FILE_NAME;

/// Name under which the first state is written before it is linked to [`DATA_FILE_NAME`].
pub(super) const CREATING_FILE_NAME: &str = "data.ruzu.creating";

/// Attempts at locking a `data.ruzu.creating` that another creator replaced meanwhile.
const LOCK_ATTEMPTS: usize = 8;

/// A page file being created: locked, empty, not yet under its final name.
pub(super) struct Creating {
    /// A second handle of the locked open file: it keeps the lock while the backend is moved
    /// into the store and, on failure, while the temporary name is removed.
    lock: File,
    /// `dir/data.ruzu.creating`.
    temp: PathBuf,
    /// `dir/data.ruzu`.
    data: PathBuf,
}

/// `source` as a [`StorageError::File`] of `op` on `path`.
fn file_error<'p>(op: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> StorageError + 'p {
    move |source| StorageError::File {
        op,
        path: path.to_path_buf(),
        source,
    }
}

/// Fails unless nothing at all (not even a dangling symbolic link) has the name `data`.
pub(super) fn check_absent(data: &Path) -> Result<()> {
    match std::fs::symlink_metadata(data) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(file_error("examine", data)(e)),
        Ok(meta) if meta.file_type().is_symlink() && std::fs::metadata(data).is_err() => {
            Err(dangling(data))
        }
        Ok(_) => Err(StorageError::AlreadyExists {
            path: data.to_path_buf(),
        }),
    }
}

/// The [`StorageError::DanglingLink`] of `data`, a symbolic link whose target is missing.
pub(super) fn dangling(data: &Path) -> StorageError {
    StorageError::DanglingLink {
        path: data.to_path_buf(),
        target: std::fs::read_link(data).unwrap_or_default(),
    }
}

/// Whether `a` and `b` are the same file.
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

impl Creating {
    /// Creates `dir` if needed and locks an empty `dir/data.ruzu.creating`.
    ///
    /// # Errors
    ///
    /// [`StorageError::AlreadyExists`] when `dir` holds a database, [`StorageError::Locked`]
    /// when another handle is creating one there, [`StorageError::DanglingLink`],
    /// [`StorageError::File`] for I/O errors.
    pub(super) fn begin(dir: &Path) -> Result<(Creating, FileBackend)> {
        std::fs::create_dir_all(dir).map_err(file_error("create directory", dir))?;
        let data = dir.join(DATA_FILE_NAME);
        check_absent(&data)?;
        let temp = dir.join(CREATING_FILE_NAME);
        for _ in 0..LOCK_ATTEMPTS {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&temp)
                .map_err(file_error("create", &temp))?;
            match lock_exclusive(&file) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return Err(StorageError::Locked { path: data });
                }
                Err(e) => return Err(file_error("lock", &temp)(e)),
            }
            // The name may have been removed or replaced between open and lock by the
            // creator that held the lock before: then this handle locks a file nobody will
            // link, and the name is tried again.
            let locked = file.metadata().map_err(file_error("examine", &temp))?;
            match std::fs::symlink_metadata(&temp) {
                Ok(named) if same_file(&locked, &named) => {}
                Ok(_) => continue,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(file_error("examine", &temp)(e)),
            }
            let creating = Creating {
                lock: file.try_clone().map_err(file_error("open", &temp))?,
                temp,
                data,
            };
            // Under the lock: a database may have been linked into place meanwhile.
            if let Err(e) = check_absent(&creating.data) {
                creating.abandon();
                return Err(e);
            }
            if let Err(e) = file.set_len(0) {
                let err = file_error("truncate", &creating.temp)(e);
                creating.abandon();
                return Err(err);
            }
            return Ok((creating, FileBackend::from_locked(file)));
        }
        Err(StorageError::Locked { path: data })
    }

    /// Removes the temporary file, still under the lock. Best effort: the create has already
    /// failed with the error that matters.
    pub(super) fn abandon(self) {
        let _ = std::fs::remove_file(&self.temp);
        drop(self.lock);
    }

    /// Gives the written, synced file its final name without replacing anything there, and
    /// makes the name durable. On error the temporary file is removed.
    ///
    /// # Errors
    ///
    /// [`StorageError::AlreadyExists`] when a database appeared under the final name;
    /// [`StorageError::File`] for I/O errors.
    pub(super) fn publish(self) -> Result<()> {
        match std::fs::hard_link(&self.temp, &self.data) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let path = self.data.clone();
                self.abandon();
                return Err(StorageError::AlreadyExists { path });
            }
            // A file system without hard links: a rename, which the lock and the check under
            // it keep from replacing another creator's database.
            Err(_) => {
                if let Err(e) = check_absent(&self.data) {
                    self.abandon();
                    return Err(e);
                }
                if let Err(e) = std::fs::rename(&self.temp, &self.data) {
                    let err = file_error("rename", &self.temp)(e);
                    self.abandon();
                    return Err(err);
                }
            }
        }
        let _ = std::fs::remove_file(&self.temp);
        let dir = self
            .data
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(file_error("sync directory", dir))
    }
}
