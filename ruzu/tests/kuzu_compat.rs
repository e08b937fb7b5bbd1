//! Kùzu scripts run through ruzu: each case is a script as a Kùzu user writes it, the files
//! it reads, and what ruzu must do with it — the rows Kùzu would import (checked by an export
//! of the table), or, where ruzu deliberately differs (a row of the differences table in
//! `docs/copy.md`), the exact kind of error that says what to write instead.
//!
//! `{dir}` in a script stands for the directory holding the case's files.

use ruzu::{ColumnListProblem, Config, DataType, Database, Error};
use ruzu_copy::CopyError;
use ruzu_storage::StorageError;

/// What running a case's script must give.
#[derive(Debug)]
enum Expect {
    /// The script runs; each table has this many rows.
    Rows(&'static [(&'static str, u64)]),
    /// The script runs and its `COPY ... TO '{dir}/<file>'` writes exactly this text.
    Export(&'static str, &'static str),
    /// [`CopyError::Unsupported`] whose feature contains this text.
    Unsupported(&'static str),
    /// [`StorageError::InvalidPrimaryKey`] for a key of this type.
    InvalidPrimaryKey(DataType),
    /// [`Error::ColumnList`] about this column.
    ColumnList(&'static str, ColumnListProblem),
    /// [`CopyError::InvalidOption`] for this option (as written) whose reason contains the
    /// text.
    InvalidOption(&'static str, &'static str),
}

/// One Kùzu script and its expected outcome in ruzu.
struct Case {
    /// What the case checks.
    name: &'static str,
    /// Files written into `{dir}` before the script runs.
    files: &'static [(&'static str, &'static str)],
    /// The script, with `{dir}` for the files' directory.
    script: &'static str,
    /// What ruzu must do.
    expect: Expect,
}

const PERSON_CSV: (&str, &str) = ("p.csv", "id,name\n1,Ann\n2,Bob\n3,Cid\n");

const CASES: &[Case] = &[
    // Item 9: Kùzu's rule for DELIM, QUOTE and ESCAPE (`bindParsingOptionValue`).
    Case {
        name: "delim_backslash_t_is_a_tab",
        files: &[("p.tsv", "id\tname\n1\tAnn\n2\tBob\n")],
        script: r"CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                  COPY P FROM '{dir}/p.tsv' (HEADER=true, DELIM='\\t');
                  COPY P TO '{dir}/out.csv';",
        expect: Expect::Export("out.csv", "id,name\n1,Ann\n2,Bob\n"),
    },
    Case {
        name: "delim_tab_escape_is_a_tab",
        files: &[("p.tsv", "id\tname\n1\tAnn\n")],
        script: r"CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                  COPY P FROM '{dir}/p.tsv' (HEADER=true, DELIM='\t');",
        expect: Expect::Rows(&[("P", 1)]),
    },
    Case {
        name: "delim_backslash_pipe_is_a_pipe",
        files: &[("p.csv", "id|name\n1|Ann\n2|Bob\n")],
        script: r"CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                  COPY P FROM '{dir}/p.csv' (HEADER=true, DELIM='\\|');
                  COPY P TO '{dir}/out.csv' (DELIM='\\|');",
        expect: Expect::Export("out.csv", "id|name\n1|Ann\n2|Bob\n"),
    },
    Case {
        name: "quote_and_escape_take_the_backslash_form",
        files: &[("p.csv", "id,name\n1,'A\\'nn'\n")],
        script: r"CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                  COPY P FROM '{dir}/p.csv' (HEADER=true, QUOTE='\\\'', ESCAPE='\\\\');
                  COPY P TO '{dir}/out.csv';",
        expect: Expect::Export("out.csv", "id,name\n1,A'nn\n"),
    },
    Case {
        name: "delim_of_two_characters_is_refused",
        files: &[PERSON_CSV],
        script: r"CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                  COPY P FROM '{dir}/p.csv' (HEADER=true, DELIM='ab');",
        expect: Expect::InvalidOption("DELIM", r#""ab""#),
    },
    Case {
        name: "delim_backslash_and_two_characters_is_refused",
        files: &[PERSON_CSV],
        script: r"CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                  COPY P FROM '{dir}/p.csv' (HEADER=true, delimiter='\\ab');",
        expect: Expect::InvalidOption("delimiter", r#""\\ab""#),
    },
    // Item 6: DEFAULT values.
    Case {
        name: "column_default_is_refused_naming_the_clause",
        files: &[],
        script: "CREATE NODE TABLE P(id INT64 PRIMARY KEY, name STRING DEFAULT 'anon');",
        expect: Expect::Unsupported("column DEFAULT values (name)"),
    },
    // Item 5: rel multiplicities.
    Case {
        name: "many_one_is_refused_naming_the_clause",
        files: &[],
        script: "CREATE NODE TABLE P(id INT64 PRIMARY KEY);
                 CREATE REL TABLE Owns(FROM P TO P, since DATE, MANY_ONE);",
        expect: Expect::Unsupported("rel multiplicity MANY_ONE"),
    },
    Case {
        name: "one_one_is_refused_naming_the_clause",
        files: &[],
        script: "CREATE NODE TABLE P(id INT64 PRIMARY KEY);
                 CREATE REL TABLE Married(FROM P TO P, ONE_ONE);",
        expect: Expect::Unsupported("rel multiplicity ONE_ONE"),
    },
    Case {
        name: "many_many_is_kuzus_default_and_accepted",
        files: &[PERSON_CSV, ("k.csv", "1,2\n1,3\n2,3\n")],
        script: "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                 CREATE REL TABLE K(FROM P TO P, MANY_MANY);
                 COPY P FROM '{dir}/p.csv' (HEADER=true);
                 COPY K FROM '{dir}/k.csv';",
        expect: Expect::Rows(&[("P", 3), ("K", 3)]),
    },
    // Item 1, kept: IF NOT EXISTS and DROP TABLE IF EXISTS.
    Case {
        name: "if_not_exists_and_drop_if_exists_run",
        files: &[PERSON_CSV],
        script: "DROP TABLE IF EXISTS P;
                 CREATE NODE TABLE IF NOT EXISTS P(id INT64, name STRING, PRIMARY KEY(id));
                 CREATE NODE TABLE IF NOT EXISTS P(id INT64, name STRING, PRIMARY KEY(id));
                 COPY P FROM '{dir}/p.csv' (HEADER=true);",
        expect: Expect::Rows(&[("P", 3)]),
    },
    // Item 13, kept: backticked names with comment marks and semicolons.
    Case {
        name: "backticked_names_with_comment_marks",
        files: &[PERSON_CSV],
        script: "CREATE NODE TABLE `a--b;c//d`(id INT64, name STRING, PRIMARY KEY(id));
                 COPY `a--b;c//d` FROM '{dir}/p.csv' (HEADER=true);",
        expect: Expect::Rows(&[("a--b;c//d", 3)]),
    },
    // Item 7: a NULL_STRINGS list replaces the default `['']`.
    Case {
        name: "null_strings_without_the_empty_text_keep_empty_strings",
        files: &[("p.csv", "id,name,age\n1,,\\N\n2,\\N,\n")],
        script: r"CREATE NODE TABLE P(id INT64, name STRING, age INT64, PRIMARY KEY(id));
                  COPY P FROM '{dir}/p.csv' (HEADER=true, NULL_STRINGS=['\\N']);
                  COPY P TO '{dir}/out.csv';",
        expect: Expect::Export("out.csv", "id,name,age\n1,\"\",\n2,,\n"),
    },
    Case {
        name: "null_strings_with_the_empty_text_keep_it_null",
        files: &[("p.csv", "id,name\n1,\n2,\\N\n")],
        script: r"CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                  COPY P FROM '{dir}/p.csv' (HEADER=true, NULL_STRINGS=['\\N', '']);
                  COPY P TO '{dir}/out.csv';",
        expect: Expect::Export("out.csv", "id,name\n1,\n2,\n"),
    },
    // Item 10: ALTER TABLE.
    Case {
        name: "alter_table_add_is_refused_naming_the_statement",
        files: &[],
        script: "CREATE NODE TABLE P(id INT64 PRIMARY KEY);
                 ALTER TABLE P ADD age INT64 DEFAULT 0;",
        expect: Expect::Unsupported("ALTER TABLE"),
    },
    // Item 11: primary key types.
    Case {
        name: "double_primary_key_is_refused_naming_the_type",
        files: &[],
        script: "CREATE NODE TABLE P(score DOUBLE PRIMARY KEY);",
        expect: Expect::InvalidPrimaryKey(DataType::Double),
    },
    Case {
        name: "blob_primary_key_is_refused_naming_the_type",
        files: &[],
        script: "CREATE NODE TABLE P(b BLOB, PRIMARY KEY(b));",
        expect: Expect::InvalidPrimaryKey(DataType::Blob),
    },
    // Item 4: SERIAL.
    Case {
        name: "serial_is_refused_naming_the_type",
        files: &[],
        script: "CREATE NODE TABLE P(id SERIAL, name STRING, PRIMARY KEY(id));",
        expect: Expect::Unsupported("type SERIAL"),
    },
    // Item 8: COPY column lists in any order, naming any subset.
    Case {
        name: "column_list_in_another_order",
        files: &[("p.csv", "name,id\nAnn,1\nBob,2\n")],
        script: "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                 COPY P(name, id) FROM '{dir}/p.csv' (HEADER=true);
                 COPY P TO '{dir}/out.csv';",
        expect: Expect::Export("out.csv", "id,name\n1,Ann\n2,Bob\n"),
    },
    Case {
        name: "column_list_subset_leaves_the_rest_null",
        files: &[("p.csv", "30,1\n40,2\n")],
        script: "CREATE NODE TABLE P(id INT64, name STRING, age INT64, PRIMARY KEY(id));
                 COPY P(AGE, id) FROM '{dir}/p.csv';
                 COPY P TO '{dir}/out.csv';",
        expect: Expect::Export("out.csv", "id,name,age\n1,,30\n2,,40\n"),
    },
    Case {
        name: "column_list_in_table_order_imports_as_without_one",
        files: &[PERSON_CSV],
        script: "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                 COPY P(id, name) FROM '{dir}/p.csv' (HEADER=true);",
        expect: Expect::Rows(&[("P", 3)]),
    },
    Case {
        name: "column_list_duplicate_key_names_the_file_column",
        files: &[("p.csv", "Ann,1\nBob,1\n")],
        script: "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                 COPY P(name, id) FROM '{dir}/p.csv' (IGNORE_ERRORS=true);",
        expect: Expect::Rows(&[("P", 1)]),
    },
    Case {
        name: "column_list_without_the_primary_key_is_refused",
        files: &[PERSON_CSV],
        script: "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                 COPY P(name) FROM '{dir}/p.csv' (HEADER=true);",
        expect: Expect::ColumnList("id", ColumnListProblem::MissingPrimaryKey),
    },
    Case {
        name: "column_list_with_an_unknown_column_is_refused",
        files: &[PERSON_CSV],
        script: "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                 COPY P(id, nam) FROM '{dir}/p.csv' (HEADER=true);",
        expect: Expect::ColumnList("nam", ColumnListProblem::NoSuchColumn),
    },
    Case {
        name: "rel_column_list_names_properties_after_the_endpoints",
        files: &[PERSON_CSV, ("k.csv", "1,2,0.5\n2,3,1.5\n")],
        script: "CREATE NODE TABLE P(id INT64, name STRING, PRIMARY KEY(id));
                 CREATE REL TABLE K(FROM P TO P, since DATE, weight DOUBLE);
                 COPY P FROM '{dir}/p.csv' (HEADER=true);
                 COPY K(weight) FROM '{dir}/k.csv';
                 COPY K TO '{dir}/out.csv';",
        expect: Expect::Export("out.csv", "from,to,since,weight\n1,2,,0.5\n2,3,,1.5\n"),
    },
];

/// Runs one case in a fresh database; `Err` says how the outcome differs from the expected.
fn run(case: &Case) -> Result<(), String> {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in case.files {
        std::fs::write(dir.path().join(name), text).expect("write the case's file");
    }
    let script = case
        .script
        .replace("{dir}", &dir.path().display().to_string());
    let mut db = Database::open(dir.path().join("db"), Config::default()).expect("open");
    let outcome = db.connect().execute(&script);
    match (&case.expect, outcome) {
        (Expect::Rows(tables), Ok(_)) => {
            for (table, rows) in *tables {
                let found = db.connect().row_count(table).map_err(|e| e.to_string())?;
                if found != Some(*rows) {
                    return Err(format!("table {table}: {found:?} rows, expected {rows}"));
                }
            }
            Ok(())
        }
        (Expect::Export(file, text), Ok(_)) => {
            let found = std::fs::read_to_string(dir.path().join(file))
                .map_err(|e| format!("{file}: {e}"))?;
            if found == *text {
                Ok(())
            } else {
                Err(format!("{file} holds {found:?}, expected {text:?}"))
            }
        }
        (Expect::Unsupported(text), Err(Error::Copy(CopyError::Unsupported { feature, .. })))
            if feature.contains(text) =>
        {
            Ok(())
        }
        (
            Expect::InvalidOption(name, text),
            Err(Error::Copy(CopyError::InvalidOption { option, reason, .. })),
        ) if option == *name && reason.contains(text) => Ok(()),
        (
            Expect::ColumnList(name, expected),
            Err(Error::ColumnList {
                column, problem, ..
            }),
        ) if column == *name && problem == *expected => Ok(()),
        (
            Expect::InvalidPrimaryKey(expected),
            Err(Error::Storage(StorageError::InvalidPrimaryKey { data_type, .. })),
        ) if data_type == *expected => Ok(()),
        (expect, Ok(results)) => Err(format!("ran ({results:?}), expected {expect:?}")),
        (expect, Err(e)) => Err(format!("failed with {e} ({e:?}), expected {expect:?}")),
    }
}

#[test]
fn kuzu_scripts_behave_as_documented() {
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|case| run(case).err().map(|e| format!("{}: {e}", case.name)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn case_names_are_unique() {
    let mut names: Vec<&str> = CASES.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), CASES.len());
}
