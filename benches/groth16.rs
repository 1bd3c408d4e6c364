//! Groth16 backend benchmarks: setup, prove and verify on synthetic quantized
//! circuits of 2^12 … 2^18 constraints, with ark-groth16's own `prove` on the
//! same circuit and key in the same run, so the framework's overhead reads as
//! a ratio.
//!
//! Bench names:
//! - `groth16/setup/2^k`: `Groth16Bn254::setup` (one synthesis + key generation);
//! - `groth16/prove/cached_matrices/2^k`: the default prover (witness-only
//!   synthesis, matrices from the proving key, satisfaction check);
//! - `groth16/prove/resynthesize/2^k`: the same backend rebuilding the
//!   matrices per proof;
//! - `ark_groth16/prove/2^k`: raw `ark_groth16::Groth16::prove`
//!   (`create_random_proof_with_reduction`) with the same proving key;
//! - `groth16/verify/prepared_key/2^k`: `Groth16Bn254::verify` with the
//!   prepared key (16 public inputs).
//!
//! Criterion runs benches one after another, so load from other processes
//! on a shared machine shifts one bench against the next. The overhead ratio
//! is therefore also measured *paired*: after the criterion groups of each
//! size, the default prover and raw ark-groth16 alternate
//! `ZKINFER_BENCH_PAIRS` times (default 10, order flipped every pair), and the
//! medians of the per-pair wall-clock and CPU-time ratios are printed as
//! `paired prove 2^k: … ratio cached_matrices / ark_groth16: wall …, cpu …`.
//!
//! Sizes: `ZKINFER_BENCH_MIN_LOG` / `ZKINFER_BENCH_MAX_LOG` (defaults 12 and
//! 18) bound `k`; `ZKINFER_BENCH_SETUP_MAX_LOG` (default: the max) bounds the
//! sizes whose setup is measured, since setup dominates the run time;
//! `ZKINFER_BENCH_DECODE_MAX_LOG` (default 16) bounds the sizes whose
//! proving-key decoding is timed once and printed as
//! `proving key decode 2^k: checked …, local …`.
//!
//! ```text
//! ZKINFER_BENCH_MAX_LOG=14 cargo bench --bench groth16
//! ```

mod support;

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use support::synthetic_circuit::SyntheticQuantizedCircuit;
use zkinfer_backend::{
    ark_std::rand::{rngs::StdRng, SeedableRng},
    ByteEncoding, CircuitKey, ProvingBackend,
};
use zkinfer_groth16::{
    ark_bn254::{Bn254, Fr},
    ark_groth16::Groth16,
    prove_with, Groth16Bn254, Groth16ProvingKey, ProvingStrategy,
};

fn env_number(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn bench_groth16(c: &mut Criterion) {
    let min_log = env_number("ZKINFER_BENCH_MIN_LOG", 12);
    let max_log = env_number("ZKINFER_BENCH_MAX_LOG", 18);
    let setup_max_log = env_number("ZKINFER_BENCH_SETUP_MAX_LOG", max_log);
    let decode_max_log = env_number("ZKINFER_BENCH_DECODE_MAX_LOG", 16);
    let mut rng = StdRng::seed_from_u64(42);

    for log_size in min_log..=max_log {
        let size = format!("2^{log_size}");
        let circuit = SyntheticQuantizedCircuit::<Fr>::new(log_size);

        let started = Instant::now();
        let (pk, vk) = Groth16Bn254::setup(circuit.clone(), &mut rng).expect("setup");
        let setup_once = started.elapsed();
        let (proof, public_inputs) =
            Groth16Bn254::prove(&pk, circuit.clone(), &mut rng).expect("prove");
        assert!(Groth16Bn254::verify(&vk, &public_inputs, &proof).expect("verify"));
        eprintln!(
            "{size}: {} constraints, {} witness variables, {} public inputs; \
             proving key {} bytes, verifying key {} bytes, proof {} bytes; one setup {:.2?}",
            pk.shape().num_constraints,
            pk.shape().num_witness_variables,
            pk.shape().num_public_inputs,
            pk.to_bytes().len(),
            vk.to_bytes().len(),
            proof.to_bytes().len(),
            setup_once,
        );
        debug_assert_eq!(pk.shape().num_constraints, circuit.num_constraints());
        if log_size <= decode_max_log {
            report_key_decoding(&size, &pk);
        }

        let mut group = c.benchmark_group("groth16");
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        if log_size <= setup_max_log {
            group.bench_function(format!("setup/{size}"), |b| {
                b.iter_batched(
                    || circuit.clone(),
                    |circuit| Groth16Bn254::setup(circuit, &mut rng).expect("setup"),
                    BatchSize::LargeInput,
                )
            });
        }
        for (name, strategy) in [
            ("cached_matrices", ProvingStrategy::CachedMatrices),
            ("resynthesize", ProvingStrategy::Resynthesize),
        ] {
            group.bench_function(format!("prove/{name}/{size}"), |b| {
                b.iter_batched(
                    || circuit.clone(),
                    |circuit| prove_with(&pk, circuit, &mut rng, strategy).expect("prove"),
                    BatchSize::LargeInput,
                )
            });
        }
        group.bench_function(format!("verify/prepared_key/{size}"), |b| {
            b.iter(|| Groth16Bn254::verify(&vk, &public_inputs, &proof).expect("verify"))
        });
        group.finish();

        let mut group = c.benchmark_group("ark_groth16");
        group.sample_size(10);
        group.warm_up_time(Duration::from_millis(500));
        group.bench_function(format!("prove/{size}"), |b| {
            b.iter_batched(
                || circuit.clone(),
                |circuit| {
                    Groth16::<Bn254>::create_random_proof_with_reduction(
                        circuit,
                        pk.ark_key(),
                        &mut rng,
                    )
                    .expect("prove")
                },
                BatchSize::LargeInput,
            )
        });
        group.finish();

        paired_prove_ratio(&size, &pk, &circuit, &mut rng);
    }
}

/// Times one decode of the proving key in the checked format (`from_bytes`:
/// compressed, every point validated) and in the local format
/// (`from_local_bytes`: uncompressed, points trusted).
fn report_key_decoding(size: &str, pk: &Groth16ProvingKey<Bn254>) {
    let checked = pk.to_bytes();
    let started = Instant::now();
    Groth16ProvingKey::<Bn254>::from_bytes(&checked).expect("decode checked");
    let checked_time = started.elapsed();
    let local = pk.to_local_bytes();
    let started = Instant::now();
    Groth16ProvingKey::<Bn254>::from_local_bytes(&local).expect("decode local");
    let local_time = started.elapsed();
    eprintln!(
        "proving key decode {size}: checked {checked_time:.2?} ({} bytes), \
         local {local_time:.2?} ({} bytes)",
        checked.len(),
        local.len(),
    );
}

/// Alternates the default prover and raw ark-groth16 on the same circuit and
/// key, and prints medians of their wall-clock times, of the per-pair
/// wall-clock ratio and of the per-pair CPU-time ratio. CPU time (summed over
/// this process's threads) does not count time other processes took from
/// us, so it is the steadier overhead measure on a shared machine.
fn paired_prove_ratio(
    size: &str,
    pk: &Groth16ProvingKey<Bn254>,
    circuit: &SyntheticQuantizedCircuit<Fr>,
    rng: &mut StdRng,
) {
    let pairs = env_number("ZKINFER_BENCH_PAIRS", 10) as usize;
    let mut ours = Vec::with_capacity(pairs);
    let mut raw = Vec::with_capacity(pairs);
    let mut wall_ratios = Vec::with_capacity(pairs);
    let mut cpu_ratios = Vec::with_capacity(pairs);
    for pair in 0..pairs {
        let time_ours = |rng: &mut StdRng| {
            measure(|| {
                Groth16Bn254::prove(pk, circuit.clone(), rng).expect("prove");
            })
        };
        let time_raw = |rng: &mut StdRng| {
            measure(|| {
                Groth16::<Bn254>::create_random_proof_with_reduction(
                    circuit.clone(),
                    pk.ark_key(),
                    rng,
                )
                .expect("prove");
            })
        };
        let (ours_time, raw_time) = if pair % 2 == 0 {
            let ours_time = time_ours(rng);
            (ours_time, time_raw(rng))
        } else {
            let raw_time = time_raw(rng);
            (time_ours(rng), raw_time)
        };
        ours.push(ours_time.wall);
        raw.push(raw_time.wall);
        wall_ratios.push(ours_time.wall / raw_time.wall);
        if let (Some(ours_cpu), Some(raw_cpu)) = (ours_time.cpu, raw_time.cpu) {
            cpu_ratios.push(ours_cpu / raw_cpu);
        }
    }
    let cpu_ratio = if cpu_ratios.is_empty() {
        "n/a".to_owned()
    } else {
        format!("{:.3}", median(&mut cpu_ratios))
    };
    eprintln!(
        "paired prove {size}: cached_matrices {:.2} ms, ark_groth16 {:.2} ms, \
         ratio cached_matrices / ark_groth16: wall {:.3}, cpu {cpu_ratio} \
         (medians of {pairs} pairs)",
        median(&mut ours) * 1e3,
        median(&mut raw) * 1e3,
        median(&mut wall_ratios),
    );
}

/// Wall-clock and process CPU seconds of one run.
struct Measured {
    wall: f64,
    cpu: Option<f64>,
}

fn measure(run: impl FnOnce()) -> Measured {
    let cpu_before = process_cpu_seconds();
    let started = Instant::now();
    run();
    let wall = started.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    Measured { wall, cpu }
}

/// CPU time of all threads of this process (Linux: the first field of each
/// `/proc/self/task/*/schedstat`, in nanoseconds); `None` elsewhere.
fn process_cpu_seconds() -> Option<f64> {
    let mut total_ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let schedstat = std::fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total_ns += schedstat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(total_ns as f64 * 1e-9)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

criterion_group!(benches, bench_groth16);
criterion_main!(benches);
