//! [`Store`]: the storage handle of one database directory, and its write transactions.
//!
//! A database directory holds one file, [`DATA_FILE_NAME`], laid out as described in
//! `page_file/mod.rs` and `docs/file-format.md`. A `Store` keeps the committed state in memory
//! (header, catalog, table storage, free list); [`Store::begin_write`] starts the one write
//! transaction, which works on a copy of that state and publishes it at commit.

mod create;
mod root;
mod txn;

use std::path::Path;
use std::sync::Arc;

use ruzu_copy::Ddl;

pub use root::TableStorage;
pub use txn::{DdlOutcome, WriteTxn};

use crate::buffer_pool::{BufferPool, PageRef, PoolStats};
use crate::catalog::{Catalog, TableId};
use crate::error::{Result, StorageError};
use crate::file::{CheckedFile, FileBackend, StorageBackend};
use crate::page_file::header::{self, Header};
use crate::page_file::{Extent, FIRST_DATA_PAGE, PAGE_SIZE, PAGE_SIZE_BYTES, PageId, pages_for};
use create::Creating;
use root::{Root, check_disjoint};

/// Name of the page file inside a database directory.
pub const DATA_FILE_NAME: &str = "data.ruzu";

/// Default byte budget of the buffer pool.
pub const DEFAULT_BUFFER_POOL_BYTES: usize = 16 << 20;

/// Options of a [`Store`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreOptions {
    /// Bytes of memory for the buffer pool's frames.
    pub buffer_pool_bytes: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            buffer_pool_bytes: DEFAULT_BUFFER_POOL_BYTES,
        }
    }
}

impl StoreOptions {
    /// Sets [`StoreOptions::buffer_pool_bytes`].
    pub fn with_buffer_pool_bytes(mut self, bytes: usize) -> Self {
        self.buffer_pool_bytes = bytes;
        self
    }
}

/// The storage of one database: committed state, page file, buffer pool.
///
/// Single writer: [`Store::begin_write`] borrows the store mutably, so at most one
/// [`WriteTxn`] exists and reads of the committed state wait for it to end.
///
/// # Example
///
/// ```
/// use ruzu_storage::Store;
///
/// let dir = tempfile::tempdir()?;
/// let mut store = Store::create(dir.path())?;
/// store.execute_ddl(&ruzu_copy::parse_ddl("CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))")?)?;
/// let person = store.catalog().table("Person").map(|t| t.id).expect("created");
///
/// let mut txn = store.begin_write()?;
/// let extent = txn.allocate_extent(2)?;
/// txn.write_extent(extent, 0, &[7u8; 8192])?;
/// txn.attach_extent(person, extent)?;
/// txn.commit()?;
/// drop(store);
///
/// let store = Store::open(dir.path())?;
/// let extents = store.table_storage(person).expect("table").extents().to_vec();
/// let mut buf = vec![0u8; 8192];
/// store.read_extent(extents[0], 0, &mut buf)?;
/// assert!(buf.iter().all(|&b| b == 7));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Store {
    file: Arc<CheckedFile>,
    pool: BufferPool,
    /// The committed header; generation 0 only while `create` publishes the first state.
    header: Header,
    /// The committed state.
    root: Root,
}

impl Store {
    /// Creates a new, empty database in directory `dir` (created if missing), atomically and
    /// under the database's exclusive lock, which the returned store keeps (see
    /// `store/create.rs`).
    ///
    /// # Errors
    ///
    /// [`StorageError::AlreadyExists`] if `dir` already holds a database,
    /// [`StorageError::Locked`] if another handle is creating one there,
    /// [`StorageError::DanglingLink`] if `data.ruzu` is a symbolic link to nothing,
    /// [`StorageError::File`] or [`StorageError::Io`] for I/O errors; a failed create leaves no
    /// file behind.
    pub fn create(dir: &Path) -> Result<Store> {
        Self::create_with(dir, StoreOptions::default())
    }

    /// [`Store::create`] with options.
    ///
    /// # Errors
    ///
    /// As [`Store::create`].
    pub fn create_with(dir: &Path, options: StoreOptions) -> Result<Store> {
        let (creating, backend) = Creating::begin(dir)?;
        match Self::create_on(Box::new(backend), options) {
            Ok(store) => {
                creating.publish()?;
                Ok(store)
            }
            Err(e) => {
                creating.abandon();
                Err(e)
            }
        }
    }

    /// Opens the database in directory `dir` in its last committed state.
    ///
    /// # Errors
    ///
    /// [`StorageError::Corrupt`] if no valid committed state can be read,
    /// [`StorageError::UnsupportedVersion`], [`StorageError::Locked`] if another handle has it
    /// open, [`StorageError::DanglingLink`] if `data.ruzu` is a symbolic link to nothing,
    /// [`StorageError::File`] (`NotFound` if there is no database) and other I/O errors.
    pub fn open(dir: &Path) -> Result<Store> {
        Self::open_with(dir, StoreOptions::default())
    }

    /// [`Store::open`] with options.
    ///
    /// # Errors
    ///
    /// As [`Store::open`].
    pub fn open_with(dir: &Path, options: StoreOptions) -> Result<Store> {
        let path = dir.join(DATA_FILE_NAME);
        let backend = FileBackend::open(&path).map_err(|source| match source.kind() {
            std::io::ErrorKind::WouldBlock => StorageError::Locked { path: path.clone() },
            std::io::ErrorKind::NotFound
                if std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) =>
            {
                create::dangling(&path)
            }
            _ => StorageError::File {
                op: "open",
                path: path.clone(),
                source,
            },
        })?;
        Self::open_on(Box::new(backend), options)
    }

    /// Creates a new database on `backend`, which must be empty.
    ///
    /// # Errors
    ///
    /// [`StorageError::AlreadyExists`] if the backend is not empty; I/O errors.
    pub fn create_on(backend: Box<dyn StorageBackend>, options: StoreOptions) -> Result<Store> {
        let file = Arc::new(CheckedFile::new(backend));
        if !file.is_empty()? {
            return Err(StorageError::AlreadyExists {
                path: DATA_FILE_NAME.into(),
            });
        }
        let mut store = Store {
            pool: BufferPool::new(file.clone(), options.buffer_pool_bytes),
            file,
            header: Header {
                generation: 0,
                page_count: FIRST_DATA_PAGE,
                root: Extent::new(0, 0),
                root_bytes: 0,
                root_crc: 0,
            },
            root: Root::default(),
        };
        store.begin_write()?.commit()?;
        Ok(store)
    }

    /// Opens the database on `backend` in its last committed state. Space past the committed
    /// end of the file (left by an uncommitted transaction) is truncated away.
    ///
    /// # Errors
    ///
    /// As [`Store::open`].
    pub fn open_on(backend: Box<dyn StorageBackend>, options: StoreOptions) -> Result<Store> {
        let file = Arc::new(CheckedFile::new(backend));
        let len = file.len()?;
        let mut slots = vec![0u8; 2 * PAGE_SIZE];
        let readable =
            usize::try_from(len.min(2 * PAGE_SIZE_BYTES)).expect("invariant: at most two pages");
        file.read_at(0, &mut slots[..readable])?;
        let header = header::choose(&slots[..PAGE_SIZE], &slots[PAGE_SIZE..])?;
        if len < header.page_count * PAGE_SIZE_BYTES {
            return Err(StorageError::corrupt(
                "database file",
                len,
                format!(
                    "file has {len} bytes, the committed state needs {} pages",
                    header.page_count
                ),
            ));
        }
        let mut block = vec![0u8; header.root_bytes as usize];
        file.read_at(header.root.byte_offset(), &mut block)?;
        if crc32c::crc32c(&block) != header.root_crc {
            return Err(StorageError::corrupt(
                "metadata root",
                header.root.byte_offset(),
                "checksum does not match the header",
            ));
        }
        let root = Root::decode(&block, header.root, header.generation, header.page_count)?;
        let committed_len = header.page_count * PAGE_SIZE_BYTES;
        if len > committed_len {
            file.set_len(committed_len)?;
        }
        Ok(Store {
            pool: BufferPool::new(file.clone(), options.buffer_pool_bytes),
            file,
            header,
            root,
        })
    }

    /// Generation of the committed state (1 after create, +1 per commit).
    pub fn generation(&self) -> u64 {
        self.header.generation
    }

    /// The committed catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.root.catalog
    }

    /// The committed storage of table `id`.
    pub fn table_storage(&self, id: TableId) -> Option<&TableStorage> {
        self.root.tables.get(&id)
    }

    /// Pages of the committed state; the file is at most this long after open or abort.
    pub fn page_count(&self) -> u64 {
        self.header.page_count
    }

    /// Pages listed as free in the committed state (holes below [`Store::page_count`]).
    pub fn free_pages(&self) -> u64 {
        self.root.free.pages()
    }

    /// Pins committed page `page` for reading through the buffer pool (index and metadata
    /// pages). Writing goes through [`WriteTxn::new_page`] only, so that committed pages are
    /// never changed in place.
    ///
    /// # Errors
    ///
    /// [`StorageError::OutOfBounds`] past the committed pages; pool and I/O errors.
    pub fn pin_page(&self, page: PageId) -> Result<PageRef<'_>> {
        if page >= self.header.page_count {
            return Err(StorageError::OutOfBounds {
                what: "page read",
                offset: page.saturating_mul(PAGE_SIZE_BYTES),
                len: PAGE_SIZE_BYTES,
                limit: self.header.page_count * PAGE_SIZE_BYTES,
            });
        }
        self.pool.pin(page)
    }

    /// Counters of the buffer pool.
    pub fn pool_stats(&self) -> PoolStats {
        self.pool.stats()
    }

    /// Bytes the buffer pool holds (fixed, from [`StoreOptions::buffer_pool_bytes`]).
    pub fn pool_memory_bytes(&self) -> usize {
        self.pool.memory_bytes()
    }

    /// Reads `buf.len()` bytes at byte `offset` of `extent`.
    ///
    /// # Errors
    ///
    /// [`StorageError::OutOfBounds`] if the range is not inside the extent or the extent not
    /// inside the committed file; I/O errors.
    pub fn read_extent(&self, extent: Extent, offset: u64, buf: &mut [u8]) -> Result<()> {
        read_extent(&self.file, self.header.page_count, extent, offset, buf)
    }

    /// Starts the write transaction.
    ///
    /// # Errors
    ///
    /// [`StorageError::PreviousIo`] if a write or sync failed earlier: reopen the database.
    pub fn begin_write(&mut self) -> Result<WriteTxn<'_>> {
        if self.file.has_failed() {
            return Err(StorageError::PreviousIo);
        }
        Ok(WriteTxn::new(self))
    }

    /// Applies one DDL statement (`CREATE NODE TABLE`, `CREATE REL TABLE`, `DROP TABLE`,
    /// parsed by [`ruzu_copy::parse`]) in its own transaction, and commits it.
    ///
    /// # Errors
    ///
    /// Catalog errors, commit errors; on error nothing changes.
    pub fn execute_ddl(&mut self, ddl: &Ddl) -> Result<DdlOutcome> {
        let mut txn = self.begin_write()?;
        let outcome = txn.execute(ddl)?;
        if outcome != DdlOutcome::Unchanged {
            txn.commit()?;
        }
        Ok(outcome)
    }

    /// Checks the committed state's space accounting: every page from 2 to
    /// [`Store::page_count`] belongs to exactly one of the root block, a table extent or a free
    /// extent.
    ///
    /// # Errors
    ///
    /// [`StorageError::Corrupt`] describing the first overlap, gap or out-of-range extent.
    pub fn verify(&self) -> Result<()> {
        let mut all = self.root.all_extents(self.header.root);
        let base = self.header.root.byte_offset();
        check_disjoint(&mut all, self.header.page_count, base)?;
        let covered: u64 = all.iter().map(|e| e.pages).sum();
        let expected = self.header.page_count - FIRST_DATA_PAGE;
        if covered != expected {
            return Err(StorageError::corrupt(
                "metadata root",
                base,
                format!("{covered} pages accounted for, {expected} in use"),
            ));
        }
        Ok(())
    }
}

/// Positioned reads of extents through a handle of its own, so that a reader can live beside
/// the store's [`WriteTxn`]: a transaction never writes a committed extent (shadow paging), so
/// committed bytes do not change while it runs.
#[derive(Clone, Debug)]
pub(crate) struct FileView {
    file: Arc<CheckedFile>,
    /// Reads must end below this page.
    page_count: u64,
}

impl FileView {
    /// Reads `buf.len()` bytes at byte `offset` of `extent`.
    ///
    /// # Errors
    ///
    /// As [`Store::read_extent`].
    pub(crate) fn read(&self, extent: Extent, offset: u64, buf: &mut [u8]) -> Result<()> {
        read_extent(&self.file, self.page_count, extent, offset, buf)
    }
}

impl Store {
    /// A [`FileView`] of the committed state.
    pub(crate) fn file_view(&self) -> FileView {
        FileView {
            file: self.file.clone(),
            page_count: self.header.page_count,
        }
    }
}

fn read_extent(
    file: &CheckedFile,
    page_count: u64,
    extent: Extent,
    offset: u64,
    buf: &mut [u8],
) -> Result<()> {
    let len = buf.len() as u64;
    if extent.end() > page_count
        || offset
            .checked_add(len)
            .is_none_or(|e| e > extent.byte_len())
    {
        return Err(StorageError::OutOfBounds {
            what: "extent read",
            offset,
            len,
            limit: extent.byte_len(),
        });
    }
    file.read_at(extent.byte_offset() + offset, buf)
}

/// Pages the root block of `bytes` bytes needs.
fn root_pages(bytes: usize) -> u64 {
    pages_for(bytes as u64).max(1)
}
