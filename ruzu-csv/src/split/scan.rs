//! The quote-aware search for record ends, shared by the splitter and the sniffer.
//!
//! # Rule
//!
//! Record boundaries follow the RFC 4180 state machine the tokenizer runs, so a record is cut
//! where the tokenizer would end it, whatever its errors: a quote opens a quoted section only as
//! the first byte of a field (at the record start or after a delimiter); elsewhere in an
//! unquoted field it is an ordinary byte for the boundaries (the tokenizer then reports the
//! field). Inside quotes, a doubled quote stands for one quote, and with an escape character
//! distinct from the quote the escape and the byte after it are skipped; any other quote closes
//! the section. A line end (`\n`, `\r\n` or a lone `\r`) outside quotes ends a record; inside
//! quotes it is counted as a line of the record.
//!
//! So a stray quote (`O"Brien`) spoils only its own record, which keeps its own line number;
//! records never depend on where a chunk or a read ended, because the state is carried across
//! calls in [`ScanState`].
//!
//! # Method
//!
//! Outside quotes the scanner jumps with `memchr3` to the next quote, `\n` or `\r` and looks
//! at the byte before a quote to decide whether it opens a field; inside quotes (RFC 4180
//! doubling) it jumps with `memchr3` to the next quote, `\n` or `\r`. It touches only the
//! bytes that matter and counts quoted line ends on the way. With an escape character distinct
//! from the quote, quoted text is scanned byte by byte (a rare dialect).
//!
//! A `\r` that is the last byte available is not consumed until the next byte is known (or the
//! input ended): it may be the first half of `\r\n`.

use memchr::memchr3;

/// Where the scanner stands between two calls: lets a record be scanned across reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ScanState {
    /// Outside quotes, at the first byte of a field (a quote here opens a quoted section).
    #[default]
    FieldStart,
    /// Outside quotes, inside an unquoted field (a quote here is an ordinary byte).
    Unquoted,
    /// Inside a quoted section.
    Quoted,
    /// Inside quotes, just after the (distinct) escape character.
    QuotedEscape,
    /// Just after a quote inside a quoted section: it closes the section unless another quote
    /// follows (a doubled quote).
    AfterQuote,
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

/// What a line end at `data[j]` outside quotes does.
#[inline]
fn line_end(data: &[u8], j: usize, eof: bool) -> Step {
    if data[j] == b'\n' {
        return Step::RecordEnd { end: j + 1 };
    }
    match data.get(j + 1) {
        Some(&next) => Step::RecordEnd {
            end: if next == b'\n' { j + 2 } else { j + 1 },
        },
        None if eof => Step::RecordEnd { end: j + 1 },
        None => Step::NeedMore { pos: j },
    }
}

/// Delimiter, quote and escape characters of a dialect, as the scanner needs them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scanner {
    delimiter: u8,
    quote: u8,
    escape: u8,
}

impl Scanner {
    /// A scanner for `delimiter`, `quote` and `escape` (equal to the quote for RFC 4180
    /// doubling).
    pub(crate) fn new(delimiter: u8, quote: u8, escape: u8) -> Self {
        Scanner {
            delimiter,
            quote,
            escape,
        }
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
            match *state {
                ScanState::FieldStart | ScanState::Unquoted => {
                    let Some(off) = memchr3(q, b'\n', b'\r', &data[i..]) else {
                        if data.len() > i {
                            *state = if data[data.len() - 1] == self.delimiter {
                                ScanState::FieldStart
                            } else {
                                ScanState::Unquoted
                            };
                        }
                        return Step::NeedMore { pos: data.len() };
                    };
                    let j = i + off;
                    if data[j] != q {
                        return line_end(data, j, eof);
                    }
                    let opens = if j == i {
                        *state == ScanState::FieldStart
                    } else {
                        data[j - 1] == self.delimiter
                    };
                    *state = if opens {
                        ScanState::Quoted
                    } else {
                        ScanState::Unquoted
                    };
                    i = j + 1;
                }
                ScanState::AfterQuote => {
                    let Some(&b) = data.get(i) else {
                        return Step::NeedMore { pos: i };
                    };
                    if b == b'\n' || b == b'\r' {
                        return line_end(data, i, eof);
                    }
                    *state = if b == q {
                        ScanState::Quoted
                    } else if b == self.delimiter {
                        ScanState::FieldStart
                    } else {
                        ScanState::Unquoted
                    };
                    i += 1;
                }
                ScanState::Quoted if self.escape == q => {
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
                        _ => *state = ScanState::AfterQuote,
                    }
                    i = j + 1;
                }
                ScanState::Quoted | ScanState::QuotedEscape => {
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
                        if *state == ScanState::QuotedEscape {
                            *state = ScanState::Quoted;
                        } else if b == self.escape {
                            *state = ScanState::QuotedEscape;
                        } else if b == q {
                            *state = ScanState::AfterQuote;
                            break;
                        }
                    }
                    if i == data.len() && *state != ScanState::AfterQuote {
                        return Step::NeedMore { pos: data.len() };
                    }
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
        let s = Scanner::new(b',', quote, escape);
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
    fn a_quote_inside_an_unquoted_field_opens_nothing() {
        assert_eq!(
            ends(b"1,O\"Brien\n2,\"a\nb\"\n3,x\"\n", b'"', b'"').0,
            vec![10, 18, 23]
        );
        // After a closing quote, further quotes in the same field open nothing either.
        assert_eq!(ends(b"\"a\"b\"c\nd\n", b'"', b'"').0, vec![7, 9]);
        // A doubled quote stays inside; a quote right after a delimiter opens.
        assert_eq!(ends(b"\"a\"\"\nb\",\"c\nd\"\ne", b'"', b'"'), (vec![14], 2));
    }

    #[test]
    fn state_carries_across_calls_at_every_split() {
        let data = b"a,\"b\"\"\r\nc\",d\"e\r\n\"x\\\"\ny\"\rz,\"\"\n";
        for escape in [b'"', b'\\'] {
            let whole = ends(data, b'"', escape);
            for cut in 0..=data.len() {
                let s = Scanner::new(b',', b'"', escape);
                let (mut st, mut lines, mut got) = (ScanState::default(), 0, Vec::new());
                let mut pos = 0;
                let mut avail = cut;
                loop {
                    let eof = avail == data.len();
                    match s.next_end(&data[..avail], pos, eof, &mut st, &mut lines) {
                        Step::RecordEnd { end } => {
                            got.push(end);
                            pos = end;
                            st = ScanState::default();
                        }
                        Step::NeedMore { pos: p } if !eof => {
                            pos = p;
                            avail = data.len();
                        }
                        Step::NeedMore { .. } => break,
                    }
                    if pos == data.len() {
                        break;
                    }
                }
                assert_eq!((got, lines), whole.clone(), "cut at {cut}, escape {escape}");
            }
        }
    }

    #[test]
    fn trailing_cr_waits_for_the_next_byte() {
        let s = Scanner::new(b',', b'"', b'"');
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
