//! What makes `RESUME=true` safe: the resume point names its input, and a resumed import
//! proves it reads that same input before it skips or stores anything.
//!
//! # How it works
//!
//! Each decoder thread computes the CRC-32C of every chunk of records it decodes (the chunk's
//! bytes are a contiguous run of the input's records). The sink stage folds those checksums,
//! in input order, into a running checksum of the current file (`crc32c_combine`, so chunk
//! boundaries do not matter), and stores it with every checkpoint's [`ResumePoint`] together
//! with the file's size and modification time, taken when the import started.
//!
//! A resumed import compares the path before reading anything ([`check_start`]). Then, as the re-read prefix of the file streams past (its rows are
//! skipped, not stored), [`PrefixCheck`] folds the same checksums up to the stored end byte
//! (a decoder splits the chunk that straddles it) and compares; a mismatch, a gap in the
//! records at the end byte, or an input that ends before it fails the import before any row
//! after the resume point is written. The checksum decides: a file whose size or modification
//! time changed but whose records before the resume point are the same (the bad row that
//! stopped the import, fixed) resumes; the change is only named in the error when the
//! checksum differs.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use crate::error::ResumeChange;
use crate::sink::{InputStamp, ResumePoint};

use super::input::Input;

/// Size and modification time of one input, when it is a file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FileStamp {
    pub(crate) len_bytes: Option<u64>,
    pub(crate) modified_nanos: Option<u64>,
}

impl FileStamp {
    /// The stamp of `input` now (empty for standard input and readers, or when `stat` fails:
    /// opening it will then fail with the reason).
    pub(crate) fn of(input: &Input) -> Self {
        let Input::Path(path) = input else {
            return FileStamp::default();
        };
        let Ok(meta) = std::fs::metadata(path) else {
            return FileStamp::default();
        };
        FileStamp {
            len_bytes: Some(meta.len()),
            modified_nanos: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .and_then(|d| u64::try_from(d.as_nanos()).ok()),
        }
    }
}

/// The checksum of one chunk of records, computed by the decoder thread.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ChunkSum {
    /// Offset of the chunk's first byte in the (decompressed) input.
    pub(crate) first_byte: u64,
    /// Bytes of records in the chunk (0 for an error chunk).
    pub(crate) len: u64,
    /// CRC-32C of those bytes.
    pub(crate) crc: u32,
    /// CRC-32C of the bytes before the prefix check's end, when the chunk straddles it.
    pub(crate) head_crc: Option<u32>,
}

impl ChunkSum {
    /// The checksum of `bytes` starting at input offset `first_byte`; `split_at` is the end
    /// byte of the prefix check when this chunk is in the checked file.
    pub(crate) fn of(bytes: &[u8], first_byte: u64, split_at: Option<u64>) -> Self {
        let len = bytes.len() as u64;
        let head_crc = split_at
            .filter(|&end| first_byte < end && end < first_byte + len)
            .map(|end| {
                let head = usize::try_from(end - first_byte)
                    .expect("invariant: the split lies inside the chunk's buffer");
                crc32c::crc32c(&bytes[..head])
            });
        ChunkSum {
            first_byte,
            len,
            crc: crc32c::crc32c(bytes),
            head_crc,
        }
    }
}

/// The running checksum of the records of the file being read.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RunningSum {
    file_index: usize,
    crc: u32,
    end_byte: u64,
}

impl RunningSum {
    /// Folds in the next chunk of file `file_index` (a new file starts a new sum).
    pub(crate) fn add(&mut self, file_index: usize, sum: &ChunkSum) {
        if file_index != self.file_index {
            *self = RunningSum {
                file_index,
                ..RunningSum::default()
            };
        }
        if sum.len > 0 {
            self.crc = crc32c::crc32c_combine(self.crc, sum.crc, sum.len as usize);
            self.end_byte = sum.first_byte + sum.len;
        }
    }

    /// The stamp of file `file_index` as read so far, with the file's size and time.
    pub(crate) fn stamp(&self, file: FileStamp) -> InputStamp {
        InputStamp {
            len_bytes: file.len_bytes,
            modified_nanos: file.modified_nanos,
            checked_end_byte: self.end_byte,
            records_crc32c: self.crc,
        }
    }
}

/// Compares the resume point with the statement's inputs before anything is read.
///
/// # Errors
///
/// What differs: no identity stored, fewer files, another file at the resume point's place.
pub(crate) fn check_start(point: &ResumePoint, inputs: &[Input]) -> Result<(), ResumeChange> {
    if point.input.is_none() {
        return Err(ResumeChange::Unverifiable);
    }
    let Some(input) = inputs.get(point.file_index) else {
        return Err(ResumeChange::MissingFile {
            file_index: point.file_index,
            files: inputs.len(),
        });
    };
    let now_name = input.name();
    match (&point.file, &now_name) {
        (Some(was), Some(now)) if !same_file(was, now) => {
            return Err(ResumeChange::OtherFile {
                was: was.to_path_buf(),
                now: now.to_path_buf(),
            });
        }
        (Some(was), None) => {
            return Err(ResumeChange::OtherFile {
                was: was.to_path_buf(),
                now: PathBuf::from("<standard input>"),
            });
        }
        _ => {}
    }
    Ok(())
}

/// Whether the file of `point` has another size or modification time than when the
/// interrupted import started (`now`: its stamp now). Not a refusal on its own: a file edited
/// only after the resume point (the bad row that stopped the import, fixed) resumes; the
/// checksum decides.
pub(crate) fn modified_since(point: &ResumePoint, now: FileStamp) -> bool {
    point.input.as_ref().is_some_and(|was| {
        let differs =
            |a: Option<u64>, b: Option<u64>| matches!((a, b), (Some(x), Some(y)) if x != y);
        differs(was.len_bytes, now.len_bytes) || differs(was.modified_nanos, now.modified_nanos)
    })
}

/// Whether two names of an input name the same file: the same text, or the same resolved
/// path.
fn same_file(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (std::fs::canonicalize(a), std::fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// The checksum comparison of a resumed import, over the re-read prefix of its file.
#[derive(Debug)]
pub(crate) struct PrefixCheck {
    file_index: usize,
    end_byte: u64,
    expected: u32,
    crc: u32,
    covered: u64,
    done: bool,
}

impl PrefixCheck {
    /// The check of `point`'s stamp (which [`check_start`] found present).
    pub(crate) fn new(point: &ResumePoint) -> Option<Self> {
        let stamp = point.input.as_ref()?;
        Some(PrefixCheck {
            file_index: point.file_index,
            end_byte: stamp.checked_end_byte,
            expected: stamp.records_crc32c,
            crc: 0,
            covered: 0,
            done: stamp.checked_end_byte == 0,
        })
    }

    /// The file and end byte a decoder splits its chunk at, while the check is open.
    pub(crate) fn split(&self) -> (usize, u64) {
        (self.file_index, self.end_byte)
    }

    /// Folds in the next chunk of file `file_index`, in input order. Returns `Err` with the
    /// bytes checked when the prefix differs; `Ok` once it matched, and while it may still.
    pub(crate) fn add(&mut self, file_index: usize, sum: &ChunkSum) -> Result<(), Mismatch> {
        if self.done || file_index < self.file_index {
            return Ok(());
        }
        if file_index > self.file_index || sum.first_byte >= self.end_byte {
            // The file ended, or its records skip over the end byte: not the same prefix.
            return self.verdict(file_index > self.file_index);
        }
        let (crc, len) = match sum.head_crc {
            Some(head) => (head, self.end_byte - sum.first_byte),
            None => (sum.crc, sum.len),
        };
        if len > 0 {
            self.crc = crc32c::crc32c_combine(self.crc, crc, len as usize);
            self.covered = sum.first_byte + len;
        }
        if self.covered >= self.end_byte {
            return self.verdict(false);
        }
        Ok(())
    }

    /// The input ended: the check must have completed.
    pub(crate) fn finish(&mut self) -> Result<(), Mismatch> {
        if self.done {
            return Ok(());
        }
        self.verdict(true)
    }

    fn verdict(&mut self, ended: bool) -> Result<(), Mismatch> {
        self.done = true;
        if !ended && self.covered == self.end_byte && self.crc == self.expected {
            Ok(())
        } else {
            Err(Mismatch {
                checked_bytes: self.end_byte,
                ended,
            })
        }
    }
}

/// The prefix of the resumed file is not the one stored.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mismatch {
    pub(crate) checked_bytes: u64,
    pub(crate) ended: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(data: &[u8], cuts: &[usize], split: Option<u64>) -> Vec<ChunkSum> {
        let mut out = Vec::new();
        let mut start = 0;
        for &end in cuts.iter().chain(std::iter::once(&data.len())) {
            out.push(ChunkSum::of(&data[start..end], start as u64, split));
            start = end;
        }
        out
    }

    fn point_after(data: &[u8], cuts: &[usize], chunks: usize) -> ResumePoint {
        let mut running = RunningSum::default();
        for s in sums(data, cuts, None).iter().take(chunks) {
            running.add(0, s);
        }
        ResumePoint {
            input: Some(Box::new(running.stamp(FileStamp::default()))),
            ..ResumePoint::default()
        }
    }

    fn check(point: &ResumePoint, data: &[u8], cuts: &[usize]) -> Result<(), Mismatch> {
        let mut check = PrefixCheck::new(point).expect("a stamp");
        let (_, end) = check.split();
        for s in sums(data, cuts, Some(end)) {
            check.add(0, &s)?;
        }
        check.finish()
    }

    #[test]
    fn the_same_prefix_matches_whatever_the_chunk_boundaries() {
        let data: Vec<u8> = (0..5000u32)
            .flat_map(|i| format!("{i},x\n").into_bytes())
            .collect();
        let point = point_after(&data, &[1000, 2500, 4000], 2);
        assert_eq!(point.input.as_ref().map(|s| s.checked_end_byte), Some(2500));
        for cuts in [
            &[1000, 2500, 4000][..],
            &[700],
            &[2500],
            &[10, 20, 3000],
            &[],
        ] {
            check(&point, &data, cuts).unwrap_or_else(|m| panic!("{cuts:?}: {m:?}"));
        }
    }

    #[test]
    fn an_edited_shorter_or_other_prefix_is_a_mismatch() {
        let data: Vec<u8> = (0..5000u32)
            .flat_map(|i| format!("{i},x\n").into_bytes())
            .collect();
        let point = point_after(&data, &[1000, 2500, 4000], 2);
        let mut edited = data.clone();
        edited[1200] ^= 1;
        assert!(check(&point, &edited, &[700]).is_err());
        let short = &data[..2000];
        let ended = check(&point, short, &[700]).expect_err("input ends before");
        assert!(ended.ended);
        let mut after = data.clone();
        after[3000] ^= 1;
        check(&point, &after, &[700]).expect("an edit after the resume point is not checked");
    }

    #[test]
    fn a_gap_in_the_records_at_the_end_byte_is_a_mismatch() {
        let data = vec![b'a'; 4000];
        let point = point_after(&data, &[1000, 2500], 2);
        let mut check = PrefixCheck::new(&point).expect("a stamp");
        check
            .add(0, &ChunkSum::of(&data[..2000], 0, Some(2500)))
            .expect("still open");
        // The next chunk starts after the end byte: the records skip over it.
        assert!(
            check
                .add(0, &ChunkSum::of(&data[..10], 2600, Some(2500)))
                .is_err()
        );
    }
}
