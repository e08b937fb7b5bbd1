//! Owned rows: what a model or a test keeps of a batch after it was recycled
//! ([`OwnedValue`] lives in `ruzu-csv`).

pub use ruzu_csv::OwnedValue;
use ruzu_csv::{Batch, CsvError, Value};

/// One row of owned values, in schema order.
pub type OwnedRow = Vec<OwnedValue>;

/// Copies row `row` of `batch`.
pub fn batch_row(batch: &Batch, row: usize) -> OwnedRow {
    (0..batch.schema().len())
        .map(|c| OwnedValue::from_value(batch.value(row, c)))
        .collect()
}

/// Copies every row of `batch`.
pub fn batch_rows(batch: &Batch) -> Vec<OwnedRow> {
    (0..batch.num_rows()).map(|r| batch_row(batch, r)).collect()
}

/// Appends an owned row to `batch` at input `line` and `byte`.
///
/// # Errors
///
/// The row does not match the batch's schema.
pub fn push_owned_row(
    batch: &mut Batch,
    row: &[OwnedValue],
    line: u64,
    byte: u64,
) -> Result<(), CsvError> {
    let values: Vec<Value<'_>> = row.iter().map(OwnedValue::as_value).collect();
    batch.push_row(&values, line, byte)
}
