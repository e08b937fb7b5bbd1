//! Inputs of an import: files (plain, `.gz`, `.zst`), standard input or any reader, and a count
//! of the bytes consumed.

use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::CopyError;

/// One input of an import.
#[non_exhaustive]
pub enum Input {
    /// A file; `.gz` and `.zst` (also `.zstd`) files are decompressed by extension.
    Path(PathBuf),
    /// The process's standard input (plain CSV).
    Stdin,
    /// Any reader of plain CSV, named `name` in errors and reports.
    Reader {
        /// The name used in positions, when any.
        name: Option<PathBuf>,
        /// The bytes.
        reader: Box<dyn Read + Send>,
        /// Its length in bytes, when known (for progress).
        len_bytes: Option<u64>,
    },
}

impl std::fmt::Debug for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Input::Path(p) => f.debug_tuple("Path").field(p).finish(),
            Input::Stdin => f.write_str("Stdin"),
            Input::Reader {
                name, len_bytes, ..
            } => f
                .debug_struct("Reader")
                .field("name", name)
                .field("len_bytes", len_bytes)
                .finish_non_exhaustive(),
        }
    }
}

impl Input {
    /// A reader input.
    pub fn reader(name: Option<PathBuf>, reader: impl Read + Send + 'static) -> Self {
        Input::Reader {
            name,
            reader: Box::new(reader),
            len_bytes: None,
        }
    }

    /// The name used in positions.
    pub(crate) fn name(&self) -> Option<Arc<Path>> {
        match self {
            Input::Path(p) => Some(Arc::from(p.as_path())),
            Input::Stdin => None,
            Input::Reader { name, .. } => name.as_deref().map(Arc::from),
        }
    }

    /// Size in bytes (compressed size for compressed files), when known.
    pub(crate) fn len_bytes(&self) -> Option<u64> {
        match self {
            Input::Path(p) => std::fs::metadata(p).ok().map(|m| m.len()),
            Input::Stdin => None,
            Input::Reader { len_bytes, .. } => *len_bytes,
        }
    }

    /// Opens the input: the raw bytes are counted into `consumed`, then decompressed when the
    /// file name says so.
    pub(crate) fn open(self, consumed: Arc<AtomicU64>) -> Result<Box<dyn Read + Send>, CopyError> {
        match self {
            Input::Path(path) => {
                let file = File::open(&path).map_err(|e| CopyError::Input {
                    path: path.clone(),
                    reason: "cannot open".into(),
                    source: Some(e),
                })?;
                let raw = Counting {
                    inner: file,
                    consumed,
                };
                Ok(match Compression::of(&path) {
                    Compression::None => Box::new(raw),
                    Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(
                        io::BufReader::with_capacity(256 << 10, raw),
                    )),
                    Compression::Zstd => {
                        Box::new(zstd::Decoder::new(raw).map_err(|e| CopyError::Input {
                            path: path.clone(),
                            reason: "cannot start zstd decompression".into(),
                            source: Some(e),
                        })?)
                    }
                })
            }
            Input::Stdin => Ok(Box::new(Counting {
                inner: io::stdin(),
                consumed,
            })),
            Input::Reader { reader, .. } => Ok(Box::new(Counting {
                inner: reader,
                consumed,
            })),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    fn of(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("gz") || e.eq_ignore_ascii_case("gzip") => {
                Compression::Gzip
            }
            Some(e) if e.eq_ignore_ascii_case("zst") || e.eq_ignore_ascii_case("zstd") => {
                Compression::Zstd
            }
            _ => Compression::None,
        }
    }
}

/// Counts the bytes read through it into a shared counter (for progress).
struct Counting<R> {
    inner: R,
    consumed: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzip_and_zstd_inputs_are_decompressed_by_extension_and_raw_bytes_counted() {
        let dir = tempfile::tempdir().expect("temp dir");
        let text = b"id,name\n1,ann\n2,bob\n".repeat(100);
        let gz = dir.path().join("a.csv.gz");
        let mut enc = flate2::write::GzEncoder::new(
            File::create(&gz).expect("create"),
            flate2::Compression::default(),
        );
        enc.write_all(&text).expect("write gz");
        enc.finish().expect("finish gz");
        let zst = dir.path().join("a.csv.zst");
        std::fs::write(&zst, zstd::encode_all(&text[..], 3).expect("zstd")).expect("write zst");
        for path in [gz, zst] {
            let consumed = Arc::new(AtomicU64::new(0));
            let input = Input::Path(path.clone());
            let len = input.len_bytes().expect("file size");
            let mut out = Vec::new();
            input
                .open(consumed.clone())
                .expect("open")
                .read_to_end(&mut out)
                .expect("read");
            assert_eq!(out, text, "{}", path.display());
            assert_eq!(consumed.load(Ordering::Relaxed), len);
        }
    }
}
