//! [`WriteTxn`]: allocate and write extents, change the catalog, then commit or abort.
//!
//! # Commit, step by step (shadow paging)
//!
//! The transaction works on a copy of the committed state. Everything it writes goes to pages
//! that are free in the committed state ("fresh" extents), so the committed state stays intact
//! on disk until the new header is durable. Extents freed by the transaction (dropped tables,
//! the old root block) become free only in the *new* state: they are kept apart
//! (`pending_free`) so that this transaction never reuses them.
//!
//! `commit`:
//! 1. fresh extents no table took are returned to the free list;
//! 2. dirty buffer-pool pages are written back;
//! 3. the new root block is encoded and written to a fresh extent (allocated before
//!    `pending_free` joins the free list that the block records); the file is extended to the
//!    new `page_count` if extents at its end were not written in full;
//! 4. `fdatasync`;
//! 5. the header slot not holding the committed header gets generation + 1;
//! 6. `fdatasync`; only now does the in-memory committed state change.
//!
//! Any error leaves the in-memory committed state as it was; after an I/O error the file
//! refuses further writes ([`StorageError::PreviousIo`]) and the database must be reopened,
//! which finds the old state or, if the header write landed, the new one.

use std::collections::BTreeMap;

use super::root::{Root, TableStorage};
use super::{Store, read_extent, root_pages};
use crate::buffer_pool::PageMut;
use ruzu_copy::{ColumnSpec, Ddl};

use crate::catalog::{Catalog, ColumnDef, TableId};
use crate::error::{Result, StorageError};
use crate::page_file::free_space::FreeList;
use crate::page_file::header::{Header, slot_page};
use crate::page_file::{Extent, PAGE_SIZE, PAGE_SIZE_BYTES, PageId};

/// What a DDL statement did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DdlOutcome {
    /// The table with this id was created.
    Created(TableId),
    /// The table with this id was dropped.
    Dropped(TableId),
    /// Nothing: `IF NOT EXISTS` found the table, or `IF EXISTS` did not.
    Unchanged,
}

/// The write transaction of a [`Store`]: the only way to change a database.
///
/// Dropping it without [`commit`](WriteTxn::commit) is an abort without the file truncation.
#[derive(Debug)]
pub struct WriteTxn<'s> {
    store: &'s mut Store,
    catalog: Catalog,
    tables: BTreeMap<TableId, TableStorage>,
    /// Free extents usable by this transaction: the committed free list, minus allocations,
    /// plus fresh extents given back.
    free: FreeList,
    /// One past the last page in use by this transaction's state.
    page_count: u64,
    /// Extents allocated by this transaction (start -> pages), attached or not.
    fresh: BTreeMap<PageId, u64>,
    /// Fresh extents not (yet) attached to a table.
    loose: BTreeMap<PageId, u64>,
    /// Extents of the committed state this transaction released.
    pending_free: Vec<Extent>,
}

impl<'s> WriteTxn<'s> {
    pub(super) fn new(store: &'s mut Store) -> Self {
        WriteTxn {
            catalog: store.root.catalog.clone(),
            tables: store.root.tables.clone(),
            free: store.root.free.clone(),
            page_count: store.header.page_count,
            fresh: BTreeMap::new(),
            loose: BTreeMap::new(),
            pending_free: Vec::new(),
            store,
        }
    }

    /// The catalog as this transaction sees it.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The storage of table `id` as this transaction sees it.
    pub fn table_storage(&self, id: TableId) -> Option<&TableStorage> {
        self.tables.get(&id)
    }

    /// Applies a parsed DDL statement.
    ///
    /// # Errors
    ///
    /// Catalog errors ([`StorageError::TableExists`], [`StorageError::NoSuchTable`], ...),
    /// except those `IF NOT EXISTS` / `IF EXISTS` turn into [`DdlOutcome::Unchanged`].
    pub fn execute(&mut self, ddl: &Ddl) -> Result<DdlOutcome> {
        let columns = |specs: &[ColumnSpec]| -> Vec<ColumnDef> {
            specs
                .iter()
                .map(|c| ColumnDef::new(c.name.clone(), c.data_type))
                .collect()
        };
        match ddl {
            Ddl::CreateNodeTable(t) => {
                if t.if_not_exists && self.catalog.table(&t.name).is_some() {
                    return Ok(DdlOutcome::Unchanged);
                }
                self.create_node_table(&t.name, columns(&t.columns), &t.primary_key)
                    .map(DdlOutcome::Created)
            }
            Ddl::CreateRelTable(t) => {
                if t.if_not_exists && self.catalog.table(&t.name).is_some() {
                    return Ok(DdlOutcome::Unchanged);
                }
                self.create_rel_table(&t.name, &t.from, &t.to, columns(&t.columns))
                    .map(DdlOutcome::Created)
            }
            Ddl::DropTable(t) => {
                let Some(id) = self.catalog.table(&t.name).map(|d| d.id) else {
                    if t.if_exists {
                        return Ok(DdlOutcome::Unchanged);
                    }
                    return Err(StorageError::NoSuchTable {
                        name: t.name.clone(),
                    });
                };
                self.drop_table(&t.name)?;
                Ok(DdlOutcome::Dropped(id))
            }
            _ => unreachable!("invariant: every DDL statement ruzu-copy parses is handled here"),
        }
    }

    /// Creates a node table (see [`Catalog::create_node_table`]).
    ///
    /// # Errors
    ///
    /// As [`Catalog::create_node_table`].
    pub fn create_node_table(
        &mut self,
        name: &str,
        columns: Vec<ColumnDef>,
        primary_key: &str,
    ) -> Result<TableId> {
        let id = self.catalog.create_node_table(name, columns, primary_key)?;
        self.tables.insert(id, TableStorage::default());
        Ok(id)
    }

    /// Creates a rel table (see [`Catalog::create_rel_table`]).
    ///
    /// # Errors
    ///
    /// As [`Catalog::create_rel_table`].
    pub fn create_rel_table(
        &mut self,
        name: &str,
        from: &str,
        to: &str,
        columns: Vec<ColumnDef>,
    ) -> Result<TableId> {
        let id = self.catalog.create_rel_table(name, from, to, columns)?;
        self.tables.insert(id, TableStorage::default());
        Ok(id)
    }

    /// Drops a table and releases its extents.
    ///
    /// # Errors
    ///
    /// As [`Catalog::drop_table`].
    pub fn drop_table(&mut self, name: &str) -> Result<()> {
        let def = self.catalog.drop_table(name)?;
        let storage = self.tables.remove(&def.id).unwrap_or_default();
        for e in storage.extents {
            self.release(e);
        }
        Ok(())
    }

    /// Allocates `pages` contiguous pages that are free in the committed state: first fit in
    /// the free list, else at the end of the file. Until attached to a table with
    /// [`WriteTxn::attach_extent`], the extent is given back at commit.
    ///
    /// # Errors
    ///
    /// [`StorageError::OutOfBounds`] if `pages` is 0.
    pub fn allocate_extent(&mut self, pages: u64) -> Result<Extent> {
        if pages == 0 {
            return Err(StorageError::OutOfBounds {
                what: "extent allocation",
                offset: 0,
                len: 0,
                limit: 0,
            });
        }
        let extent = self.allocate(pages);
        self.fresh.insert(extent.start, extent.pages);
        self.loose.insert(extent.start, extent.pages);
        self.store.pool.discard(extent.start, extent.end());
        Ok(extent)
    }

    fn allocate(&mut self, pages: u64) -> Extent {
        self.free.allocate(pages).unwrap_or_else(|| {
            let e = Extent::new(self.page_count, pages);
            self.page_count += pages;
            e
        })
    }

    /// The fresh extent of this transaction that contains `extent`, if any.
    fn fresh_containing(&self, extent: Extent) -> Option<Extent> {
        let (&start, &pages) = self.fresh.range(..=extent.start).next_back()?;
        let f = Extent::new(start, pages);
        (extent.pages > 0 && f.contains(extent.start) && extent.end() <= f.end()).then_some(f)
    }

    /// Writes `data` at byte `offset` of `extent`, which must have been allocated by this
    /// transaction. Meant for large sequential writes of bulk data; nothing is durable before
    /// [`WriteTxn::commit`].
    ///
    /// # Errors
    ///
    /// [`StorageError::OutOfBounds`] if the extent is not fresh or the range does not fit;
    /// I/O errors ([`StorageError::PreviousIo`] after an earlier failure).
    pub fn write_extent(&mut self, extent: Extent, offset: u64, data: &[u8]) -> Result<()> {
        let len = data.len() as u64;
        if self.fresh_containing(extent).is_none()
            || offset
                .checked_add(len)
                .is_none_or(|e| e > extent.byte_len())
        {
            return Err(StorageError::OutOfBounds {
                what: "extent write (only extents of this transaction are writable)",
                offset,
                len,
                limit: extent.byte_len(),
            });
        }
        self.store
            .file
            .write_at(extent.byte_offset() + offset, data)
    }

    /// Reads from a committed extent or one written by this transaction.
    ///
    /// # Errors
    ///
    /// As [`Store::read_extent`].
    pub fn read_extent(&self, extent: Extent, offset: u64, buf: &mut [u8]) -> Result<()> {
        read_extent(&self.store.file, self.page_count, extent, offset, buf)
    }

    /// A [`FileView`](super::FileView) of the committed state and of the extents this
    /// transaction wrote so far (the caller must not read an extent while writing it).
    pub(crate) fn file_view(&self) -> super::FileView {
        super::FileView {
            file: self.store.file.clone(),
            page_count: self.page_count,
        }
    }

    /// Pins page `page` of a fresh extent through the buffer pool, zero-filled, for writing
    /// small structures (index pages) page by page. Written back at commit.
    ///
    /// # Errors
    ///
    /// [`StorageError::OutOfBounds`] if the page is not in a fresh extent; pool errors.
    pub fn new_page(&self, page: PageId) -> Result<PageMut<'_>> {
        if self.fresh_containing(Extent::new(page, 1)).is_none() {
            return Err(StorageError::OutOfBounds {
                what: "page write (only pages of this transaction are writable)",
                offset: page * PAGE_SIZE_BYTES,
                len: PAGE_SIZE_BYTES,
                limit: self.page_count * PAGE_SIZE_BYTES,
            });
        }
        self.store.pool.pin_new(page)
    }

    /// Gives a fresh extent to table `table`: it is committed as part of that table.
    ///
    /// # Errors
    ///
    /// [`StorageError::UnknownTableId`]; [`StorageError::OutOfBounds`] if `extent` is not a
    /// fresh, unattached extent returned by [`WriteTxn::allocate_extent`].
    pub fn attach_extent(&mut self, table: TableId, extent: Extent) -> Result<()> {
        if !self.tables.contains_key(&table) {
            return Err(StorageError::UnknownTableId { id: table });
        }
        if self.loose.get(&extent.start) != Some(&extent.pages) {
            return Err(StorageError::OutOfBounds {
                what: "attach of an extent not allocated (or already attached) here",
                offset: extent.byte_offset(),
                len: extent.byte_len(),
                limit: self.page_count * PAGE_SIZE_BYTES,
            });
        }
        self.loose.remove(&extent.start);
        self.tables
            .get_mut(&table)
            .expect("invariant: checked above")
            .extents
            .push(extent);
        Ok(())
    }

    /// Removes `extent` from table `table` and frees it: at once if this transaction allocated
    /// it, at commit otherwise.
    ///
    /// # Errors
    ///
    /// [`StorageError::UnknownTableId`]; [`StorageError::OutOfBounds`] if the table does not
    /// own `extent`.
    pub fn free_extent(&mut self, table: TableId, extent: Extent) -> Result<()> {
        let storage = self
            .tables
            .get_mut(&table)
            .ok_or(StorageError::UnknownTableId { id: table })?;
        let Some(i) = storage.extents.iter().position(|&e| e == extent) else {
            return Err(StorageError::OutOfBounds {
                what: "free of an extent the table does not own",
                offset: extent.byte_offset(),
                len: extent.byte_len(),
                limit: self.page_count * PAGE_SIZE_BYTES,
            });
        };
        storage.extents.swap_remove(i);
        self.release(extent);
        Ok(())
    }

    /// Frees an extent no table refers to any more.
    fn release(&mut self, extent: Extent) {
        if self.fresh.remove(&extent.start).is_some() {
            self.store.pool.discard(extent.start, extent.end());
            let ok = self.free.insert(extent);
            debug_assert!(ok, "invariant: a fresh extent is not in the free list");
        } else {
            self.pending_free.push(extent);
        }
    }

    /// Sets the table layer's metadata blob of table `table` (replacing the previous one).
    ///
    /// # Errors
    ///
    /// [`StorageError::UnknownTableId`].
    pub fn set_table_meta(&mut self, table: TableId, meta: Vec<u8>) -> Result<()> {
        self.tables
            .get_mut(&table)
            .ok_or(StorageError::UnknownTableId { id: table })?
            .meta = meta;
        Ok(())
    }

    /// Makes everything this transaction did durable and visible; returns the new generation.
    ///
    /// # Errors
    ///
    /// I/O errors. The committed state is then unchanged in memory, the file refuses further
    /// writes, and reopening the database yields either the previous state or this one.
    pub fn commit(mut self) -> Result<u64> {
        self.publish()
    }

    /// Commits everything done so far and keeps the transaction open: for imports that commit
    /// every N rows (continue-partial). A later [`WriteTxn::abort`] (or crash) goes back to this
    /// point, not to the transaction's start. Fresh extents not attached to a table are freed.
    ///
    /// # Errors
    ///
    /// As [`WriteTxn::commit`]; after an error the transaction can only be aborted.
    pub fn checkpoint(&mut self) -> Result<u64> {
        self.publish()
    }

    fn publish(&mut self) -> Result<u64> {
        let file = self.store.file.clone();
        if file.has_failed() {
            return Err(StorageError::PreviousIo);
        }
        for (start, pages) in std::mem::take(&mut self.loose) {
            self.fresh.remove(&start);
            self.store.pool.discard(start, start + pages);
            let ok = self.free.insert(Extent::new(start, pages));
            debug_assert!(ok, "invariant: a loose extent is not in the free list");
        }
        self.store.pool.flush()?;

        let generation = self.store.header.generation + 1;
        // On error below, the transaction is left half-published; the file refuses writes by
        // then (every error past this point is an I/O error), so it can only be aborted.
        let mut pending = std::mem::take(&mut self.pending_free);
        if self.store.header.generation > 0 {
            pending.push(self.store.header.root);
        }
        let mut root = Root {
            catalog: self.catalog.clone(),
            tables: self.tables.clone(),
            free: FreeList::new(),
        };
        let mut want = 1;
        let (extent, block, page_count) = loop {
            let extent = self.allocate(want);
            let mut free = self.free.clone();
            for &e in &pending {
                let ok = free.insert(e);
                assert!(ok, "invariant: an extent is released at most once");
            }
            let page_count = free.trim_tail(self.page_count);
            root.free = free;
            let block = root.encode(generation);
            let need = root_pages(block.len());
            if need <= extent.pages {
                break (extent, block, page_count);
            }
            // The free list grew by an entry; give the extent back and ask for enough.
            let ok = self.free.insert(extent);
            debug_assert!(ok, "invariant: just allocated");
            self.page_count = self.free.trim_tail(self.page_count);
            want = need;
        };
        let mut padded = block.clone();
        padded.resize(
            usize::try_from(extent.byte_len()).expect("invariant: root block fits in memory"),
            0,
        );
        file.write_at(extent.byte_offset(), &padded)?;
        // Extents allocated at the end but not (fully) written leave the file short of the
        // committed length, which `open` would take for truncation.
        let committed_len = page_count * PAGE_SIZE_BYTES;
        if file.len()? < committed_len {
            file.set_len(committed_len)?;
        }
        file.sync_data()?;

        let header = Header {
            generation,
            page_count,
            root: Extent::new(extent.start, extent.pages),
            root_bytes: block.len() as u64,
            root_crc: crc32c::crc32c(&block),
        };
        debug_assert_eq!(header.encode().len(), PAGE_SIZE);
        file.write_at(slot_page(header.slot()) * PAGE_SIZE_BYTES, &header.encode())?;
        file.sync_data()?;

        // The new state is committed; the transaction continues from it.
        self.free = root.free.clone();
        self.page_count = page_count;
        self.fresh.clear();
        self.store.header = header;
        self.store.root = root;
        Ok(generation)
    }

    /// Discards everything this transaction did. The database is exactly as before: the file
    /// is truncated back to the committed length.
    ///
    /// # Errors
    ///
    /// I/O errors of the truncation. After an earlier I/O failure there is nothing to undo on
    /// disk (reopening recovers) and abort succeeds without touching the file.
    pub fn abort(self) -> Result<()> {
        let file = self.store.file.clone();
        let committed_len = self.store.header.page_count * PAGE_SIZE_BYTES;
        drop(self);
        if !file.has_failed() && file.len()? > committed_len {
            file.set_len(committed_len)?;
        }
        Ok(())
    }
}

impl Drop for WriteTxn<'_> {
    fn drop(&mut self) {
        // Frames of pages this transaction wrote must not be served or written back later.
        for (&start, &pages) in &self.fresh {
            self.store.pool.discard(start, start + pages);
        }
    }
}
