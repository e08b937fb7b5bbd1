//! CSV options with Kùzu's names and defaults, and the resolved dialect.

/// Default `MAX_LINE_SIZE`: 8 MiB.
pub const DEFAULT_MAX_LINE_SIZE_BYTES: usize = 8 << 20;
/// Default rows per batch.
pub const DEFAULT_BATCH_ROWS: usize = 16 * 1024;
/// Default bytes of input per chunk handed to one decoder.
pub const DEFAULT_CHUNK_BYTES: usize = 4 << 20;
/// Default `SAMPLE_SIZE` (records sniffed by auto-detection), as in Kùzu.
pub const DEFAULT_SAMPLE_SIZE: usize = 256;

/// How a CSV file is read: Kùzu's `COPY FROM` options plus ruzu's additions.
///
/// A `None` dialect field means "not set by the user": auto-detection fills it from the sample
/// when [`auto_detect`](CsvOptions::auto_detect) is on, otherwise Kùzu's default applies
/// (`HEADER=false`, `DELIM=','`, `QUOTE='"'`, `ESCAPE='"'`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOptions {
    /// `HEADER`: the first record names the columns and is not data.
    pub header: Option<bool>,
    /// `DELIM` / `DELIMITER`: the field separator.
    pub delimiter: Option<u8>,
    /// `QUOTE`: the quote character.
    pub quote: Option<u8>,
    /// `ESCAPE`: the character that escapes a quote inside quotes.
    pub escape: Option<u8>,
    /// `SKIP`: records skipped at the start of the file (before the header).
    pub skip_rows: u64,
    /// `NULL_STRINGS`: unquoted texts read as NULL in STRING columns (default `[""]`). A list
    /// replaces the default, as in Kùzu: without `""` in it, an unquoted empty STRING field is
    /// the empty string.
    pub null_strings: Vec<String>,
    /// `AUTO_DETECT`: sniff unset dialect fields from the first `sample_size` records.
    pub auto_detect: bool,
    /// `SAMPLE_SIZE`: records read by auto-detection.
    pub sample_size: usize,
    /// `PARALLEL`: decode chunks on several threads.
    pub parallel: bool,
    /// `MAX_LINE_SIZE`: a longer record is a row error, never an allocation of its size.
    pub max_line_size_bytes: usize,
    /// Most rows in one batch.
    pub batch_rows: usize,
    /// Most bytes of input in one chunk (a chunk holds whole records; one record longer than
    /// this, up to `max_line_size_bytes`, makes a chunk of its own).
    pub chunk_bytes: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            header: None,
            delimiter: None,
            quote: None,
            escape: None,
            skip_rows: 0,
            null_strings: vec![String::new()],
            auto_detect: true,
            sample_size: DEFAULT_SAMPLE_SIZE,
            parallel: true,
            max_line_size_bytes: DEFAULT_MAX_LINE_SIZE_BYTES,
            batch_rows: DEFAULT_BATCH_ROWS,
            chunk_bytes: DEFAULT_CHUNK_BYTES,
        }
    }
}

impl CsvOptions {
    /// Sets `HEADER`.
    pub fn with_header(mut self, header: bool) -> Self {
        self.header = Some(header);
        self
    }

    /// Sets `DELIM`.
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }

    /// Sets `QUOTE`.
    pub fn with_quote(mut self, quote: u8) -> Self {
        self.quote = Some(quote);
        self
    }

    /// Sets `ESCAPE`.
    pub fn with_escape(mut self, escape: u8) -> Self {
        self.escape = Some(escape);
        self
    }

    /// Sets `SKIP`.
    pub fn with_skip_rows(mut self, skip_rows: u64) -> Self {
        self.skip_rows = skip_rows;
        self
    }

    /// Sets `NULL_STRINGS`.
    pub fn with_null_strings(mut self, null_strings: Vec<String>) -> Self {
        self.null_strings = null_strings;
        self
    }

    /// Sets `AUTO_DETECT`.
    pub fn with_auto_detect(mut self, auto_detect: bool) -> Self {
        self.auto_detect = auto_detect;
        self
    }

    /// Sets `SAMPLE_SIZE`.
    pub fn with_sample_size(mut self, sample_size: usize) -> Self {
        self.sample_size = sample_size;
        self
    }

    /// Sets `PARALLEL`.
    pub fn with_parallel(mut self, parallel: bool) -> Self {
        self.parallel = parallel;
        self
    }

    /// Sets `MAX_LINE_SIZE`.
    pub fn with_max_line_size_bytes(mut self, bytes: usize) -> Self {
        self.max_line_size_bytes = bytes;
        self
    }

    /// Sets the most rows per batch.
    pub fn with_batch_rows(mut self, rows: usize) -> Self {
        self.batch_rows = rows;
        self
    }

    /// Sets the most input bytes per chunk.
    pub fn with_chunk_bytes(mut self, bytes: usize) -> Self {
        self.chunk_bytes = bytes;
        self
    }

    /// The dialect with Kùzu's defaults for every field the user did not set (no sniffing).
    pub fn explicit_dialect(&self) -> Dialect {
        Dialect {
            header: self.header.unwrap_or(false),
            delimiter: self.delimiter.unwrap_or(b','),
            quote: self.quote.unwrap_or(b'"'),
            escape: self.escape.unwrap_or(b'"'),
        }
    }
}

/// A fully resolved dialect: every field decided, by the user or by auto-detection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dialect {
    /// The first record (after `SKIP`) is a header.
    pub header: bool,
    /// Field separator.
    pub delimiter: u8,
    /// Quote character.
    pub quote: u8,
    /// Escape character inside quotes (equal to `quote` for RFC 4180 doubling).
    pub escape: u8,
}

impl Default for Dialect {
    fn default() -> Self {
        CsvOptions::default().explicit_dialect()
    }
}
