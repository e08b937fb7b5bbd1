//! Decode throughput benchmarks (filled in with the decoder).

fn main() {}
