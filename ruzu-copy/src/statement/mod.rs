//! The statements ruzu understands, parsed from Kùzu's syntax into typed [`Statement`]s:
//! table DDL (`CREATE NODE TABLE`, `CREATE REL TABLE`, `DROP TABLE`), `COPY ... FROM` with
//! resolved options and `COPY ... TO`, and the splitting of a script into statements.
//!
//! One lexer (`lexer.rs`) reads all statement text, so strings, backticked names and comments
//! mean the same to the splitter and to each grammar (`ddl.rs`, `copy.rs`). Keywords and
//! option names are case-insensitive; names may be backticked (`` `my table` ``); strings
//! are `'...'` or `"..."` with Cypher's backslash escapes (`'\t'`, `'\\'`, `'\''`,
//! `'\u00e9'`); comments are `-- ...` and `// ...` to the end of the line and `/* ... */`.
//!
//! ```text
//! <value> := true | false | NULL | <integer> | <number> | '<string>' | "<string>" | [ <value>, ... ]
//! ```

mod copy;
mod ddl;
mod lexer;
mod parser;
mod script;

pub use copy::{CopyFrom, CopyTo};
pub use ddl::{ColumnSpec, CreateNodeTable, CreateRelTable, Ddl, DropTable};
pub use script::{ScriptStatement, ends_statement, split_script};

use crate::error::CopyError;
use parser::Parser;

/// A parsed statement.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Statement {
    /// `CREATE ... TABLE` or `DROP TABLE`.
    Ddl(Ddl),
    /// `COPY <table> FROM ...`: an import.
    CopyFrom(CopyFrom),
    /// `COPY <table> TO ...`: an export.
    CopyTo(CopyTo),
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

/// Parses one statement (a trailing `;` is allowed).
///
/// # Errors
///
/// [`CopyError::Syntax`] with the byte offset, line and column where the statement stops
/// making sense and what was expected there; [`CopyError::InvalidOption`] for an unknown
/// `COPY` option or a value of the wrong form, at the option's position;
/// [`CopyError::UnknownType`] and [`CopyError::Unsupported`] for a type or feature ruzu
/// does not have.
///
/// # Example
///
/// ```
/// use ruzu_copy::{parse, Ddl, Statement};
///
/// let Statement::CopyFrom(copy) = parse("COPY Person FROM 'person.csv' (HEADER=true, DELIM='|')")?
/// else { panic!("an import") };
/// assert_eq!(copy.table, "Person");
/// assert_eq!(copy.paths, ["person.csv"]);
/// assert_eq!(copy.options.csv.delimiter, Some(b'|'));
///
/// let Statement::Ddl(Ddl::CreateRelTable(knows)) =
///     parse("CREATE REL TABLE Knows(FROM Person TO Person, since DATE)")?
/// else { panic!("a rel table") };
/// assert_eq!((knows.from.as_str(), knows.to.as_str()), ("Person", "Person"));
/// # Ok::<(), ruzu_copy::CopyError>(())
/// ```
pub fn parse(statement: &str) -> Result<Statement, CopyError> {
    let mut p = Parser::new(statement);
    if p.eat_keyword("COPY") {
        p.copy()
    } else if p.eat_keyword("CREATE") {
        Ok(Statement::Ddl(p.create()?))
    } else if p.eat_keyword("DROP") {
        Ok(Statement::Ddl(p.drop_table()?))
    } else {
        Err(p.error("a statement: CREATE, DROP or COPY"))
    }
}

/// Parses one DDL statement: [`parse`] for callers that only define tables.
///
/// # Errors
///
/// As [`parse`]; a `COPY` statement is a [`CopyError::Syntax`] at its first byte.
///
/// # Example
///
/// ```
/// let ddl = ruzu_copy::parse_ddl("DROP TABLE IF EXISTS Knows")?;
/// assert_eq!(ddl.table(), "Knows");
/// # Ok::<(), ruzu_copy::CopyError>(())
/// ```
pub fn parse_ddl(statement: &str) -> Result<Ddl, CopyError> {
    let mut p = Parser::new(statement);
    if p.eat_keyword("CREATE") {
        p.create()
    } else if p.eat_keyword("DROP") {
        p.drop_table()
    } else {
        Err(p.error("CREATE or DROP"))
    }
}

#[cfg(test)]
mod ddl_tests;
#[cfg(test)]
mod tests;
