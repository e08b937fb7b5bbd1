//! The one tokenizer of ruzu's statement text: words, backticked names, strings, numbers and
//! punctuation, with comments skipped.
//!
//! Every parser of statement text (DDL, `COPY`, the script splitter) reads these tokens, so a
//! `;`, `--` or `//` inside a string or a backticked name means the same thing to all of them.
//!
//! - A word is letters, digits and `_`, not starting with a digit (keywords, names, types).
//! - `` `any text` `` is a name; a doubled backtick inside stands for one.
//! - `'...'` and `"..."` are strings with Kùzu's backslash escapes, kept raw here and
//!   resolved by [`unescape`] when a parser wants the value (so the splitter never fails on a
//!   bad escape).
//! - A number starts with a digit (or `.` and a digit) and runs over letters, digits, `.` and
//!   `_`, with a sign after an exponent `e`/`E`; a leading sign is punctuation.
//! - `-- ...` and `// ...` run to the end of the line, `/* ... */` to its close.
//! - Any other character is punctuation, one token each.
//!
//! An unterminated string, name or block comment becomes one [`Tok::Unterminated`] token that
//! runs to the end of the text: lexing never fails, the parser reports it.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok<'a> {
    /// A bare word.
    Word(&'a str),
    /// A backticked name, backticks removed (doubled backticks still doubled).
    Name(&'a str),
    /// A string literal's raw text between its quotes.
    Str(&'a str),
    /// A number's text.
    Number(&'a str),
    /// One punctuation character.
    Punct(char),
    /// A string, name or block comment without its close, opened by this character.
    Unterminated(char),
    /// The end of the text.
    End,
}

/// A token and where it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    /// What it is.
    pub(crate) tok: Tok<'a>,
    /// 0-based byte offset of its first character.
    pub(crate) byte: usize,
    /// Byte offset just past its last character.
    pub(crate) end: usize,
}

/// The tokens of `src`, comments left out, ending with one [`Tok::End`].
pub(crate) fn tokenize(src: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let bytes = src.as_bytes();
    let mut pos = 0;
    while pos < src.len() {
        let c = src[pos..].chars().next().expect("invariant: pos < len");
        let next = bytes.get(pos + 1).copied();
        let start = pos;
        let tok = match c {
            c if c.is_whitespace() => {
                pos += c.len_utf8();
                continue;
            }
            '-' if next == Some(b'-') => {
                pos = line_end(src, pos);
                continue;
            }
            '/' if next == Some(b'/') => {
                pos = line_end(src, pos);
                continue;
            }
            '/' if next == Some(b'*') => match src[pos + 2..].find("*/") {
                Some(i) => {
                    pos += 2 + i + 2;
                    continue;
                }
                None => {
                    pos = src.len();
                    Tok::Unterminated('/')
                }
            },
            '\'' | '"' => match string_end(src, pos, c) {
                Some(close) => {
                    pos = close + 1;
                    Tok::Str(&src[start + 1..close])
                }
                None => {
                    pos = src.len();
                    Tok::Unterminated(c)
                }
            },
            '`' => match backtick_end(src, pos) {
                Some(close) => {
                    pos = close + 1;
                    Tok::Name(&src[start + 1..close])
                }
                None => {
                    pos = src.len();
                    Tok::Unterminated('`')
                }
            },
            c if c.is_ascii_digit() || (c == '.' && next.is_some_and(|b| b.is_ascii_digit())) => {
                pos = number_end(src, pos);
                Tok::Number(&src[start..pos])
            }
            c if c.is_alphanumeric() || c == '_' => {
                let rest = &src[pos..];
                pos += rest
                    .find(|d: char| !(d.is_alphanumeric() || d == '_'))
                    .unwrap_or(rest.len());
                Tok::Word(&src[start..pos])
            }
            c => {
                pos += c.len_utf8();
                Tok::Punct(c)
            }
        };
        tokens.push(Token {
            tok,
            byte: start,
            end: pos,
        });
    }
    tokens.push(Token {
        tok: Tok::End,
        byte: src.len(),
        end: src.len(),
    });
    tokens
}

/// Byte offset of the line end (or text end) after `pos`.
fn line_end(src: &str, pos: usize) -> usize {
    src[pos..].find('\n').map_or(src.len(), |i| pos + i)
}

/// Byte offset of the quote closing the string opened at `open`, skipping escaped characters.
fn string_end(src: &str, open: usize, quote: char) -> Option<usize> {
    let mut chars = src[open + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        if c == '\\' {
            chars.next();
        } else if c == quote {
            return Some(open + 1 + i);
        }
    }
    None
}

/// Byte offset of the backtick closing the name opened at `open` (a doubled one is text).
fn backtick_end(src: &str, open: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = open + 1;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            if bytes.get(i + 1) == Some(&b'`') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Byte offset just past the number starting at `start`.
fn number_end(src: &str, start: usize) -> usize {
    let bytes = src.as_bytes();
    let mut i = start;
    while i < bytes.len() {
        let b = bytes[i];
        let sign_after_exponent =
            matches!(b, b'+' | b'-') && i > start && matches!(bytes[i - 1], b'e' | b'E');
        if b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || sign_after_exponent {
            i += 1;
        } else {
            break;
        }
    }
    i
}

/// The text of a backticked name: doubled backticks become one.
pub(crate) fn name_text(raw: &str) -> String {
    raw.replace("``", "`")
}

/// A bad escape in a string: where it starts (relative to the raw text) and how it reads.
#[derive(Debug)]
pub(crate) struct BadEscape {
    /// Byte offset of the backslash in the raw text.
    pub(crate) offset: usize,
    /// The escape as written (cut short).
    pub(crate) text: String,
}

/// Resolves the backslash escapes of a string's raw text as Kùzu's parser does: `\\ \' \"`,
/// `\b \f \n \r \t` in either case, `\uXXXX` and `\UXXXXXXXX`; also `\0`. Kùzu keeps
/// `\xHH` as the four characters written, and so does this.
pub(crate) fn unescape(raw: &str) -> Result<String, BadEscape> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.char_indices();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escaped = chars.next().map(|(_, e)| e);
        out.push(match escaped {
            Some('\\') => '\\',
            Some('\'') => '\'',
            Some('"') => '"',
            Some('n' | 'N') => '\n',
            Some('t' | 'T') => '\t',
            Some('r' | 'R') => '\r',
            Some('b' | 'B') => '\u{8}',
            Some('f' | 'F') => '\u{c}',
            Some('0') => '\0',
            Some(x @ ('x' | 'X')) => {
                let hex = raw.get(i + 2..i + 4).unwrap_or("");
                if hex.len() != 2 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(BadEscape {
                        offset: i,
                        text: format!("\\{x}{}", hex.chars().take(2).collect::<String>()),
                    });
                }
                out.push('\\');
                out.push(x);
                out.push_str(hex);
                chars.next();
                chars.next();
                continue;
            }
            Some(u @ ('u' | 'U')) => {
                let digits = if u == 'u' { 4 } else { 8 };
                let hex = raw.get(i + 2..i + 2 + digits).unwrap_or("");
                let code = if hex.len() == digits && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    u32::from_str_radix(hex, 16).ok().and_then(char::from_u32)
                } else {
                    None
                };
                let Some(c) = code else {
                    return Err(BadEscape {
                        offset: i,
                        text: format!("\\{u}{}", hex.chars().take(digits).collect::<String>()),
                    });
                };
                for _ in 0..digits {
                    chars.next();
                }
                c
            }
            other => {
                return Err(BadEscape {
                    offset: i,
                    text: format!("\\{}", other.map(String::from).unwrap_or_default()),
                });
            }
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok<'_>> {
        tokenize(src).into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn comments_are_skipped_and_quoted_text_is_one_token() {
        assert_eq!(
            kinds("a -- x;y\n`b;--c` /* ; */ 'd//e' // f\n\"g\\\"h\";"),
            [
                Tok::Word("a"),
                Tok::Name("b;--c"),
                Tok::Str("d//e"),
                Tok::Str("g\\\"h"),
                Tok::Punct(';'),
                Tok::End
            ]
        );
    }

    #[test]
    fn numbers_signs_and_punctuation() {
        assert_eq!(
            kinds("-1.5e-3,.5 x2(3)"),
            [
                Tok::Punct('-'),
                Tok::Number("1.5e-3"),
                Tok::Punct(','),
                Tok::Number(".5"),
                Tok::Word("x2"),
                Tok::Punct('('),
                Tok::Number("3"),
                Tok::Punct(')'),
                Tok::End
            ]
        );
    }

    #[test]
    fn unterminated_text_runs_to_the_end() {
        let tokens = tokenize("COPY T FROM 'a;b");
        assert_eq!(tokens[3].tok, Tok::Unterminated('\''));
        assert_eq!((tokens[3].byte, tokens[3].end), (12, 16));
        assert_eq!(
            kinds("x /* y; z"),
            [Tok::Word("x"), Tok::Unterminated('/'), Tok::End]
        );
        assert_eq!(kinds("`a``b`"), [Tok::Name("a``b"), Tok::End]);
        assert_eq!(name_text("a``b"), "a`b");
    }

    #[test]
    fn escapes_resolve_or_name_the_bad_one() {
        assert_eq!(
            unescape(r"a\tb\\\u00e9\'").ok().as_deref(),
            Some("a\tb\\é'")
        );
        let bad = unescape(r"ab\q").expect_err("bad escape");
        assert_eq!((bad.offset, bad.text.as_str()), (2, "\\q"));
        let bad = unescape(r"\u12").expect_err("short \\u");
        assert_eq!(bad.offset, 0);
    }

    #[test]
    fn escapes_read_as_kuzu_reads_them() {
        assert_eq!(
            unescape(r"\N\T\R\B\F").ok().as_deref(),
            Some("\n\t\r\u{8}\u{c}")
        );
        assert_eq!(unescape(r"\U0001F600").ok().as_deref(), Some("\u{1F600}"));
        assert_eq!(unescape(r"a\x41b").ok().as_deref(), Some(r"a\x41b"));
        assert_eq!(unescape(r"\\N").ok().as_deref(), Some(r"\N"));
        assert!(unescape(r"\xZ1").is_err());
        assert!(unescape(r"\U0001F6").is_err());
        assert!(unescape(r"\u+041").is_err());
    }
}
