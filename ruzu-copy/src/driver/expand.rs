//! Glob expansion of the statement's paths over file names as bytes.
//!
//! A file name is an `OsStr`, not a `str`: on Linux any bytes but `/` and NUL. The `glob`
//! crate's walker leaves out every name that is not UTF-8, so a pattern that matches
//! `b\xff.csv` silently imports one file less. This walker reads each directory itself and
//! keeps the names as they are; only the *matching* of one name against one pattern component
//! goes through `glob::Pattern`, on the name with each invalid byte sequence replaced by
//! U+FFFD. Such a byte sequence is therefore one character that `*`, `?` and a negated class
//! `[!...]` match and no literal character does. The path handed on is the real one, bytes
//! and all.
//!
//! Pattern syntax is `glob`'s, component by component: `*`, `?`, `[...]`, `[!...]`, and `**`
//! alone in a component for zero or more directories (not following links to directories,
//! so a link cycle cannot make it loop). A component without a wildcard is taken as written.

use std::ffi::OsString;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::CopyError;

use super::input::Input;

/// Turns the statement's paths into inputs: `-` is standard input, a path with `*`, `?` or `[`
/// is a glob (its matches in sorted order, file names that are not UTF-8 included; no match is
/// an error), anything else a file.
///
/// # Errors
///
/// [`CopyError::Input`] for a bad pattern, a pattern without a match, or a directory the
/// pattern must list that cannot be read.
pub fn expand_paths(paths: &[String]) -> Result<Vec<Input>, CopyError> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(Input::Stdin);
        } else if !is_pattern(p) {
            out.push(Input::Path(PathBuf::from(p)));
        } else {
            let mut found = expand_one(p)?;
            if found.is_empty() {
                return Err(CopyError::Input {
                    path: PathBuf::from(p),
                    reason: "no file matches this pattern".into(),
                    source: None,
                });
            }
            found.sort();
            out.extend(found.into_iter().map(Input::Path));
        }
    }
    Ok(out)
}

/// Whether `text` holds a wildcard.
fn is_pattern(text: &str) -> bool {
    text.contains(['*', '?', '['])
}

/// One step of a pattern: a component taken as written, `**`, or a wildcard component.
enum Step {
    Literal(PathBuf),
    AnyDirs,
    Match(glob::Pattern),
}

/// Every existing path that `pattern` matches, unsorted.
fn expand_one(pattern: &str) -> Result<Vec<PathBuf>, CopyError> {
    let bad = |reason: String, source: Option<io::Error>| CopyError::Input {
        path: PathBuf::from(pattern),
        reason,
        source,
    };
    let mut steps = Vec::new();
    let mut start = PathBuf::new();
    for component in Path::new(pattern).components() {
        match component {
            Component::Prefix(_) | Component::RootDir => start.push(component.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => steps.push(Step::Literal("..".into())),
            Component::Normal(name) => {
                let text = name
                    .to_str()
                    .expect("a component of a &str pattern is UTF-8");
                steps.push(if text == "**" {
                    Step::AnyDirs
                } else if is_pattern(text) {
                    Step::Match(
                        glob::Pattern::new(text)
                            .map_err(|e| bad(format!("bad glob pattern: {e}"), None))?,
                    )
                } else {
                    Step::Literal(PathBuf::from(text))
                });
            }
        }
    }
    let mut current = vec![start];
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        let mut next = Vec::new();
        for base in &current {
            match step {
                Step::Literal(name) => {
                    let path = base.join(name);
                    if exists(&path) {
                        next.push(path);
                    }
                }
                Step::AnyDirs => {
                    if is_dir(base) {
                        dirs_below(base, &mut next).map_err(|(path, e)| {
                            bad(format!("cannot list {}", path.display()), Some(e))
                        })?;
                    }
                }
                Step::Match(matcher) => {
                    if !is_dir(base) {
                        continue;
                    }
                    for (path, name) in entries(base).map_err(|e| {
                        bad(format!("cannot list {}", shown(base).display()), Some(e))
                    })? {
                        if matcher.matches(&name.to_string_lossy()) && (last || is_dir(&path)) {
                            next.push(path);
                        }
                    }
                }
            }
        }
        current = next;
    }
    Ok(current)
}

/// `dir` itself and every directory below it (links to directories are not followed).
fn dirs_below(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), (PathBuf, io::Error)> {
    out.push(dir.to_path_buf());
    let mut i = out.len() - 1;
    while i < out.len() {
        let here = out[i].clone();
        i += 1;
        let listed = fs::read_dir(shown(&here)).map_err(|e| (shown(&here).to_path_buf(), e))?;
        for entry in listed {
            let entry = entry.map_err(|e| (shown(&here).to_path_buf(), e))?;
            let kind = entry.file_type().map_err(|e| (entry.path(), e))?;
            if kind.is_dir() {
                out.push(here.join(entry.file_name()));
            }
        }
    }
    Ok(())
}

/// The entries of directory `dir`: each one's path (under `dir` as written) and name.
fn entries(dir: &Path) -> io::Result<Vec<(PathBuf, OsString)>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(shown(dir))? {
        let name = entry?.file_name();
        out.push((dir.join(&name), name));
    }
    Ok(out)
}

/// The path to hand to the file system: the empty path (a relative pattern's start) is `.`.
fn shown(path: &Path) -> &Path {
    if path.as_os_str().is_empty() {
        Path::new(".")
    } else {
        path
    }
}

/// Whether something (a dangling link included) has this name.
fn exists(path: &Path) -> bool {
    fs::symlink_metadata(path).is_ok()
}

/// Whether `path` is a directory, following links.
fn is_dir(path: &Path) -> bool {
    fs::metadata(shown(path)).is_ok_and(|m| m.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    fn name_of(path: &Path) -> &OsStr {
        path.file_name().expect("a matched path has a file name")
    }

    fn names(inputs: &[Input]) -> Vec<Vec<u8>> {
        inputs
            .iter()
            .map(|i| match i {
                Input::Path(p) => name_of(p).as_bytes().to_vec(),
                Input::Stdin => b"-".to_vec(),
                Input::Reader { .. } => b"reader".to_vec(),
            })
            .collect()
    }

    #[test]
    fn globs_expand_sorted_and_empty_matches_are_errors() {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["b.csv", "a.csv", "c.txt"] {
            fs::write(dir.path().join(name), "x\n").expect("write");
        }
        let pattern = format!("{}/*.csv", dir.path().display());
        let inputs = expand_paths(&[pattern, "-".into()]).expect("expand");
        assert_eq!(names(&inputs), [&b"a.csv"[..], b"b.csv", b"-"]);
        let none = format!("{}/*.parquet", dir.path().display());
        assert!(matches!(
            expand_paths(&[none]),
            Err(CopyError::Input { .. })
        ));
    }

    #[test]
    fn a_name_that_is_not_utf8_is_matched_by_wildcards_and_kept_as_bytes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let odd = OsStr::from_bytes(b"b\xff.csv");
        for name in [OsStr::new("a.csv"), odd, OsStr::new("c.csv")] {
            fs::write(dir.path().join(name), "x\n").expect("write");
        }
        for pattern in ["*.csv", "b?.csv", "[!a]*.csv"] {
            let full = format!("{}/{pattern}", dir.path().display());
            let inputs = expand_paths(&[full]).expect("expand");
            let found = names(&inputs);
            assert!(
                found.contains(&b"b\xff.csv".to_vec()),
                "{pattern}: {found:?}"
            );
            let Some(Input::Path(p)) = inputs.iter().find(|i| match i {
                Input::Path(p) => name_of(p) == odd,
                _ => false,
            }) else {
                panic!("{pattern}: no path input for the odd name");
            };
            assert_eq!(fs::read(p).expect("the matched path opens"), b"x\n");
        }
        let all = expand_paths(&[format!("{}/*.csv", dir.path().display())]).expect("expand");
        assert_eq!(names(&all), [&b"a.csv"[..], b"b\xff.csv", b"c.csv"]);
        let literal_only = format!("{}/b.csv", dir.path().display());
        assert_eq!(expand_paths(&[literal_only]).expect("literal").len(), 1);
    }

    #[test]
    fn wildcards_in_directories_and_double_star_descend() {
        let dir = tempfile::tempdir().expect("temp dir");
        for sub in ["p1/deep", "p2", "q"] {
            fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        }
        for file in [
            "p1/x.csv",
            "p1/deep/y.csv",
            "p2/z.csv",
            "q/w.csv",
            "top.csv",
        ] {
            fs::write(dir.path().join(file), "x\n").expect("write");
        }
        let root = dir.path().display();
        let one = expand_paths(&[format!("{root}/p*/*.csv")]).expect("expand");
        assert_eq!(names(&one), [&b"x.csv"[..], b"z.csv"]);
        let all = expand_paths(&[format!("{root}/**/*.csv")]).expect("expand");
        assert_eq!(
            names(&all),
            [&b"y.csv"[..], b"x.csv", b"z.csv", b"w.csv", b"top.csv"]
        );
        let bad = expand_paths(&[format!("{root}/[.csv")]);
        assert!(matches!(bad, Err(CopyError::Input { .. })), "{bad:?}");
    }

    #[test]
    fn a_relative_pattern_lists_the_current_directory() {
        let found = expand_one("Cargo.tom?").expect("expand");
        assert_eq!(found, [PathBuf::from("Cargo.toml")]);
    }
}
