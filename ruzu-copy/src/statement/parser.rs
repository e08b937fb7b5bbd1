//! The token cursor every statement grammar reads with, and its errors with positions.

use super::Literal;
use super::lexer::{Tok, Token, name_text, tokenize, unescape};
use crate::error::CopyError;

/// A cursor over the tokens of one statement.
pub(crate) struct Parser<'a> {
    src: &'a str,
    /// Ends with exactly one [`Tok::End`].
    tokens: Vec<Token<'a>>,
    /// Index of the next token; never past the `End` token.
    pos: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(src: &'a str) -> Self {
        Parser {
            src,
            tokens: tokenize(src),
            pos: 0,
        }
    }

    /// The statement text.
    pub(crate) fn src(&self) -> &'a str {
        self.src
    }

    pub(crate) fn peek(&self) -> Token<'a> {
        self.tokens[self.pos]
    }

    /// The token after the next one (the `End` token at the end).
    pub(crate) fn peek_second(&self) -> Token<'a> {
        self.tokens[(self.pos + 1).min(self.tokens.len() - 1)]
    }

    pub(crate) fn next(&mut self) -> Token<'a> {
        let t = self.tokens[self.pos];
        if t.tok != Tok::End {
            self.pos += 1;
        }
        t
    }

    pub(crate) fn at_keyword(&self, keyword: &str) -> bool {
        matches!(self.peek().tok, Tok::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    /// Consumes `keyword` when it is next.
    pub(crate) fn eat_keyword(&mut self, keyword: &str) -> bool {
        let at = self.at_keyword(keyword);
        if at {
            self.next();
        }
        at
    }

    pub(crate) fn keyword(&mut self, keyword: &str) -> Result<(), CopyError> {
        if self.eat_keyword(keyword) {
            Ok(())
        } else {
            Err(self.error(keyword))
        }
    }

    /// Consumes the keywords in order when all are next; consumes nothing otherwise.
    pub(crate) fn eat_keywords(&mut self, keywords: &[&str]) -> bool {
        let all = keywords.iter().enumerate().all(|(i, k)| {
            matches!(self.tokens.get(self.pos + i).map(|t| t.tok),
                Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
        });
        if all {
            self.pos += keywords.len();
        }
        all
    }

    pub(crate) fn at_punct(&self, c: char) -> bool {
        self.peek().tok == Tok::Punct(c)
    }

    /// Consumes `c` when it is next.
    pub(crate) fn eat_punct(&mut self, c: char) -> bool {
        let at = self.at_punct(c);
        if at {
            self.next();
        }
        at
    }

    pub(crate) fn punct(&mut self, c: char) -> Result<(), CopyError> {
        if self.eat_punct(c) {
            Ok(())
        } else {
            Err(self.error(&format!("'{c}'")))
        }
    }

    /// Consumes `,` (false) or `close` (true); anything else is an error.
    pub(crate) fn separator(&mut self, close: char, expected: &str) -> Result<bool, CopyError> {
        if self.eat_punct(',') {
            Ok(false)
        } else if self.eat_punct(close) {
            Ok(true)
        } else {
            Err(self.error(expected))
        }
    }

    /// A name: a word, or any text in backticks.
    pub(crate) fn name(&mut self, expected: &str) -> Result<String, CopyError> {
        match self.peek().tok {
            Tok::Word(w) => {
                self.next();
                Ok(w.to_owned())
            }
            Tok::Name(raw) if !raw.is_empty() => {
                self.next();
                Ok(name_text(raw))
            }
            _ => Err(self.error(expected)),
        }
    }

    /// A quoted string, escapes resolved.
    pub(crate) fn string(&mut self, expected: &str) -> Result<String, CopyError> {
        match self.peek().tok {
            Tok::Str(raw) => {
                let t = self.next();
                unescape(raw).map_err(|bad| {
                    self.error_at(
                        t.byte + 1 + bad.offset,
                        "an escape \\\\ \\' \\\" \\n \\t \\r \\b \\f \\0 \\xHH \\uXXXX or \\UXXXXXXXX",
                        &bad.text,
                    )
                })
            }
            _ => Err(self.error(expected)),
        }
    }

    /// A literal: `true`, `false`, `NULL`, a signed number, a string or a list of literals.
    pub(crate) fn literal(&mut self) -> Result<Literal, CopyError> {
        let t = self.peek();
        match t.tok {
            Tok::Str(_) => Ok(Literal::String(self.string("a value")?)),
            Tok::Punct('[') => {
                self.next();
                let mut items = Vec::new();
                if self.eat_punct(']') {
                    return Ok(Literal::List(items));
                }
                loop {
                    items.push(self.literal()?);
                    if self.separator(']', "',' or ']' in a list")? {
                        return Ok(Literal::List(items));
                    }
                }
            }
            Tok::Punct(sign @ ('-' | '+')) => {
                self.next();
                let number = self.peek();
                match number.tok {
                    Tok::Number(text) if number.byte == t.end => {
                        self.next();
                        let signed = format!("{sign}{text}");
                        number_literal(&signed).ok_or_else(|| {
                            self.error_at(t.byte, "a number", &self.src[t.byte..number.end])
                        })
                    }
                    _ => Err(self.error_at(number.byte, "a number after the sign", "")),
                }
            }
            Tok::Number(text) => {
                self.next();
                number_literal(text).ok_or_else(|| self.error_at(t.byte, "a number", text))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("true") => {
                self.next();
                Ok(Literal::Bool(true))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("false") => {
                self.next();
                Ok(Literal::Bool(false))
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("null") => {
                self.next();
                Ok(Literal::Null)
            }
            _ => Err(self.error("a value (true, false, NULL, a number, a 'string' or a list)")),
        }
    }

    /// An optional `;`, then the end of the statement.
    pub(crate) fn end(&mut self) -> Result<(), CopyError> {
        self.eat_punct(';');
        if self.peek().tok == Tok::End {
            Ok(())
        } else {
            Err(self.error("the end of the statement"))
        }
    }

    /// A syntax error at the next token.
    pub(crate) fn error(&self, expected: &str) -> CopyError {
        let t = self.peek();
        match t.tok {
            Tok::Unterminated('/') => self.error_at(t.byte, "a closing */ for this comment", ""),
            Tok::Unterminated('`') => self.error_at(t.byte, "a closing backtick", ""),
            Tok::Unterminated(_) => self.error_at(t.byte, "a closing quote for this string", ""),
            _ => self.error_at(t.byte, expected, ""),
        }
    }

    /// A syntax error at `byte`; an empty `found` describes the token there.
    pub(crate) fn error_at(&self, byte: usize, expected: &str, found: &str) -> CopyError {
        let (line, column) = locate(self.src, byte);
        let found = if found.is_empty() {
            self.describe_at(byte)
        } else {
            found.chars().take(40).collect()
        };
        CopyError::Syntax {
            byte,
            line,
            column,
            expected: expected.to_owned(),
            found,
        }
    }

    /// An invalid option error at `byte`.
    pub(crate) fn option_error(&self, byte: usize, option: &str, reason: String) -> CopyError {
        let (line, column) = locate(self.src, byte);
        CopyError::InvalidOption {
            option: option.to_owned(),
            byte,
            line,
            column,
            reason,
        }
    }

    /// An unsupported construct at `byte`: what it is and what to write instead.
    pub(crate) fn unsupported_at(&self, byte: usize, feature: String, hint: &str) -> CopyError {
        let (line, column) = locate(self.src, byte);
        CopyError::Unsupported {
            feature,
            byte,
            line,
            column,
            hint: hint.to_owned(),
        }
    }

    /// The text of the token starting at `byte`, for an error's `found`.
    fn describe_at(&self, byte: usize) -> String {
        let Some(t) = self.tokens.iter().find(|t| t.byte == byte) else {
            return self.src[byte.min(self.src.len())..]
                .chars()
                .next()
                .map_or_else(|| "end of statement".to_owned(), |c| format!("'{c}'"));
        };
        match t.tok {
            Tok::End => "end of statement".to_owned(),
            Tok::Punct(c) => format!("'{c}'"),
            Tok::Unterminated('/') => "a comment without its closing */".to_owned(),
            Tok::Unterminated(q) => format!("{q} without its closing {q}"),
            _ => self.src[t.byte..t.end].chars().take(40).collect(),
        }
    }
}

/// An integer or a finite float.
fn number_literal(text: &str) -> Option<Literal> {
    if let Ok(i) = text.parse::<i64>() {
        return Some(Literal::Int(i));
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() && !text.contains('_') => Some(Literal::Float(f)),
        _ => None,
    }
}

/// 1-based line and column (in characters) of `byte` in `src`.
pub(crate) fn locate(src: &str, byte: usize) -> (usize, usize) {
    let before = &src[..byte.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}
