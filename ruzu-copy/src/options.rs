//! Options of one import: Kùzu's CSV options plus ruzu's atomicity, memory and reporting ones.

use std::path::PathBuf;

use ruzu_csv::CsvOptions;

use crate::rejects::DEFAULT_MAX_REJECTS_KEPT;
use crate::statement::Literal;

/// Default `MEMORY_LIMIT` of one import: 256 MiB, so that the whole process stays well under
/// 500 MB.
pub const DEFAULT_MEMORY_LIMIT_BYTES: usize = 256 << 20;
/// Smallest `MEMORY_LIMIT` accepted: 8 MiB.
pub const MIN_MEMORY_LIMIT_BYTES: usize = 8 << 20;
/// Default `PROGRESS_EVERY`: a progress report at least every 100 000 rows.
pub const DEFAULT_PROGRESS_EVERY_ROWS: u64 = 100_000;
/// `COMMIT_EVERY` used when only `ATOMIC=false` is given.
pub const DEFAULT_COMMIT_EVERY_ROWS: u64 = 1_000_000;

/// What a failed batch write or a fatal error does to the rows already written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Atomicity {
    /// `ATOMIC=true` (default): nothing of the import is visible unless all of it is.
    RollbackAll,
    /// `COMMIT_EVERY=<rows>` (or `ATOMIC=false`): a checkpoint after about every
    /// `commit_every_rows` rows (at the next batch boundary); a failure keeps what was
    /// checkpointed, and the report says up to which input line.
    ContinuePartial {
        /// Rows between checkpoints (at least 1).
        commit_every_rows: u64,
    },
}

/// Every option of one `COPY ... FROM`, resolved to values.
///
/// Plain struct with `Default` and `with_*` setters; [`parse`](crate::parse) fills it from the
/// statement's option list.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CopyOptions {
    /// How the CSV is read (`HEADER`, `DELIM`, `QUOTE`, `ESCAPE`, `SKIP`, `PARALLEL`,
    /// `NULL_STRINGS`, `AUTO_DETECT`, `SAMPLE_SIZE`, `MAX_LINE_SIZE`).
    pub csv: CsvOptions,
    /// `IGNORE_ERRORS`: skip bad rows and record them instead of aborting.
    pub ignore_errors: bool,
    /// `ATOMIC` / `COMMIT_EVERY`.
    pub atomicity: Atomicity,
    /// `MEMORY_LIMIT`: bytes the whole import may use (reader, batches, sink). `None` when not
    /// given: the import's runner decides
    /// ([`Import::with_default_memory_limit_bytes`](crate::Import::with_default_memory_limit_bytes),
    /// else [`DEFAULT_MEMORY_LIMIT_BYTES`]).
    pub memory_limit_bytes: Option<usize>,
    /// `PROGRESS_EVERY`: most rows between two progress reports.
    pub progress_every_rows: u64,
    /// `REJECTS`: file that receives every rejected row.
    pub rejects_path: Option<PathBuf>,
    /// `RESUME`: continue an interrupted continue-partial import after its last checkpoint.
    pub resume: bool,
    /// Rel tables: `FROM` endpoint node table (`from='Person'`).
    pub rel_from: Option<String>,
    /// Rel tables: `TO` endpoint node table (`to='Person'`).
    pub rel_to: Option<String>,
    /// Rejected rows kept in memory for the report (all of them go to the rejects file).
    pub max_rejects_kept: usize,
    /// Decoder threads when `PARALLEL=true` (default: the machine's cores, at most 8).
    pub decoder_threads: usize,
}

impl Default for CopyOptions {
    fn default() -> Self {
        CopyOptions {
            csv: CsvOptions::default(),
            ignore_errors: false,
            atomicity: Atomicity::RollbackAll,
            memory_limit_bytes: None,
            progress_every_rows: DEFAULT_PROGRESS_EVERY_ROWS,
            rejects_path: None,
            resume: false,
            rel_from: None,
            rel_to: None,
            max_rejects_kept: DEFAULT_MAX_REJECTS_KEPT,
            decoder_threads: std::thread::available_parallelism()
                .map_or(2, |n| n.get())
                .min(8),
        }
    }
}

impl CopyOptions {
    /// Sets the CSV options.
    pub fn with_csv(mut self, csv: CsvOptions) -> Self {
        self.csv = csv;
        self
    }

    /// Sets `IGNORE_ERRORS`.
    pub fn with_ignore_errors(mut self, ignore_errors: bool) -> Self {
        self.ignore_errors = ignore_errors;
        self
    }

    /// Sets the atomicity mode.
    pub fn with_atomicity(mut self, atomicity: Atomicity) -> Self {
        self.atomicity = atomicity;
        self
    }

    /// Sets `MEMORY_LIMIT` in bytes.
    pub fn with_memory_limit_bytes(mut self, bytes: usize) -> Self {
        self.memory_limit_bytes = Some(bytes);
        self
    }

    /// Sets `PROGRESS_EVERY`.
    pub fn with_progress_every_rows(mut self, rows: u64) -> Self {
        self.progress_every_rows = rows;
        self
    }

    /// Sets `REJECTS`.
    pub fn with_rejects_path(mut self, path: Option<PathBuf>) -> Self {
        self.rejects_path = path;
        self
    }

    /// Sets `RESUME`.
    pub fn with_resume(mut self, resume: bool) -> Self {
        self.resume = resume;
        self
    }

    /// Sets the rejected rows kept in memory.
    pub fn with_max_rejects_kept(mut self, n: usize) -> Self {
        self.max_rejects_kept = n;
        self
    }

    /// Sets the decoder threads.
    pub fn with_decoder_threads(mut self, n: usize) -> Self {
        self.decoder_threads = n.max(1);
        self
    }

    /// Applies one `NAME = value` option of the statement. `name` is matched
    /// case-insensitively.
    ///
    /// # Errors
    ///
    /// The name is not an option, or the value is not of the option's form; the text says
    /// what was expected.
    pub(crate) fn apply(&mut self, name: &str, value: &Literal) -> Result<(), String> {
        let upper = name.to_ascii_uppercase();
        match upper.as_str() {
            "HEADER" => self.csv.header = Some(as_bool(value)?),
            "DELIM" | "DELIMITER" => self.csv.delimiter = Some(as_char(value)?),
            "QUOTE" => self.csv.quote = Some(as_char(value)?),
            "ESCAPE" => self.csv.escape = Some(as_char(value)?),
            "SKIP" => self.csv.skip_rows = as_u64(value)?,
            "PARALLEL" => self.csv.parallel = as_bool(value)?,
            "IGNORE_ERRORS" => self.ignore_errors = as_bool(value)?,
            "AUTO_DETECT" | "AUTODETECT" => self.csv.auto_detect = as_bool(value)?,
            "SAMPLE_SIZE" => self.csv.sample_size = positive(as_u64(value)?)? as usize,
            "NULL_STRINGS" => self.csv.null_strings = as_string_list(value)?,
            "MAX_LINE_SIZE" => {
                self.csv.max_line_size_bytes = positive(as_bytes(value)?)? as usize;
            }
            "ATOMIC" => {
                let atomic = as_bool(value)?;
                self.atomicity = match (atomic, self.atomicity) {
                    (true, Atomicity::ContinuePartial { .. }) => {
                        return Err("ATOMIC=true contradicts COMMIT_EVERY".into());
                    }
                    (true, a) => a,
                    (false, Atomicity::RollbackAll) => Atomicity::ContinuePartial {
                        commit_every_rows: DEFAULT_COMMIT_EVERY_ROWS,
                    },
                    (false, a) => a,
                };
            }
            "COMMIT_EVERY" => {
                self.atomicity = Atomicity::ContinuePartial {
                    commit_every_rows: positive(as_u64(value)?)?,
                };
            }
            "MEMORY_LIMIT" => {
                let bytes = as_bytes(value)?;
                if bytes < MIN_MEMORY_LIMIT_BYTES as u64 {
                    return Err(format!(
                        "expected at least {} MiB, found {bytes} bytes",
                        MIN_MEMORY_LIMIT_BYTES >> 20
                    ));
                }
                self.memory_limit_bytes = Some(
                    usize::try_from(bytes)
                        .map_err(|_| "value does not fit this machine's address space")?,
                );
            }
            "PROGRESS_EVERY" => self.progress_every_rows = positive(as_u64(value)?)?,
            "REJECTS" => self.rejects_path = Some(PathBuf::from(as_string(value)?)),
            "RESUME" => self.resume = as_bool(value)?,
            "FROM" => self.rel_from = Some(as_string(value)?),
            "TO" => self.rel_to = Some(as_string(value)?),
            _ => return Err(format!("unknown option {name}")),
        }
        Ok(())
    }

    /// Checks rules that involve several options, once all are applied.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.resume && self.atomicity == Atomicity::RollbackAll {
            return Err(
                "RESUME=true needs COMMIT_EVERY (an atomic import leaves nothing to resume)".into(),
            );
        }
        if self.rel_from.is_some() != self.rel_to.is_some() {
            return Err("FROM and TO must be given together".into());
        }
        let d = self.csv.explicit_dialect();
        if self.csv.delimiter.is_some() && self.csv.quote.is_some() && d.delimiter == d.quote {
            return Err("DELIM and QUOTE must differ".into());
        }
        for (name, c) in [
            ("DELIM", d.delimiter),
            ("QUOTE", d.quote),
            ("ESCAPE", d.escape),
        ] {
            if c == b'\n' || c == b'\r' {
                return Err(format!("{name} cannot be a line end"));
            }
        }
        Ok(())
    }
}

fn kind(value: &Literal) -> &'static str {
    match value {
        Literal::Bool(_) => "a boolean",
        Literal::Int(_) => "an integer",
        Literal::Float(_) => "a number",
        Literal::String(_) => "a string",
        Literal::List(_) => "a list",
        Literal::Null => "NULL",
    }
}

fn as_bool(value: &Literal) -> Result<bool, String> {
    match value {
        Literal::Bool(b) => Ok(*b),
        Literal::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Literal::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(format!("expected true or false, found {}", kind(other))),
    }
}

fn as_u64(value: &Literal) -> Result<u64, String> {
    match value {
        Literal::Int(i) => {
            u64::try_from(*i).map_err(|_| format!("expected a non-negative integer, found {i}"))
        }
        other => Err(format!("expected an integer, found {}", kind(other))),
    }
}

fn positive(n: u64) -> Result<u64, String> {
    if n == 0 {
        Err("expected a positive integer, found 0".into())
    } else {
        Ok(n)
    }
}

fn as_string(value: &Literal) -> Result<String, String> {
    match value {
        Literal::String(s) => Ok(s.clone()),
        other => Err(format!("expected a string, found {}", kind(other))),
    }
}

/// A one-byte character, by Kùzu's rule for `DELIM`, `QUOTE` and `ESCAPE` (its
/// `bindParsingOptionValue`), applied after the string's own escapes are resolved: one ASCII
/// character (`'|'`, `'\t'`, a tab), or a backslash and one ASCII character, read as that
/// character (`'\\|'` is `|`, `'\\\\'` is `\`), except that a backslash and `t` is a tab
/// (`'\\t'`).
fn as_char(value: &Literal) -> Result<u8, String> {
    let s = as_string(value)?;
    match s.as_bytes() {
        [b'\\', b't'] => Ok(b'\t'),
        [b] | [b'\\', b] if b.is_ascii() => Ok(*b),
        _ => Err(format!(
            "expected one ASCII character, or a backslash and one ('|', '\\t', '\\\\|'), \
             found {:?}",
            s.chars().take(20).collect::<String>()
        )),
    }
}

fn as_string_list(value: &Literal) -> Result<Vec<String>, String> {
    match value {
        Literal::String(s) => Ok(vec![s.clone()]),
        Literal::List(items) => items.iter().map(as_string).collect(),
        other => Err(format!(
            "expected a string or a list of strings, found {}",
            kind(other)
        )),
    }
}

/// A byte count: an integer, or a string with a unit (`'400MB'`, `'1.5 GiB'`, `'512k'`).
/// Units are powers of 1024 (`KB` = `KiB`), as in DuckDB's `memory_limit`.
fn as_bytes(value: &Literal) -> Result<u64, String> {
    let s = match value {
        Literal::Int(_) => return as_u64(value),
        Literal::String(s) => s.trim(),
        other => {
            return Err(format!(
                "expected bytes (an integer or a string like '400MB'), found {}",
                kind(other)
            ));
        }
    };
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let bad = || format!("expected bytes like '400MB', found {s:?}");
    let number: f64 = number.parse().map_err(|_| bad())?;
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return Err(bad()),
    };
    let bytes = number * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Literal {
        Literal::String(v.into())
    }

    #[test]
    fn byte_sizes_accept_units_and_integers() {
        assert_eq!(as_bytes(&s("400MB")), Ok(400 << 20));
        assert_eq!(as_bytes(&s("1.5 GiB")), Ok(3 << 29));
        assert_eq!(as_bytes(&s("512k")), Ok(512 << 10));
        assert_eq!(as_bytes(&Literal::Int(4096)), Ok(4096));
        assert!(as_bytes(&s("400 parsecs")).is_err());
        assert!(as_bytes(&Literal::Int(-1)).is_err());
    }

    #[test]
    fn atomic_false_turns_on_default_checkpoints_and_conflicts_are_refused() {
        let mut o = CopyOptions::default();
        o.apply("atomic", &Literal::Bool(false)).expect("valid");
        assert_eq!(
            o.atomicity,
            Atomicity::ContinuePartial {
                commit_every_rows: DEFAULT_COMMIT_EVERY_ROWS
            }
        );
        o.apply("COMMIT_EVERY", &Literal::Int(500)).expect("valid");
        assert!(o.apply("ATOMIC", &Literal::Bool(true)).is_err());
    }

    #[test]
    fn resume_without_checkpoints_is_refused() {
        let mut o = CopyOptions::default();
        o.apply("RESUME", &Literal::Bool(true)).expect("valid");
        assert!(o.validate().is_err());
        o.apply("COMMIT_EVERY", &Literal::Int(10)).expect("valid");
        assert!(o.validate().is_ok());
    }
}
