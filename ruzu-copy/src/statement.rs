//! The `COPY` statement: Kùzu's syntax, parsed into a [`Statement`] with resolved options.
//!
//! ```text
//! COPY <table> [ ( <column>, ... ) ] FROM <source> [ ( <option> [=] <value>, ... ) ] [;]
//! COPY <table> TO '<path>' [ ( <option> [=] <value>, ... ) ] [;]
//!
//! <source> := '<path>' | "<path>" | [ '<path>', ... ] | GLOB('<pattern>')
//! <value>  := true | false | NULL | <integer> | <number> | '<string>' | "<string>" | [ <value>, ... ]
//! ```
//!
//! Keywords and option names are case-insensitive; an option without a value is `true`
//! (`(HEADER, PARALLEL=false)`). Strings take Cypher's backslash escapes (`'\t'`, `'\\'`,
//! `'\''`, `'\u00e9'`). A path with `*`, `?` or `[` is a glob.

use crate::error::CopyError;
use crate::options::CopyOptions;

/// A parsed `COPY` statement.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
#[expect(
    clippy::large_enum_variant,
    reason = "one statement is parsed per import; boxing would only add noise at match sites"
)]
pub enum Statement {
    /// `COPY <table> FROM ...`: an import.
    CopyFrom(CopyFrom),
    /// `COPY <table> TO ...`: an export.
    CopyTo(CopyTo),
}

/// `COPY <table> FROM <source> (<options>)`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CopyFrom {
    /// The table imported into.
    pub table: String,
    /// The table columns the file's fields go to, in file order, when listed.
    pub columns: Option<Vec<String>>,
    /// Paths and glob patterns, in statement order (`-` is standard input).
    pub paths: Vec<String>,
    /// Every option, resolved.
    pub options: CopyOptions,
}

/// `COPY <table> TO '<path>' (<options>)`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CopyTo {
    /// The table exported.
    pub table: String,
    /// The file written.
    pub path: String,
    /// `HEADER` (default true for export, as in Kùzu).
    pub header: bool,
    /// `DELIM` / `DELIMITER` (default `,`).
    pub delimiter: u8,
    /// `QUOTE` (default `"`).
    pub quote: u8,
    /// `ESCAPE` (default `"`).
    pub escape: u8,
}

/// A literal value in a statement.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number with a fraction or exponent.
    Float(f64),
    /// A string, escapes resolved.
    String(String),
    /// `[a, b, ...]`.
    List(Vec<Literal>),
    /// `NULL`.
    Null,
}

/// Parses one `COPY` statement.
///
/// # Errors
///
/// [`CopyError::Syntax`] with the byte offset, line and column where the statement stops
/// making sense and what was expected there; [`CopyError::InvalidOption`] for an unknown
/// option or a value of the wrong form, at the option's position.
///
/// # Example
///
/// ```
/// use ruzu_copy::{parse, Statement};
///
/// let Statement::CopyFrom(copy) = parse("COPY Person FROM 'person.csv' (HEADER=true, DELIM='|')")?
/// else { panic!("an import") };
/// assert_eq!(copy.table, "Person");
/// assert_eq!(copy.paths, ["person.csv"]);
/// assert_eq!(copy.options.csv.delimiter, Some(b'|'));
/// # Ok::<(), ruzu_copy::CopyError>(())
/// ```
pub fn parse(statement: &str) -> Result<Statement, CopyError> {
    Parser {
        src: statement,
        pos: 0,
    }
    .statement()
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn statement(mut self) -> Result<Statement, CopyError> {
        self.keyword("COPY")?;
        self.skip_ws();
        if self.peek() == Some('(') {
            return Err(self.error_here("a table name (COPY (<query>) TO is not supported)"));
        }
        let table = self.identifier("a table name")?;
        self.skip_ws();
        let columns = if self.peek() == Some('(') {
            Some(self.column_list()?)
        } else {
            None
        };
        self.skip_ws();
        let start = self.pos;
        let word = self.word();
        let statement = if word.eq_ignore_ascii_case("FROM") {
            Statement::CopyFrom(self.copy_from(table, columns)?)
        } else if word.eq_ignore_ascii_case("TO") {
            if columns.is_some() {
                return Err(self.error_at(start, "FROM after a column list", word));
            }
            Statement::CopyTo(self.copy_to(table)?)
        } else {
            return Err(self.error_at(start, "FROM or TO", word));
        };
        self.skip_ws();
        if self.peek() == Some(';') {
            self.pos += 1;
            self.skip_ws();
        }
        if self.pos < self.src.len() {
            return Err(self.error_here("the end of the statement"));
        }
        Ok(statement)
    }

    fn copy_from(
        &mut self,
        table: String,
        columns: Option<Vec<String>>,
    ) -> Result<CopyFrom, CopyError> {
        self.skip_ws();
        let paths = match self.peek() {
            Some('[') => {
                self.pos += 1;
                let mut paths = Vec::new();
                loop {
                    self.skip_ws();
                    paths.push(self.string("a quoted path")?);
                    self.skip_ws();
                    if self.separator(']', "',' or ']'")? {
                        break;
                    }
                }
                paths
            }
            Some('\'' | '"') => vec![self.string("a quoted path")?],
            _ => {
                let start = self.pos;
                let word = self.word();
                if !word.eq_ignore_ascii_case("GLOB") {
                    return Err(self.error_at(
                        start,
                        "a quoted path, a list [...] or GLOB(...)",
                        word,
                    ));
                }
                self.expect_char('(')?;
                self.skip_ws();
                let pattern = self.string("a quoted glob pattern")?;
                self.skip_ws();
                self.expect_char(')')?;
                vec![pattern]
            }
        };
        let mut options = CopyOptions::default();
        let mut option_start = self.pos;
        self.options(|name, value, at| {
            option_start = at;
            options.apply(name, value)
        })?;
        options
            .validate()
            .map_err(|reason| self.option_error(option_start, "", reason))?;
        Ok(CopyFrom {
            table,
            columns,
            paths,
            options,
        })
    }

    fn copy_to(&mut self, table: String) -> Result<CopyTo, CopyError> {
        self.skip_ws();
        let path = self.string("a quoted path")?;
        let mut out = CopyTo {
            table,
            path,
            header: true,
            delimiter: b',',
            quote: b'"',
            escape: b'"',
        };
        self.options(|name, value, _| {
            let mut o = CopyOptions::default();
            match name.to_ascii_uppercase().as_str() {
                "HEADER" => {
                    o.apply(name, value)?;
                    out.header = o.csv.header.unwrap_or(true);
                }
                "DELIM" | "DELIMITER" => {
                    o.apply(name, value)?;
                    out.delimiter = o.csv.explicit_dialect().delimiter;
                }
                "QUOTE" => {
                    o.apply(name, value)?;
                    out.quote = o.csv.explicit_dialect().quote;
                }
                "ESCAPE" => {
                    o.apply(name, value)?;
                    out.escape = o.csv.explicit_dialect().escape;
                }
                _ => return Err(format!("unknown option {name} for COPY TO")),
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// An optional `( name [=] value, ... )` list; `apply` gets each with its byte offset.
    fn options(
        &mut self,
        mut apply: impl FnMut(&str, &Literal, usize) -> Result<(), String>,
    ) -> Result<(), CopyError> {
        self.skip_ws();
        if self.peek() != Some('(') {
            return Ok(());
        }
        self.pos += 1;
        self.skip_ws();
        if self.peek() == Some(')') {
            self.pos += 1;
            return Ok(());
        }
        let mut seen: Vec<String> = Vec::new();
        loop {
            self.skip_ws();
            let at = self.pos;
            let name = self.identifier("an option name")?;
            let upper = name.to_ascii_uppercase();
            let canonical = if upper == "DELIMITER" {
                "DELIM".to_owned()
            } else {
                upper
            };
            if seen.contains(&canonical) {
                return Err(self.option_error(at, &name, "option given twice".to_owned()));
            }
            if (canonical == "ATOMIC" && seen.iter().any(|s| s == "COMMIT_EVERY"))
                || (canonical == "COMMIT_EVERY" && seen.iter().any(|s| s == "ATOMIC"))
            {
                return Err(self.option_error(
                    at,
                    &name,
                    "give either ATOMIC or COMMIT_EVERY (COMMIT_EVERY implies ATOMIC=false)"
                        .to_owned(),
                ));
            }
            seen.push(canonical);
            self.skip_ws();
            let value = match self.peek() {
                Some('=') => {
                    self.pos += 1;
                    self.skip_ws();
                    self.literal()?
                }
                Some(',' | ')') => Literal::Bool(true),
                _ => self.literal()?,
            };
            apply(&name, &value, at).map_err(|reason| self.option_error(at, &name, reason))?;
            self.skip_ws();
            if self.separator(')', "',' or ')' after an option")? {
                return Ok(());
            }
        }
    }

    fn literal(&mut self) -> Result<Literal, CopyError> {
        match self.peek() {
            Some('\'' | '"') => Ok(Literal::String(self.string("a value")?)),
            Some('[') => {
                self.pos += 1;
                let mut items = Vec::new();
                self.skip_ws();
                if self.peek() == Some(']') {
                    self.pos += 1;
                    return Ok(Literal::List(items));
                }
                loop {
                    self.skip_ws();
                    items.push(self.literal()?);
                    self.skip_ws();
                    if self.separator(']', "',' or ']' in a list")? {
                        return Ok(Literal::List(items));
                    }
                }
            }
            Some(c) if c.is_ascii_digit() || c == '-' || c == '+' || c == '.' => self.number(),
            _ => {
                let start = self.pos;
                let word = self.word();
                if word.eq_ignore_ascii_case("true") {
                    Ok(Literal::Bool(true))
                } else if word.eq_ignore_ascii_case("false") {
                    Ok(Literal::Bool(false))
                } else if word.eq_ignore_ascii_case("null") {
                    Ok(Literal::Null)
                } else {
                    Err(self.error_at(
                        start,
                        "a value (true, false, a number, a 'string' or a list)",
                        word,
                    ))
                }
            }
        }
    }

    fn number(&mut self) -> Result<Literal, CopyError> {
        let start = self.pos;
        let rest = &self.src[self.pos..];
        let len = rest
            .char_indices()
            .find(|&(i, c)| {
                !(c.is_ascii_alphanumeric() || c == '.' || c == '_' || (i == 0 && "+-".contains(c)))
            })
            .map_or(rest.len(), |(i, _)| i);
        let text = &rest[..len];
        self.pos += len;
        if let Ok(i) = text.parse::<i64>() {
            return Ok(Literal::Int(i));
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(Literal::Float(f)),
            _ => Err(self.error_at(start, "a number", text)),
        }
    }

    /// A single- or double-quoted string with backslash escapes.
    fn string(&mut self, expected: &str) -> Result<String, CopyError> {
        let start = self.pos;
        let quote = match self.peek() {
            Some(q @ ('\'' | '"')) => q,
            _ => {
                let word = self.word();
                return Err(self.error_at(start, expected, word));
            }
        };
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.next_char() else {
                return Err(self.error_at(
                    start,
                    "a closing quote for this string",
                    "end of statement",
                ));
            };
            match c {
                c if c == quote => return Ok(out),
                '\\' => {
                    let at = self.pos - 1;
                    let e = self.next_char();
                    out.push(match e {
                        Some('\\') => '\\',
                        Some('\'') => '\'',
                        Some('"') => '"',
                        Some('n') => '\n',
                        Some('t') => '\t',
                        Some('r') => '\r',
                        Some('b') => '\u{8}',
                        Some('f') => '\u{c}',
                        Some('0') => '\0',
                        Some('u') => {
                            let hex = self.src.get(self.pos..self.pos + 4).unwrap_or("");
                            let c = u32::from_str_radix(hex, 16).ok().and_then(char::from_u32);
                            let Some(c) = c else {
                                return Err(self.error_at(at, "\\u and four hex digits", hex));
                            };
                            self.pos += 4;
                            c
                        }
                        _ => {
                            let found: String = e.into_iter().collect();
                            return Err(self.error_at(
                                at,
                                "an escape \\\\ \\' \\\" \\n \\t \\r \\b \\f \\0 or \\uXXXX",
                                &format!("\\{found}"),
                            ));
                        }
                    });
                }
                c => out.push(c),
            }
        }
    }

    fn column_list(&mut self) -> Result<Vec<String>, CopyError> {
        self.expect_char('(')?;
        let mut columns = Vec::new();
        loop {
            self.skip_ws();
            columns.push(self.identifier("a column name")?);
            self.skip_ws();
            if self.separator(')', "',' or ')' in the column list")? {
                return Ok(columns);
            }
        }
    }

    /// A name: letters, digits and `_` not starting with a digit, or any text in backticks.
    fn identifier(&mut self, expected: &str) -> Result<String, CopyError> {
        let start = self.pos;
        if self.peek() == Some('`') {
            self.pos += 1;
            let rest = &self.src[self.pos..];
            let Some(end) = rest.find('`') else {
                return Err(self.error_at(start, "a closing backtick", "end of statement"));
            };
            self.pos += end + 1;
            return Ok(rest[..end].to_owned());
        }
        let word = self.word();
        if word.is_empty() || word.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(self.error_at(start, expected, word));
        }
        Ok(word.to_owned())
    }

    fn keyword(&mut self, keyword: &str) -> Result<(), CopyError> {
        self.skip_ws();
        let start = self.pos;
        let word = self.word();
        if word.eq_ignore_ascii_case(keyword) {
            Ok(())
        } else {
            Err(self.error_at(start, keyword, word))
        }
    }

    /// The identifier-like word at the cursor (possibly empty), consumed.
    fn word(&mut self) -> &'a str {
        let rest = &self.src[self.pos..];
        let len = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        self.pos += len;
        &rest[..len]
    }

    fn expect_char(&mut self, c: char) -> Result<(), CopyError> {
        self.skip_ws();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            Err(self.error_here(&format!("'{c}'")))
        }
    }

    fn skip_ws(&mut self) {
        let rest = &self.src[self.pos..];
        self.pos += rest.len() - rest.trim_start().len();
    }

    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn error_here(&self, expected: &str) -> CopyError {
        let found = self.src[self.pos..]
            .chars()
            .next()
            .map_or_else(|| "end of statement".to_owned(), |c| c.to_string());
        self.error_at(self.pos, expected, &found)
    }

    /// Consumes `,` (returns false) or `close` (returns true); anything else is an error.
    fn separator(&mut self, close: char, expected: &str) -> Result<bool, CopyError> {
        match self.peek() {
            Some(',') => {
                self.pos += 1;
                Ok(false)
            }
            Some(c) if c == close => {
                self.pos += 1;
                Ok(true)
            }
            _ => Err(self.error_here(expected)),
        }
    }

    fn error_at(&self, byte: usize, expected: &str, found: &str) -> CopyError {
        let (line, column) = locate(self.src, byte);
        let found = if found.is_empty() {
            self.src[byte..]
                .chars()
                .next()
                .map_or_else(|| "end of statement".to_owned(), |c| format!("'{c}'"))
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

    fn option_error(&self, byte: usize, option: &str, reason: String) -> CopyError {
        let (line, column) = locate(self.src, byte);
        CopyError::InvalidOption {
            option: option.to_owned(),
            byte,
            line,
            column,
            reason,
        }
    }
}

/// 1-based line and column (in characters) of `byte` in `src`.
fn locate(src: &str, byte: usize) -> (usize, usize) {
    let before = &src[..byte.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests;
