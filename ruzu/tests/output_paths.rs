//! Paths a statement writes never destroy what is not the statement's: an input, the
//! database, a device node, a FIFO, a symbolic link (issue: "never destroy what is not ours",
//! items 1–3, 16, 18 and `COPY TO '-'`).

use std::path::Path;
use std::process::Command;

use ruzu::{Config, Database, Error, QueryResult};
use ruzu_copy::{CopyError, PathRole};

const DDL: &str = "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id))";
const SMALL: &str = "id,name\n1,ann\n2,bob\nx,bad\n";

/// A database at `dir/db` with table `P` holding two rows, and `dir/small.csv`.
fn setup(dir: &Path) -> Database {
    std::fs::write(dir.join("small.csv"), SMALL).expect("write small.csv");
    let mut db = Database::open(dir.join("db"), Config::default()).expect("open");
    db.connect()
        .execute(&format!(
            "{DDL}; COPY P FROM '{}' (HEADER=true, IGNORE_ERRORS=true)",
            dir.join("small.csv").display()
        ))
        .expect("import");
    db
}

fn copy_error(e: Error) -> CopyError {
    match e {
        Error::Copy(c) => c,
        other => panic!("expected a COPY error, got {other:?}"),
    }
}

fn partial_files(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .expect("list")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".partial"))
        .collect()
}

/// Item 1: `REJECTS='small.csv'` on the input `small.csv` overwrote the input.
#[test]
fn a_rejects_file_that_is_the_input_is_refused_and_the_input_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = setup(dir.path());
    let input = dir.path().join("small.csv");
    for rejects in [input.clone(), dir.path().join(".").join("small.csv")] {
        let err = db
            .connect()
            .execute(&format!(
                "COPY P FROM '{}' (HEADER=true, IGNORE_ERRORS=true, REJECTS='{}')",
                input.display(),
                rejects.display()
            ))
            .expect_err("refused");
        let text = err.to_string();
        let err = copy_error(err);
        assert!(
            matches!(
                err,
                CopyError::PathConflict {
                    role: PathRole::Rejects,
                    other_role: PathRole::Input,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(
            text.contains("rejects file") && text.contains("input file"),
            "{text}"
        );
    }
    assert_eq!(std::fs::read_to_string(&input).expect("read"), SMALL);
    assert_eq!(db.connect().row_count("P").expect("count"), Some(2));
}

/// Item 2: a rejects file or an export onto the database's own file replaced it with CSV.
#[test]
fn the_database_file_and_directory_are_never_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = setup(dir.path());
    let data = dir.path().join("db").join("data.ruzu");
    let before = std::fs::read(&data).expect("read the database");
    let statements = [
        format!(
            "COPY P FROM '{}' (HEADER=true, IGNORE_ERRORS=true, REJECTS='{}')",
            dir.path().join("small.csv").display(),
            data.display()
        ),
        format!("COPY P TO '{}'", data.display()),
        format!(
            "COPY P TO '{}'",
            dir.path().join("db").join("out.csv").display()
        ),
    ];
    for statement in &statements {
        let err = copy_error(db.connect().execute(statement).expect_err("refused"));
        let CopyError::PathConflict { other_role, .. } = err else {
            panic!("{statement}: {err:?}");
        };
        assert!(
            matches!(
                other_role,
                PathRole::DatabaseFile | PathRole::DatabaseDirectory
            ),
            "{statement}: {other_role:?}"
        );
    }
    drop(db);
    assert_eq!(std::fs::read(&data).expect("read the database"), before);
    assert!(!dir.path().join("db").join("out.csv").exists());
    let mut db = Database::open(dir.path().join("db"), Config::default()).expect("reopens");
    assert_eq!(db.connect().row_count("P").expect("count"), Some(2));
}

/// Item 3: an export to a device node replaced the node with a regular file.
#[cfg(target_os = "linux")]
#[test]
fn an_export_to_a_device_writes_it_in_place() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = setup(dir.path());
    let results = db
        .connect()
        .execute("COPY P TO '/dev/null'")
        .expect("export to /dev/null");
    assert!(matches!(
        &results[0],
        QueryResult::CopyTo {
            rows: 2,
            replaced: false,
            ..
        }
    ));
    use std::os::unix::fs::FileTypeExt;
    let kind = std::fs::symlink_metadata("/dev/null")
        .expect("/dev/null")
        .file_type();
    assert!(kind.is_char_device(), "/dev/null is still a device");
}

/// Item 3: an export to a FIFO left its reader with nothing and removed the FIFO.
#[cfg(unix)]
#[test]
fn an_export_to_a_fifo_reaches_its_reader() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = setup(dir.path());
    let fifo = dir.path().join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the FIFO"))
    };
    db.connect()
        .execute(&format!("COPY P TO '{}'", fifo.display()))
        .expect("export to the FIFO");
    assert_eq!(reader.join().expect("reader"), "id,name\n1,ann\n2,bob\n");
    use std::os::unix::fs::FileTypeExt;
    assert!(
        std::fs::symlink_metadata(&fifo)
            .expect("fifo")
            .file_type()
            .is_fifo()
    );
}

/// Item 3: an export through a symbolic link replaced the link instead of writing its target.
#[cfg(unix)]
#[test]
fn an_export_through_a_symlink_writes_its_target() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = setup(dir.path());
    std::fs::create_dir(dir.path().join("out")).expect("mkdir");
    let link = dir.path().join("latest.csv");
    std::os::unix::fs::symlink("out/p.csv", &link).expect("symlink");
    db.connect()
        .execute(&format!("COPY P TO '{}'", link.display()))
        .expect("export");
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    let written = std::fs::read_to_string(dir.path().join("out/p.csv")).expect("target");
    assert_eq!(written, "id,name\n1,ann\n2,bob\n");
    assert!(partial_files(&dir.path().join("out")).is_empty());
}

/// Item 16: a full disk was reported as `<input>: read failed`; a directory or an empty path
/// left a `.NAME.partial` file behind.
#[test]
fn export_failures_name_the_output_and_leave_nothing_behind() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = setup(dir.path());
    #[cfg(target_os = "linux")]
    {
        let err = db
            .connect()
            .execute("COPY P TO '/dev/full'")
            .expect_err("a full device");
        let text = err.to_string();
        assert!(
            text.starts_with("export file /dev/full: write failed"),
            "{text}"
        );
        assert!(
            !text.contains("read failed") && !text.contains("<input>"),
            "{text}"
        );
    }
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    for target in [dir.path().join("sub").display().to_string(), String::new()] {
        let err = db
            .connect()
            .execute(&format!("COPY P TO '{target}'"))
            .expect_err("refused");
        assert!(
            matches!(copy_error(err), CopyError::Output { op: "open", .. }),
            "{target:?}"
        );
    }
    assert!(partial_files(dir.path()).is_empty());
    assert!(partial_files(&dir.path().join("sub")).is_empty());
}

/// Item 18: replacing an existing file was silent.
#[test]
fn the_summary_says_when_an_export_replaced_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut db = setup(dir.path());
    let out = dir.path().join("out.csv");
    let statement = format!("COPY P TO '{}'", out.display());
    let first = db.connect().execute(&statement).expect("export");
    assert!(!first[0].to_string().contains("replaced"), "{}", first[0]);
    let second = db.connect().execute(&statement).expect("export again");
    assert!(
        matches!(&second[0], QueryResult::CopyTo { replaced: true, .. }),
        "{:?}",
        second[0]
    );
    assert!(
        second[0]
            .to_string()
            .contains("replaced the file that was there"),
        "{}",
        second[0]
    );
}

/// Item 19: `COPY TO '-'` created a file named `-`; it writes standard output, and the summary
/// goes to standard error. `REJECTS='-'` does the same for rejected rows.
#[test]
fn dash_is_standard_output_for_exports_and_rejects() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(setup(dir.path()));
    let run = |script: &str| {
        Command::new(env!("CARGO_BIN_EXE_ruzu"))
            .args(["db", "-c", script])
            .current_dir(dir.path())
            .output()
            .expect("ruzu runs")
    };
    let out = run("COPY P TO '-'");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "id,name\n1,ann\n2,bob\n"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("2 rows exported to standard output"),
        "{stderr}"
    );
    assert!(!dir.path().join("-").exists());

    assert!(
        run("CREATE NODE TABLE Q(id INT64, name STRING, PRIMARY KEY(id))")
            .status
            .success()
    );
    let out = run("COPY Q FROM 'small.csv' (HEADER=true, IGNORE_ERRORS=true, REJECTS='-')");
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0], ruzu_copy::REJECTS_FILE_HEADER);
    assert!(lines[1].starts_with("small.csv\t4\t"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2 rows imported, 1 rejected"),
        "{out:?}"
    );
    assert!(!dir.path().join("-").exists());
}
