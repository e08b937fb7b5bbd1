//! The `BatchSink` contract kit (feature `testing`): proptest strategies, a plain in-memory
//! model of a table, an in-memory reference sink, and a checker that drives any sink through
//! a scenario and compares what it stored with the model after every call. Each import of a
//! scenario runs either serially (`write`) or through the sink's parallel phase, every batch
//! prepared ahead by two local sinks on two threads and applied in order (`write_prepared`).
//!
//! `ruzu-copy` runs the checker against [`MemorySink`]; `ruzu-storage` runs it against its node
//! and rel table sinks by implementing [`SinkHarness`] (create a table, hand out sinks, read
//! back the stored rows, crash and recover, inject a failure).
//!
//! ```
//! use proptest::prelude::*;
//! use ruzu_copy::testing::{check_contract, scenario, MemoryHarness, ScenarioConfig};
//!
//! proptest!(|(s in scenario(ScenarioConfig::default()))| {
//!     check_contract(&mut MemoryHarness::default(), &s).map_err(TestCaseError::fail)?;
//! });
//! ```

mod checker;
mod memory_sink;
mod model;
mod strategy;
mod value;

pub use checker::{RowOrder, SinkHarness, check_contract};
pub use memory_sink::{FailPlan, MemoryHarness, MemorySink, MemoryTable};
pub use model::{Endpoints, Model, TableSpec};
pub use strategy::{Scenario, ScenarioConfig, SinkOp, owned_row, scenario, table_spec};
pub use value::{OwnedRow, OwnedValue, batch_row, batch_rows, push_owned_row};
