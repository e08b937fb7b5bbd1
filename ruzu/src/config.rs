//! [`Config`]: how a database is opened: memory, threads, spill directory.

use std::path::PathBuf;

use ruzu_storage::DEFAULT_BUFFER_POOL_BYTES;

use crate::memory_limit::MemoryLimit;

/// Options of [`Database::open`](crate::Database::open): plain struct with `Default` and
/// by-value `with_*` setters.
///
/// The defaults keep any import under 500 MB peak resident memory of the whole process and
/// inside the memory cgroup it runs in: each import gets the [`MemoryLimit`] derived from the
/// machine ([`MemoryLimit::detect`]: a share of the cgroup limit or of physical memory, at most
/// 256 MiB), the reads share a [`DEFAULT_BUFFER_POOL_BYTES`] buffer pool.
///
/// # Example
///
/// ```
/// use ruzu::{Config, MemoryLimitSource};
///
/// let config = Config::default().with_memory_limit_bytes(128 << 20).with_threads(2);
/// assert_eq!(config.memory_limit.bytes, 128 << 20);
/// assert_eq!(config.memory_limit.source, MemoryLimitSource::Configured);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Memory of one import that gives no `MEMORY_LIMIT` of its own: reader buffers, batches,
    /// the table's build buffers, and where that figure came from. An import refuses to start
    /// when it is below [`MIN_MEMORY_LIMIT_BYTES`](ruzu_copy::MIN_MEMORY_LIMIT_BYTES).
    pub memory_limit: MemoryLimit,
    /// Decoder threads of an import when `PARALLEL=true` (the default): by default the
    /// machine's cores, at most 8. An import caps it at
    /// [`MAX_DECODER_THREADS`](ruzu_copy::MAX_DECODER_THREADS) and at what its memory limit
    /// holds buffers for (see [`BudgetPlan`](ruzu_copy::BudgetPlan)): each thread's chunk and
    /// batch are part of the budget.
    pub threads: usize,
    /// Where imports spill what does not fit their budget (primary-key index runs), as
    /// anonymous temporary files. `None` (default): the database directory, so spills land on
    /// the same disk as the data rather than on a memory-backed `/tmp`.
    pub spill_dir: Option<PathBuf>,
    /// Bytes of the storage buffer pool used by reads.
    pub buffer_pool_bytes: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            memory_limit: MemoryLimit::detect(),
            threads: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .min(8),
            spill_dir: None,
            buffer_pool_bytes: DEFAULT_BUFFER_POOL_BYTES,
        }
    }
}

impl Config {
    /// Sets [`Config::memory_limit`] to `bytes`, as configured.
    pub fn with_memory_limit_bytes(mut self, bytes: usize) -> Self {
        self.memory_limit = MemoryLimit::configured(bytes);
        self
    }

    /// Sets [`Config::threads`] (at least 1).
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads.max(1);
        self
    }

    /// Sets [`Config::spill_dir`].
    pub fn with_spill_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spill_dir = Some(dir.into());
        self
    }

    /// Sets [`Config::buffer_pool_bytes`].
    pub fn with_buffer_pool_bytes(mut self, bytes: usize) -> Self {
        self.buffer_pool_bytes = bytes;
        self
    }
}
