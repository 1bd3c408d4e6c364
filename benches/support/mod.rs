//! Circuits for the benchmarks.

pub mod synthetic_circuit;
