//! The fixture models prove with the mock backend under every visibility the
//! gadgets support, predicted and synthesized sizes agree exactly, and a
//! tampered trace is rejected.

mod common;

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystem, OptimizationGoal};
use common::*;
use zkinfer_layout::{
    decode_outputs, model_commitment, public_input_layout, GadgetChoice, InputVisibility,
    LayoutError, ModelCircuit, OutputVisibility, PublicSegment, Visibility, WeightVisibility,
};

const FIXTURES: [&str; 3] = ["tiny_relu", "digits_mlp", "digits_cnn"];

fn supported(err: &LayoutError) -> bool {
    !matches!(err, LayoutError::Unsupported { .. })
}

#[test]
fn fixtures_prove_under_each_visibility_with_exact_predictions() {
    let mut report = String::new();
    let mut nonzero_mismatches = Vec::new();
    for name in FIXTURES {
        let f = fixture(name);
        for visibility in Visibility::all() {
            let plan = match zkinfer_layout::plan(&f.model, &options(visibility)) {
                Ok(p) => p,
                Err(e) if !supported(&e) => {
                    report.push_str(&format!("{name:<11} {visibility}: not yet: {e}\n"));
                    continue;
                }
                Err(e) => panic!("{name} {visibility}: {e}"),
            };
            let (shape, public) = mock_prove(&f.model, &plan, &f.trace)
                .unwrap_or_else(|e| panic!("{name} {visibility}: {e}\n{plan}"));
            let total = plan.total();
            assert_eq!(
                shape.num_constraints as u64, total.constraints,
                "{name} {visibility} constraints\n{plan}"
            );
            assert_eq!(
                shape.num_witness_variables as u64, total.witnesses,
                "{name} {visibility} witnesses\n{plan}"
            );
            assert_eq!(
                shape.num_public_inputs as u64, total.instances,
                "{name} {visibility} public inputs"
            );
            let nonzeros = actual_nonzeros(&f, &plan);
            if nonzeros != total.nonzeros {
                nonzero_mismatches.push(format!(
                    "{name} {visibility}: {nonzeros} non-zeros, predicted {}",
                    total.nonzeros
                ));
            }
            if visibility.weights == WeightVisibility::Hashed {
                let commitment =
                    model_commitment(&f.model, &plan).expect("hashed weights have a commitment");
                let layout = public_input_layout(&f.model, &plan);
                let position: usize = layout
                    .iter()
                    .take_while(|s| **s != PublicSegment::WeightCommitment)
                    .map(|s| s.len(&f.model))
                    .sum();
                assert_eq!(
                    public.values[position].value, commitment,
                    "{name} {visibility} weight commitment"
                );
            }
            if visibility.output == OutputVisibility::Public {
                let decoded = decode_outputs(&f.model, &plan, &public).expect("decode");
                let want: Vec<f32> = f
                    .trace
                    .dequantized(f.model.outputs()[0])
                    .iter()
                    .copied()
                    .collect();
                assert_eq!(decoded[0], want, "{name} decoded outputs");
            }
            report.push_str(&format!(
                "{name:<11} {visibility}: {} constraints (predicted {}), {} witnesses, {} public, {} non-zeros\n",
                shape.num_constraints, total.constraints, shape.num_witness_variables, shape.num_public_inputs, nonzeros
            ));
        }
    }
    println!("{report}");
    assert!(
        nonzero_mismatches.is_empty(),
        "{}",
        nonzero_mismatches.join("\n")
    );
}

/// Non-zeros of the synthesized matrices, with the backends' optimization goal.
fn actual_nonzeros(f: &Fixture, plan: &zkinfer_layout::Plan) -> u64 {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OptimizationGoal::Constraints);
    ModelCircuit::for_proving(&f.model, plan, &f.trace)
        .generate_constraints(cs.clone())
        .expect("synthesize");
    cs.finalize();
    let matrices = cs.to_matrices().expect("matrices");
    matrices
        .values()
        .flat_map(|ms| ms.iter())
        .flat_map(|m| m.iter())
        .map(|row| row.len() as u64)
        .sum()
}

#[test]
fn tampered_traces_are_rejected() {
    for name in FIXTURES {
        let f = fixture(name);
        let visibility = Visibility {
            input: InputVisibility::Private,
            weights: WeightVisibility::Fixed,
            output: OutputVisibility::Public,
        };
        let plan = match zkinfer_layout::plan(&f.model, &options(visibility)) {
            Ok(p) => p,
            Err(e) if !supported(&e) => {
                println!("{name}: skipped, {e}");
                continue;
            }
            Err(e) => panic!("{name}: {e}"),
        };
        // Tamper one output value.
        let mut values: Vec<_> = f.trace.values().to_vec();
        let out = f.model.outputs()[0];
        values[out.0].as_slice_mut().expect("standard layout")[0] += 1;
        assert!(
            mock_prove_values(&f.model, &plan, &values).is_err(),
            "{name}: tampered output accepted"
        );
        // Tamper one intermediate value (the first node output that is not a model output).
        // A value the circuit materializes: a gadget's output (not one fused away, not free wiring).
        let node = plan
            .nodes
            .iter()
            .filter(|p| {
                p.gadget != GadgetChoice::Linear
                    && (p.gadget == GadgetChoice::Fused || p.fused_with.is_none())
            })
            .map(|p| &f.model.nodes()[p.index])
            .find(|n| !f.model.outputs().contains(&n.output))
            .expect("an intermediate");
        let mut values: Vec<_> = f.trace.values().to_vec();
        values[node.output.0]
            .as_slice_mut()
            .expect("standard layout")[0] += 1;
        assert!(
            mock_prove_values(&f.model, &plan, &values).is_err(),
            "{name}: tampered `{}` accepted",
            node.name
        );
        // The untampered values prove.
        assert!(
            mock_prove_values(&f.model, &plan, f.trace.values()).is_ok(),
            "{name}: honest values rejected"
        );
    }
}
