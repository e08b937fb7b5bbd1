//! Splitting one record into fields.
//!
//! The tokenizer runs the RFC 4180 state machine over one record's content (its bytes without
//! the line terminator, as the splitter cut it) and reports each field as a [`FieldRef`]: a
//! byte range into the chunk, or, for a quoted field that held doubled quotes or escapes, a
//! range into a side buffer where the unescaped bytes were copied. Nothing else is copied.
//!
//! Rules: a field that starts with the quote is quoted; inside it, a doubled quote or (with a
//! distinct escape character) the escape followed by the quote or the escape stands for that
//! character; an escape followed by anything else is an error, as in Kùzu. A closing quote must
//! be followed by the delimiter or the end of the record. A quote inside an unquoted field is an
//! error. One empty, unquoted field after the last column (a trailing delimiter) is ignored.

use memchr::{memchr, memchr2};

use crate::error::RowErrorKind;
use crate::options::Dialect;

const QUOTED: u32 = 1 << 31;
const UNESCAPED: u32 = 1 << 30;
const END_MASK: u32 = UNESCAPED - 1;

/// One field of a record: a byte range and how it was written.
///
/// Invariant: `start <= end & END_MASK`; the range is in the chunk, or in the side buffer when
/// the `UNESCAPED` flag is set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FieldRef {
    start: u32,
    end_flags: u32,
}

impl FieldRef {
    fn new(start: usize, end: usize, flags: u32) -> Self {
        debug_assert!(start <= end && end <= END_MASK as usize);
        FieldRef {
            start: start as u32,
            end_flags: end as u32 | flags,
        }
    }

    /// Whether the field was quoted (an empty quoted field is an empty string, not NULL).
    #[inline]
    pub(crate) fn is_quoted(self) -> bool {
        self.end_flags & QUOTED != 0
    }

    /// Length in bytes after unquoting.
    #[inline]
    pub(crate) fn len(self) -> usize {
        ((self.end_flags & END_MASK) - self.start) as usize
    }

    /// `(start, end, in_side_buffer)`.
    pub(crate) fn range(self) -> (usize, usize, bool) {
        (
            self.start as usize,
            (self.end_flags & END_MASK) as usize,
            self.end_flags & UNESCAPED != 0,
        )
    }

    /// The field's bytes: in `data` (the chunk) or in `side` (unescaped copies).
    #[inline]
    pub(crate) fn bytes<'a>(self, data: &'a [u8], side: &'a [u8]) -> &'a [u8] {
        let range = self.start as usize..(self.end_flags & END_MASK) as usize;
        if self.end_flags & UNESCAPED != 0 {
            &side[range]
        } else {
            &data[range]
        }
    }
}

/// Why a record could not be split into fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TokenError {
    /// What is wrong (`UnquotedValue`, `UnterminatedQuote`, `TooManyFields`, `TooFewFields`).
    pub(crate) kind: RowErrorKind,
    /// 0-based field the error is in, if it is about one field.
    pub(crate) field: Option<usize>,
    /// Byte range of the offending text in the chunk.
    pub(crate) text: (usize, usize),
}

/// Splits records of one dialect into fields.
#[derive(Clone, Debug)]
pub(crate) struct Tokenizer {
    delimiter: u8,
    quote: u8,
    escape: u8,
}

impl Tokenizer {
    pub(crate) fn new(dialect: &Dialect) -> Self {
        Tokenizer {
            delimiter: dialect.delimiter,
            quote: dialect.quote,
            escape: dialect.escape,
        }
    }

    /// Splits `data[start..end]` (one record's content) into exactly `out.len()` fields.
    /// Unescaped copies are appended to `side`. On error, `out` holds garbage.
    pub(crate) fn split(
        &self,
        data: &[u8],
        start: usize,
        end: usize,
        out: &mut [FieldRef],
        side: &mut Vec<u8>,
    ) -> Result<(), TokenError> {
        let ncols = out.len();
        let found = self.split_fields(data, start, end, side, |i, f| {
            if let Some(slot) = out.get_mut(i) {
                *slot = f;
            }
        })?;
        if found == ncols + 1 && out_last_is_trailing(data, end, self.delimiter) {
            return Ok(());
        }
        if found > ncols {
            return Err(TokenError {
                kind: RowErrorKind::TooManyFields {
                    expected: ncols,
                    found,
                },
                field: None,
                text: (start, end),
            });
        }
        if found < ncols {
            return Err(TokenError {
                kind: RowErrorKind::TooFewFields {
                    expected: ncols,
                    found,
                },
                field: Some(found),
                text: (start, end),
            });
        }
        Ok(())
    }

    /// Splits `data[start..end]` into fields, calling `emit(index, field)` for each; returns the
    /// number of fields.
    #[inline]
    pub(crate) fn split_fields(
        &self,
        data: &[u8],
        start: usize,
        end: usize,
        side: &mut Vec<u8>,
        mut emit: impl FnMut(usize, FieldRef),
    ) -> Result<usize, TokenError> {
        let (delim, quote) = (self.delimiter, self.quote);
        let mut i = start;
        let mut n = 0;
        loop {
            let field_start = i;
            if i < end && data[i] == quote {
                let f = self.quoted(data, i, end, n, side)?;
                emit(n, f.0);
                i = f.1;
                if i < end && data[i] != delim {
                    return Err(TokenError {
                        kind: RowErrorKind::UnquotedValue,
                        field: Some(n),
                        text: (field_start, end),
                    });
                }
            } else {
                let rest = &data[i..end];
                let stop = memchr2(delim, quote, rest).map_or(end, |o| i + o);
                if stop < end && data[stop] == quote {
                    let field_end = memchr(delim, &data[stop..end]).map_or(end, |o| stop + o);
                    return Err(TokenError {
                        kind: RowErrorKind::UnquotedValue,
                        field: Some(n),
                        text: (field_start, field_end),
                    });
                }
                emit(n, FieldRef::new(i, stop, 0));
                i = stop;
            }
            n += 1;
            if i >= end {
                return Ok(n);
            }
            // `data[i]` is the delimiter.
            i += 1;
            if i == end {
                emit(n, FieldRef::new(end, end, 0));
                return Ok(n + 1);
            }
        }
    }

    /// Reads the quoted field opening at `data[open]`; returns it and the offset after the
    /// closing quote.
    fn quoted(
        &self,
        data: &[u8],
        open: usize,
        end: usize,
        field: usize,
        side: &mut Vec<u8>,
    ) -> Result<(FieldRef, usize), TokenError> {
        let (quote, escape) = (self.quote, self.escape);
        let content = open + 1;
        let mut i = content;
        // Start of the not yet copied bytes, once the field needs unescaping.
        let mut side_from: Option<(usize, usize)> = None;
        let unterminated = || TokenError {
            kind: RowErrorKind::UnterminatedQuote,
            field: Some(field),
            text: (open, end),
        };
        loop {
            let hit = if escape == quote {
                memchr(quote, &data[i..end])
            } else {
                memchr2(quote, escape, &data[i..end])
            };
            let Some(off) = hit else {
                return Err(unterminated());
            };
            let j = i + off;
            let next = data.get(j + 1).copied().filter(|_| j + 1 < end);
            if data[j] == escape && escape != quote {
                match next {
                    Some(b) if b == quote || b == escape => {
                        let (_, copied) = side_from.get_or_insert((side.len(), content));
                        side.extend_from_slice(&data[*copied..j]);
                        side.push(b);
                        *copied = j + 2;
                        i = j + 2;
                    }
                    Some(_) => {
                        return Err(TokenError {
                            kind: RowErrorKind::UnquotedValue,
                            field: Some(field),
                            text: (open, end),
                        });
                    }
                    None => return Err(unterminated()),
                }
            } else if next == Some(quote) {
                let (_, copied) = side_from.get_or_insert((side.len(), content));
                side.extend_from_slice(&data[*copied..=j]);
                *copied = j + 2;
                i = j + 2;
            } else {
                let f = match side_from {
                    None => FieldRef::new(content, j, QUOTED),
                    Some((side_start, copied)) => {
                        side.extend_from_slice(&data[copied..j]);
                        FieldRef::new(side_start, side.len(), QUOTED | UNESCAPED)
                    }
                };
                return Ok((f, j + 1));
            }
        }
    }
}

/// Whether the record `..end` ends with a delimiter, so its extra last field is the empty
/// trailing one.
fn out_last_is_trailing(data: &[u8], end: usize, delimiter: u8) -> bool {
    end > 0 && data[end - 1] == delimiter
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(rec: &[u8], dialect: Dialect) -> Result<Vec<(Vec<u8>, bool)>, RowErrorKind> {
        let t = Tokenizer::new(&dialect);
        let mut side = Vec::new();
        let mut out = Vec::new();
        t.split_fields(rec, 0, rec.len(), &mut side, |_, f| out.push(f))
            .map_err(|e| e.kind)?;
        Ok(out
            .into_iter()
            .map(|f| (f.bytes(rec, &side).to_vec(), f.is_quoted()))
            .collect())
    }

    #[test]
    fn doubled_quote_is_one_quote() {
        let f = fields(b"\"a\"\"b\",c", Dialect::default()).expect("valid");
        assert_eq!(f[0], (b"a\"b".to_vec(), true));
        assert_eq!(f[1], (b"c".to_vec(), false));
    }

    #[test]
    fn backslash_escape_keeps_quote_and_backslash() {
        let d = Dialect {
            escape: b'\\',
            ..Dialect::default()
        };
        let f = fields(b"\"a\\\"b\\\\\"", d).expect("valid");
        assert_eq!(f[0].0, b"a\"b\\".to_vec());
        assert_eq!(fields(b"\"abc\\6\"", d), Err(RowErrorKind::UnquotedValue));
    }

    #[test]
    fn text_after_closing_quote_is_an_error() {
        assert_eq!(
            fields(b"\"ab\"c", Dialect::default()),
            Err(RowErrorKind::UnquotedValue)
        );
        assert_eq!(
            fields(b"ab\"c", Dialect::default()),
            Err(RowErrorKind::UnquotedValue)
        );
        assert_eq!(
            fields(b"\"ab", Dialect::default()),
            Err(RowErrorKind::UnterminatedQuote)
        );
    }
}
