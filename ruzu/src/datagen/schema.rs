//! The tables of the benchmark shapes (docs/bench-data.md): their DDL and the schemas of the CSV
//! files the generator writes, one definition for the demo, the benchmarks and the tests.

use std::sync::Arc;

use ruzu_csv::{DataType, Field, Schema};

/// The node table of `person.csv`.
pub const PERSON_DDL: &str = "CREATE NODE TABLE Person(id INT64, first_name STRING, \
    last_name STRING, gender STRING, birthday DATE, creation_date TIMESTAMP, \
    location_ip STRING, browser STRING, email STRING, score DOUBLE, bio STRING, \
    PRIMARY KEY(id))";

/// The rel table of `knows.csv`, between the persons of [`PERSON_DDL`].
pub const KNOWS_DDL: &str = "CREATE REL TABLE Knows(FROM Person TO Person, \
    creation_date TIMESTAMP, weight DOUBLE, tag STRING)";

/// The schema of `person.csv`, `id` first.
pub fn person_schema() -> Arc<Schema> {
    let text = |name| Field::new(name, DataType::String);
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64),
        text("first_name"),
        text("last_name"),
        text("gender"),
        Field::new("birthday", DataType::Date),
        Field::new("creation_date", DataType::Timestamp),
        text("location_ip"),
        text("browser"),
        text("email"),
        Field::new("score", DataType::Double),
        text("bio"),
    ]))
}

/// The schema of `knows.csv`: the two endpoint keys, then the properties.
pub fn knows_schema() -> Arc<Schema> {
    Arc::new(Schema::new(vec![
        Field::new("from", DataType::Int64),
        Field::new("to", DataType::Int64),
        Field::new("creation_date", DataType::Timestamp),
        Field::new("weight", DataType::Double),
        Field::new("tag", DataType::String),
    ]))
}
