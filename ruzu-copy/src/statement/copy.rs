//! The `COPY` grammar, Kùzu's syntax:
//!
//! ```text
//! COPY <table> [ ( <column>, ... ) ] FROM <source> [ ( <option> [=] <value>, ... ) ] [;]
//! COPY <table> TO '<path>' [ ( <option> [=] <value>, ... ) ] [;]
//!
//! <source> := '<path>' | "<path>" | [ '<path>', ... ] | GLOB('<pattern>')
//! ```
//!
//! An option without a value is `true` (`(HEADER, PARALLEL=false)`). A path with `*`, `?` or
//! `[` is a glob.

use super::parser::Parser;
use super::{Literal, Statement};
use crate::error::CopyError;
use crate::options::CopyOptions;

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

impl Parser<'_> {
    /// The rest of a `COPY` statement, after the keyword.
    pub(super) fn copy(&mut self) -> Result<Statement, CopyError> {
        if self.at_punct('(') {
            return Err(self.error("a table name (COPY (<query>) TO is not supported)"));
        }
        let table = self.name("a table name")?;
        let columns = if self.at_punct('(') {
            Some(self.column_list()?)
        } else {
            None
        };
        let copy = if self.eat_keyword("FROM") {
            Statement::CopyFrom(self.copy_from(table, columns)?)
        } else if self.at_keyword("TO") {
            if columns.is_some() {
                return Err(self.error("FROM after a column list"));
            }
            self.next();
            Statement::CopyTo(self.copy_to(table)?)
        } else {
            return Err(self.error("FROM or TO"));
        };
        self.end()?;
        Ok(copy)
    }

    fn copy_from(
        &mut self,
        table: String,
        columns: Option<Vec<String>>,
    ) -> Result<CopyFrom, CopyError> {
        let paths = if self.eat_punct('[') {
            let mut paths = Vec::new();
            loop {
                paths.push(self.string("a quoted path")?);
                if self.separator(']', "',' or ']'")? {
                    break;
                }
            }
            paths
        } else if self.eat_keyword("GLOB") {
            self.punct('(')?;
            let pattern = self.string("a quoted glob pattern")?;
            self.punct(')')?;
            vec![pattern]
        } else {
            vec![self.string("a quoted path, a list [...] or GLOB(...)")?]
        };
        let mut options = CopyOptions::default();
        let mut option_start = self.peek().byte;
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
        if !self.eat_punct('(') {
            return Ok(());
        }
        if self.eat_punct(')') {
            return Ok(());
        }
        let mut seen: Vec<String> = Vec::new();
        loop {
            let at = self.peek().byte;
            let name = self.name("an option name")?;
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
            let value = if self.eat_punct('=') {
                self.literal()?
            } else if self.at_punct(',') || self.at_punct(')') {
                Literal::Bool(true)
            } else {
                self.literal()?
            };
            apply(&name, &value, at).map_err(|reason| self.option_error(at, &name, reason))?;
            if self.separator(')', "',' or ')' after an option")? {
                return Ok(());
            }
        }
    }

    fn column_list(&mut self) -> Result<Vec<String>, CopyError> {
        self.punct('(')?;
        let mut columns = Vec::new();
        loop {
            columns.push(self.name("a column name")?);
            if self.separator(')', "',' or ')' in the column list")? {
                return Ok(columns);
            }
        }
    }
}
