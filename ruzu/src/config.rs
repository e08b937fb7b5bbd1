//! [`Config`]: how a database is opened: memory, threads, spill directory.

use std::path::PathBuf;

use ruzu_copy::{DEFAULT_MEMORY_LIMIT_BYTES, MIN_MEMORY_LIMIT_BYTES};
use ruzu_storage::DEFAULT_BUFFER_POOL_BYTES;

use crate::error::{Error, Result};

/// Options of [`Database::open`](crate::Database::open): plain struct with `Default` and
/// by-value `with_*` setters.
///
/// The defaults keep any import under 500 MB peak resident memory of the whole process:
/// each import gets [`DEFAULT_MEMORY_LIMIT_BYTES`] (256 MiB), the reads share a
/// [`DEFAULT_BUFFER_POOL_BYTES`] buffer pool.
///
/// # Example
///
/// ```
/// use ruzu::Config;
///
/// let config = Config::default().with_memory_limit_bytes(128 << 20).with_threads(2);
/// assert_eq!(config.memory_limit_bytes, 128 << 20);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// Memory of one import (`MEMORY_LIMIT` of a `COPY` that does not give its own): reader
    /// buffers, batches, the table's build buffers. At least 8 MiB. A statement's own
    /// `MEMORY_LIMIT` wins, except that one equal to the default (256 MiB) cannot be told
    /// apart from none and gets this value.
    pub memory_limit_bytes: usize,
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
            memory_limit_bytes: DEFAULT_MEMORY_LIMIT_BYTES,
            threads: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .min(8),
            spill_dir: None,
            buffer_pool_bytes: DEFAULT_BUFFER_POOL_BYTES,
        }
    }
}

impl Config {
    /// Sets [`Config::memory_limit_bytes`].
    pub fn with_memory_limit_bytes(mut self, bytes: usize) -> Self {
        self.memory_limit_bytes = bytes;
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

    /// Checks the settings' ranges ([`Database::open`](crate::Database::open) does).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a `memory_limit_bytes` below
    /// [`MIN_MEMORY_LIMIT_BYTES`] (8 MiB, the minimum of the statement's `MEMORY_LIMIT`).
    pub fn validate(&self) -> Result<()> {
        if self.memory_limit_bytes < MIN_MEMORY_LIMIT_BYTES {
            return Err(Error::InvalidConfig {
                setting: "memory_limit_bytes",
                value: self.memory_limit_bytes as u64,
                minimum: MIN_MEMORY_LIMIT_BYTES as u64,
            });
        }
        Ok(())
    }

    /// Sets [`Config::buffer_pool_bytes`].
    pub fn with_buffer_pool_bytes(mut self, bytes: usize) -> Self {
        self.buffer_pool_bytes = bytes;
        self
    }
}
