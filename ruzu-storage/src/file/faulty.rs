//! [`FaultyBackend`]: an in-memory file that fails on command and can show what a crash leaves.
//!
//! The model: the file has a *durable* image (what the disk holds as of the last successful
//! sync) and a *current* image (what reads see). Each write or length change since the last
//! successful sync is kept in a pending list. A successful `sync_data` makes the current image
//! durable; a failed one makes nothing durable. [`FaultyBackend::crash_image`] builds the bytes
//! a crash would leave: the durable image plus any subset of the pending operations, each of
//! them possibly torn (only a prefix of a write landed), chosen by [`CrashMode`].

use std::io;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::StorageBackend;

/// Which operations fail. Operation indexes are 0-based and count every call made to the
/// backend since it was created, failed calls included.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FaultPlan {
    /// The `write_at` call with this index fails and writes nothing.
    pub fail_write: Option<u64>,
    /// The `write_at` call with this index writes only the given number of leading bytes, then
    /// fails.
    pub torn_write: Option<(u64, usize)>,
    /// The `sync_data` call with this index fails; nothing becomes durable.
    pub fail_sync: Option<u64>,
    /// Disk capacity: a write or `set_len` that would make the file longer than this many bytes
    /// writes what fits and fails with `StorageFull`.
    pub capacity_bytes: Option<u64>,
}

/// Counts of the calls made so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoCounts {
    /// `write_at` calls, failed ones included.
    pub writes: u64,
    /// `sync_data` calls, failed ones included.
    pub syncs: u64,
}

/// What a crash does with the operations that were not yet synced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashMode {
    /// Every unsynced operation is lost.
    LoseUnsynced,
    /// Every unsynced operation landed completely.
    KeepUnsynced,
    /// Each unsynced operation independently is lost, lands, or (for writes) lands torn at a
    /// random length; the choices are a pure function of the seed.
    Scrambled(u64),
}

#[derive(Clone, Debug)]
enum PendingOp {
    Write { offset: u64, data: Vec<u8> },
    SetLen(u64),
}

#[derive(Debug, Default)]
struct State {
    current: Vec<u8>,
    durable: Vec<u8>,
    pending: Vec<PendingOp>,
    counts: IoCounts,
    plan: FaultPlan,
}

/// An in-memory [`StorageBackend`] for tests: fails the Nth write or sync, runs out of space,
/// tears writes, and rebuilds the file a crash would leave.
///
/// Clones share the same file, so a test keeps one clone to inspect the file while the store
/// owns another.
#[derive(Clone, Debug, Default)]
pub struct FaultyBackend {
    state: Arc<Mutex<State>>,
}

impl FaultyBackend {
    /// An empty file with no faults planned.
    pub fn new() -> Self {
        Self::default()
    }

    /// A file holding `bytes`, all of them durable (as after a reboot).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        let state = State {
            current: bytes.clone(),
            durable: bytes,
            ..State::default()
        };
        FaultyBackend {
            state: Arc::new(Mutex::new(state)),
        }
    }

    /// Replaces the fault plan (operation indexes keep counting from creation).
    pub fn set_plan(&self, plan: FaultPlan) {
        self.lock().plan = plan;
    }

    /// Calls made so far.
    pub fn counts(&self) -> IoCounts {
        self.lock().counts
    }

    /// The bytes reads see now.
    pub fn contents(&self) -> Vec<u8> {
        self.lock().current.clone()
    }

    /// The bytes a crash at this moment would leave on disk, per `mode`.
    pub fn crash_image(&self, mode: CrashMode) -> Vec<u8> {
        let state = self.lock();
        let mut image = state.durable.clone();
        let mut rng = match mode {
            CrashMode::Scrambled(seed) => seed ^ 0x9E37_79B9_7F4A_7C15,
            _ => 0,
        };
        for op in &state.pending {
            let (apply, torn_len) = match mode {
                CrashMode::LoseUnsynced => (false, None),
                CrashMode::KeepUnsynced => (true, None),
                CrashMode::Scrambled(_) => match next_random(&mut rng) % 3 {
                    0 => (false, None),
                    1 => (true, None),
                    _ => (true, Some(next_random(&mut rng))),
                },
            };
            if !apply {
                continue;
            }
            match op {
                PendingOp::Write { offset, data } => {
                    let len = match torn_len {
                        // Tear at a sector-ish granularity or anywhere: both happen.
                        Some(r) if !data.is_empty() => (r % data.len() as u64) as usize,
                        _ => data.len(),
                    };
                    apply_write(&mut image, *offset, &data[..len]);
                }
                PendingOp::SetLen(len) => resize(&mut image, *len),
            }
        }
        image
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not hide the file from the rest of the test.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn next_random(state: &mut u64) -> u64 {
    // splitmix64: deterministic, good enough to pick crash outcomes.
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn to_index(n: u64) -> io::Result<usize> {
    usize::try_from(n).map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "offset too large"))
}

fn resize(image: &mut Vec<u8>, len: u64) {
    image.resize(
        usize::try_from(len).expect("invariant: test files fit in memory"),
        0,
    );
}

fn apply_write(image: &mut Vec<u8>, offset: u64, data: &[u8]) {
    let start = usize::try_from(offset).expect("invariant: test files fit in memory");
    let end = start + data.len();
    if image.len() < end {
        image.resize(end, 0);
    }
    image[start..end].copy_from_slice(data);
}

fn injected(kind: io::ErrorKind, what: &str) -> io::Error {
    io::Error::new(kind, format!("injected fault: {what}"))
}

impl StorageBackend for FaultyBackend {
    fn len(&self) -> io::Result<u64> {
        Ok(self.lock().current.len() as u64)
    }

    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<()> {
        let state = self.lock();
        let start = to_index(offset)?;
        let end = start.checked_add(buf.len());
        match end {
            Some(end) if end <= state.current.len() => {
                buf.copy_from_slice(&state.current[start..end]);
                Ok(())
            }
            _ => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "read past the end of the file",
            )),
        }
    }

    fn write_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        let mut state = self.lock();
        let index = state.counts.writes;
        state.counts.writes += 1;
        if state.plan.fail_write == Some(index) {
            return Err(injected(io::ErrorKind::Other, "write failed"));
        }
        let mut landed = data;
        let mut error = None;
        if let Some((n, prefix)) = state.plan.torn_write
            && n == index
        {
            landed = &data[..prefix.min(data.len())];
            error = Some(injected(io::ErrorKind::Other, "torn write"));
        }
        if let Some(cap) = state.plan.capacity_bytes {
            let end = offset + landed.len() as u64;
            if end > cap {
                let fits = cap.saturating_sub(offset).min(landed.len() as u64);
                landed = &landed[..to_index(fits)?];
                error = Some(injected(io::ErrorKind::StorageFull, "disk full"));
            }
        }
        apply_write(&mut state.current, offset, landed);
        state.pending.push(PendingOp::Write {
            offset,
            data: landed.to_vec(),
        });
        match error {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn sync_data(&self) -> io::Result<()> {
        let mut state = self.lock();
        let index = state.counts.syncs;
        state.counts.syncs += 1;
        if state.plan.fail_sync == Some(index) {
            return Err(injected(io::ErrorKind::Other, "sync failed"));
        }
        state.durable = state.current.clone();
        state.pending.clear();
        Ok(())
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        let mut state = self.lock();
        if let Some(cap) = state.plan.capacity_bytes
            && len > cap
        {
            return Err(injected(io::ErrorKind::StorageFull, "disk full"));
        }
        resize(&mut state.current, len);
        state.pending.push(PendingOp::SetLen(len));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_keeps_only_synced_writes_when_unsynced_are_lost() -> io::Result<()> {
        let b = FaultyBackend::new();
        b.write_at(0, b"aaaa")?;
        b.sync_data()?;
        b.write_at(0, b"bb")?;
        b.write_at(4, b"cc")?;
        assert_eq!(b.contents(), b"bbaacc");
        assert_eq!(b.crash_image(CrashMode::LoseUnsynced), b"aaaa");
        assert_eq!(b.crash_image(CrashMode::KeepUnsynced), b"bbaacc");
        Ok(())
    }

    #[test]
    fn scrambled_crash_is_deterministic_and_mixes_outcomes() -> io::Result<()> {
        let b = FaultyBackend::new();
        b.write_at(0, &[0u8; 64])?;
        b.sync_data()?;
        for i in 0..16u8 {
            b.write_at(u64::from(i) * 4, &[i + 1; 4])?;
        }
        let first = b.crash_image(CrashMode::Scrambled(7));
        assert_eq!(first, b.crash_image(CrashMode::Scrambled(7)));
        let durable = b.crash_image(CrashMode::LoseUnsynced);
        let all = b.crash_image(CrashMode::KeepUnsynced);
        let differs = (0..64u64).any(|s| {
            let img = b.crash_image(CrashMode::Scrambled(s));
            img != durable && img != all
        });
        assert!(differs, "some seed must keep a strict, non-empty subset");
        Ok(())
    }

    #[test]
    fn nth_write_fails_and_torn_write_lands_a_prefix() {
        let b = FaultyBackend::new();
        b.set_plan(FaultPlan {
            fail_write: Some(0),
            torn_write: Some((1, 3)),
            ..FaultPlan::default()
        });
        assert!(b.write_at(0, b"xxxxxx").is_err());
        assert_eq!(b.contents(), b"");
        assert!(b.write_at(0, b"abcdef").is_err());
        assert_eq!(b.contents(), b"abc");
        assert!(b.write_at(0, b"ok").is_ok());
        assert_eq!(b.counts().writes, 3);
    }

    #[test]
    fn disk_full_writes_what_fits_then_fails() {
        let b = FaultyBackend::new();
        b.set_plan(FaultPlan {
            capacity_bytes: Some(5),
            ..FaultPlan::default()
        });
        let err = b.write_at(2, b"abcdef").expect_err("disk is full");
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert_eq!(b.contents(), b"\0\0abc");
        assert!(b.write_at(0, b"zz").is_ok(), "overwriting needs no space");
        assert!(b.set_len(6).is_err());
    }

    #[test]
    fn failed_sync_makes_nothing_durable() {
        let b = FaultyBackend::new();
        b.set_plan(FaultPlan {
            fail_sync: Some(0),
            ..FaultPlan::default()
        });
        b.write_at(0, b"data").expect("write");
        assert!(b.sync_data().is_err());
        assert_eq!(b.crash_image(CrashMode::LoseUnsynced), b"");
        b.sync_data().expect("second sync works");
        assert_eq!(b.crash_image(CrashMode::LoseUnsynced), b"data");
    }
}
