//! The default memory limit inside a real memory cgroup: `ruzu` started in a cgroup v1 with
//! `memory.limit_in_bytes` set derives its import limit from it, says so in `ruzu info` and in
//! the import summary, finishes an import at default settings inside a 128 MiB cgroup, and
//! refuses to start one in a cgroup too small for the minimum.
//!
//! Creating a cgroup needs root and a writable cgroup v1 memory hierarchy
//! (`/sys/fs/cgroup/memory`); where there is none, each test says so on stderr and returns.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{PERSON_DDL, write_persons};

/// The cgroup v1 memory hierarchy.
const MEMORY_HIERARCHY: &str = "/sys/fs/cgroup/memory";

/// A memory cgroup of this test, removed on drop.
struct MemCgroup {
    dir: PathBuf,
}

impl MemCgroup {
    /// A new cgroup limited to `limit_mib` MiB (page cache included), or `None` where cgroups
    /// cannot be created here.
    fn create(limit_mib: u64) -> Option<MemCgroup> {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "ruzu-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let dir = Path::new(MEMORY_HIERARCHY).join(name);
        if let Err(e) = std::fs::create_dir(&dir) {
            eprintln!("skipped: cannot create a memory cgroup in {MEMORY_HIERARCHY}: {e}");
            return None;
        }
        let cgroup = MemCgroup { dir };
        let limit = (limit_mib << 20).to_string();
        std::fs::write(cgroup.dir.join("memory.limit_in_bytes"), limit)
            .expect("set the cgroup's memory limit");
        // Without swap accounting this file is absent; the limit then bounds memory alone.
        let _ = std::fs::write(cgroup.dir.join("memory.memsw.limit_in_bytes"), "-1");
        Some(cgroup)
    }

    /// Runs `ruzu args...` inside the cgroup: a shell joins it, then becomes `ruzu`.
    fn run_ruzu(&self, args: &[&str], cwd: &Path) -> Output {
        let procs = self.dir.join("cgroup.procs");
        Command::new("sh")
            .arg("-c")
            .arg("echo $$ > \"$1\" && shift && exec \"$@\"")
            .arg("sh")
            .arg(&procs)
            .arg(env!("CARGO_BIN_EXE_ruzu"))
            .args(args)
            .current_dir(cwd)
            .output()
            .expect("sh runs")
    }

    /// Whether the kernel killed a process of this cgroup for memory.
    fn oom_kills(&self) -> u64 {
        std::fs::read_to_string(self.dir.join("memory.oom_control"))
            .ok()
            .and_then(|text| {
                text.lines()
                    .find_map(|l| l.strip_prefix("oom_kill ")?.trim().parse().ok())
            })
            .unwrap_or(0)
    }
}

impl Drop for MemCgroup {
    fn drop(&mut self) {
        // The processes have exited; an empty cgroup is removed with rmdir.
        let _ = std::fs::remove_dir(&self.dir);
    }
}

fn text(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Writes `rows` generated persons to `person.csv` in a new temporary directory and runs
/// `ruzu <dir>/db -c "<PERSON_DDL>; COPY Person FROM ..."` inside `cgroup` at default settings.
fn create_and_import(cgroup: &MemCgroup, rows: u64) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = dir.path().join("person.csv");
    write_persons(&csv, rows);
    let db = dir.path().join("db");
    let script = format!(
        "{PERSON_DDL}; COPY Person FROM '{}' (HEADER=true)",
        csv.display()
    );
    let out = cgroup.run_ruzu(
        &[db.to_str().expect("utf-8 path"), "-c", &script],
        dir.path(),
    );
    (dir, out)
}

#[test]
fn ruzu_info_names_the_cgroup_limit_it_derived() {
    let Some(cgroup) = MemCgroup::create(256) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    let db = db.to_str().expect("utf-8 path");
    let create = cgroup.run_ruzu(&[db, "-c", PERSON_DDL], dir.path());
    assert!(create.status.success(), "{}", text(&create));
    let info = cgroup.run_ruzu(&["info", db], dir.path());
    assert!(info.status.success(), "{}", text(&info));
    let stdout = String::from_utf8_lossy(&info.stdout);
    assert!(
        stdout.contains(
            "memory limit of an import without MEMORY_LIMIT: 112 MiB (half of the cgroup v1 \
             memory limit of 256 MiB in "
        ),
        "{}",
        text(&info)
    );
}

#[test]
fn an_import_at_default_settings_finishes_inside_128_mib() {
    let Some(cgroup) = MemCgroup::create(128) else {
        return;
    };
    // 200 000 rows, about 40 MB: more than the import's 48 MiB budget holds at once.
    let (_dir, out) = create_and_import(&cgroup, 200_000);
    assert!(
        out.status.success(),
        "oom kills {}: {}",
        cgroup.oom_kills(),
        text(&out)
    );
    assert_eq!(cgroup.oom_kills(), 0);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("200000 rows imported"), "{}", text(&out));
    assert!(
        all.contains("memory limit 48 MiB (half of the cgroup v1 memory limit of 128 MiB"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_cgroup_too_small_for_the_minimum_is_refused_before_the_import_starts() {
    // (40 MiB - 32 MiB) / 2 = 4 MiB, below the 8 MiB minimum of an import.
    let Some(cgroup) = MemCgroup::create(40) else {
        return;
    };
    let (dir, out) = create_and_import(&cgroup, 100);
    let csv = dir.path().join("person.csv");
    let db = dir.path().join("db");
    assert!(!out.status.success(), "{}", text(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("COPY Person: the memory limit of 4 MiB (half of the cgroup v1")
            && stderr.contains("is below the 8 MiB an import needs"),
        "{}",
        text(&out)
    );
    // With its own MEMORY_LIMIT the statement is not refused for the derived one.
    let script = format!(
        "COPY Person FROM '{}' (HEADER=true, MEMORY_LIMIT='8MB')",
        csv.display()
    );
    let out = cgroup.run_ruzu(
        &[db.to_str().expect("utf-8 path"), "-c", &script],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out));
}
