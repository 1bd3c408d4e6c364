//! Groth16 backend benchmarks (in progress).
fn main() {}
