//! `COPY <table>(<column>, ...) FROM ...`: a column list in any order, naming any subset of
//! the table's columns, as in Kùzu.
//!
//! The file's fields are read in list order ([`ColumnList::file_schema`]); [`MappedSink`]
//! rearranges each decoded batch into the table's column order, NULL in every column the
//! list leaves out, before the table's own sink sees it. A node table's list must name the
//! primary key; a rel table's list names its properties, the `from` and `to` keys coming
//! first in the file as always (naming them first explicitly is allowed too).
//!
//! When the list is the table's own columns in order, no [`MappedSink`] is needed
//! ([`ColumnList::is_identity`]) and the import runs exactly as without a list.

use std::fmt;
use std::ops::ControlFlow;
use std::sync::Arc;

use ruzu_copy::{BatchSink, LateReject, ResumePoint, SinkContext, SinkError, SinkReject};
use ruzu_csv::{Batch, Field, Schema, Value};

use crate::error::{Error, Result};

/// What is wrong with a column list.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ColumnListProblem {
    /// The list names a column the table does not have.
    NoSuchColumn,
    /// The list names a column twice.
    Duplicate,
    /// The list of a node table leaves out its primary key (every row would have a NULL key).
    MissingPrimaryKey,
}

impl fmt::Display for ColumnListProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ColumnListProblem::NoSuchColumn => "is no column of the table",
            ColumnListProblem::Duplicate => "is named twice",
            ColumnListProblem::MissingPrimaryKey => "is the primary key and must be listed",
        })
    }
}

/// A column list resolved against a table.
#[derive(Clone, Debug)]
pub(crate) struct ColumnList {
    /// The rows the file holds: the listed columns in list order (a rel table's `from` and
    /// `to` first).
    file: Arc<Schema>,
    /// For each table column, in table order: the file column it comes from, or `None`
    /// (stored as NULL).
    source_of: Vec<Option<usize>>,
}

impl ColumnList {
    /// Resolves `columns` against `table_schema` (the rows a `COPY` into the table reads
    /// without a list); `key_columns` is how many leading columns are implied (2 for a rel
    /// table's `from` and `to`, 0 for a node table), `primary_key` the node table's key.
    ///
    /// # Errors
    ///
    /// [`Error::ColumnList`] naming the first column that is unknown or repeated, or the
    /// primary key the list leaves out.
    pub(crate) fn resolve(
        table: &str,
        table_schema: &Schema,
        key_columns: usize,
        primary_key: Option<usize>,
        columns: &[String],
    ) -> Result<ColumnList> {
        let fields = table_schema.fields();
        let error = |column: &str, problem| Error::ColumnList {
            table: table.to_owned(),
            column: column.to_owned(),
            problem,
            columns: fields
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        };
        let keys_named = key_columns > 0
            && columns.len() >= key_columns
            && fields[..key_columns]
                .iter()
                .zip(columns)
                .all(|(f, c)| f.name.eq_ignore_ascii_case(c));
        let listed = if keys_named {
            &columns[key_columns..]
        } else {
            columns
        };
        let mut file_columns: Vec<usize> = (0..key_columns).collect();
        for name in listed {
            let Some(index) = fields[key_columns..]
                .iter()
                .position(|f| f.name.eq_ignore_ascii_case(name))
                .map(|i| i + key_columns)
            else {
                return Err(error(name, ColumnListProblem::NoSuchColumn));
            };
            if file_columns.contains(&index) {
                return Err(error(name, ColumnListProblem::Duplicate));
            }
            file_columns.push(index);
        }
        if let Some(pk) = primary_key
            && !file_columns.contains(&pk)
        {
            return Err(error(
                &fields[pk].name,
                ColumnListProblem::MissingPrimaryKey,
            ));
        }
        let mut source_of = vec![None; fields.len()];
        for (file_index, &table_index) in file_columns.iter().enumerate() {
            source_of[table_index] = Some(file_index);
        }
        let file = Schema::new(
            file_columns
                .iter()
                .map(|&i| Field::new(fields[i].name.clone(), fields[i].data_type))
                .collect(),
        );
        Ok(ColumnList {
            file: Arc::new(file),
            source_of,
        })
    }

    /// The schema the file is read with.
    pub(crate) fn file_schema(&self) -> &Arc<Schema> {
        &self.file
    }

    /// Whether the list is the table's columns in table order (nothing to rearrange).
    pub(crate) fn is_identity(&self) -> bool {
        self.source_of.len() == self.file.len()
            && self
                .source_of
                .iter()
                .enumerate()
                .all(|(i, s)| *s == Some(i))
    }

    /// The 1-based file column of 1-based table column `column`, for a reject's position.
    fn file_column(&self, column: Option<usize>) -> Option<usize> {
        let table_index = column?.checked_sub(1)?;
        self.source_of
            .get(table_index)
            .copied()
            .flatten()
            .map(|i| i + 1)
    }
}

/// A sink that takes batches in a column list's file order and hands the table's sink the
/// same rows in table order.
///
/// Memory: one batch of the table's schema, at most as many rows and bytes as the largest
/// batch the driver hands it, reused from batch to batch.
pub(crate) struct MappedSink<'s> {
    inner: Box<dyn BatchSink + 's>,
    list: ColumnList,
    table_schema: Arc<Schema>,
    /// The rearranged rows of the current batch; `None` until `begin`.
    out: Option<Batch>,
}

impl<'s> MappedSink<'s> {
    /// A sink rearranging `list`'s file rows into `table_schema` for `inner`.
    pub(crate) fn new(
        inner: Box<dyn BatchSink + 's>,
        list: ColumnList,
        table_schema: Arc<Schema>,
    ) -> Self {
        MappedSink {
            inner,
            list,
            table_schema,
            out: None,
        }
    }
}

impl BatchSink for MappedSink<'_> {
    fn begin(&mut self, ctx: &SinkContext) -> Result<Option<ResumePoint>, SinkError> {
        let mut inner_ctx = ctx.clone();
        inner_ctx.schema = self.table_schema.clone();
        self.out = Some(Batch::new(
            self.table_schema.clone(),
            ctx.max_batch_rows.min(1 << 12),
            1 << 16,
        ));
        self.inner.begin(&inner_ctx)
    }

    fn write(&mut self, batch: &Batch, rejects: &mut Vec<SinkReject>) -> Result<(), SinkError> {
        let out = self
            .out
            .as_mut()
            .expect("invariant: the driver calls begin before write");
        out.clear();
        out.set_source(batch.source().cloned());
        out.set_seq(batch.seq());
        let mut row: Vec<Value<'_>> = Vec::with_capacity(self.list.source_of.len());
        for r in 0..batch.num_rows() {
            row.clear();
            row.extend(
                self.list
                    .source_of
                    .iter()
                    .map(|s| s.map_or(Value::Null, |c| batch.value(r, c))),
            );
            out.push_row(&row, batch.line(r), batch.byte_offset(r))?;
        }
        self.inner.write(out, rejects)?;
        for reject in rejects.iter_mut() {
            reject.column = self.list.file_column(reject.column);
        }
        Ok(())
    }

    fn checkpoint(&mut self, resume: &ResumePoint) -> Result<(), SinkError> {
        self.inner.checkpoint(resume)
    }

    fn finish(
        &mut self,
        on_reject: &mut dyn FnMut(LateReject) -> ControlFlow<()>,
    ) -> Result<(), SinkError> {
        let list = &self.list;
        self.inner.finish(&mut |mut reject: LateReject| {
            reject.column = list.file_column(reject.column);
            on_reject(reject)
        })
    }

    fn commit(&mut self) -> Result<(), SinkError> {
        self.inner.commit()
    }

    fn abort(&mut self) -> Result<(), SinkError> {
        self.inner.abort()
    }
}

#[cfg(test)]
mod tests {
    use ruzu_csv::DataType;

    use super::*;

    fn person() -> Schema {
        Schema::new(vec![
            Field::new("id", DataType::Int64),
            Field::new("name", DataType::String),
            Field::new("age", DataType::Int32),
        ])
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_reordered_subset_reads_in_list_order_and_leaves_the_rest_null() {
        let list =
            ColumnList::resolve("P", &person(), 0, Some(0), &names(&["NAME", "id"])).expect("ok");
        let file: Vec<&str> = list.file.fields().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(file, ["name", "id"]);
        assert_eq!(list.source_of, [Some(1), Some(0), None]);
        assert!(!list.is_identity());
        assert_eq!(list.file_column(Some(1)), Some(2));
        assert_eq!(list.file_column(Some(3)), None);
    }

    #[test]
    fn the_full_list_in_order_is_the_identity() {
        let list = ColumnList::resolve("P", &person(), 0, Some(0), &names(&["id", "name", "age"]))
            .expect("ok");
        assert!(list.is_identity());
    }

    #[test]
    fn unknown_repeated_and_keyless_lists_are_refused_by_name() {
        for (list, column, problem) in [
            (&["id", "nme"][..], "nme", ColumnListProblem::NoSuchColumn),
            (
                &["id", "name", "ID"][..],
                "ID",
                ColumnListProblem::Duplicate,
            ),
            (&["name"][..], "id", ColumnListProblem::MissingPrimaryKey),
        ] {
            match ColumnList::resolve("P", &person(), 0, Some(0), &names(list)) {
                Err(Error::ColumnList {
                    column: c,
                    problem: p,
                    ..
                }) => assert_eq!((c.as_str(), p), (column, problem)),
                other => panic!("{list:?}: expected a column list error, got {other:?}"),
            }
        }
    }

    #[test]
    fn a_rel_list_names_properties_after_the_implied_endpoints() {
        let rel = Schema::new(vec![
            Field::new("from", DataType::Int64),
            Field::new("to", DataType::Int64),
            Field::new("since", DataType::Date),
            Field::new("weight", DataType::Double),
        ]);
        let list = ColumnList::resolve("K", &rel, 2, None, &names(&["weight"])).expect("ok");
        assert_eq!(list.source_of, [Some(0), Some(1), None, Some(2)]);
        let explicit =
            ColumnList::resolve("K", &rel, 2, None, &names(&["from", "to", "weight"])).expect("ok");
        assert_eq!(explicit.source_of, list.source_of);
    }
}
