//! Free-space management: a sorted map of free extents, coalesced, first-fit.
//!
//! The committed free list plus the committed `page_count` describe all free space: a page is
//! free when it lies in a listed extent or at or past `page_count`. Space a transaction
//! allocated but never committed is therefore free again after a crash or abort without any
//! cleanup: it was free in the committed state, and nothing committed refers to it.
//!
//! Bound: one entry per hole between live extents; dropping tables creates holes, allocation
//! fills them first-fit from the lowest page.

use std::collections::BTreeMap;

use super::{Extent, PageId};

/// Free extents, sorted by first page, never overlapping or touching (touching extents are
/// merged on insert).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct FreeList {
    /// first page -> number of pages.
    extents: BTreeMap<PageId, u64>,
}

impl FreeList {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The free extents in page order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = Extent> + '_ {
        self.extents.iter().map(|(&s, &p)| Extent::new(s, p))
    }

    pub(crate) fn len(&self) -> usize {
        self.extents.len()
    }

    /// Total free pages in the list.
    pub(crate) fn pages(&self) -> u64 {
        self.extents.values().sum()
    }

    /// Adds `extent`, merging it with neighbours. Returns `false` (and changes nothing) if it
    /// overlaps an extent already free: a double free, which callers treat as corruption.
    pub(crate) fn insert(&mut self, extent: Extent) -> bool {
        if extent.pages == 0 {
            return true;
        }
        let mut start = extent.start;
        let mut end = extent.end();
        if let Some((&ps, &pp)) = self.extents.range(..=start).next_back() {
            if ps + pp > start {
                return false;
            }
            if ps + pp == start {
                start = ps;
            }
        }
        if let Some((&ns, &np)) = self.extents.range(extent.start..).next() {
            if ns < end {
                return false;
            }
            if ns == end {
                end = ns + np;
                self.extents.remove(&ns);
            }
        }
        self.extents.insert(start, end - start);
        true
    }

    /// Takes `pages` contiguous pages from the lowest free extent that has them.
    pub(crate) fn allocate(&mut self, pages: u64) -> Option<Extent> {
        let (&start, &len) = self.extents.iter().find(|&(_, &len)| len >= pages)?;
        self.extents.remove(&start);
        if len > pages {
            self.extents.insert(start + pages, len - pages);
        }
        Some(Extent::new(start, pages))
    }

    /// Removes a free extent that ends at `page_count`, returning the new (smaller) page count.
    pub(crate) fn trim_tail(&mut self, page_count: u64) -> u64 {
        match self.extents.iter().next_back() {
            Some((&s, &p)) if s + p == page_count => {
                self.extents.remove(&s);
                s
            }
            _ => page_count,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_coalesce_with_both_neighbours() {
        let mut f = FreeList::new();
        assert!(f.insert(Extent::new(10, 5)));
        assert!(f.insert(Extent::new(20, 5)));
        assert_eq!(f.len(), 2);
        assert!(f.insert(Extent::new(15, 5)));
        assert_eq!(f.iter().collect::<Vec<_>>(), vec![Extent::new(10, 15)]);
    }

    #[test]
    fn overlapping_insert_is_refused() {
        let mut f = FreeList::new();
        assert!(f.insert(Extent::new(10, 5)));
        assert!(!f.insert(Extent::new(14, 2)));
        assert!(!f.insert(Extent::new(8, 3)));
        assert!(!f.insert(Extent::new(10, 1)));
        assert_eq!(f.pages(), 5);
    }

    #[test]
    fn allocation_is_first_fit_and_splits() {
        let mut f = FreeList::new();
        f.insert(Extent::new(2, 2));
        f.insert(Extent::new(10, 8));
        assert_eq!(f.allocate(3), Some(Extent::new(10, 3)));
        assert_eq!(f.allocate(2), Some(Extent::new(2, 2)));
        assert_eq!(f.allocate(6), None);
        assert_eq!(f.iter().collect::<Vec<_>>(), vec![Extent::new(13, 5)]);
    }

    #[test]
    fn tail_extent_is_trimmed_from_page_count() {
        let mut f = FreeList::new();
        f.insert(Extent::new(5, 3));
        assert_eq!(f.trim_tail(9), 9);
        assert_eq!(f.trim_tail(8), 5);
        assert_eq!(f.len(), 0);
    }
}
