//! A bounded pool of recycled batches: the back-pressure that bounds an import's memory.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::Batch;
use crate::types::Schema;

/// A fixed set of batches that circulate producer → consumer → pool.
///
/// [`take`](BatchPool::take) blocks while every batch is in use, so a producer can never run
/// more than `batches` ahead of its consumer. [`put`](BatchPool::put) clears the batch (arena
/// reset, buffers kept, overgrown buffers shrunk) before making it available again.
///
/// Bound: `batches` × the steady-state size of one batch, reported by
/// [`memory_bytes`](BatchPool::memory_bytes) for the batches currently in the pool.
#[derive(Debug)]
pub struct BatchPool {
    state: Mutex<PoolState>,
    available: Condvar,
    total_batches: usize,
}

#[derive(Debug)]
struct PoolState {
    free: Vec<Batch>,
    closed: bool,
}

impl BatchPool {
    /// A pool of `batches` batches for `schema`, each sized for `capacity_rows` rows and an
    /// arena of `arena_bytes`.
    ///
    /// # Panics
    ///
    /// If `batches` is 0.
    pub fn new(
        schema: Arc<Schema>,
        batches: usize,
        capacity_rows: usize,
        arena_bytes: usize,
    ) -> Self {
        assert!(batches > 0, "a batch pool needs at least one batch");
        let free = (0..batches)
            .map(|_| Batch::new(schema.clone(), capacity_rows, arena_bytes))
            .collect();
        BatchPool {
            state: Mutex::new(PoolState {
                free,
                closed: false,
            }),
            available: Condvar::new(),
            total_batches: batches,
        }
    }

    fn lock(&self) -> MutexGuard<'_, PoolState> {
        // A panic while holding the lock leaves only a Vec of batches behind, which is still
        // consistent, so a poisoned lock is taken over rather than propagated.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a free batch, waiting while none is free. Returns `None` once the pool is closed.
    pub fn take(&self) -> Option<Batch> {
        let mut state = self.lock();
        loop {
            if state.closed {
                return None;
            }
            if let Some(batch) = state.free.pop() {
                return Some(batch);
            }
            state = self
                .available
                .wait(state)
                .unwrap_or_else(|e| e.into_inner());
        }
    }

    /// Takes a free batch if one is free now.
    pub fn try_take(&self) -> Option<Batch> {
        let mut state = self.lock();
        if state.closed {
            return None;
        }
        state.free.pop()
    }

    /// Clears `batch` and returns it to the pool, waking one waiter.
    pub fn put(&self, mut batch: Batch) {
        batch.clear();
        let mut state = self.lock();
        debug_assert!(
            state.free.len() < self.total_batches,
            "more batches returned than taken"
        );
        state.free.push(batch);
        drop(state);
        self.available.notify_one();
    }

    /// Closes the pool: every current and future `take` returns `None`. Used to cancel a
    /// producer that waits for a batch.
    pub fn close(&self) {
        self.lock().closed = true;
        self.available.notify_all();
    }

    /// Number of batches the pool was made with.
    pub fn total_batches(&self) -> usize {
        self.total_batches
    }

    /// Number of batches free right now.
    pub fn free_batches(&self) -> usize {
        self.lock().free.len()
    }

    /// Heap bytes held by the batches that are in the pool now.
    pub fn memory_bytes(&self) -> usize {
        self.lock().free.iter().map(Batch::memory_bytes).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Value;
    use crate::types::{DataType, Field};

    #[test]
    fn take_blocks_until_put_and_close_releases_waiters() {
        let schema = Arc::new(Schema::new(vec![Field::new("s", DataType::String)]));
        let pool = Arc::new(BatchPool::new(schema, 1, 8, 256));
        let mut batch = pool.take().expect("one batch is free");
        assert!(pool.try_take().is_none());
        batch
            .push_row(&[Value::String("abc")], 1, 0)
            .expect("row matches schema");

        let waiter = {
            let pool = pool.clone();
            std::thread::spawn(move || pool.take().map(|b| b.num_rows()))
        };
        pool.put(batch);
        assert_eq!(
            waiter.join().expect("waiter thread"),
            Some(0),
            "put clears the batch"
        );

        let closed = {
            let pool = pool.clone();
            std::thread::spawn(move || pool.take().is_none())
        };
        pool.close();
        assert!(closed.join().expect("closed thread"));
    }
}
