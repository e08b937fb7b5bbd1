//! The yardstick: `arrow-csv` decoding a benchmark file into typed record batches on the
//! calling thread (one core), the rate every import is compared with.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use arrow_csv::ReaderBuilder;
use ruzu_csv::Schema;

use crate::error::{BenchError, Result};
use crate::measure::Timer;

/// Rows per record batch arrow-csv decodes (its default batch size).
pub const ARROW_BATCH_ROWS: usize = 8192;
/// Bytes of the buffered reader arrow-csv reads through.
const READ_BUFFER_BYTES: usize = 1 << 20;

/// What one arrow-csv decode of a file did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ArrowDecode {
    /// Data rows decoded (the header excluded).
    pub rows: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// Wall time from opening the file to the last batch.
    pub elapsed: Duration,
}

/// Decodes the CSV file `path` (with a header line) with arrow-csv into record batches of
/// `schema`'s Arrow types ([`Schema::to_arrow`]) on this thread, dropping each batch, and
/// returns the rows and the time taken.
///
/// # Errors
///
/// [`BenchError::Io`] when the file cannot be opened, [`BenchError::Arrow`] when arrow-csv
/// refuses the schema or a row.
pub fn arrow_decode_file(path: &Path, schema: &Schema) -> Result<ArrowDecode> {
    let timer = Timer::start();
    let io_err = |source| BenchError::Io {
        path: path.to_owned(),
        source,
    };
    let file = File::open(path).map_err(io_err)?;
    let bytes = file.metadata().map_err(io_err)?.len();
    let arrow_err = |source| BenchError::Arrow {
        path: path.to_owned(),
        source,
    };
    let reader = ReaderBuilder::new(Arc::new(schema.to_arrow()))
        .with_header(true)
        .with_batch_size(ARROW_BATCH_ROWS)
        .build_buffered(BufReader::with_capacity(READ_BUFFER_BYTES, file))
        .map_err(arrow_err)?;
    let mut rows = 0u64;
    for batch in reader {
        rows += batch.map_err(arrow_err)?.num_rows() as u64;
    }
    Ok(ArrowDecode {
        rows,
        bytes,
        elapsed: timer.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{PersonReader, person_schema};
    use std::io::Read;

    #[test]
    fn decodes_every_generated_person_row() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("person.csv");
        let mut csv = Vec::new();
        PersonReader::new(3, 1000)
            .read_to_end(&mut csv)
            .expect("generated");
        std::fs::write(&path, &csv).expect("written");
        let decoded = arrow_decode_file(&path, &person_schema()).expect("decodes");
        assert_eq!(decoded.rows, 1000);
        assert_eq!(decoded.bytes, csv.len() as u64);
    }

    #[test]
    fn a_bad_value_is_an_arrow_error_naming_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("bad.csv");
        let mut csv = Vec::new();
        PersonReader::new(3, 2)
            .read_to_end(&mut csv)
            .expect("generated");
        csv.extend_from_slice(
            b"not-a-number,a,b,male,2000-01-01,2020-01-01 00:00:00,1.2.3.4,x,y,1.0,z\n",
        );
        std::fs::write(&path, &csv).expect("written");
        let err = arrow_decode_file(&path, &person_schema()).expect_err("bad id");
        assert!(matches!(err, BenchError::Arrow { .. }), "{err}");
        assert!(
            err.to_string().starts_with(&path.display().to_string()),
            "{err}"
        );
    }
}
