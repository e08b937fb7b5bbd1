//! The quote-aware search for record ends, shared by the splitter and the sniffer.
//!
//! # Method
//!
//! Outside quotes the scanner jumps with `memchr3` to the next quote, `\n` or `\r`; inside
//! quotes (RFC 4180 doubling) it jumps with `memchr3` to the next quote, `\n` or `\r`, so it
//! touches only the bytes that matter and counts quoted line ends on the way. With an escape
//! character distinct from the quote, quoted text is scanned byte by byte (a rare dialect).
//!
//! Record boundaries follow quote *parity*: every quote character toggles "inside quotes",
//! except that, with a distinct escape character, inside quotes the escape and the byte after it
//! are skipped. A doubled quote toggles twice and so changes nothing. A line end (`\n`, `\r\n`
//! or a lone `\r`) outside quotes ends a record. For every well-formed record this is exactly the
//! RFC 4180 state machine the decoder runs; for a malformed one (a stray quote inside an
//! unquoted field) it is the one deterministic rule both the splitter and the decoder's resync
//! use, so records never depend on where a chunk or a read ended.
//!
//! A `\r` that is the last byte available is not consumed until the next byte is known (or the
//! input ended): it may be the first half of `\r\n`.

use memchr::memchr3;

/// Where the scanner stands between two calls: lets a record be scanned across reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ScanState {
    /// Inside a quoted section.
    pub(crate) in_quotes: bool,
    /// Inside quotes, the previous byte was the (distinct) escape character.
    pub(crate) escaped: bool,
}

/// Result of one scan step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A record ends; its terminator ends at `end` (exclusive).
    RecordEnd {
        /// Offset just past the terminator.
        end: usize,
    },
    /// The data ran out inside a record; bytes before `pos` are consumed.
    NeedMore {
        /// First byte not consumed (a trailing `\r`, or the end of the data).
        pos: usize,
    },
}

/// Quote and escape characters of a dialect, as the scanner needs them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scanner {
    quote: u8,
    escape: u8,
}

impl Scanner {
    /// A scanner for `quote` and `escape` (equal for RFC 4180 doubling).
    pub(crate) fn new(quote: u8, escape: u8) -> Self {
        Scanner { quote, escape }
    }

    /// Scans `data[pos..]` for the end of the current record, continuing from `state`.
    /// `eof` says that `data` ends the input. Line ends inside quotes are added to
    /// `quoted_lines`. After `RecordEnd` the caller resets `state` for the next record.
    pub(crate) fn next_end(
        &self,
        data: &[u8],
        pos: usize,
        eof: bool,
        state: &mut ScanState,
        quoted_lines: &mut u64,
    ) -> Step {
        let q = self.quote;
        let mut i = pos;
        loop {
            if !state.in_quotes {
                let Some(off) = memchr3(q, b'\n', b'\r', &data[i..]) else {
                    return Step::NeedMore { pos: data.len() };
                };
                let j = i + off;
                match data[j] {
                    b'\n' => return Step::RecordEnd { end: j + 1 },
                    b'\r' => {
                        if let Some(&next) = data.get(j + 1) {
                            let end = if next == b'\n' { j + 2 } else { j + 1 };
                            return Step::RecordEnd { end };
                        }
                        if eof {
                            return Step::RecordEnd { end: j + 1 };
                        }
                        return Step::NeedMore { pos: j };
                    }
                    _ => {
                        state.in_quotes = true;
                        i = j + 1;
                    }
                }
            } else if self.escape == q {
                let Some(off) = memchr3(q, b'\n', b'\r', &data[i..]) else {
                    return Step::NeedMore { pos: data.len() };
                };
                let j = i + off;
                match data[j] {
                    b'\n' => *quoted_lines += 1,
                    b'\r' => match data.get(j + 1) {
                        Some(&next) => *quoted_lines += u64::from(next != b'\n'),
                        None if eof => *quoted_lines += 1,
                        None => return Step::NeedMore { pos: j },
                    },
                    _ => state.in_quotes = false,
                }
                i = j + 1;
            } else {
                // Distinct escape: byte by byte inside quotes.
                while i < data.len() {
                    let b = data[i];
                    if b == b'\n' {
                        *quoted_lines += 1;
                    } else if b == b'\r' {
                        match data.get(i + 1) {
                            Some(&next) => *quoted_lines += u64::from(next != b'\n'),
                            None if eof => *quoted_lines += 1,
                            None => return Step::NeedMore { pos: i },
                        }
                    }
                    i += 1;
                    if state.escaped {
                        state.escaped = false;
                    } else if b == self.escape {
                        state.escaped = true;
                    } else if b == q {
                        state.in_quotes = false;
                        break;
                    }
                }
                if state.in_quotes {
                    return Step::NeedMore { pos: data.len() };
                }
            }
        }
    }
}

/// Length of a record's content: `record` without its line terminator.
pub(crate) fn content_len(record: &[u8]) -> usize {
    let mut e = record.len();
    if e > 0 && record[e - 1] == b'\n' {
        e -= 1;
    }
    if e > 0 && record[e - 1] == b'\r' {
        e -= 1;
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(data: &[u8], quote: u8, escape: u8) -> (Vec<usize>, u64) {
        let s = Scanner::new(quote, escape);
        let mut out = Vec::new();
        let mut pos = 0;
        let mut lines = 0;
        let mut st = ScanState::default();
        while pos < data.len() {
            match s.next_end(data, pos, true, &mut st, &mut lines) {
                Step::RecordEnd { end } => {
                    out.push(end);
                    pos = end;
                    st = ScanState::default();
                }
                Step::NeedMore { .. } => break,
            }
        }
        (out, lines)
    }

    #[test]
    fn every_line_end_kind_ends_a_record() {
        assert_eq!(ends(b"a\nb\r\nc\rd", b'"', b'"').0, vec![2, 5, 7]);
    }

    #[test]
    fn quoted_line_ends_are_counted_not_split() {
        let (e, lines) = ends(b"\"a\r\nb\rc\nd\",x\ny", b'"', b'"');
        assert_eq!(e, vec![13]);
        assert_eq!(lines, 3);
    }

    #[test]
    fn distinct_escape_skips_the_escaped_quote() {
        let (e, _) = ends(b"\"a\\\"\nb\"\nz", b'"', b'\\');
        assert_eq!(e, vec![8]);
    }

    #[test]
    fn trailing_cr_waits_for_the_next_byte() {
        let s = Scanner::new(b'"', b'"');
        let mut st = ScanState::default();
        let mut l = 0;
        assert_eq!(
            s.next_end(b"ab\r", 0, false, &mut st, &mut l),
            Step::NeedMore { pos: 2 }
        );
        assert_eq!(
            s.next_end(b"ab\r", 0, true, &mut st, &mut l),
            Step::RecordEnd { end: 3 }
        );
    }
}
