//! Gadget synthesis throughput: constraints per second of each gadget family,
//! named `gadgets/<gadget>/<bits>bit/<elements>`.
use ark_relations::gr1cs::ConstraintSystem;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use zkinfer_gadgets::activation::Relu;
use zkinfer_gadgets::linear::{DotPrivate, MatMulFixed};
use zkinfer_gadgets::nonlinear::{Sigmoid, Softmax};
use zkinfer_gadgets::pool::{ArgMax, MaxReduce};
use zkinfer_gadgets::poseidon::PoseidonCommit;
use zkinfer_gadgets::range::RangeCheck;
use zkinfer_gadgets::rescale::{FusedRescaleRelu, Rescale};
use zkinfer_gadgets::{Fr, Gadget, Wire};

fn bench_gadget<G: Gadget<Fr>>(c: &mut Criterion, name: &str, bits: u32, gadget: G) {
    let elements = gadget.input_len();
    let constraints = gadget.cost().constraints.max(1) as u64;
    let inputs: Vec<i128> = (0..elements)
        .map(|i| {
            let (lo, hi) = gadget.input_range(i);
            lo + (i as i128 * 7919) % (hi - lo + 1)
        })
        .collect();
    let mut group = c.benchmark_group("gadgets");
    group.throughput(Throughput::Elements(constraints));
    group.sample_size(10);
    group.bench_function(
        BenchmarkId::new(name, format!("{bits}bit/{elements}")),
        |b| {
            b.iter(|| {
                let cs = ConstraintSystem::<Fr>::new_ref();
                let wires: Vec<Wire<Fr>> = inputs
                    .iter()
                    .map(|&v| Wire::witness(&cs, "input", Some(v)).unwrap())
                    .collect();
                gadget.apply(cs.clone(), &wires).unwrap();
                cs.num_constraints()
            })
        },
    );
    group.finish();
}

fn gadgets(c: &mut Criterion) {
    bench_gadget(
        c,
        "range_check",
        16,
        RangeCheck {
            bits: 16,
            len: 1024,
        },
    );
    bench_gadget(
        c,
        "relu",
        16,
        Relu {
            bits: 16,
            len: 1024,
        },
    );
    bench_gadget(
        c,
        "rescale",
        32,
        Rescale {
            in_bits: 32,
            shift: 16,
            len: 1024,
        },
    );
    bench_gadget(
        c,
        "rescale_relu",
        32,
        FusedRescaleRelu {
            in_bits: 32,
            shift: 16,
            len: 1024,
        },
    );
    bench_gadget(
        c,
        "dot_private",
        16,
        DotPrivate {
            len: 1024,
            bits: 16,
        },
    );
    bench_gadget(
        c,
        "matmul_fixed",
        16,
        MatMulFixed {
            rows: 16,
            inner: 64,
            cols: 16,
            weights: (0..64 * 16).map(|i| (i % 13) - 6).collect(),
            bias: None,
            bits: 16,
        },
    );
    bench_gadget(
        c,
        "max_reduce",
        16,
        MaxReduce {
            bits: 16,
            len: 1024,
        },
    );
    bench_gadget(c, "argmax", 16, ArgMax { bits: 16, len: 64 });
    bench_gadget(
        c,
        "sigmoid",
        12,
        Sigmoid {
            bits: 12,
            s_in: 8,
            s_out: 8,
            len: 64,
        },
    );
    bench_gadget(
        c,
        "softmax",
        12,
        Softmax {
            bits: 12,
            s_in: 8,
            s_out: 8,
            len: 64,
        },
    );
    bench_gadget(
        c,
        "poseidon",
        16,
        PoseidonCommit {
            bits: 16,
            len: 1024,
            range_check: true,
        },
    );
}

criterion_group!(benches, gadgets);
criterion_main!(benches);
