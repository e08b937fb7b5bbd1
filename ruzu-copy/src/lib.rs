//! The `COPY` statement, the [`BatchSink`] contract between import and storage, and the
//! streaming import driver with its memory budget, progress and error policy.
//!
//! `ruzu-copy` parses `COPY <table> FROM '<file>' (<options>)` with Kùzu's syntax and option
//! names ([`parse`]), reads the input through `ruzu-csv` in bounded memory and pushes batches
//! into a [`BatchSink`], applying the error policy (abort on the first bad row, or
//! `IGNORE_ERRORS`) and the atomicity mode (rollback-all or continue-partial). It knows
//! nothing about pages or indexes: `ruzu-storage` implements the sink.
//!
//! Feature `testing` ships the sink contract kit: proptest strategies, an in-memory reference
//! sink and a checker that drives any sink against a plain model.
//!
//! # Example
//!
//! ```
//! use ruzu_copy::{parse, Atomicity, Statement};
//!
//! let statement = parse("COPY Person FROM ['p1.csv', 'p2.csv.gz'] (HEADER=true, COMMIT_EVERY=100000)")?;
//! let Statement::CopyFrom(copy) = statement else { panic!("an import") };
//! assert_eq!(copy.paths.len(), 2);
//! assert_eq!(copy.options.atomicity, Atomicity::ContinuePartial { commit_every_rows: 100_000 });
//! # Ok::<(), ruzu_copy::CopyError>(())
//! ```

mod budget;
mod driver;
mod error;
mod options;
mod output;
mod progress;
mod rejects;
mod report;
mod sink;
mod statement;
#[cfg(feature = "testing")]
pub mod testing;

pub use budget::{BudgetPlan, MAX_DECODER_THREADS, MemoryAccount};
pub use driver::{CancelToken, Import, Input, ProgressFn, expand_paths};
pub use error::{CopyError, Result, ResumeChange, SinkCall};
pub use options::{
    Atomicity, CopyOptions, DEFAULT_COMMIT_EVERY_ROWS, DEFAULT_MEMORY_LIMIT_BYTES,
    DEFAULT_PROGRESS_EVERY_ROWS, MIN_MEMORY_LIMIT_BYTES,
};
pub use output::{OutputDone, OutputFile, PathRole, ProtectedPaths};
pub use progress::{Phase, Progress};
pub use rejects::{DEFAULT_MAX_REJECTS_KEPT, REJECTS_FILE_HEADER, RejectReason, Rejection};
pub use report::CopyReport;
pub use sink::{
    BatchSink, InputStamp, LateReject, LocalSink, Prepared, ResumePoint, SinkContext, SinkError,
    SinkReject, SinkRejectKind,
};
pub use statement::{
    ColumnSpec, CopyFrom, CopyTo, CreateNodeTable, CreateRelTable, Ddl, DropTable, Literal,
    ScriptStatement, Statement, ends_statement, parse, parse_ddl, split_script,
};
