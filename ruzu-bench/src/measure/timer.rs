//! Wall-clock timing and throughput.

use std::time::{Duration, Instant};

/// A started stopwatch.
#[derive(Debug, Clone, Copy)]
pub struct Timer {
    start: Instant,
}

impl Timer {
    /// Starts timing now.
    pub fn start() -> Self {
        Self {
            start: Instant::now(),
        }
    }

    /// Time since [`Timer::start`].
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// Megabytes (10^6 bytes) per second for `bytes` done since the start.
    pub fn mb_per_s(&self, bytes: u64) -> f64 {
        mb_per_s(bytes, self.elapsed())
    }
}

/// Megabytes (10^6 bytes) per second for `bytes` in `elapsed`; infinite for a zero duration.
pub fn mb_per_s(bytes: u64, elapsed: Duration) -> f64 {
    bytes as f64 / 1e6 / elapsed.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throughput_is_megabytes_per_second() {
        assert_eq!(mb_per_s(300_000_000, Duration::from_secs(2)), 150.0);
        assert_eq!(mb_per_s(1_000_000, Duration::from_millis(500)), 2.0);
    }

    #[test]
    fn timer_moves_forward() {
        let t = Timer::start();
        let a = t.elapsed();
        let b = t.elapsed();
        assert!(b >= a);
    }
}
