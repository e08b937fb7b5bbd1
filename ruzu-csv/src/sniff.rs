//! Dialect sniffing (`AUTO_DETECT`): fills the dialect fields the user did not set from a
//! sample of the input.
//!
//! # Rules
//!
//! The sample is the input's first bytes (a UTF-8 BOM is ignored); the `SKIP` records are
//! passed over and the next `SAMPLE_SIZE` records are examined. Blank lines are ignored when the
//! table has more than one column.
//!
//! 1. **Delimiter, quote, escape.** Every combination of the candidates is tried: the user's
//!    value if set, otherwise delimiters `,` `|` `;` TAB, quotes `"` `'`, and escapes "the
//!    quote itself" (RFC 4180 doubling) or `\`. A combination scores, in order of importance:
//!    the number of records that split cleanly into exactly the table's column count (a
//!    trailing delimiter allowed); then the number of records that split cleanly into the most
//!    frequent field count, if that count is above 1 (the "max consistency" fallback); then the
//!    fewest malformed records. Ties go to the earlier candidate in the orders above, so plain
//!    files get Kùzu's defaults `,` `"` `"`. A quote `'` that starts no field of the sample
//!    scores only by the first count, so one stray `"` inside a value does not turn `'` into
//!    the quote through the tie-breaks.
//! 2. **Header** (if not set). With the chosen dialect, the first record is a header when its
//!    first fields equal the column names (ignoring ASCII case), or when some non-STRING column
//!    holds a non-NULL value in the first record that does not parse as the column's type while
//!    that column parses (or is NULL) in every later sampled record, of which there is at least
//!    one.

use crate::decode::{
    parse_bool, parse_date, parse_f32, parse_f64, parse_i128, parse_int, parse_interval,
    parse_timestamp, parse_uuid,
};
use crate::error::Result;
use crate::options::{CsvOptions, Dialect};
use crate::split::scan::{ScanState, Scanner, Step, content_len};
use crate::tokenize::Tokenizer;
use crate::types::{DataType, Schema};

const DELIMITERS: [u8; 4] = [b',', b'|', b';', b'\t'];
const QUOTES: [u8; 2] = [b'"', b'\''];
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Resolves the dialect: the user's settings from `options`, and for each unset field either
/// the sniffed value (when `AUTO_DETECT` is on) or Kùzu's default. `sample` is the start of the
/// input and is treated as complete (its last record may lack a line end).
///
/// See the module documentation for the rules.
///
/// # Errors
///
/// None today; the `Result` leaves room for rejecting a sample.
///
/// # Example
///
/// ```
/// use ruzu_csv::{sniff, CsvOptions, DataType, Field, Schema};
///
/// let schema = Schema::new(vec![Field::new("id", DataType::Int64), Field::new("name", DataType::String)]);
/// let d = sniff(b"id|name\n1|Ann\n2|Bob\n", &CsvOptions::default(), &schema)?;
/// assert_eq!(d.delimiter, b'|');
/// assert!(d.header);
/// # Ok::<(), ruzu_csv::CsvError>(())
/// ```
pub fn sniff(sample: &[u8], options: &CsvOptions, schema: &Schema) -> Result<Dialect> {
    Ok(sniff_sample(sample, true, options, schema))
}

/// As [`sniff`]; when `complete` is false the sample's last, possibly cut, record is ignored.
pub(crate) fn sniff_sample(
    sample: &[u8],
    complete: bool,
    options: &CsvOptions,
    schema: &Schema,
) -> Dialect {
    let explicit = options.explicit_dialect();
    if !options.auto_detect || schema.is_empty() {
        return explicit;
    }
    let sample = sample.strip_prefix(BOM).unwrap_or(sample);
    let delimiters: Vec<u8> = options.delimiter.map_or(DELIMITERS.to_vec(), |d| vec![d]);
    let quotes: Vec<u8> = options.quote.map_or(QUOTES.to_vec(), |q| vec![q]);
    let mut best: Option<((usize, usize, usize), Dialect)> = None;
    for &delimiter in &delimiters {
        for &quote in &quotes {
            let escapes = options.escape.map_or(vec![quote, b'\\'], |e| vec![e]);
            for &escape in &escapes {
                let d = Dialect {
                    header: false,
                    delimiter,
                    quote,
                    escape,
                };
                if delimiter == quote || delimiter == escape {
                    continue;
                }
                let mut score = score(sample, complete, &d, options, schema);
                if options.quote.is_none()
                    && quote != QUOTES[0]
                    && !opens_a_field(sample, delimiter, quote)
                {
                    // An unused quote character wins only by fitting more records.
                    score = (score.0, 0, 0);
                }
                if best.as_ref().is_none_or(|(s, _)| score > *s) {
                    best = Some((score, d));
                }
            }
        }
    }
    let mut dialect = best.map_or(explicit, |(_, d)| d);
    dialect.header = match options.header {
        Some(h) => h,
        None => detect_header(sample, complete, &dialect, options, schema),
    };
    dialect
}

/// The sampled records' fields: `None` for a malformed record.
fn sample_records(
    sample: &[u8],
    complete: bool,
    d: &Dialect,
    options: &CsvOptions,
    schema: &Schema,
) -> Vec<Option<Vec<Vec<u8>>>> {
    let scanner = Scanner::new(d.delimiter, d.quote, d.escape);
    let tokenizer = Tokenizer::new(d);
    let mut out = Vec::new();
    let mut pos = 0;
    let mut skipped = 0;
    let mut side = Vec::new();
    while pos < sample.len() && out.len() < options.sample_size.max(1) {
        let mut state = ScanState::default();
        let mut lines = 0;
        let end = match scanner.next_end(sample, pos, complete, &mut state, &mut lines) {
            Step::RecordEnd { end } => end,
            Step::NeedMore { .. } if complete => sample.len(),
            Step::NeedMore { .. } => break,
        };
        let record = &sample[pos..end];
        let content = pos + content_len(record);
        let start = pos;
        pos = end;
        if skipped < options.skip_rows {
            skipped += 1;
            continue;
        }
        if content == start && schema.len() > 1 {
            continue;
        }
        side.clear();
        let mut ranges = Vec::new();
        let split = tokenizer.split_fields(sample, start, content, &mut side, |_, f| {
            ranges.push(f);
        });
        out.push(split.ok().map(|_| {
            ranges
                .iter()
                .map(|f| f.bytes(sample, &side).to_vec())
                .collect()
        }));
    }
    out
}

/// Whether `quote` starts some field of `sample` (at its start, after `delimiter` or after a
/// line end). A quote candidate other than `"` that the sample never uses wins only by fitting
/// more records, not on the tie-breaks, so that one stray `"` (`O"Brien`) does not make `'` win
/// and misread the properly quoted fields.
fn opens_a_field(sample: &[u8], delimiter: u8, quote: u8) -> bool {
    sample.first() == Some(&quote)
        || sample
            .windows(2)
            .any(|w| (w[1] == quote && matches!(w[0], b'\n' | b'\r')) || w == [delimiter, quote])
}

fn fits(fields: &[Vec<u8>], ncols: usize) -> bool {
    fields.len() == ncols || (fields.len() == ncols + 1 && fields[ncols].is_empty())
}

fn score(
    sample: &[u8],
    complete: bool,
    d: &Dialect,
    options: &CsvOptions,
    schema: &Schema,
) -> (usize, usize, usize) {
    let records = sample_records(sample, complete, d, options, schema);
    let ncols = schema.len();
    let matching = records
        .iter()
        .filter(|r| r.as_ref().is_some_and(|f| fits(f, ncols)))
        .count();
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for f in records.iter().flatten() {
        match counts.iter_mut().find(|(n, _)| *n == f.len()) {
            Some((_, c)) => *c += 1,
            None => counts.push((f.len(), 1)),
        }
    }
    let consistent = counts
        .iter()
        .filter(|(n, _)| *n > 1)
        .map(|&(_, c)| c)
        .max()
        .unwrap_or(0);
    let malformed = records.iter().filter(|r| r.is_none()).count();
    (matching, consistent, usize::MAX - malformed)
}

fn detect_header(
    sample: &[u8],
    complete: bool,
    d: &Dialect,
    options: &CsvOptions,
    schema: &Schema,
) -> bool {
    let records = sample_records(sample, complete, d, options, schema);
    let Some(Some(first)) = records.first() else {
        return false;
    };
    let names_match = first.len() >= schema.len()
        && schema
            .fields()
            .iter()
            .zip(first)
            .all(|(f, v)| f.name.as_bytes().eq_ignore_ascii_case(v));
    if names_match {
        return true;
    }
    let later: Vec<&Vec<Vec<u8>>> = records[1..].iter().flatten().collect();
    if later.is_empty() {
        return false;
    }
    schema.fields().iter().enumerate().any(|(c, f)| {
        f.data_type != DataType::String
            && f.data_type != DataType::Blob
            && first
                .get(c)
                .is_some_and(|v| !is_null(v) && !parses(f.data_type, v))
            && later.iter().all(|r| {
                r.get(c)
                    .is_some_and(|v| is_null(v) || parses(f.data_type, v))
            })
    })
}

fn is_null(v: &[u8]) -> bool {
    v.is_empty() || v.eq_ignore_ascii_case(b"null")
}

/// Whether `v` is a value of `data_type` (STRING and BLOB accept anything).
fn parses(data_type: DataType, v: &[u8]) -> bool {
    match data_type {
        DataType::Bool => parse_bool(v).is_ok(),
        DataType::Int8 => parse_int::<i8>(v).is_ok(),
        DataType::Int16 => parse_int::<i16>(v).is_ok(),
        DataType::Int32 => parse_int::<i32>(v).is_ok(),
        DataType::Int64 => parse_int::<i64>(v).is_ok(),
        DataType::Int128 => parse_i128(v).is_ok(),
        DataType::UInt8 => parse_int::<u8>(v).is_ok(),
        DataType::UInt16 => parse_int::<u16>(v).is_ok(),
        DataType::UInt32 => parse_int::<u32>(v).is_ok(),
        DataType::UInt64 => parse_int::<u64>(v).is_ok(),
        DataType::Float => parse_f32(v).is_ok(),
        DataType::Double => parse_f64(v).is_ok(),
        DataType::Date => parse_date(v).is_ok(),
        DataType::Timestamp => parse_timestamp(v).is_ok(),
        DataType::Interval => parse_interval(v).is_ok(),
        DataType::Uuid => parse_uuid(v).is_ok(),
        _ => true,
    }
}
