//! A glob imports every file it matches, file names that are not UTF-8 included (issue:
//! "never destroy what is not ours", item 5: such a file was left out silently).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use ruzu::{Config, Database};

#[test]
fn a_glob_imports_a_file_whose_name_is_not_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("in");
    std::fs::create_dir(&data).expect("mkdir");
    std::fs::write(data.join("a.csv"), "id,name\n1,ann\n2,bob\n").expect("write a.csv");
    std::fs::write(
        data.join(OsStr::from_bytes(b"b\xff.csv")),
        "id,name\n3,cy\n4,di\n5,ed\n",
    )
    .expect("write the odd name");
    let mut db = Database::open(dir.path().join("db"), Config::default()).expect("open");
    let mut conn = db.connect();
    conn.execute(&format!(
        "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id)); \
         COPY P FROM '{}/*.csv' (HEADER=true)",
        data.display()
    ))
    .expect("import");
    assert_eq!(conn.row_count("P").expect("count"), Some(5));
}
