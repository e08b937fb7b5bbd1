//! The default memory limit of an import, derived from the machine it runs on.
//!
//! A fixed 256 MiB default does not fit a 128 MB container: the import is killed by the
//! kernel's out-of-memory handler. So the default comes from the memory this process may use:
//! the memory cgroup's limit when one is set (cgroup v1 `memory.limit_in_bytes` or v2
//! `memory.max`, the smallest up the hierarchy), else physical memory; it takes a stated
//! fraction of that and never exceeds [`DEFAULT_MEMORY_LIMIT_BYTES`] unless configured.
//!
//! The rule ([`MemoryLimit::from_available`]):
//! - under a cgroup limit `L`: half of what is left after [`PROCESS_RESERVE_BYTES`] (code,
//!   thread stacks, allocator slack, the read buffer pool) — `(L − 32 MiB) / 2`, because a
//!   cgroup counts the page cache of the files the import reads and writes too, and the other
//!   half leaves room for it to be reclaimed rather than the process killed: 128 MiB → 48 MiB,
//!   256 MiB → 112 MiB, 512 MiB → 240 MiB;
//! - without one: an eighth of physical memory (an import shares the machine with its other
//!   work): 2 GiB of RAM → 256 MiB.

use std::fmt;
use std::path::{Path, PathBuf};

use ruzu_copy::{DEFAULT_MEMORY_LIMIT_BYTES, MIN_MEMORY_LIMIT_BYTES};

/// Bytes of a process that are not an import's budget: code, thread stacks, allocator slack,
/// the read buffer pool. Taken off a cgroup limit before the import's share is computed.
pub const PROCESS_RESERVE_BYTES: u64 = 32 << 20;

/// A cgroup limit at or above this is "no limit" (v1 reports `PAGE_COUNTER_MAX` pages).
const UNLIMITED_BYTES: u64 = 1 << 62;

/// The memory limit of an import that does not set `MEMORY_LIMIT`, and why it is what it is.
///
/// # Example
///
/// ```
/// use ruzu::{MemoryLimit, MemoryLimitSource};
///
/// let limit = MemoryLimit::configured(64 << 20);
/// assert_eq!(limit.bytes, 64 << 20);
/// assert_eq!(limit.source, MemoryLimitSource::Configured);
/// // Whatever the machine, a detected default never exceeds 256 MiB.
/// assert!(MemoryLimit::detect().bytes <= 256 << 20);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemoryLimit {
    /// Bytes an import may use.
    pub bytes: usize,
    /// Where the figure came from.
    pub source: MemoryLimitSource,
}

/// Where a [`MemoryLimit`] came from.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MemoryLimitSource {
    /// Set by the program ([`Config::with_memory_limit_bytes`](crate::Config::with_memory_limit_bytes),
    /// the CLI's `--memory-limit-mib`).
    Configured,
    /// Derived from the memory cgroup this process runs in.
    Cgroup {
        /// 1 or 2.
        version: u8,
        /// The cgroup's limit in bytes (the smallest one up the hierarchy).
        limit_bytes: u64,
        /// The control file the limit was read from.
        path: PathBuf,
    },
    /// Derived from the machine's physical memory (no cgroup limit is set).
    PhysicalMemory {
        /// `MemTotal` of `/proc/meminfo`, in bytes.
        total_bytes: u64,
    },
    /// Neither a cgroup limit nor the physical memory could be read (not Linux):
    /// [`DEFAULT_MEMORY_LIMIT_BYTES`].
    BuiltIn,
}

impl MemoryLimit {
    /// A limit set by the program.
    pub fn configured(bytes: usize) -> Self {
        MemoryLimit {
            bytes,
            source: MemoryLimitSource::Configured,
        }
    }

    /// The default for this process: from its memory cgroup, else physical memory, else the
    /// built-in 256 MiB.
    pub fn detect() -> Self {
        Self::detect_in(Path::new("/"))
    }

    /// [`MemoryLimit::detect`] with `/proc` and the cgroup mounts read below `root` (for tests).
    pub fn detect_in(root: &Path) -> Self {
        if let Some((version, limit_bytes, path)) = cgroup_limit(root) {
            return MemoryLimit::from_available(MemoryLimitSource::Cgroup {
                version,
                limit_bytes,
                path,
            });
        }
        match meminfo_total_bytes(root) {
            Some(total_bytes) => {
                MemoryLimit::from_available(MemoryLimitSource::PhysicalMemory { total_bytes })
            }
            None => MemoryLimit {
                bytes: DEFAULT_MEMORY_LIMIT_BYTES,
                source: MemoryLimitSource::BuiltIn,
            },
        }
    }

    /// The limit the module's rule gives for `source` (see the module documentation).
    /// [`MemoryLimitSource::Configured`] and [`MemoryLimitSource::BuiltIn`] give the built-in
    /// default.
    pub fn from_available(source: MemoryLimitSource) -> Self {
        let derived = match &source {
            MemoryLimitSource::Cgroup { limit_bytes, .. } => {
                limit_bytes.saturating_sub(PROCESS_RESERVE_BYTES) / 2
            }
            MemoryLimitSource::PhysicalMemory { total_bytes } => total_bytes / 8,
            MemoryLimitSource::Configured | MemoryLimitSource::BuiltIn => {
                DEFAULT_MEMORY_LIMIT_BYTES as u64
            }
        };
        let bytes = usize::try_from(derived)
            .unwrap_or(usize::MAX)
            .min(DEFAULT_MEMORY_LIMIT_BYTES);
        MemoryLimit { bytes, source }
    }

    /// Whether an import can run within this limit ([`MIN_MEMORY_LIMIT_BYTES`] or more).
    pub fn is_enough(&self) -> bool {
        self.bytes >= MIN_MEMORY_LIMIT_BYTES
    }
}

impl fmt::Display for MemoryLimit {
    /// The figure and why: `48 MiB (half of the cgroup v1 memory limit of 128 MiB in
    /// /sys/fs/cgroup/memory/job/memory.limit_in_bytes after 32 MiB for the rest of the
    /// process)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", Mib(self.bytes as u64), self.source)
    }
}

impl fmt::Display for MemoryLimitSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemoryLimitSource::Configured => f.write_str("configured"),
            MemoryLimitSource::Cgroup {
                version,
                limit_bytes,
                path,
            } => write!(
                f,
                "half of the cgroup v{version} memory limit of {} in {} after {} for the rest \
                 of the process",
                Mib(*limit_bytes),
                path.display(),
                Mib(PROCESS_RESERVE_BYTES)
            ),
            MemoryLimitSource::PhysicalMemory { total_bytes } => write!(
                f,
                "an eighth of {} of physical memory, at most {}",
                Mib(*total_bytes),
                Mib(DEFAULT_MEMORY_LIMIT_BYTES as u64)
            ),
            MemoryLimitSource::BuiltIn => f.write_str("built-in default"),
        }
    }
}

/// Bytes shown in MiB.
struct Mib(u64);

impl fmt::Display for Mib {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mib = self.0 as f64 / f64::from(1u32 << 20);
        if mib.fract() == 0.0 {
            write!(f, "{mib:.0} MiB")
        } else {
            write!(f, "{mib:.1} MiB")
        }
    }
}

/// The smallest memory limit of this process's cgroup and its ancestors: `(version, bytes,
/// control file)`, or `None` when no limit is set or the files cannot be read.
fn cgroup_limit(root: &Path) -> Option<(u8, u64, PathBuf)> {
    let membership = std::fs::read_to_string(root.join("proc/self/cgroup")).ok()?;
    let mountinfo = std::fs::read_to_string(root.join("proc/self/mountinfo")).ok()?;
    let mut best: Option<(u8, u64, PathBuf)> = None;
    for (version, cgroup_path) in memory_cgroups(&membership) {
        let Some(mount) = cgroup_mount(&mountinfo, version) else {
            continue;
        };
        let file = if version == 1 {
            "memory.limit_in_bytes"
        } else {
            "memory.max"
        };
        for dir in hierarchy_dirs(root, &mount, &cgroup_path) {
            let control = dir.join(file);
            let Ok(text) = std::fs::read_to_string(&control) else {
                continue;
            };
            let Some(limit) = parse_limit(&text) else {
                continue;
            };
            if best.as_ref().is_none_or(|(_, b, _)| limit < *b) {
                best = Some((version, limit, control));
            }
        }
    }
    best
}

/// The memory controller's cgroups of `/proc/self/cgroup`: `(1, path)` for a v1 line naming
/// `memory`, `(2, path)` for the v2 line (`0::/path`).
fn memory_cgroups(membership: &str) -> Vec<(u8, String)> {
    membership
        .lines()
        .filter_map(|line| {
            let mut parts = line.splitn(3, ':');
            let id = parts.next()?;
            let controllers = parts.next()?;
            let path = parts.next()?.to_owned();
            if id == "0" && controllers.is_empty() {
                Some((2, path))
            } else if controllers.split(',').any(|c| c == "memory") {
                Some((1, path))
            } else {
                None
            }
        })
        .collect()
}

/// Where the memory hierarchy of `version` is mounted, from `/proc/self/mountinfo`: the mount
/// point and the cgroup path its root stands for (not `/` inside a cgroup namespace or a
/// container that bind-mounts its own cgroup).
struct CgroupMount {
    mount_point: PathBuf,
    root: String,
}

fn cgroup_mount(mountinfo: &str, version: u8) -> Option<CgroupMount> {
    mountinfo.lines().find_map(|line| {
        // `id parent major:minor root mount-point options [optional...] - fstype source super`
        let (left, right) = line.split_once(" - ")?;
        let mut right = right.split_whitespace();
        let fstype = right.next()?;
        let _source = right.next();
        let super_options = right.next().unwrap_or("");
        let fields: Vec<&str> = left.split_whitespace().collect();
        let root = (*fields.get(3)?).to_owned();
        let mount_point = PathBuf::from(unescape_mount_field(fields.get(4)?));
        let matches = match version {
            1 => fstype == "cgroup" && super_options.split(',').any(|o| o == "memory"),
            _ => fstype == "cgroup2",
        };
        matches.then_some(CgroupMount { mount_point, root })
    })
}

/// A mountinfo field with its octal escapes (`\040` for a space) undone.
fn unescape_mount_field(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| bytes[i] == b'\\' && d.iter().all(|b| (b'0'..=b'7').contains(b)));
        if let Some(digits) = octal {
            let value = digits
                .iter()
                .fold(0u32, |acc, d| acc * 8 + u32::from(d - b'0'));
            out.push(u8::try_from(value).unwrap_or(b'?'));
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The directories of `cgroup_path` and each ancestor below the mount, deepest first, under
/// `root`. A `cgroup_path` outside the mount's root (another namespace) gives the mount point
/// alone.
fn hierarchy_dirs(root: &Path, mount: &CgroupMount, cgroup_path: &str) -> Vec<PathBuf> {
    let relative = if mount.root == "/" {
        Some(cgroup_path.trim_start_matches('/'))
    } else {
        cgroup_path
            .strip_prefix(mount.root.as_str())
            .map(|rest| rest.trim_start_matches('/'))
    };
    let base = root.join(
        mount
            .mount_point
            .strip_prefix("/")
            .unwrap_or(&mount.mount_point),
    );
    let mut dirs = Vec::new();
    let mut current = relative.map(PathBuf::from).unwrap_or_default();
    loop {
        dirs.push(base.join(&current));
        if !current.pop() {
            break;
        }
    }
    dirs
}

/// A limit file's value: bytes, or `None` for `max` and for values meaning no limit.
fn parse_limit(text: &str) -> Option<u64> {
    let value: u64 = text.trim().parse().ok()?;
    (value < UNLIMITED_BYTES).then_some(value)
}

/// `MemTotal` of `/proc/meminfo` in bytes.
fn meminfo_total_bytes(root: &Path) -> Option<u64> {
    let text = std::fs::read_to_string(root.join("proc/meminfo")).ok()?;
    text.lines().find_map(|line| {
        let kib: u64 = line
            .strip_prefix("MemTotal:")?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        Some(kib * 1024)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    /// A fake root with `/proc/self/cgroup`, `/proc/self/mountinfo`, `/proc/meminfo`.
    fn fake_root(cgroup: &str, mountinfo: &str, meminfo_kib: Option<u64>) -> tempfile::TempDir {
        let root = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(root.path().join("proc/self")).expect("proc dir");
        std::fs::write(root.path().join("proc/self/cgroup"), cgroup).expect("cgroup");
        std::fs::write(root.path().join("proc/self/mountinfo"), mountinfo).expect("mountinfo");
        if let Some(kib) = meminfo_kib {
            std::fs::write(
                root.path().join("proc/meminfo"),
                format!("MemTotal:       {kib} kB\nMemFree:  1 kB\n"),
            )
            .expect("meminfo");
        }
        root
    }

    fn write_limit(root: &Path, dir: &str, file: &str, value: &str) {
        let dir = root.join(dir);
        std::fs::create_dir_all(&dir).expect("cgroup dir");
        std::fs::write(dir.join(file), value).expect("limit file");
    }

    const V1_MOUNTS: &str = "30 25 0:26 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory\n\
                             31 25 0:27 / /sys/fs/cgroup/cpu rw,nosuid - cgroup cgroup rw,cpu,cpuacct\n";
    const V2_MOUNTS: &str = "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n";

    #[test]
    fn the_rule_gives_the_stated_fractions() {
        let cgroup = |mib: u64| {
            MemoryLimit::from_available(MemoryLimitSource::Cgroup {
                version: 1,
                limit_bytes: mib * MIB,
                path: PathBuf::new(),
            })
            .bytes as u64
                / MIB
        };
        assert_eq!(cgroup(128), 48);
        assert_eq!(cgroup(256), 112);
        assert_eq!(cgroup(512), 240);
        assert_eq!(cgroup(4096), 256, "never above the built-in default");
        assert_eq!(cgroup(16), 0, "a limit below the reserve leaves nothing");
        let ram = |mib: u64| {
            MemoryLimit::from_available(MemoryLimitSource::PhysicalMemory {
                total_bytes: mib * MIB,
            })
            .bytes as u64
                / MIB
        };
        assert_eq!(ram(1024), 128);
        assert_eq!(ram(24 * 1024), 256);
    }

    #[test]
    fn a_v1_limit_is_read_and_the_smallest_ancestor_wins() {
        let root = fake_root(
            "5:cpu,cpuacct:/a\n4:memory:/a/b\n",
            V1_MOUNTS,
            Some(8 << 20),
        );
        let mem = "sys/fs/cgroup/memory";
        write_limit(
            root.path(),
            &format!("{mem}/a/b"),
            "memory.limit_in_bytes",
            "536870912\n",
        );
        write_limit(
            root.path(),
            &format!("{mem}/a"),
            "memory.limit_in_bytes",
            "268435456\n",
        );
        write_limit(
            root.path(),
            mem,
            "memory.limit_in_bytes",
            "9223372036854771712\n",
        );
        let limit = MemoryLimit::detect_in(root.path());
        assert_eq!(limit.bytes as u64, 112 * MIB);
        match &limit.source {
            MemoryLimitSource::Cgroup {
                version,
                limit_bytes,
                path,
            } => {
                assert_eq!(*version, 1);
                assert_eq!(*limit_bytes, 256 * MIB);
                assert!(path.ends_with("memory/a/memory.limit_in_bytes"), "{path:?}");
            }
            other => panic!("expected a cgroup limit, got {other:?}"),
        }
        let text = limit.to_string();
        assert!(
            text.starts_with("112 MiB (half of the cgroup v1 memory limit of 256 MiB in "),
            "{text}"
        );
    }

    #[test]
    fn a_v2_limit_is_read_and_max_means_none() {
        let root = fake_root("0::/user.slice/job\n", V2_MOUNTS, Some(8 << 20));
        write_limit(
            root.path(),
            "sys/fs/cgroup/user.slice/job",
            "memory.max",
            "134217728\n",
        );
        write_limit(
            root.path(),
            "sys/fs/cgroup/user.slice",
            "memory.max",
            "max\n",
        );
        let limit = MemoryLimit::detect_in(root.path());
        assert_eq!(limit.bytes as u64, 48 * MIB);
        assert!(matches!(
            limit.source,
            MemoryLimitSource::Cgroup { version: 2, limit_bytes, .. } if limit_bytes == 128 * MIB
        ));
    }

    #[test]
    fn no_cgroup_limit_falls_back_to_physical_memory() {
        let root = fake_root("0::/job\n", V2_MOUNTS, Some(1 << 20));
        write_limit(root.path(), "sys/fs/cgroup/job", "memory.max", "max\n");
        let limit = MemoryLimit::detect_in(root.path());
        assert_eq!(limit.bytes as u64, 128 * MIB);
        assert_eq!(
            limit.source,
            MemoryLimitSource::PhysicalMemory {
                total_bytes: 1 << 30
            }
        );
    }

    #[test]
    fn nothing_readable_gives_the_built_in_default() {
        let root = tempfile::tempdir().expect("temp dir");
        let limit = MemoryLimit::detect_in(root.path());
        assert_eq!(limit.bytes, DEFAULT_MEMORY_LIMIT_BYTES);
        assert_eq!(limit.source, MemoryLimitSource::BuiltIn);
    }

    #[test]
    fn a_namespaced_mount_root_maps_the_path_below_it() {
        // Inside a container the mount's root is the container's own cgroup and
        // /proc/self/cgroup names a path below it (or `/`).
        let mounts = "30 25 0:26 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
        let root = fake_root("4:memory:/docker/abc\n", mounts, None);
        write_limit(
            root.path(),
            "sys/fs/cgroup/memory",
            "memory.limit_in_bytes",
            "134217728",
        );
        let limit = MemoryLimit::detect_in(root.path());
        assert_eq!(limit.bytes as u64, 48 * MIB);
    }

    #[test]
    fn mount_points_with_spaces_are_unescaped() {
        assert_eq!(unescape_mount_field(r"/mnt/a\040b"), "/mnt/a b");
        assert_eq!(unescape_mount_field(r"/plain\"), r"/plain\");
    }
}
