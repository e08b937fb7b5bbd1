//! Measuring a run: wall time, peak resident set size, and resident set size over time.
//!
//! Peak RSS is what `/usr/bin/time -v` calls "Maximum resident set size": the kernel's
//! high-water mark, from `getrusage` for this process and `wait4` for a child.

mod run;
mod rusage;
mod sampler;
mod timer;

pub use run::{MeasuredRun, run_measured};
pub use rusage::{ChildUsage, cpu_seconds_self, peak_rss_self_bytes, wait_child};
pub use sampler::{DEFAULT_SAMPLE_INTERVAL, RssSample, RssSampler, parse_status_kib, rss_bytes};
pub use timer::{Timer, mb_per_s};
