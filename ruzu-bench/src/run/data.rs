//! The data sets a run imports: generated once into `<data dir>/<name>/`, reused afterwards.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use super::results::Step;
use crate::error::{BenchError, Result};
use crate::{DEFAULT_SEED, KnowsGen, PersonGen, RowSource, Size, write_csv};

/// A named data set: `person.csv` with `persons` rows and `knows.csv` with twice as many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSet {
    /// The name in reports and of its directory, e.g. `100mb`.
    pub name: String,
    /// Rows of `person.csv`.
    pub persons: u64,
}

impl DataSet {
    /// A data set of `persons` rows named `<persons>p` (for quick runs and tests).
    pub fn persons(persons: u64) -> Self {
        Self {
            name: format!("{persons}p"),
            persons,
        }
    }

    /// The directory of this data set under `data_dir`.
    pub fn dir(&self, data_dir: &Path) -> PathBuf {
        data_dir.join(&self.name)
    }

    /// The file of `step` under `data_dir`.
    pub fn file(&self, data_dir: &Path, step: Step) -> PathBuf {
        self.dir(data_dir).join(format!("{}.csv", step.name()))
    }

    /// Makes sure both files exist under `data_dir`, generating the missing ones with the
    /// default seed. Files are written under a temporary name and renamed when complete, so an
    /// existing file is always a whole one. Returns whether anything was generated.
    ///
    /// # Errors
    ///
    /// [`BenchError::Io`] when a directory or file cannot be written.
    pub fn ensure(&self, data_dir: &Path) -> Result<bool> {
        let dir = self.dir(data_dir);
        fs::create_dir_all(&dir).map_err(|source| BenchError::Io {
            path: dir.clone(),
            source,
        })?;
        let mut generated = false;
        for step in Step::ALL {
            let path = self.file(data_dir, step);
            if path.exists() {
                continue;
            }
            let source: Box<dyn RowSource> = match step {
                Step::Person => Box::new(PersonGen::new(DEFAULT_SEED, self.persons)),
                Step::Knows => Box::new(KnowsGen::new(DEFAULT_SEED, self.persons)),
            };
            let tmp = path.with_extension("csv.tmp");
            let io_err = |path: &Path| {
                let path = path.to_owned();
                move |source| BenchError::Io { path, source }
            };
            let mut file = File::create(&tmp).map_err(io_err(&tmp))?;
            write_csv(source.as_ref(), &mut file).map_err(io_err(&tmp))?;
            fs::rename(&tmp, &path).map_err(io_err(&path))?;
            generated = true;
        }
        Ok(generated)
    }
}

impl From<Size> for DataSet {
    fn from(size: Size) -> Self {
        Self {
            name: size.name().to_owned(),
            persons: size.persons(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ensure_generates_once_then_reuses() {
        let dir = tempfile::tempdir().expect("temp dir");
        let set = DataSet::persons(50);
        assert_eq!(set.name, "50p");
        assert!(set.ensure(dir.path()).expect("generates"));
        let person = fs::read_to_string(set.file(dir.path(), Step::Person)).expect("person");
        let knows = fs::read_to_string(set.file(dir.path(), Step::Knows)).expect("knows");
        assert_eq!(person.lines().count(), 51);
        assert_eq!(knows.lines().count(), 101);
        assert!(!set.ensure(dir.path()).expect("reuses"));
        assert_eq!(DataSet::from(Size::Gb1).name, "1gb");
    }
}
