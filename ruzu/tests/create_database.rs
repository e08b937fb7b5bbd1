//! Creating a database never loses what another creator made, never creates over a dangling
//! link, and a failed create leaves nothing behind (issue "never destroy what is not ours",
//! items 4 and 19).

use std::path::Path;
use std::process::{Command, Output};

use ruzu::{Config, Database, Error};
use ruzu_storage::StorageError;

fn ruzu(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ruzu"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("the ruzu binary runs")
}

fn table_names(dir: &Path) -> Vec<String> {
    // A child process that another test forks holds copies of this process's descriptors
    // (and so its locks) until it executes `ruzu`: retry `locked` for a moment.
    let mut tries = 0;
    let db = loop {
        match Database::open(dir, Config::default()) {
            Err(Error::Storage(StorageError::Locked { .. })) if tries < 100 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            other => break other.expect("the database opens"),
        }
    };
    db.tables()
        .expect("tables")
        .into_iter()
        .map(|t| t.name)
        .collect()
}

/// Item 4: threads racing to create one database: each either succeeds and keeps its table,
/// or fails with `locked`; the loser never replaces the winner's file.
#[test]
fn concurrent_creators_in_threads_never_lose_a_success() {
    const THREADS: usize = 12;
    for round in 0..15 {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("db");
        let barrier = std::sync::Barrier::new(THREADS);
        let outcomes: Vec<Result<(), Error>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..THREADS)
                .map(|i| {
                    let (path, barrier) = (&path, &barrier);
                    s.spawn(move || {
                        barrier.wait();
                        let mut db = Database::open(path, Config::default())?;
                        db.connect().execute(&format!(
                            "CREATE NODE TABLE T{i}(id INT64, PRIMARY KEY(id))"
                        ))?;
                        Ok(())
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let names = table_names(&path);
        let mut successes = 0;
        for (i, outcome) in outcomes.iter().enumerate() {
            match outcome {
                Ok(()) => {
                    successes += 1;
                    assert!(
                        names.contains(&format!("T{i}")),
                        "round {round}: T{i} reported success but the database has {names:?}"
                    );
                }
                Err(Error::Storage(StorageError::Locked { .. })) => {}
                Err(other) => panic!("round {round}: creator {i}: {other}"),
            }
        }
        assert!(successes >= 1, "round {round}: no creator succeeded");
        assert_eq!(names.len(), successes, "round {round}: {names:?}");
        assert!(!path.join("data.ruzu.creating").exists());
    }
}

/// Item 4: the reported case, `ruzu NEWDIR -c "CREATE NODE TABLE ..."` started together: one
/// lost its table in 44 of 100 tries, another failed with `rename failed`.
#[test]
fn concurrent_creator_processes_never_lose_a_success() {
    const PROCESSES: usize = 6;
    for round in 0..8 {
        let dir = tempfile::tempdir().expect("tempdir");
        let children: Vec<_> = (0..PROCESSES)
            .map(|i| {
                Command::new(env!("CARGO_BIN_EXE_ruzu"))
                    .args([
                        "db",
                        "-c",
                        &format!("CREATE NODE TABLE T{i}(id INT64, PRIMARY KEY(id))"),
                    ])
                    .current_dir(dir.path())
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("ruzu starts")
            })
            .collect();
        let outputs: Vec<Output> = children
            .into_iter()
            .map(|c| c.wait_with_output().expect("ruzu ends"))
            .collect();
        let names = table_names(&dir.path().join("db"));
        for (i, out) in outputs.iter().enumerate() {
            if out.status.success() {
                assert!(
                    names.contains(&format!("T{i}")),
                    "round {round}: T{i} reported success but the database has {names:?}"
                );
            } else {
                let stderr = String::from_utf8_lossy(&out.stderr);
                assert!(stderr.contains("is locked"), "round {round}: {stderr}");
                assert_eq!(stderr.lines().count(), 1, "{stderr}");
            }
        }
        assert!(!names.is_empty(), "round {round}");
        assert!(!dir.path().join("db/data.ruzu.creating").exists());
    }
}

/// Item 19: a dangling `data.ruzu` link made `ruzu DB -c ...` create a new empty database
/// over it while `ruzu info` said there was none.
#[cfg(unix)]
#[test]
fn a_dangling_database_link_is_refused_not_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("db");
    std::fs::create_dir(&db).expect("mkdir");
    std::os::unix::fs::symlink("/nonexistent/data.ruzu", db.join("data.ruzu")).expect("symlink");
    let err = Database::open(&db, Config::default()).expect_err("refused");
    assert!(
        matches!(err, Error::Storage(StorageError::DanglingLink { .. })),
        "{err:?}"
    );
    for args in [
        &["db", "-c", "CREATE NODE TABLE T(id INT64, PRIMARY KEY(id))"][..],
        &["info", "db"][..],
    ] {
        let out = ruzu(args, dir.path());
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("is a symbolic link to /nonexistent/data.ruzu, which does not exist"),
            "{args:?}: {stderr}"
        );
    }
    let link = std::fs::symlink_metadata(db.join("data.ruzu")).expect("still there");
    assert!(link.file_type().is_symlink());
    assert_eq!(std::fs::read_dir(&db).expect("list").count(), 1);
}

/// Item 19: `create directory failed at byte 0`: an error that is not about a position of the
/// database file names the path instead.
#[test]
fn errors_about_a_path_name_it_and_no_byte_offset() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").expect("write");
    let err = Database::open(file.join("db"), Config::default()).expect_err("refused");
    let text = err.to_string();
    assert!(!text.contains("at byte"), "{text}");
    assert!(
        text.starts_with(&format!(
            "create directory {} failed:",
            file.join("db").display()
        )),
        "{text}"
    );
}

/// Item 19: a create that fails for want of space left `data.ruzu.creating` behind. A file
/// size limit (`ulimit -f`, with `SIGXFSZ` ignored so the write fails with `EFBIG`) stands in
/// for the full disk.
#[cfg(target_os = "linux")]
#[test]
fn a_failed_create_leaves_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "trap '' XFSZ; ulimit -f 1 && exec '{}' db -c 'CREATE NODE TABLE T(id INT64, PRIMARY KEY(id))'",
            env!("CARGO_BIN_EXE_ruzu")
        ))
        .current_dir(dir.path())
        .output()
        .expect("sh runs");
    assert!(!out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("File too large"), "{stderr}");
    let left: Vec<_> = std::fs::read_dir(dir.path().join("db"))
        .expect("the directory was made")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
