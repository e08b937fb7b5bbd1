//! A small parser for the table DDL statements:
//!
//! ```text
//! CREATE NODE TABLE Person(id INT64, name STRING, PRIMARY KEY(id))
//! CREATE NODE TABLE Person(id INT64 PRIMARY KEY, name STRING)
//! CREATE REL TABLE Knows(FROM Person TO Person, since DATE)
//! DROP TABLE Knows
//! ```
//!
//! Keywords are case-insensitive; names may be quoted in backticks; a trailing `;` is allowed.
//! Type names are whatever `ruzu_csv::DataType` parses (`INT64`, `BIGINT`, `STRING`, ...).
//! Errors carry the 0-based byte offset of the offending token.

use ruzu_csv::DataType;

use super::ColumnDef;
use crate::error::{Result, StorageError};

/// A parsed DDL statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    /// `CREATE NODE TABLE`.
    CreateNodeTable {
        /// Table name.
        name: String,
        /// Columns in order.
        columns: Vec<ColumnDef>,
        /// Name of the primary key column.
        primary_key: String,
    },
    /// `CREATE REL TABLE`.
    CreateRelTable {
        /// Table name.
        name: String,
        /// Source node table name.
        from: String,
        /// Destination node table name.
        to: String,
        /// Property columns in order.
        columns: Vec<ColumnDef>,
    },
    /// `DROP TABLE`.
    DropTable {
        /// Table name.
        name: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(String),
    Quoted(String),
    Punct(char),
    End,
}

#[derive(Clone, Debug)]
struct Token {
    tok: Tok,
    byte: usize,
}

fn tokenize(text: &str) -> Result<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c.is_alphanumeric() || c == '_' {
            let mut end = i;
            while let Some(&(j, d)) = chars.peek() {
                if !(d.is_alphanumeric() || d == '_') {
                    break;
                }
                end = j + d.len_utf8();
                chars.next();
            }
            out.push(Token {
                tok: Tok::Word(text[i..end].to_owned()),
                byte: i,
            });
        } else if c == '`' {
            chars.next();
            let mut name = String::new();
            loop {
                match chars.next() {
                    Some((_, '`')) => break,
                    Some((_, d)) => name.push(d),
                    None => {
                        return Err(StorageError::Syntax {
                            byte: i,
                            reason: "unterminated `quoted` name".into(),
                        });
                    }
                }
            }
            out.push(Token {
                tok: Tok::Quoted(name),
                byte: i,
            });
        } else if matches!(c, '(' | ')' | ',' | ';') {
            chars.next();
            out.push(Token {
                tok: Tok::Punct(c),
                byte: i,
            });
        } else {
            return Err(StorageError::Syntax {
                byte: i,
                reason: format!("unexpected character {c:?}"),
            });
        }
    }
    out.push(Token {
        tok: Tok::End,
        byte: text.len(),
    });
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("{w:?}"),
        Tok::Quoted(w) => format!("`{w}`"),
        Tok::Punct(c) => format!("{c:?}"),
        Tok::End => "end of statement".into(),
    }
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos]
    }

    fn next(&mut self) -> Token {
        let t = self.tokens[self.pos].clone();
        if t.tok != Tok::End {
            self.pos += 1;
        }
        t
    }

    fn error(&self, expected: &str) -> StorageError {
        let t = self.peek();
        StorageError::Syntax {
            byte: t.byte,
            reason: format!("expected {expected}, found {}", describe(&t.tok)),
        }
    }

    fn is_keyword(&self, kw: &str) -> bool {
        matches!(&self.peek().tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }

    fn keyword(&mut self, kw: &str) -> Result<()> {
        if self.is_keyword(kw) {
            self.next();
            Ok(())
        } else {
            Err(self.error(kw))
        }
    }

    fn is_punct(&self, c: char) -> bool {
        self.peek().tok == Tok::Punct(c)
    }

    fn punct(&mut self, c: char) -> Result<()> {
        if self.is_punct(c) {
            self.next();
            Ok(())
        } else {
            Err(self.error(&format!("{c:?}")))
        }
    }

    fn name(&mut self, what: &str) -> Result<String> {
        match &self.peek().tok {
            Tok::Word(w) | Tok::Quoted(w) if !w.is_empty() => {
                let w = w.clone();
                self.next();
                Ok(w)
            }
            _ => Err(self.error(what)),
        }
    }

    fn data_type(&mut self) -> Result<DataType> {
        let t = self.peek().clone();
        match &t.tok {
            Tok::Word(w) => {
                let parsed = w
                    .parse::<DataType>()
                    .map_err(|_| StorageError::UnknownType {
                        byte: t.byte,
                        name: w.clone(),
                    })?;
                self.next();
                Ok(parsed)
            }
            _ => Err(self.error("a type name")),
        }
    }

    fn end(&mut self) -> Result<()> {
        if self.is_punct(';') {
            self.next();
        }
        if self.peek().tok != Tok::End {
            return Err(self.error("end of statement"));
        }
        Ok(())
    }

    fn column(&mut self) -> Result<(ColumnDef, bool)> {
        let name = self.name("a column name")?;
        let data_type = self.data_type()?;
        let inline_pk = if self.is_keyword("PRIMARY") {
            self.next();
            self.keyword("KEY")?;
            true
        } else {
            false
        };
        Ok((ColumnDef { name, data_type }, inline_pk))
    }

    fn create_node(&mut self) -> Result<Statement> {
        let name = self.name("a table name")?;
        self.punct('(')?;
        let mut columns = Vec::new();
        let mut primary_key: Option<String> = None;
        loop {
            let at = self.peek().byte;
            let pk = if self.is_keyword("PRIMARY") {
                self.next();
                self.keyword("KEY")?;
                self.punct('(')?;
                let pk = self.name("the primary key column")?;
                self.punct(')')?;
                Some(pk)
            } else {
                let (col, inline_pk) = self.column()?;
                let pk = inline_pk.then(|| col.name.clone());
                columns.push(col);
                pk
            };
            if let Some(pk) = pk {
                if primary_key.is_some() {
                    return Err(StorageError::Syntax {
                        byte: at,
                        reason: "a second PRIMARY KEY".into(),
                    });
                }
                primary_key = Some(pk);
            }
            if self.is_punct(',') {
                self.next();
                continue;
            }
            break;
        }
        let close = self.peek().byte;
        self.punct(')')?;
        let primary_key = primary_key.ok_or_else(|| StorageError::Syntax {
            byte: close,
            reason: format!("node table {name} needs a PRIMARY KEY"),
        })?;
        Ok(Statement::CreateNodeTable {
            name,
            columns,
            primary_key,
        })
    }

    fn create_rel(&mut self) -> Result<Statement> {
        let name = self.name("a table name")?;
        self.punct('(')?;
        self.keyword("FROM")?;
        let from = self.name("a node table name")?;
        self.keyword("TO")?;
        let to = self.name("a node table name")?;
        let mut columns = Vec::new();
        while self.is_punct(',') {
            self.next();
            let at = self.peek().byte;
            if self.is_keyword("FROM") {
                return Err(StorageError::Syntax {
                    byte: at,
                    reason: "rel tables with several FROM/TO pairs are not supported: a rel table connects exactly one pair of node tables (create one rel table per pair)".into(),
                });
            }
            let (col, inline_pk) = self.column()?;
            if inline_pk {
                return Err(StorageError::Syntax {
                    byte: at,
                    reason: "a rel table has no primary key".into(),
                });
            }
            columns.push(col);
        }
        self.punct(')')?;
        Ok(Statement::CreateRelTable {
            name,
            from,
            to,
            columns,
        })
    }

    fn statement(&mut self) -> Result<Statement> {
        let stmt = if self.is_keyword("CREATE") {
            self.next();
            let node = if self.is_keyword("NODE") {
                true
            } else if self.is_keyword("REL") {
                false
            } else {
                return Err(self.error("NODE or REL"));
            };
            self.next();
            self.keyword("TABLE")?;
            if node {
                self.create_node()?
            } else {
                self.create_rel()?
            }
        } else if self.is_keyword("DROP") {
            self.next();
            self.keyword("TABLE")?;
            Statement::DropTable {
                name: self.name("a table name")?,
            }
        } else {
            return Err(self.error("CREATE or DROP"));
        };
        self.end()?;
        Ok(stmt)
    }
}

/// Parses one DDL statement.
///
/// # Errors
///
/// [`StorageError::Syntax`] or [`StorageError::UnknownType`], with the byte offset of the
/// offending token.
///
/// # Example
///
/// ```
/// use ruzu_storage::{Statement, parse_ddl};
///
/// let stmt = parse_ddl("CREATE REL TABLE Knows(FROM Person TO Person, since DATE)")?;
/// assert!(matches!(stmt, Statement::CreateRelTable { ref from, .. } if from == "Person"));
/// # Ok::<(), ruzu_storage::StorageError>(())
/// ```
pub fn parse_ddl(text: &str) -> Result<Statement> {
    let mut p = Parser {
        tokens: tokenize(text)?,
        pos: 0,
    };
    p.statement()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syntax_byte(text: &str) -> usize {
        match parse_ddl(text) {
            Err(StorageError::Syntax { byte, .. })
            | Err(StorageError::UnknownType { byte, .. }) => byte,
            other => panic!("expected a syntax error for {text:?}, got {other:?}"),
        }
    }

    #[test]
    fn node_table_with_trailing_primary_key_clause() -> Result<()> {
        let s = parse_ddl("create node table Person(id INT64, name STRING, PRIMARY KEY(id));")?;
        assert_eq!(
            s,
            Statement::CreateNodeTable {
                name: "Person".into(),
                columns: vec![
                    ColumnDef::new("id", DataType::Int64),
                    ColumnDef::new("name", DataType::String)
                ],
                primary_key: "id".into(),
            }
        );
        Ok(())
    }

    #[test]
    fn node_table_with_inline_primary_key_and_aliases() -> Result<()> {
        let s = parse_ddl("CREATE NODE TABLE `my table`(`the id` BIGINT PRIMARY KEY, t TEXT)")?;
        let Statement::CreateNodeTable {
            name,
            columns,
            primary_key,
        } = s
        else {
            panic!("expected a node table, got {s:?}");
        };
        assert_eq!(name, "my table");
        assert_eq!(primary_key, "the id");
        assert_eq!(columns[1], ColumnDef::new("t", DataType::String));
        Ok(())
    }

    #[test]
    fn rel_table_and_drop() -> Result<()> {
        assert_eq!(
            parse_ddl("CREATE REL TABLE Knows(FROM Person TO Person, since DATE)")?,
            Statement::CreateRelTable {
                name: "Knows".into(),
                from: "Person".into(),
                to: "Person".into(),
                columns: vec![ColumnDef::new("since", DataType::Date)],
            }
        );
        assert_eq!(
            parse_ddl("DROP TABLE Knows")?,
            Statement::DropTable {
                name: "Knows".into()
            }
        );
        Ok(())
    }

    #[test]
    fn errors_point_at_the_offending_token() {
        let text = "CREATE NODE TABLE P(id INT65, PRIMARY KEY(id))";
        assert_eq!(syntax_byte(text), text.find("INT65").expect("in text"));
        assert_eq!(syntax_byte("CREATE NODE TABLE P(id INT64)"), 28);
        assert_eq!(syntax_byte("CREATE EDGE TABLE X"), 7);
        assert_eq!(syntax_byte("DROP TABLE"), 10);
        assert_eq!(syntax_byte("DROP TABLE X Y"), 13);
        assert_eq!(syntax_byte("CREATE REL TABLE K(FROM A, x INT64)"), 25);
        assert_eq!(
            syntax_byte("CREATE NODE TABLE P(id INT64 PRIMARY KEY, PRIMARY KEY(id))"),
            42
        );
        assert_eq!(syntax_byte("DROP TABLE a$"), 12);
        assert_eq!(syntax_byte("DROP TABLE `x"), 11);
    }

    #[test]
    fn every_csv_type_name_is_accepted() -> Result<()> {
        for t in DataType::ALL {
            let text = format!(
                "CREATE NODE TABLE T(k INT64, v {}, PRIMARY KEY(k))",
                t.name()
            );
            let Statement::CreateNodeTable { columns, .. } = parse_ddl(&text)? else {
                panic!("expected a node table");
            };
            assert_eq!(columns[1].data_type, t);
        }
        Ok(())
    }
}
