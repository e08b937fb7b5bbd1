//! Files a statement writes (an export, a rejects file): the one place that decides whether a
//! path may be written, and how.
//!
//! # Which paths may be written
//!
//! A statement collects the paths it must never write in [`ProtectedPaths`]: its input files
//! and the database's directory and page file. [`OutputFile::create`] follows the target
//! through symbolic links to the file it names, then refuses it with
//! [`CopyError::PathConflict`] (naming both roles) when that file is one of the protected
//! ones, by device and inode, so that a second name (a link, `./x` for `x`) is caught too; or
//! when it would land inside the database directory. A character device shared by two roles
//! (`/dev/stdin` and `/dev/stdout` on one terminal) is not a conflict: nothing is overwritten.
//!
//! # How it is written
//!
//! - `-` is standard output.
//! - A target that exists and is not a regular file (a device such as `/dev/null`, a FIFO, a
//!   socket) is opened and written in place: never truncated, never replaced.
//! - A regular file, or a name that does not exist yet, is written under a temporary name in
//!   the target's real directory (`.<name>.<random>.partial`) and renamed over the target by
//!   [`OutputFile::finish`], after a sync: a failed statement never leaves a truncated file
//!   under the requested name, and dropping an unfinished [`OutputFile`] removes the
//!   temporary. A replaced file's permissions (and, best effort, its owner) carry over.
//!
//! Spill files are not written through here: they are anonymous temporary files (created
//! with `O_TMPFILE` or a fresh random name), which cannot be any existing file.

use std::fmt;
use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::error::CopyError;

/// Symbolic links followed before a target counts as a loop.
const MAX_LINKS: usize = 40;

/// What a path is to a statement, for errors that name two paths.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PathRole {
    /// A file an import reads.
    Input,
    /// The file that receives an import's rejected rows (`REJECTS`).
    Rejects,
    /// The file a `COPY ... TO` writes.
    Export,
    /// The database's directory.
    DatabaseDirectory,
    /// A file of the database (its page file).
    DatabaseFile,
}

impl PathRole {
    /// The role in words: `"input file"`, `"rejects file"`, ...
    pub fn name(self) -> &'static str {
        match self {
            PathRole::Input => "input file",
            PathRole::Rejects => "rejects file",
            PathRole::Export => "export file",
            PathRole::DatabaseDirectory => "database directory",
            PathRole::DatabaseFile => "database file",
        }
    }
}

impl fmt::Display for PathRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The identity of an existing file: device and inode where the platform has them, else its
/// canonical path.
#[derive(Clone, Debug, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    dev_ino: (u64, u64),
    #[cfg(not(unix))]
    canonical: PathBuf,
}

impl FileId {
    /// The identity of the file `meta` describes, found at `_canonical`.
    fn of(meta: &Metadata, _canonical: &Path) -> FileId {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            FileId {
                dev_ino: (meta.dev(), meta.ino()),
            }
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            FileId {
                canonical: _canonical.to_path_buf(),
            }
        }
    }
}

#[derive(Clone, Debug)]
struct Protected {
    /// As given, for errors.
    path: PathBuf,
    role: PathRole,
    id: FileId,
    is_dir: bool,
}

/// The paths a statement must never write: what it reads and the database's own files.
///
/// Paths are identified when added (a path that does not exist protects nothing).
///
/// # Example
///
/// ```
/// use ruzu_copy::{CopyError, OutputFile, PathRole, ProtectedPaths};
///
/// let dir = tempfile::tempdir()?;
/// let input = dir.path().join("person.csv");
/// std::fs::write(&input, "id\n1\n")?;
/// let protected = ProtectedPaths::new().with(&input, PathRole::Input);
/// let refused = OutputFile::create(&input, PathRole::Rejects, &protected);
/// assert!(matches!(refused, Err(CopyError::PathConflict { other_role: PathRole::Input, .. })));
/// assert_eq!(std::fs::read_to_string(&input)?, "id\n1\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct ProtectedPaths {
    entries: Vec<Protected>,
}

impl ProtectedPaths {
    /// No protected paths.
    pub fn new() -> Self {
        ProtectedPaths::default()
    }

    /// Adds `path` in `role` (see [`ProtectedPaths::add`]).
    pub fn with(mut self, path: impl AsRef<Path>, role: PathRole) -> Self {
        self.add(path, role);
        self
    }

    /// Adds `path` in `role`. A directory protects itself and every name directly in it; a
    /// path that does not exist (or cannot be examined) protects nothing.
    pub fn add(&mut self, path: impl AsRef<Path>, role: PathRole) {
        let path = path.as_ref();
        let Ok(canonical) = std::fs::canonicalize(path) else {
            return;
        };
        let Ok(meta) = std::fs::metadata(&canonical) else {
            return;
        };
        self.entries.push(Protected {
            path: path.to_path_buf(),
            role,
            id: FileId::of(&meta, &canonical),
            is_dir: meta.is_dir(),
        });
    }

    /// Adds every protected path of `other`.
    pub fn extend(&mut self, other: &ProtectedPaths) {
        self.entries.extend(other.entries.iter().cloned());
    }

    /// The protected path a write of `target` (resolved, with metadata when it exists) would
    /// destroy, and whether `target` is inside it rather than it.
    fn conflict(&self, target: &Resolved) -> Option<(&Protected, bool)> {
        if let Some(meta) = &target.meta
            && is_char_device(meta)
        {
            return None;
        }
        let id = target.meta.as_ref().map(|m| FileId::of(m, &target.path));
        self.entries.iter().find_map(|p| {
            if id.as_ref() == Some(&p.id) {
                Some((p, false))
            } else if p.is_dir && target.dir_id == p.id {
                Some((p, true))
            } else {
                None
            }
        })
    }
}

/// A target path followed through its links.
struct Resolved {
    /// The canonical directory joined with the final name.
    path: PathBuf,
    /// The file's metadata, when it exists.
    meta: Option<Metadata>,
    /// The identity of its directory.
    dir_id: FileId,
}

/// Follows `path` through symbolic links to the file it names, which may not exist yet.
fn resolve(path: &Path) -> io::Result<Resolved> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&path)?;
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            Ok(_) => {
                let canonical = std::fs::canonicalize(&path)?;
                let meta = std::fs::metadata(&canonical)?;
                let dir = canonical.parent().unwrap_or(&canonical).to_path_buf();
                let dir_id = FileId::of(&std::fs::metadata(&dir)?, &dir);
                return Ok(Resolved {
                    path: canonical,
                    meta: Some(meta),
                    dir_id,
                });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let Some(name) = path.file_name() else {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "the path names no file",
                    ));
                };
                let dir = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d,
                    _ => Path::new("."),
                };
                let dir = std::fs::canonicalize(dir)?;
                let dir_meta = std::fs::metadata(&dir)?;
                if !dir_meta.is_dir() {
                    return Err(io::Error::new(
                        io::ErrorKind::NotADirectory,
                        format!("{} is not a directory", dir.display()),
                    ));
                }
                return Ok(Resolved {
                    path: dir.join(name),
                    meta: None,
                    dir_id: FileId::of(&dir_meta, &dir),
                });
            }
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

fn is_char_device(meta: &Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        meta.file_type().is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        false
    }
}

/// How an [`OutputFile`] reaches its target.
enum Target {
    /// `-`.
    Stdout(io::Stdout),
    /// A device, FIFO or socket, written where it is.
    InPlace(File),
    /// A regular file (or a new name), written beside it and renamed over it.
    Replace {
        temp: tempfile::NamedTempFile,
        dest: PathBuf,
        replaced: bool,
    },
}

/// What [`OutputFile::finish`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutputDone {
    /// An existing regular file was replaced.
    pub replaced: bool,
    /// The output went to standard output.
    pub stdout: bool,
}

/// A file being written by a statement: an export or a rejects file. See the module docs for
/// which targets are refused and how each kind is written.
pub struct OutputFile {
    /// The path as given.
    path: PathBuf,
    role: PathRole,
    target: Target,
}

impl fmt::Debug for OutputFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputFile")
            .field("path", &self.path)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl OutputFile {
    /// Opens `path` for writing in `role`, after checking it against `protected`.
    ///
    /// # Errors
    ///
    /// [`CopyError::PathConflict`] when the file is a protected one or lies inside a protected
    /// directory; [`CopyError::Output`] when the path is empty, names a directory, or cannot be
    /// created or opened. Nothing is created or changed then.
    pub fn create(
        path: impl AsRef<Path>,
        role: PathRole,
        protected: &ProtectedPaths,
    ) -> Result<OutputFile, CopyError> {
        let path = path.as_ref().to_path_buf();
        let fail = |op: &'static str, source: io::Error| CopyError::Output {
            path: path.clone(),
            role,
            op,
            source,
        };
        if path.as_os_str() == "-" {
            return Ok(OutputFile {
                path,
                role,
                target: Target::Stdout(io::stdout()),
            });
        }
        if path.as_os_str().is_empty() {
            return Err(fail(
                "open",
                io::Error::new(io::ErrorKind::InvalidInput, "the path is empty"),
            ));
        }
        if path.as_os_str().as_encoded_bytes().ends_with(b"/") {
            return Err(fail(
                "open",
                io::Error::new(io::ErrorKind::IsADirectory, "the path names a directory"),
            ));
        }
        let resolved = resolve(&path).map_err(|e| fail("open", e))?;
        if let Some((other, inside)) = protected.conflict(&resolved) {
            return Err(CopyError::PathConflict {
                path,
                role,
                other: other.path.clone(),
                other_role: other.role,
                inside,
            });
        }
        let target = match &resolved.meta {
            Some(meta) if meta.is_dir() => {
                return Err(fail(
                    "open",
                    io::Error::new(io::ErrorKind::IsADirectory, "is a directory"),
                ));
            }
            Some(meta) if !meta.is_file() => Target::InPlace(
                OpenOptions::new()
                    .write(true)
                    .open(&resolved.path)
                    .map_err(|e| fail("open", e))?,
            ),
            existing => {
                if existing.is_some() {
                    // Refuse what `File::create` would refuse, without truncating anything.
                    OpenOptions::new()
                        .write(true)
                        .open(&resolved.path)
                        .map_err(|e| fail("open", e))?;
                }
                let temp = temp_beside(&resolved.path, existing.as_ref())
                    .map_err(|e| fail("create", e))?;
                Target::Replace {
                    temp,
                    dest: resolved.path,
                    replaced: existing.is_some(),
                }
            }
        };
        Ok(OutputFile { path, role, target })
    }

    /// The path as given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The file's role.
    pub fn role(&self) -> PathRole {
        self.role
    }

    /// The error of a failed `op` on this file (`"write"`, `"sync"`), naming it and its role.
    pub fn error(&self, op: &'static str, source: io::Error) -> CopyError {
        CopyError::Output {
            path: self.path.clone(),
            role: self.role,
            op,
            source,
        }
    }

    /// Completes the file: flushes it and, for a regular file, syncs the temporary file and
    /// renames it over the target.
    ///
    /// # Errors
    ///
    /// [`CopyError::Output`] when the flush, sync or rename fails; the target is then as it
    /// was before (a regular file) and the temporary file is removed.
    pub fn finish(self) -> Result<OutputDone, CopyError> {
        let OutputFile { path, role, target } = self;
        let fail = |op: &'static str, source: io::Error| CopyError::Output {
            path: path.clone(),
            role,
            op,
            source,
        };
        match target {
            Target::Stdout(mut out) => {
                out.flush().map_err(|e| fail("write", e))?;
                Ok(OutputDone {
                    replaced: false,
                    stdout: true,
                })
            }
            Target::InPlace(mut file) => {
                file.flush().map_err(|e| fail("write", e))?;
                Ok(OutputDone {
                    replaced: false,
                    stdout: false,
                })
            }
            Target::Replace {
                temp,
                dest,
                replaced,
            } => {
                temp.as_file().sync_all().map_err(|e| fail("sync", e))?;
                temp.persist(&dest).map_err(|e| fail("rename", e.error))?;
                if let Some(dir) = dest.parent() {
                    File::open(dir)
                        .and_then(|d| d.sync_all())
                        .map_err(|e| fail("sync directory", e))?;
                }
                Ok(OutputDone {
                    replaced,
                    stdout: false,
                })
            }
        }
    }
}

/// A temporary file in `dest`'s directory, with the permissions (and owner) of the file it
/// will replace, or the usual ones of a new file.
fn temp_beside(dest: &Path, existing: Option<&Metadata>) -> io::Result<tempfile::NamedTempFile> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".partial");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(dir)?;
    if let Some(meta) = existing {
        temp.as_file().set_permissions(meta.permissions())?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            // Only root may give a file away; anyone else keeps their own files.
            let _ = std::os::unix::fs::fchown(temp.as_file(), Some(meta.uid()), Some(meta.gid()));
        }
    }
    Ok(temp)
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            Target::Stdout(out) => out.write(buf),
            Target::InPlace(file) => file.write(buf),
            Target::Replace { temp, .. } => temp.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.target {
            Target::Stdout(out) => out.write_all(buf),
            Target::InPlace(file) => file.write_all(buf),
            Target::Replace { temp, .. } => temp.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Stdout(out) => out.flush(),
            Target::InPlace(file) => file.flush(),
            Target::Replace { temp, .. } => temp.flush(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(path: &Path, role: PathRole, protected: &ProtectedPaths, text: &str) -> OutputDone {
        let mut out = OutputFile::create(path, role, protected).expect("create");
        out.write_all(text.as_bytes()).expect("write");
        out.finish().expect("finish")
    }

    fn leftovers(dir: &Path) -> Vec<String> {
        std::fs::read_dir(dir)
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".partial"))
            .collect()
    }

    #[test]
    fn a_new_file_is_created_and_an_old_one_replaced_and_reported() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        let none = ProtectedPaths::new();
        assert!(!write(&path, PathRole::Export, &none, "a\n").replaced);
        assert!(write(&path, PathRole::Export, &none, "b\n").replaced);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "b\n");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn an_unfinished_file_leaves_the_target_and_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old\n").expect("write");
        let mut out =
            OutputFile::create(&path, PathRole::Export, &ProtectedPaths::new()).expect("create");
        out.write_all(b"new, half").expect("write");
        drop(out);
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "old\n");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[test]
    fn the_same_file_under_another_name_is_refused_naming_both_roles() {
        let dir = tempfile::tempdir().expect("tempdir");
        let input = dir.path().join("small.csv");
        std::fs::write(&input, "id\n1\n").expect("write");
        let protected = ProtectedPaths::new().with(&input, PathRole::Input);
        let alias = dir.path().join(".").join("small.csv");
        let hard = dir.path().join("hard.csv");
        std::fs::hard_link(&input, &hard).expect("hard link");
        for target in [input.clone(), alias, hard] {
            let err =
                OutputFile::create(&target, PathRole::Rejects, &protected).expect_err("refused");
            let CopyError::PathConflict {
                role,
                other_role,
                inside,
                ..
            } = &err
            else {
                panic!("{err:?}");
            };
            assert_eq!(
                (*role, *other_role, *inside),
                (PathRole::Rejects, PathRole::Input, false)
            );
            let text = err.to_string();
            assert!(
                text.contains("rejects file") && text.contains("input file"),
                "{text}"
            );
        }
        assert_eq!(std::fs::read_to_string(&input).expect("read"), "id\n1\n");
        assert!(leftovers(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_is_followed_to_its_target_and_checked_there() {
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.csv");
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).expect("symlink");
        write(&link, PathRole::Export, &ProtectedPaths::new(), "x\n");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink(),
            "the link stays a link"
        );
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "x\n");
        let protected = ProtectedPaths::new().with(&real, PathRole::Input);
        assert!(matches!(
            OutputFile::create(&link, PathRole::Export, &protected),
            Err(CopyError::PathConflict { .. })
        ));
    }

    #[test]
    fn a_name_inside_a_protected_directory_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let protected = ProtectedPaths::new().with(dir.path(), PathRole::DatabaseDirectory);
        let err = OutputFile::create(dir.path().join("new.csv"), PathRole::Export, &protected)
            .expect_err("refused");
        assert!(
            matches!(
                err,
                CopyError::PathConflict {
                    other_role: PathRole::DatabaseDirectory,
                    inside: true,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(!dir.path().join("new.csv").exists());
    }

    #[test]
    fn directories_and_empty_paths_are_refused_without_leftovers() {
        let dir = tempfile::tempdir().expect("tempdir");
        let none = ProtectedPaths::new();
        for target in [dir.path().to_path_buf(), PathBuf::new()] {
            let err = OutputFile::create(&target, PathRole::Export, &none).expect_err("refused");
            assert!(
                matches!(err, CopyError::Output { op: "open", .. }),
                "{err:?}"
            );
        }
        let with_slash = format!("{}/", dir.path().join("sub").display());
        assert!(OutputFile::create(&with_slash, PathRole::Export, &none).is_err());
        assert!(leftovers(dir.path()).is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn devices_are_written_in_place_and_a_full_one_fails_as_a_write() {
        let none = ProtectedPaths::new();
        let done = write(Path::new("/dev/null"), PathRole::Export, &none, "gone\n");
        assert!(!done.replaced);
        let meta = std::fs::metadata("/dev/null").expect("/dev/null");
        assert!(is_char_device(&meta), "/dev/null is still a device");
        let mut full = OutputFile::create("/dev/full", PathRole::Export, &none).expect("open");
        let e = full
            .write_all(&[b'x'; 4096])
            .expect_err("a full device refuses writes");
        let text = full.error("write", e).to_string();
        assert!(
            text.starts_with("export file /dev/full: write failed"),
            "{text}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_in_place_for_its_reader() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("pipe");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(status.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read_to_string(fifo).expect("read the fifo"))
        };
        write(&fifo, PathRole::Export, &ProtectedPaths::new(), "through\n");
        assert_eq!(reader.join().expect("reader"), "through\n");
        let meta = std::fs::symlink_metadata(&fifo).expect("fifo");
        use std::os::unix::fs::FileTypeExt;
        assert!(meta.file_type().is_fifo(), "the fifo is still a fifo");
    }
}
