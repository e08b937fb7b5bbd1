//! The catalog: node and rel table definitions, persisted in the metadata root.
//!
//! # Byte layout (inside the metadata root payload, see `docs/file-format.md`)
//!
//! | size | field |
//! |---|---|
//! | 8 | `next_table_id` (ids are never reused) |
//! | 4 | table count |
//! | ... | tables, in id order |
//!
//! A table:
//!
//! | size | field |
//! |---|---|
//! | 8 | table id |
//! | 1 | kind: `1` node, `2` rel |
//! | 4 + n | name (u32 length + UTF-8) |
//! | 4 | column count |
//! | ... | columns: name (u32 length + UTF-8), type code (1 byte, [`type_code`]) |
//! | 4 | node: primary key column index |
//! | 8 + 8 | rel: FROM table id, TO table id |

use std::collections::BTreeMap;

use ruzu_csv::{DataType, Field, Schema};

use crate::encoding::{Decoder, Encoder};
use crate::error::{Result, StorageError};

/// Identifies a table for the life of the database; never reused after a drop.
pub type TableId = u64;

/// One column of a table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnDef {
    /// Name as declared.
    pub name: String,
    /// Type.
    pub data_type: DataType,
}

impl ColumnDef {
    /// A column named `name` of type `data_type`.
    pub fn new(name: impl Into<String>, data_type: DataType) -> Self {
        ColumnDef {
            name: name.into(),
            data_type,
        }
    }
}

/// What kind of table, with the kind's own properties.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TableKind {
    /// A node table.
    Node {
        /// Index of the primary key column in [`TableDef::columns`].
        primary_key: usize,
    },
    /// A rel table between two node tables.
    Rel {
        /// Source node table.
        from: TableId,
        /// Destination node table.
        to: TableId,
    },
}

/// A table definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableDef {
    /// Id, unique for the life of the database.
    pub id: TableId,
    /// Name as declared; unique among tables, case-insensitively.
    pub name: String,
    /// Node or rel, with its properties.
    pub kind: TableKind,
    /// Property columns in declaration order (for a rel table, without FROM and TO); names are
    /// unique case-insensitively.
    pub columns: Vec<ColumnDef>,
}

impl TableDef {
    /// The columns as a CSV schema, in declaration order.
    pub fn schema(&self) -> Schema {
        Schema::new(
            self.columns
                .iter()
                .map(|c| Field::new(c.name.clone(), c.data_type))
                .collect(),
        )
    }
}

/// Stable one-byte code of each type on disk. Never renumber: add new codes at the end.
pub fn type_code(t: DataType) -> u8 {
    match t {
        DataType::Bool => 1,
        DataType::Int8 => 2,
        DataType::Int16 => 3,
        DataType::Int32 => 4,
        DataType::Int64 => 5,
        DataType::Int128 => 6,
        DataType::UInt8 => 7,
        DataType::UInt16 => 8,
        DataType::UInt32 => 9,
        DataType::UInt64 => 10,
        DataType::Float => 11,
        DataType::Double => 12,
        DataType::String => 13,
        DataType::Date => 14,
        DataType::Timestamp => 15,
        DataType::Interval => 16,
        DataType::Uuid => 17,
        DataType::Blob => 18,
        // `DataType` is non-exhaustive: a type added to ruzu-csv needs a code here first.
        _ => unreachable!("invariant: every DataType has a type code"),
    }
}

pub(crate) fn type_from_code(code: u8) -> Option<DataType> {
    DataType::ALL.into_iter().find(|&t| type_code(t) == code)
}

/// Whether values of this type may be a primary key.
fn can_be_primary_key(t: DataType) -> bool {
    !matches!(
        t,
        DataType::Bool | DataType::Float | DataType::Double | DataType::Interval | DataType::Blob
    )
}

/// All table definitions of one database state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Catalog {
    tables: BTreeMap<TableId, TableDef>,
    /// Id the next created table gets.
    next_id: TableId,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog {
            tables: BTreeMap::new(),
            next_id: 1,
        }
    }
}

impl Catalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Tables in id (creation) order.
    pub fn tables(&self) -> impl Iterator<Item = &TableDef> + '_ {
        self.tables.values()
    }

    /// The table named `name` (case-insensitive).
    pub fn table(&self, name: &str) -> Option<&TableDef> {
        self.tables
            .values()
            .find(|t| t.name.eq_ignore_ascii_case(name))
    }

    /// The table with id `id`.
    pub fn table_by_id(&self, id: TableId) -> Option<&TableDef> {
        self.tables.get(&id)
    }

    fn check_new_table(&self, name: &str, columns: &[ColumnDef]) -> Result<()> {
        if self.table(name).is_some() {
            return Err(StorageError::TableExists { name: name.into() });
        }
        for (i, c) in columns.iter().enumerate() {
            if columns[..i]
                .iter()
                .any(|p| p.name.eq_ignore_ascii_case(&c.name))
            {
                return Err(StorageError::InvalidTable {
                    table: name.into(),
                    reason: format!("duplicate column {}", c.name),
                });
            }
        }
        Ok(())
    }

    fn insert(&mut self, name: &str, kind: TableKind, columns: Vec<ColumnDef>) -> TableId {
        let id = self.next_id;
        self.next_id += 1;
        self.tables.insert(
            id,
            TableDef {
                id,
                name: name.into(),
                kind,
                columns,
            },
        );
        id
    }

    /// Adds a node table whose primary key is the column named `primary_key`.
    ///
    /// # Errors
    ///
    /// [`StorageError::TableExists`], [`StorageError::InvalidTable`] (duplicate column, no
    /// column named `primary_key`), [`StorageError::InvalidPrimaryKey`].
    pub fn create_node_table(
        &mut self,
        name: &str,
        columns: Vec<ColumnDef>,
        primary_key: &str,
    ) -> Result<TableId> {
        self.check_new_table(name, &columns)?;
        let pk = columns
            .iter()
            .position(|c| c.name.eq_ignore_ascii_case(primary_key))
            .ok_or_else(|| StorageError::InvalidTable {
                table: name.into(),
                reason: format!("primary key {primary_key} is not a column"),
            })?;
        if !can_be_primary_key(columns[pk].data_type) {
            return Err(StorageError::InvalidPrimaryKey {
                table: name.into(),
                column: columns[pk].name.clone(),
                data_type: columns[pk].data_type,
            });
        }
        Ok(self.insert(name, TableKind::Node { primary_key: pk }, columns))
    }

    /// Adds a rel table from node table `from` to node table `to`.
    ///
    /// # Errors
    ///
    /// [`StorageError::TableExists`], [`StorageError::NoSuchTable`], [`StorageError::InvalidTable`]
    /// (an endpoint is a rel table, duplicate column).
    pub fn create_rel_table(
        &mut self,
        name: &str,
        from: &str,
        to: &str,
        columns: Vec<ColumnDef>,
    ) -> Result<TableId> {
        self.check_new_table(name, &columns)?;
        let endpoint = |n: &str| -> Result<TableId> {
            let t = self
                .table(n)
                .ok_or_else(|| StorageError::NoSuchTable { name: n.into() })?;
            match t.kind {
                TableKind::Node { .. } => Ok(t.id),
                TableKind::Rel { .. } => Err(StorageError::InvalidTable {
                    table: name.into(),
                    reason: format!("{n} is a rel table, FROM and TO must be node tables"),
                }),
            }
        };
        let (from, to) = (endpoint(from)?, endpoint(to)?);
        Ok(self.insert(name, TableKind::Rel { from, to }, columns))
    }

    /// Removes the table named `name` and returns its definition.
    ///
    /// # Errors
    ///
    /// [`StorageError::NoSuchTable`]; [`StorageError::TableInUse`] for a node table that a rel
    /// table connects (drop the rel table first).
    pub fn drop_table(&mut self, name: &str) -> Result<TableDef> {
        let id = self
            .table(name)
            .ok_or_else(|| StorageError::NoSuchTable { name: name.into() })?
            .id;
        if let Some(rel) = self.tables.values().find(|t| {
            matches!(t.kind, TableKind::Rel { from, to } if (from == id || to == id) && t.id != id)
        }) {
            return Err(StorageError::TableInUse {
                name: name.into(),
                rel: rel.name.clone(),
            });
        }
        Ok(self
            .tables
            .remove(&id)
            .expect("invariant: the id was just looked up"))
    }

    pub(crate) fn encode(&self, e: &mut Encoder) {
        e.u64(self.next_id);
        e.len32(self.tables.len());
        for t in self.tables.values() {
            e.u64(t.id);
            e.u8(match t.kind {
                TableKind::Node { .. } => 1,
                TableKind::Rel { .. } => 2,
            });
            e.str(&t.name);
            e.len32(t.columns.len());
            for c in &t.columns {
                e.str(&c.name);
                e.u8(type_code(c.data_type));
            }
            match t.kind {
                TableKind::Node { primary_key } => e.len32(primary_key),
                TableKind::Rel { from, to } => {
                    e.u64(from);
                    e.u64(to);
                }
            }
        }
    }

    pub(crate) fn decode(d: &mut Decoder<'_>) -> Result<Self> {
        let next_id = d.u64()?;
        let count = d.len32(8 + 1 + 4 + 4)?;
        let mut tables = BTreeMap::new();
        for _ in 0..count {
            let id = d.u64()?;
            let kind = d.u8()?;
            let name = d.str()?;
            let ncols = d.len32(5)?;
            let mut columns = Vec::with_capacity(ncols);
            for _ in 0..ncols {
                let cname = d.str()?;
                let code = d.u8()?;
                let data_type =
                    type_from_code(code).ok_or_else(|| d.error(format!("type code {code}")))?;
                columns.push(ColumnDef::new(cname, data_type));
            }
            let kind = match kind {
                1 => {
                    let pk = d.u32()? as usize;
                    if pk >= columns.len() {
                        return Err(d.error(format!("primary key index {pk} of table {name}")));
                    }
                    TableKind::Node { primary_key: pk }
                }
                2 => TableKind::Rel {
                    from: d.u64()?,
                    to: d.u64()?,
                },
                k => return Err(d.error(format!("table kind {k}"))),
            };
            if id >= next_id || tables.contains_key(&id) {
                return Err(d.error(format!("table id {id} (next id {next_id})")));
            }
            tables.insert(
                id,
                TableDef {
                    id,
                    name,
                    kind,
                    columns,
                },
            );
        }
        for t in tables.values() {
            if let TableKind::Rel { from, to } = t.kind {
                let is_node = |i| {
                    matches!(
                        tables.get(&i),
                        Some(TableDef {
                            kind: TableKind::Node { .. },
                            ..
                        })
                    )
                };
                if !is_node(from) || !is_node(to) {
                    return Err(d.error(format!("rel table {} has a missing endpoint", t.name)));
                }
            }
        }
        Ok(Catalog { tables, next_id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person() -> Vec<ColumnDef> {
        vec![
            ColumnDef::new("id", DataType::Int64),
            ColumnDef::new("name", DataType::String),
        ]
    }

    #[test]
    fn every_type_has_a_distinct_code_that_round_trips() {
        let mut seen = std::collections::HashSet::new();
        for t in DataType::ALL {
            assert!(seen.insert(type_code(t)));
            assert_eq!(type_from_code(type_code(t)), Some(t));
        }
        assert_eq!(type_from_code(0), None);
    }

    #[test]
    fn catalog_round_trips_through_its_encoding() -> Result<()> {
        let mut c = Catalog::new();
        let columns = DataType::ALL
            .iter()
            .map(|&t| ColumnDef::new(format!("c_{t}"), t))
            .collect();
        c.create_node_table("All", columns, "c_INT64")?;
        c.create_node_table("Person", person(), "id")?;
        c.create_rel_table(
            "Knows",
            "Person",
            "person",
            vec![ColumnDef::new("since", DataType::Date)],
        )?;
        let mut e = Encoder::new();
        c.encode(&mut e);
        let bytes = e.into_bytes();
        let mut d = Decoder::new(&bytes, "catalog", 0);
        assert_eq!(Catalog::decode(&mut d)?, c);
        d.finish()
    }

    #[test]
    fn names_are_unique_case_insensitively() -> Result<()> {
        let mut c = Catalog::new();
        c.create_node_table("Person", person(), "id")?;
        assert!(matches!(
            c.create_node_table("PERSON", person(), "id"),
            Err(StorageError::TableExists { .. })
        ));
        let dup = vec![
            ColumnDef::new("a", DataType::Int64),
            ColumnDef::new("A", DataType::Int8),
        ];
        assert!(matches!(
            c.create_node_table("T", dup, "a"),
            Err(StorageError::InvalidTable { .. })
        ));
        Ok(())
    }

    #[test]
    fn primary_key_must_exist_and_have_a_key_type() {
        let mut c = Catalog::new();
        assert!(matches!(
            c.create_node_table("P", person(), "nope"),
            Err(StorageError::InvalidTable { .. })
        ));
        let cols = vec![ColumnDef::new("score", DataType::Double)];
        assert!(matches!(
            c.create_node_table("P", cols, "score"),
            Err(StorageError::InvalidPrimaryKey { .. })
        ));
    }

    #[test]
    fn node_table_connected_by_a_rel_cannot_be_dropped_until_the_rel_is() -> Result<()> {
        let mut c = Catalog::new();
        let p = c.create_node_table("Person", person(), "id")?;
        c.create_rel_table("Knows", "Person", "Person", vec![])?;
        assert!(matches!(
            c.create_rel_table("Bad", "Knows", "Person", vec![]),
            Err(StorageError::InvalidTable { .. })
        ));
        assert!(matches!(
            c.drop_table("Person"),
            Err(StorageError::TableInUse { .. })
        ));
        c.drop_table("knows")?;
        assert_eq!(c.drop_table("Person")?.id, p);
        assert!(matches!(
            c.drop_table("Person"),
            Err(StorageError::NoSuchTable { .. })
        ));
        // Ids are not reused.
        assert_eq!(c.create_node_table("Person", person(), "id")?, p + 2);
        Ok(())
    }
}
