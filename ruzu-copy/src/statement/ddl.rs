//! The table DDL grammar, Kùzu's syntax:
//!
//! ```text
//! CREATE NODE TABLE [IF NOT EXISTS] <name>( <column> <type> [PRIMARY KEY], ..., [PRIMARY KEY(<column>)] )
//! CREATE REL TABLE [IF NOT EXISTS] <name>( FROM <node table> TO <node table>, <column> <type>, ..., [MANY_MANY] )
//! DROP TABLE [IF EXISTS] <name>
//! ```
//!
//! Type names are whatever `ruzu_csv::DataType` parses (`INT64`, `BIGINT`, `STRING`, ...).
//! Kùzu types ruzu does not have (lists, structs, maps, unions, `DECIMAL`, the `TIMESTAMP_*`
//! variants, `JSON`, `SERIAL`) are refused as [`CopyError::Unsupported`] naming the type and what to
//! declare instead.
//!
//! Refused the same way: column `DEFAULT` values and the multiplicities `MANY_ONE`,
//! `ONE_MANY` and `ONE_ONE` (ruzu does not enforce them; `MANY_MANY`, Kùzu's default, which
//! checks nothing, is accepted).

use ruzu_csv::DataType;

use super::lexer::Tok;
use super::parser::{Parser, locate};
use crate::error::CopyError;

/// A table definition statement.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Ddl {
    /// `CREATE NODE TABLE`.
    CreateNodeTable(CreateNodeTable),
    /// `CREATE REL TABLE`.
    CreateRelTable(CreateRelTable),
    /// `DROP TABLE`.
    DropTable(DropTable),
}

impl Ddl {
    /// The table the statement creates or drops.
    pub fn table(&self) -> &str {
        match self {
            Ddl::CreateNodeTable(t) => &t.name,
            Ddl::CreateRelTable(t) => &t.name,
            Ddl::DropTable(t) => &t.name,
        }
    }
}

/// `CREATE NODE TABLE [IF NOT EXISTS] <name>(...)`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CreateNodeTable {
    /// Table name.
    pub name: String,
    /// `IF NOT EXISTS`: an existing table of this name is left as it is.
    pub if_not_exists: bool,
    /// Columns in declaration order.
    pub columns: Vec<ColumnSpec>,
    /// Name of the primary key column (one of `columns`, as written).
    pub primary_key: String,
}

/// `CREATE REL TABLE [IF NOT EXISTS] <name>(FROM <a> TO <b>, ...)`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct CreateRelTable {
    /// Table name.
    pub name: String,
    /// `IF NOT EXISTS`: an existing table of this name is left as it is.
    pub if_not_exists: bool,
    /// Source node table name.
    pub from: String,
    /// Destination node table name.
    pub to: String,
    /// Property columns in declaration order.
    pub columns: Vec<ColumnSpec>,
}

/// `DROP TABLE [IF EXISTS] <name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DropTable {
    /// Table name.
    pub name: String,
    /// `IF EXISTS`: no such table is not an error.
    pub if_exists: bool,
}

/// One column of a `CREATE ... TABLE`.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ColumnSpec {
    /// Name as declared.
    pub name: String,
    /// Type.
    pub data_type: DataType,
}

impl ColumnSpec {
    /// A column named `name` of type `data_type`.
    pub fn new(name: impl Into<String>, data_type: DataType) -> Self {
        ColumnSpec {
            name: name.into(),
            data_type,
        }
    }
}

impl Parser<'_> {
    /// The rest of a `CREATE` statement, after the keyword.
    pub(super) fn create(&mut self) -> Result<Ddl, CopyError> {
        let node = if self.eat_keyword("NODE") {
            true
        } else if self.eat_keyword("REL") {
            false
        } else {
            return Err(self.error("NODE or REL"));
        };
        self.keyword("TABLE")?;
        let if_not_exists = self.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let ddl = if node {
            Ddl::CreateNodeTable(self.create_node(if_not_exists)?)
        } else {
            Ddl::CreateRelTable(self.create_rel(if_not_exists)?)
        };
        self.end()?;
        Ok(ddl)
    }

    /// The rest of a `DROP` statement, after the keyword.
    pub(super) fn drop_table(&mut self) -> Result<Ddl, CopyError> {
        self.keyword("TABLE")?;
        let if_exists = self.eat_keywords(&["IF", "EXISTS"]);
        let name = self.name("a table name")?;
        self.end()?;
        Ok(Ddl::DropTable(DropTable { name, if_exists }))
    }

    fn create_node(&mut self, if_not_exists: bool) -> Result<CreateNodeTable, CopyError> {
        let name = self.name("a table name")?;
        self.punct('(')?;
        let mut columns = Vec::new();
        let mut primary_key: Option<String> = None;
        loop {
            let at = self.peek().byte;
            let pk = if self.eat_keyword("PRIMARY") {
                self.keyword("KEY")?;
                self.punct('(')?;
                let pk = self.name("the primary key column")?;
                self.punct(')')?;
                Some(pk)
            } else {
                let (column, inline_pk) = self.column()?;
                let pk = inline_pk.then(|| column.name.clone());
                columns.push(column);
                pk
            };
            if let Some(pk) = pk {
                if primary_key.is_some() {
                    return Err(self.error_at(at, "',' or ')'", "a second PRIMARY KEY"));
                }
                primary_key = Some(pk);
            }
            if self.separator(')', "',' or ')'")? {
                break;
            }
        }
        let Some(primary_key) = primary_key else {
            let close = self.peek().byte.saturating_sub(1);
            return Err(self.error_at(
                close,
                &format!("a PRIMARY KEY: node table {name} needs one"),
                "",
            ));
        };
        Ok(CreateNodeTable {
            name,
            if_not_exists,
            columns,
            primary_key,
        })
    }

    fn create_rel(&mut self, if_not_exists: bool) -> Result<CreateRelTable, CopyError> {
        let name = self.name("a table name")?;
        self.punct('(')?;
        self.keyword("FROM")?;
        let from = self.name("a node table name")?;
        self.keyword("TO")?;
        let to = self.name("a node table name")?;
        let mut columns = Vec::new();
        while self.eat_punct(',') {
            let at = self.peek().byte;
            if self.at_keyword("FROM") {
                return Err(self.unsupported_at(
                    at,
                    "rel tables with several FROM/TO pairs".to_owned(),
                    "a rel table connects exactly one pair of node tables: create one rel table per pair",
                ));
            }
            if let Some(multiplicity) = self.multiplicity() {
                if !multiplicity.eq_ignore_ascii_case("MANY_MANY") {
                    return Err(self.unsupported_at(
                        at,
                        format!("rel multiplicity {multiplicity}"),
                        "remove it: ruzu stores any number of edges per node (MANY_MANY) \
                         and does not check multiplicities",
                    ));
                }
                break;
            }
            let (column, inline_pk) = self.column()?;
            if inline_pk {
                return Err(self.error_at(
                    at,
                    "a property column without PRIMARY KEY (a rel table has no primary key)",
                    &column.name,
                ));
            }
            columns.push(column);
        }
        self.punct(')')?;
        Ok(CreateRelTable {
            name,
            if_not_exists,
            from,
            to,
            columns,
        })
    }

    /// `<name> <type> [PRIMARY KEY]`; the flag says whether `PRIMARY KEY` was there.
    fn column(&mut self) -> Result<(ColumnSpec, bool), CopyError> {
        let name = self.name("a column name")?;
        let data_type = self.data_type()?;
        if self.at_keyword("DEFAULT") {
            return Err(self.unsupported_at(
                self.peek().byte,
                format!("column DEFAULT values ({name})"),
                "remove the DEFAULT clause: an empty field is stored as NULL",
            ));
        }
        let inline_pk = if self.eat_keyword("PRIMARY") {
            self.keyword("KEY")?;
            true
        } else {
            false
        };
        Ok((ColumnSpec { name, data_type }, inline_pk))
    }

    fn data_type(&mut self) -> Result<DataType, CopyError> {
        let t = self.peek();
        let Tok::Word(word) = t.tok else {
            return Err(self.error("a type name"));
        };
        self.next();
        let suffix = self.peek();
        if matches!(suffix.tok, Tok::Punct('[')) && suffix.byte == t.end {
            let close = self.skip_brackets('[', ']');
            return Err(self.unsupported_at(
                t.byte,
                format!("type {} (lists and arrays)", &self.src()[t.byte..close]),
                "declare the column STRING to keep the list's text",
            ));
        }
        if let Some((feature, hint)) = unsupported_type(word) {
            let end = if self.at_punct('(') {
                self.skip_brackets('(', ')')
            } else {
                t.end
            };
            return Err(self.unsupported_at(
                t.byte,
                format!("type {} ({feature})", &self.src()[t.byte..end]),
                hint,
            ));
        }
        word.parse::<DataType>().map_err(|_| {
            let (line, column) = locate(self.src(), t.byte);
            CopyError::UnknownType {
                name: word.to_owned(),
                byte: t.byte,
                line,
                column,
            }
        })
    }

    /// A rel multiplicity (`MANY_ONE`, `ONE_MANY`, `ONE_ONE`, `MANY_MANY`) as the last item
    /// of a rel table's list, consumed; `None` (nothing consumed) for anything else, such as
    /// a column of that name.
    fn multiplicity(&mut self) -> Option<String> {
        let Tok::Word(word) = self.peek().tok else {
            return None;
        };
        let known = ["MANY_ONE", "ONE_MANY", "ONE_ONE", "MANY_MANY"]
            .iter()
            .any(|m| word.eq_ignore_ascii_case(m));
        if known && self.peek_second().tok == Tok::Punct(')') {
            self.next();
            Some(word.to_ascii_uppercase())
        } else {
            None
        }
    }

    /// Skips a bracketed group opened by the next token (nesting counted); returns the byte
    /// offset after its close (or the end of the text).
    fn skip_brackets(&mut self, open: char, close: char) -> usize {
        let mut depth = 0usize;
        loop {
            let t = self.next();
            match t.tok {
                Tok::Punct(c) if c == open => depth += 1,
                Tok::Punct(c) if c == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return t.end;
                    }
                }
                Tok::End => return t.byte,
                _ => {}
            }
        }
    }
}

/// Kùzu types ruzu does not have: what they are and what to declare instead.
fn unsupported_type(word: &str) -> Option<(&'static str, &'static str)> {
    let upper = word.to_ascii_uppercase();
    Some(match upper.as_str() {
        "DECIMAL" | "NUMERIC" => (
            "fixed-point decimals",
            "declare DOUBLE, or STRING to keep every digit",
        ),
        "TIMESTAMP_TZ" | "TIMESTAMP_NS" | "TIMESTAMP_MS" | "TIMESTAMP_SEC" => (
            "timestamp variants",
            "declare TIMESTAMP (microseconds, no time zone)",
        ),
        "JSON" => ("JSON values", "declare STRING to keep the JSON text"),
        "SERIAL" => (
            "generated SERIAL values",
            "declare INT64 and give the values in the file",
        ),
        "STRUCT" | "MAP" | "UNION" | "LIST" | "ARRAY" => (
            "nested types",
            "declare the column STRING to keep the value's text",
        ),
        _ => return None,
    })
}
