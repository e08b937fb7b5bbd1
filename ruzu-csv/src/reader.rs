//! The sequential reader: sniffing, splitting and decoding in one loop.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use crate::batch::Batch;
use crate::decoder::Decoder;
use crate::error::{CsvError, Result, RowError};
use crate::options::{CsvOptions, Dialect};
use crate::sniff::sniff_sample;
use crate::split::{Chunk, Splitter};
use crate::types::Schema;

/// Most bytes read ahead for sniffing.
const MAX_SAMPLE_BYTES: usize = 1 << 20;
/// Bytes read per step while collecting the sample.
const SAMPLE_STEP_BYTES: usize = 64 << 10;

/// Reads a CSV input into batches, one chunk at a time, on the calling thread.
///
/// On creation it resolves the dialect (sniffing a sample of at most 1 MiB when `AUTO_DETECT`
/// is on and a dialect field is unset); the sample is then read again as the start of the input,
/// nothing is lost.
///
/// # Example
///
/// ```
/// use std::sync::Arc;
/// use ruzu_csv::{Batch, CsvOptions, DataType, Field, Reader, Schema, Value};
///
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("id", DataType::Int64),
///     Field::new("name", DataType::String),
/// ]));
/// let input: &[u8] = b"id,name\n1,Ann\n2,\"B,ob\"\n";
/// let mut reader = Reader::new(input, schema.clone(), &CsvOptions::default(), None)?;
/// let mut batch = Batch::new(schema, 1024, 4096);
/// let mut errors = Vec::new();
/// assert!(reader.read_batch(&mut batch, &mut |e| errors.push(e))?);
/// assert_eq!(batch.num_rows(), 2);
/// assert_eq!(batch.value(1, 1), Value::String("B,ob"));
/// assert_eq!(batch.line(1), 3);
/// assert!(errors.is_empty());
/// # Ok::<(), ruzu_csv::CsvError>(())
/// ```
#[derive(Debug)]
pub struct Reader<R: Read> {
    splitter: Splitter<Sampled<R>>,
    decoder: Decoder,
    chunk: Chunk,
    dialect: Dialect,
}

impl<R: Read> Reader<R> {
    /// A reader over `input` for `schema`; `source` names the file in positions.
    ///
    /// # Errors
    ///
    /// [`CsvError::Io`] if reading the sample fails, [`CsvError::InvalidOption`] for an
    /// unusable dialect or an empty schema.
    pub fn new(
        input: R,
        schema: Arc<Schema>,
        options: &CsvOptions,
        source: Option<Arc<Path>>,
    ) -> Result<Self> {
        let (dialect, input) = detect_dialect(input, &schema, options, source.as_ref())?;
        let decoder = Decoder::new(schema, dialect, options)?;
        let splitter = Splitter::new(input, dialect, options, source);
        Ok(Reader {
            splitter,
            decoder,
            chunk: Chunk::new(),
            dialect,
        })
    }

    /// The dialect in use (after sniffing).
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Bytes read from the input so far.
    pub fn bytes_read(&self) -> u64 {
        self.splitter.bytes_read()
    }

    /// Decodes the next rows into `batch` (cleared first). Bad records are reported to
    /// `on_error` in input order and skipped. Returns `false`, with `batch` empty, at the end
    /// of the input; otherwise the batch holds at least one row.
    ///
    /// # Errors
    ///
    /// [`CsvError::Io`] when reading fails.
    pub fn read_batch(
        &mut self,
        batch: &mut Batch,
        on_error: &mut dyn FnMut(RowError),
    ) -> Result<bool> {
        loop {
            if !self.splitter.next_chunk(&mut self.chunk)? {
                batch.clear();
                return Ok(false);
            }
            let stats = self.decoder.decode(&self.chunk, batch, on_error)?;
            if stats.rows > 0 {
                return Ok(true);
            }
        }
    }
}

impl Reader<File> {
    /// A reader over the file at `path` (plain CSV; decompression is the caller's).
    ///
    /// # Errors
    ///
    /// [`CsvError::Io`] when the file cannot be opened or read; as [`Reader::new`] otherwise.
    pub fn from_path(
        path: impl AsRef<Path>,
        schema: Arc<Schema>,
        options: &CsvOptions,
    ) -> Result<Self> {
        let source: Arc<Path> = Arc::from(path.as_ref());
        let file = File::open(&source).map_err(|e| CsvError::Io {
            file: Some(source.clone()),
            source: e,
        })?;
        Reader::new(file, schema, options, Some(source))
    }
}

/// Reads the sniffing sample: until it holds enough line ends for `SKIP`, the header and
/// `SAMPLE_SIZE` records, or 1 MiB, or the input ends. Returns whether the input ended.
fn read_sample(
    input: &mut impl Read,
    sample: &mut Vec<u8>,
    options: &CsvOptions,
    source: Option<&Arc<Path>>,
) -> Result<bool> {
    let wanted_lines = options
        .skip_rows
        .saturating_add(options.sample_size as u64)
        .saturating_add(2);
    let mut lines = 0u64;
    while sample.len() < MAX_SAMPLE_BYTES {
        let old = sample.len();
        sample.resize(old + SAMPLE_STEP_BYTES, 0);
        let n = loop {
            match input.read(&mut sample[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(CsvError::Io {
                        file: source.cloned(),
                        source: e,
                    });
                }
            }
        };
        sample.truncate(old + n);
        if n == 0 {
            return Ok(true);
        }
        lines += memchr::memchr2_iter(b'\n', b'\r', &sample[old..]).count() as u64;
        if lines > wanted_lines {
            break;
        }
    }
    Ok(false)
}

/// An input whose sniffing sample was read ahead: the sample, then the rest of the input.
/// The sample's memory is released as soon as it has been read again.
#[derive(Debug)]
pub struct Sampled<R> {
    sample: Vec<u8>,
    pos: usize,
    input: R,
}

impl<R> Sampled<R> {
    /// Heap bytes held by the sample not yet read again (0 once it has been).
    pub fn sample_bytes(&self) -> usize {
        self.sample.capacity()
    }
}

impl<R: Read> Read for Sampled<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.sample.len() {
            let n = buf.len().min(self.sample.len() - self.pos);
            buf[..n].copy_from_slice(&self.sample[self.pos..self.pos + n]);
            self.pos += n;
            if self.pos == self.sample.len() {
                self.sample = Vec::new();
                self.pos = 0;
            }
            return Ok(n);
        }
        self.input.read(buf)
    }
}

/// Resolves the dialect of `input` for `schema`: the fields the user set in `options`, the
/// others sniffed from a sample of the first records when `AUTO_DETECT` is on (Kùzu's
/// defaults otherwise). Returns the dialect and the input with the sample put back in front,
/// to be read from the start.
///
/// The sample holds enough line ends for `SKIP`, the header and `SAMPLE_SIZE` records, and at
/// most 1 MiB.
///
/// # Errors
///
/// [`CsvError::Io`] if reading the sample fails.
pub fn detect_dialect<R: Read>(
    mut input: R,
    schema: &Schema,
    options: &CsvOptions,
    source: Option<&Arc<Path>>,
) -> Result<(Dialect, Sampled<R>)> {
    let unset = options.header.is_none()
        || options.delimiter.is_none()
        || options.quote.is_none()
        || options.escape.is_none();
    let mut sample = Vec::new();
    let dialect = if options.auto_detect && unset {
        let eof = read_sample(&mut input, &mut sample, options, source)?;
        sniff_sample(&sample, eof, options, schema)
    } else {
        options.explicit_dialect()
    };
    Ok((
        dialect,
        Sampled {
            sample,
            pos: 0,
            input,
        },
    ))
}
