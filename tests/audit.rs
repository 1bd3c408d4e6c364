//! Whole-model soundness audit.
//!
//! The gadget crate's soundness harness (`zkinfer_gadgets::soundness`) mutates
//! the witness of one gadget at a time. This audit does the same to the
//! *whole* model circuit of the fixtures: `ModelCircuit::for_proving` is
//! synthesized into an ark-relations constraint system with witness labels
//! recorded (`zkinfer_gadgets::scope`), then witness variables are mutated
//! (`+1`, `−1`, a random field element) — every variable of tiny_relu, a
//! sample per label class of the larger models — and public inputs (the
//! claimed outputs, commitments) are nudged. Public inputs stay fixed while
//! witnesses are mutated, so a mutation that keeps the system satisfied is a
//! *different valid witness for the same statement*: an under-constrained
//! variable. Every such finding is printed with its label; the test fails on
//! any that [`known_free`] does not explain.
//!
//! Then the statement-level attacks through the pipeline: a prover who
//! changes one weight (weights hashed), one input value (input public or
//! hashed) or the claimed output cannot get a proof accepted — with the mock
//! backend, and once with Groth16.

use std::collections::BTreeMap;

use ark_relations::gr1cs::{ConstraintSystem, ConstraintSystemRef};
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use ark_std::UniformRand;
use zkinfer::backend::{MockBackend, PublicInputs};
use zkinfer::gadgets::scope;
use zkinfer::groth16::Groth16Bn254;
use zkinfer::ir::{Graph, Tensor};
use zkinfer::layout::{
    annotate_public_inputs, public_input_layout, InputVisibility, ModelCircuit, OutputVisibility,
    PublicSegment, Visibility, WeightVisibility,
};
use zkinfer::quant::QOp;
use zkinfer::{CompiledModel, Fr, InputData, Pipeline, Settings};

/// Label classes whose variables may take other values without changing the
/// statement, and the visibility under which that is by design: a private
/// weight that multiplies a zero activation is unconstrained, as
/// `docs/security.md` says ("any weights make a valid proof" when weights are
/// private). Hashed weights pin every weight through the commitment.
fn known_free(class: &str, visibility: Visibility) -> bool {
    class == "/weight" && visibility.weights == WeightVisibility::Private
}

fn fixture(name: &str) -> (Graph, Vec<Tensor>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    let graph = zkinfer::onnx::load_model(dir.join("model.onnx")).expect("fixture loads");
    let inputs = InputData::load(dir.join("input.json"))
        .and_then(|d| d.first_tensors(&graph))
        .expect("fixture input fits");
    (graph, inputs)
}

fn settings(visibility: Visibility, scale: u32) -> Settings {
    let mut settings = Settings::new();
    settings.search.enabled = false;
    settings.quant.input_scale = scale;
    settings.quant.weight_scale = scale;
    settings.quant.activation_scale = scale;
    settings.plan.visibility = visibility;
    settings
}

fn compile(graph: Graph, inputs: &[Tensor], visibility: Visibility) -> CompiledModel {
    CompiledModel::compile(graph, &[inputs.to_vec()], settings(visibility, 7)).expect("compiles")
}

/// One row of the R1CS: `<a, z> · <b, z> = <c, z>`, sparse over columns of `z = (instance, witness)`.
type Row = [Vec<(Fr, usize)>; 3];

/// The synthesized, finalized model circuit with its honest assignment.
struct Synthesized {
    cs: ConstraintSystemRef<Fr>,
    rows: Vec<Row>,
    /// For each column, the rows that mention it.
    uses: Vec<Vec<usize>>,
    instance: Vec<Fr>,
    witness: Vec<Fr>,
    labels: Vec<String>,
}

impl Synthesized {
    fn new(compiled: &CompiledModel, inputs: &[Tensor]) -> Self {
        let trace = compiled.trace(inputs).expect("trace");
        let cs = ConstraintSystem::<Fr>::new_ref();
        scope::record_labels(&cs);
        ModelCircuit::for_proving(&compiled.model, &compiled.plan, &trace)
            .synthesize(cs.clone())
            .expect("synthesis");
        assert!(
            cs.is_satisfied().unwrap(),
            "the honest witness is satisfied"
        );
        let labels = scope::recorded_labels(&cs)
            .map(|l| l.all().to_vec())
            .unwrap_or_default();
        cs.finalize();
        let mut inner = cs.borrow_mut().expect("a constraint system");
        inner.assignments.lc_assignment.clear();
        let instance = inner.assignments.instance_assignment.clone();
        let witness = inner.assignments.witness_assignment.clone();
        let mut rows = Vec::new();
        for matrices in inner.to_matrices().expect("matrices").values() {
            assert_eq!(matrices.len(), 3, "R1CS only");
            for ((a, b), c) in matrices[0].iter().zip(&matrices[1]).zip(&matrices[2]) {
                rows.push([a.clone(), b.clone(), c.clone()]);
            }
        }
        drop(inner);
        let mut uses = vec![Vec::new(); instance.len() + witness.len()];
        for (k, row) in rows.iter().enumerate() {
            for (_, column) in row.iter().flatten() {
                if uses[*column].last() != Some(&k) {
                    uses[*column].push(k);
                }
            }
        }
        Synthesized {
            cs,
            rows,
            uses,
            instance,
            witness,
            labels,
        }
    }

    fn value(&self, column: usize, instance: &[Fr], witness: &[Fr]) -> Fr {
        if column < instance.len() {
            instance[column]
        } else {
            witness[column - instance.len()]
        }
    }

    fn row_holds(&self, k: usize, instance: &[Fr], witness: &[Fr]) -> bool {
        let dot = |lc: &[(Fr, usize)]| -> Fr {
            lc.iter()
                .map(|(c, col)| *c * self.value(*col, instance, witness))
                .sum()
        };
        let [a, b, c] = &self.rows[k];
        dot(a) * dot(b) == dot(c)
    }

    /// Whether the system holds with `column` changed to `value`: the rows
    /// using it are screened first, then ark's own check confirms.
    fn satisfied_with(&self, column: usize, value: Fr) -> bool {
        let mut instance = self.instance.clone();
        let mut witness = self.witness.clone();
        if column < instance.len() {
            instance[column] = value;
        } else {
            witness[column - instance.len()] = value;
        }
        if !self.uses[column]
            .iter()
            .all(|&k| self.row_holds(k, &instance, &witness))
        {
            return false;
        }
        let mut inner = self.cs.borrow_mut().expect("a constraint system");
        let saved_w = std::mem::replace(&mut inner.assignments.witness_assignment, witness);
        let saved_i = std::mem::replace(&mut inner.assignments.instance_assignment, instance);
        let verdict = inner.is_satisfied().expect("prove mode");
        inner.assignments.witness_assignment = saved_w;
        inner.assignments.instance_assignment = saved_i;
        verdict
    }

    /// The label with element indices dropped: `relu/bit[3]` → `relu/bit[]`.
    fn class(&self, witness: usize) -> String {
        let label = self
            .labels
            .get(witness)
            .map(String::as_str)
            .unwrap_or("(unlabelled)");
        let mut out = String::new();
        let mut in_brackets = false;
        for ch in label.chars() {
            match ch {
                '[' => {
                    in_brackets = true;
                    out.push('[');
                }
                ']' => {
                    in_brackets = false;
                    out.push(']');
                }
                c if in_brackets && c.is_ascii_digit() => {}
                c => out.push(c),
            }
        }
        out
    }
}

/// What the audit of one model did and found.
#[derive(Debug, Default)]
struct AuditReport {
    witness_variables: usize,
    classes: usize,
    mutations: usize,
    public_mutations: usize,
    /// Satisfied witness mutations, by label class (the public inputs did not change).
    free: BTreeMap<String, usize>,
}

/// Mutate witnesses (`per_class` samples per label class, or all when `None`)
/// and every public input.
fn audit(model: &str, visibility: Visibility, per_class: Option<usize>) -> AuditReport {
    let (graph, inputs) = fixture(model);
    let compiled = compile(graph, &inputs, visibility);
    let s = Synthesized::new(&compiled, &inputs);
    let mut rng = StdRng::seed_from_u64(0xa0d17);
    let mut by_class: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for index in 0..s.witness.len() {
        by_class.entry(s.class(index)).or_default().push(index);
    }
    let mut report = AuditReport {
        witness_variables: s.witness.len(),
        classes: by_class.len(),
        ..Default::default()
    };
    for (class, members) in &by_class {
        let chosen: Vec<usize> = match per_class {
            None => members.clone(),
            Some(k) if members.len() <= k => members.clone(),
            Some(k) => {
                // First, last and random members: boundaries of a tensor are where off-by-ones live.
                let mut chosen = vec![members[0], members[members.len() - 1]];
                while chosen.len() < k {
                    chosen.push(members[rng.gen_range(0..members.len())]);
                }
                chosen
            }
        };
        for index in chosen {
            let column = s.instance.len() + index;
            let original = s.witness[index];
            for value in [
                original + Fr::from(1u64),
                original - Fr::from(1u64),
                Fr::rand(&mut rng),
            ] {
                report.mutations += 1;
                if s.satisfied_with(column, value) {
                    *report.free.entry(class.clone()).or_default() += 1;
                }
            }
        }
    }
    // The claimed outputs and commitments: no nudge may keep the system satisfied.
    for column in 1..s.instance.len() {
        let original = s.instance[column];
        for value in [
            original + Fr::from(1u64),
            original - Fr::from(1u64),
            Fr::rand(&mut rng),
        ] {
            report.public_mutations += 1;
            assert!(
                !s.satisfied_with(column, value),
                "{model} ({visibility}): public input {column} changed and still satisfied"
            );
        }
    }
    println!(
        "audit {model} ({visibility}): {} witness variables in {} label classes, {} witness mutations, {} public-input mutations",
        report.witness_variables, report.classes, report.mutations, report.public_mutations
    );
    for (class, count) in &report.free {
        println!("  under-constrained: {class} ({count} satisfied mutations)");
    }
    let unexpected: Vec<&String> = report
        .free
        .keys()
        .filter(|c| !known_free(c, visibility))
        .collect();
    assert!(
        unexpected.is_empty(),
        "{model} ({visibility}): under-constrained witness classes {unexpected:?}"
    );
    report
}

fn hashed() -> Visibility {
    Visibility {
        input: InputVisibility::Hashed,
        weights: WeightVisibility::Hashed,
        output: OutputVisibility::Hashed,
    }
}

#[test]
fn tiny_relu_every_witness_variable() {
    let mut mutations = 0;
    for visibility in [
        Visibility::default(),
        Visibility {
            input: InputVisibility::Public,
            weights: WeightVisibility::Fixed,
            output: OutputVisibility::Public,
        },
        hashed(),
    ] {
        let report = audit("tiny_relu", visibility, None);
        mutations += report.mutations + report.public_mutations;
    }
    println!("tiny_relu: {mutations} mutations");
}

#[test]
fn digits_mlp_sampled_per_class() {
    let report = audit("digits_mlp", Visibility::default(), Some(24));
    let hashed = audit("digits_mlp", hashed(), Some(8));
    println!(
        "digits_mlp: {} mutations",
        report.mutations + report.public_mutations + hashed.mutations + hashed.public_mutations
    );
}

#[test]
fn digits_cnn_sampled_per_class() {
    let report = audit("digits_cnn", Visibility::default(), Some(16));
    println!(
        "digits_cnn: {} mutations",
        report.mutations + report.public_mutations
    );
}

/// The value of the statement's public segment `wanted`.
fn segment_value(compiled: &CompiledModel, public: &PublicInputs<Fr>, wanted: PublicSegment) -> Fr {
    let mut index = 0;
    for segment in public_input_layout(&compiled.model, &compiled.plan) {
        if segment == wanted {
            return public.values[index].value;
        }
        index += segment.len(&compiled.model);
    }
    panic!("no {wanted:?} in the statement")
}

/// The graph with one weight moved by one quantization step (2^-7).
fn with_one_weight_changed(graph: &Graph) -> Graph {
    let mut graph = graph.clone();
    let weight = graph
        .constants
        .values_mut()
        .find_map(|t| match t {
            Tensor::F32(a) if a.len() > 1 => Some(a),
            _ => None,
        })
        .expect("a weight tensor");
    let first = weight.iter_mut().next().expect("an element");
    *first += 1.0 / 128.0;
    graph
}

/// The graph with the first element of its first weight matrix set to zero.
fn with_one_weight_zeroed(graph: &Graph) -> Graph {
    let mut graph = graph.clone();
    let weight = graph
        .constants
        .values_mut()
        .find_map(|t| match t {
            Tensor::F32(a) if a.ndim() >= 2 && a.iter().next() != Some(&0.0) => Some(a),
            _ => None,
        })
        .expect("a weight matrix with a non-zero first element");
    *weight.iter_mut().next().expect("an element") = 0.0;
    graph
}

/// One affine node's row boundaries and term operands `(input, element)`.
type AffineWiring = (Vec<usize>, Vec<(usize, usize)>);

/// Where each affine node reads its operands: row boundaries and the
/// (input, element) of every term, i.e. the circuit's wiring without its
/// coefficients or bit widths.
fn affine_wiring(compiled: &CompiledModel) -> Vec<AffineWiring> {
    compiled
        .model
        .nodes()
        .iter()
        .filter_map(|node| match &node.op {
            QOp::Affine(a) => Some((
                a.row_starts.clone(),
                a.terms.iter().map(|t| (t.input, t.index)).collect(),
            )),
            _ => None,
        })
        .collect()
}

/// With private or hashed weights the circuit's wiring is the same whichever
/// weights are zero: the quantizer keeps zero terms
/// (`QuantSettings::keep_zero_weights`, set by `CompiledModel::compile`)
/// instead of publishing where they are in the verifying key. (Bit widths,
/// calibrated from the weights, are public and may still move.) With fixed
/// weights the key pins every weight anyway, and zero terms are dropped.
#[test]
fn which_weights_are_zero_does_not_change_a_private_weight_circuit() {
    let (graph, inputs) = fixture("tiny_relu");
    let zeroed = with_one_weight_zeroed(&graph);
    let wiring = |graph: &Graph, weights| {
        let visibility = Visibility {
            weights,
            ..Visibility::default()
        };
        affine_wiring(&compile(graph.clone(), &inputs, visibility))
    };
    for weights in [WeightVisibility::Private, WeightVisibility::Hashed] {
        assert_eq!(
            wiring(&graph, weights),
            wiring(&zeroed, weights),
            "{weights:?}: a zeroed weight changed the circuit's wiring"
        );
    }
    let terms = |w: Vec<AffineWiring>| -> usize { w.iter().map(|(_, t)| t.len()).sum() };
    assert_eq!(
        terms(wiring(&graph, WeightVisibility::Fixed)),
        terms(wiring(&zeroed, WeightVisibility::Fixed)) + 1,
        "fixed weights: the zero term is dropped"
    );
}

fn prove_mock(
    compiled: &CompiledModel,
    inputs: &[Tensor],
) -> (
    zkinfer::backend::MockProof<Fr>,
    PublicInputs<Fr>,
    zkinfer::backend::MockVerifyingKey,
) {
    let mut rng = StdRng::seed_from_u64(1);
    let pipeline = Pipeline::<MockBackend<Fr>>::new(compiled.clone());
    let keys = pipeline.setup(&mut rng).expect("setup");
    let proven = pipeline
        .prove(&keys.proving_key, inputs, &mut rng)
        .expect("prove");
    (proven.proof, proven.public_inputs, keys.verifying_key)
}

#[test]
fn a_changed_weight_is_caught_by_the_model_commitment() {
    let visibility = Visibility {
        weights: WeightVisibility::Hashed,
        ..Visibility::default()
    };
    let (graph, inputs) = fixture("tiny_relu");
    let audited = compile(graph.clone(), &inputs, visibility);
    let published = audited.model_commitment().expect("weights are hashed");
    let changed = compile(with_one_weight_changed(&graph), &inputs, visibility);
    assert_ne!(
        changed.model_commitment(),
        Some(published),
        "one weight changed, same commitment"
    );

    let (_, honest_public, vk) = prove_mock(&audited, &inputs);
    let (proof, public, other_vk) = prove_mock(&changed, &inputs);
    // Weights are private: the changed model has the same circuit, so the same key.
    assert_eq!(
        zkinfer::backend::CircuitKey::shape(&vk),
        zkinfer::backend::CircuitKey::shape(&other_vk)
    );
    assert_eq!(
        segment_value(&audited, &honest_public, PublicSegment::WeightCommitment),
        published
    );
    // The proof verifies, but about another commitment than the published one...
    assert!(Pipeline::<MockBackend<Fr>>::verify(&vk, &public, &proof).unwrap());
    assert_ne!(
        segment_value(&changed, &public, PublicSegment::WeightCommitment),
        published
    );
    // ...and claiming the published commitment instead does not verify.
    let mut forged = public.clone();
    let index = forged
        .values
        .iter()
        .position(|v| v.value == changed.model_commitment().unwrap())
        .unwrap();
    forged.values[index].value = published;
    assert!(!Pipeline::<MockBackend<Fr>>::verify(&vk, &forged, &proof).unwrap());

    // The same forgery against Groth16.
    let mut rng = StdRng::seed_from_u64(2);
    let real = Pipeline::<Groth16Bn254>::new(audited);
    let keys = real.setup(&mut rng).unwrap();
    let cheat = Pipeline::<Groth16Bn254>::new(changed);
    let proven = cheat.prove(&keys.proving_key, &inputs, &mut rng).unwrap();
    let mut forged = proven.public_inputs.clone();
    forged.values[index].value = published;
    assert!(Pipeline::<Groth16Bn254>::verify(
        &keys.verifying_key,
        &proven.public_inputs,
        &proven.proof
    )
    .unwrap());
    assert!(
        !Pipeline::<Groth16Bn254>::verify(&keys.verifying_key, &forged, &proven.proof).unwrap()
    );
}

#[test]
fn a_changed_input_or_output_claim_does_not_verify() {
    let (graph, inputs) = fixture("tiny_relu");
    let mut other_inputs = inputs.clone();
    if let Tensor::F32(a) = &mut other_inputs[0] {
        *a.iter_mut().next().unwrap() += 0.25;
    }
    let mut cases = 0;
    for input in [InputVisibility::Public, InputVisibility::Hashed] {
        let visibility = Visibility {
            input,
            ..Visibility::default()
        };
        let compiled = compile(graph.clone(), &inputs, visibility);
        let (proof, public, vk) = prove_mock(&compiled, &inputs);
        let (other_proof, other_public, _) = prove_mock(&compiled, &other_inputs);
        // The statements differ in their input part...
        assert_ne!(
            public, other_public,
            "{visibility}: input change not visible"
        );
        // ...and neither proof verifies the other's statement.
        assert!(!Pipeline::<MockBackend<Fr>>::verify(&vk, &other_public, &proof).unwrap());
        assert!(!Pipeline::<MockBackend<Fr>>::verify(&vk, &public, &other_proof).unwrap());
        // A claimed output off by one, per output element.
        for segment in public_input_layout(&compiled.model, &compiled.plan) {
            if let PublicSegment::Output(_) = segment {
                let first = public.len() - segment.len(&compiled.model);
                for index in first..public.len() {
                    let mut claim = public.clone();
                    claim.values[index].value += Fr::from(1u64);
                    // As a careful forger would: the floats describe the claim.
                    annotate_public_inputs(&compiled.model, &compiled.plan, &mut claim);
                    assert!(!Pipeline::<MockBackend<Fr>>::verify(&vk, &claim, &proof).unwrap());
                    cases += 1;
                }
            }
        }
        cases += 2;
    }
    println!("statement attacks: {cases} cases");
}
