//! Gadget synthesis throughput (placeholder until the gadgets land).
use criterion::{criterion_group, criterion_main, Criterion};

fn gadgets(_c: &mut Criterion) {}

criterion_group!(benches, gadgets);
criterion_main!(benches);
