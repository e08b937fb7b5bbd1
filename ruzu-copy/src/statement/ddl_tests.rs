use ruzu_csv::DataType;

use super::*;

fn ddl(text: &str) -> Ddl {
    match parse(text) {
        Ok(Statement::Ddl(d)) => d,
        other => panic!("expected DDL for {text:?}, got {other:?}"),
    }
}

fn error_byte(text: &str) -> usize {
    match parse(text) {
        Err(
            CopyError::Syntax { byte, .. }
            | CopyError::UnknownType { byte, .. }
            | CopyError::Unsupported { byte, .. },
        ) => byte,
        other => panic!("expected a syntax error for {text:?}, got {other:?}"),
    }
}

#[test]
fn node_table_with_trailing_primary_key_clause() {
    let Ddl::CreateNodeTable(t) =
        ddl("create node table Person(id INT64, name STRING, PRIMARY KEY(id));")
    else {
        panic!("a node table");
    };
    assert_eq!(t.name, "Person");
    assert!(!t.if_not_exists);
    assert_eq!(
        t.columns,
        [
            ColumnSpec::new("id", DataType::Int64),
            ColumnSpec::new("name", DataType::String)
        ]
    );
    assert_eq!(t.primary_key, "id");
}

#[test]
fn node_table_with_inline_primary_key_backticks_and_aliases() {
    let Ddl::CreateNodeTable(t) =
        ddl("CREATE NODE TABLE `my;table--x`(`the id` BIGINT PRIMARY KEY, t TEXT)")
    else {
        panic!("a node table");
    };
    assert_eq!(t.name, "my;table--x");
    assert_eq!(t.primary_key, "the id");
    assert_eq!(t.columns[1], ColumnSpec::new("t", DataType::String));
}

#[test]
fn rel_table_and_drop() {
    assert_eq!(
        ddl("CREATE REL TABLE Knows(FROM Person TO Person, since DATE)"),
        Ddl::CreateRelTable(CreateRelTable {
            name: "Knows".into(),
            if_not_exists: false,
            from: "Person".into(),
            to: "Person".into(),
            columns: vec![ColumnSpec::new("since", DataType::Date)],
        })
    );
    assert_eq!(
        ddl("DROP TABLE Knows"),
        Ddl::DropTable(DropTable {
            name: "Knows".into(),
            if_exists: false
        })
    );
}

#[test]
fn if_not_exists_and_if_exists_are_flags() {
    let Ddl::CreateNodeTable(t) = ddl("CREATE NODE TABLE IF NOT EXISTS P(id INT64 PRIMARY KEY)")
    else {
        panic!("a node table");
    };
    assert!(t.if_not_exists);
    assert_eq!(t.name, "P");
    let Ddl::CreateRelTable(r) = ddl("create rel table if not exists R(FROM P TO P)") else {
        panic!("a rel table");
    };
    assert!(r.if_not_exists);
    let Ddl::DropTable(d) = ddl("DROP TABLE IF EXISTS R;") else {
        panic!("a drop");
    };
    assert!(d.if_exists);
    assert_eq!(d.name, "R");
}

#[test]
fn comments_inside_a_statement_are_skipped() {
    let Ddl::CreateNodeTable(t) =
        ddl("CREATE NODE TABLE P( -- the key\n id INT64, /* more */ PRIMARY KEY(id)) // end")
    else {
        panic!("a node table");
    };
    assert_eq!(t.columns.len(), 1);
}

#[test]
fn errors_point_at_the_offending_token() {
    let text = "CREATE NODE TABLE P(id INT65, PRIMARY KEY(id))";
    assert_eq!(error_byte(text), text.find("INT65").expect("in text"));
    assert_eq!(error_byte("CREATE NODE TABLE P(id INT64)"), 28);
    assert_eq!(error_byte("CREATE EDGE TABLE X"), 7);
    assert_eq!(error_byte("DROP TABLE"), 10);
    assert_eq!(error_byte("DROP TABLE X Y"), 13);
    assert_eq!(error_byte("CREATE REL TABLE K(FROM A, x INT64)"), 25);
    assert_eq!(
        error_byte("CREATE NODE TABLE P(id INT64 PRIMARY KEY, PRIMARY KEY(id))"),
        42
    );
    assert_eq!(error_byte("DROP TABLE a$"), 12);
    assert_eq!(error_byte("DROP TABLE `x"), 11);
    assert_eq!(error_byte("MATCH (n) RETURN n"), 0);
}

#[test]
fn errors_give_line_and_column() {
    match parse("CREATE NODE TABLE P(\n  id INT64,\n  x INT65,\n  PRIMARY KEY(id))") {
        Err(CopyError::UnknownType {
            name, line, column, ..
        }) => {
            assert_eq!(name, "INT65");
            assert_eq!((line, column), (3, 5));
        }
        other => panic!("expected an unknown type, got {other:?}"),
    }
}

#[test]
fn kuzu_types_ruzu_lacks_are_named_with_what_to_declare() {
    for (ty, feature, hint) in [
        ("INT64[]", "INT64[]", "STRING"),
        ("STRING[3]", "STRING[3]", "STRING"),
        (
            "STRUCT(a INT64, b STRING)",
            "STRUCT(a INT64, b STRING)",
            "STRING",
        ),
        ("MAP(STRING, INT64)", "MAP(STRING, INT64)", "STRING"),
        ("UNION(a INT64, b STRING)", "UNION", "STRING"),
        ("DECIMAL(10, 2)", "DECIMAL(10, 2)", "DOUBLE"),
        ("DECIMAL", "DECIMAL", "DOUBLE"),
        ("TIMESTAMP_TZ", "TIMESTAMP_TZ", "TIMESTAMP"),
        ("TIMESTAMP_NS", "TIMESTAMP_NS", "TIMESTAMP"),
        ("TIMESTAMP_MS", "TIMESTAMP_MS", "TIMESTAMP"),
        ("TIMESTAMP_SEC", "TIMESTAMP_SEC", "TIMESTAMP"),
        ("JSON", "JSON", "STRING"),
        ("SERIAL", "SERIAL", "INT64"),
    ] {
        let text = format!("CREATE NODE TABLE T(id INT64 PRIMARY KEY, v {ty})");
        match parse(&text) {
            Err(CopyError::Unsupported {
                feature: f,
                hint: h,
                byte,
                ..
            }) => {
                assert!(f.contains(feature), "{ty}: {f}");
                assert!(h.contains(hint), "{ty}: {h}");
                assert_eq!(byte, text.find(ty).expect("in text"));
            }
            other => panic!("{ty}: expected unsupported, got {other:?}"),
        }
    }
}

#[test]
fn several_from_to_pairs_are_refused_with_the_alternative() {
    let text = "CREATE REL TABLE R(FROM A TO B, FROM B TO A, n INT64)";
    match parse(text) {
        Err(CopyError::Unsupported {
            feature,
            hint,
            byte,
            ..
        }) => {
            assert!(feature.contains("several FROM/TO pairs"), "{feature}");
            assert!(hint.contains("one rel table per pair"), "{hint}");
            assert_eq!(byte, 32);
        }
        other => panic!("expected unsupported, got {other:?}"),
    }
}

#[test]
fn default_values_are_refused_naming_the_column() {
    let text = "CREATE NODE TABLE P(id INT64 PRIMARY KEY, name STRING DEFAULT 'anon')";
    match parse(text) {
        Err(CopyError::Unsupported { feature, byte, .. }) => {
            assert!(
                feature.contains("DEFAULT") && feature.contains("name"),
                "{feature}"
            );
            assert_eq!(byte, text.find("DEFAULT").expect("in text"));
        }
        other => panic!("expected unsupported, got {other:?}"),
    }
}

#[test]
fn multiplicities_other_than_many_many_are_refused() {
    for m in ["MANY_ONE", "one_many", "ONE_ONE"] {
        let text = format!("CREATE REL TABLE R(FROM A TO B, since DATE, {m})");
        match parse(&text) {
            Err(CopyError::Unsupported { feature, byte, .. }) => {
                assert!(feature.contains(&m.to_ascii_uppercase()), "{feature}");
                assert_eq!(byte, text.find(m).expect("in text"));
            }
            other => panic!("{m}: expected unsupported, got {other:?}"),
        }
    }
    let Ddl::CreateRelTable(r) = ddl("CREATE REL TABLE R(FROM A TO B, MANY_MANY)") else {
        panic!("a rel table");
    };
    assert!(r.columns.is_empty());
    let Ddl::CreateRelTable(r) = ddl("CREATE REL TABLE R(FROM A TO B, many_one INT64)") else {
        panic!("a rel table");
    };
    assert_eq!(r.columns, [ColumnSpec::new("many_one", DataType::Int64)]);
}

#[test]
fn every_csv_type_name_is_accepted() {
    for t in DataType::ALL {
        let text = format!(
            "CREATE NODE TABLE T(k INT64, v {}, PRIMARY KEY(k))",
            t.name()
        );
        let Ddl::CreateNodeTable(table) = ddl(&text) else {
            panic!("a node table");
        };
        assert_eq!(table.columns[1].data_type, t);
    }
}

#[test]
fn parse_ddl_refuses_copy() {
    assert!(matches!(
        parse_ddl("COPY T FROM 'a.csv'"),
        Err(CopyError::Syntax { byte: 0, .. })
    ));
}
