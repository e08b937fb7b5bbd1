//! Deterministic benchmark data generator and the benchmark harness of ruzu.
