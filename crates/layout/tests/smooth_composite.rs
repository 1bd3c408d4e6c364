//! Erf, GELU, Softplus and ELU/SELU/CELU behind an affine node, so the gadget
//! input is a linear combination with a constant term (`x·w + b` without a
//! rescale): predicted sizes equal the synthesized ones exactly (constraints,
//! witnesses and non-zeros), the outputs are the trace's, and a tampered
//! output is rejected. Synthetic graphs; no corpus needed. GELU has no corpus
//! model of its own (`1l_gelu_noappx` is spelled with Erf), so this is where
//! its layout wiring is checked.

mod common;

use std::collections::BTreeMap;

use common::*;
use zkinfer_ir::ops::activation::{Activation, ActivationKind, Celu, Elu, GeluApproximation, Selu};
use zkinfer_ir::ops::math::{BinaryKind, BinaryOp, UnaryKind, UnaryOp};
use zkinfer_ir::{DType, Graph, Node, Op, Tensor, ValueInfo};
use zkinfer_layout::{
    GadgetChoice, InputVisibility, OutputVisibility, Visibility, WeightVisibility,
};
use zkinfer_quant::{QuantSettings, QuantizedModel};

const LEN: usize = 24;

/// `y = f(x + b)` (`with_weight`: `f(x·w + b)`) for `LEN` inputs spread over `[-4, 4]`.
/// The bias alone needs no rescale, so the gadget's input is `x + b`: one
/// variable and a constant.
fn model(activation: Box<dyn Op>, with_weight: bool) -> (QuantizedModel, zkinfer_quant::Trace) {
    let shape = vec![1, LEN];
    let node = |name: &str, op: Box<dyn Op>, inputs: &[&str], output: &str| Node {
        name: name.into(),
        op,
        inputs: inputs.iter().map(|s| Some((*s).to_owned())).collect(),
        outputs: vec![output.into()],
    };
    let constant = |v: f32| Tensor::from_f32(&shape, vec![v; LEN]).expect("tensor");
    let constants = BTreeMap::from([
        ("w".to_owned(), constant(1.5)),
        ("b".to_owned(), constant(-0.75)),
    ]);
    let graph = Graph::new(
        vec![ValueInfo {
            name: "x".into(),
            dtype: DType::F32,
            shape: shape.clone(),
        }],
        vec!["y".into()],
        constants,
        if with_weight {
            vec![
                node(
                    "scale",
                    Box::new(BinaryOp::new(BinaryKind::Mul)),
                    &["x", "w"],
                    "xw",
                ),
                node(
                    "shift",
                    Box::new(BinaryOp::new(BinaryKind::Add)),
                    &["xw", "b"],
                    "z",
                ),
                node("smooth", activation, &["z"], "y"),
            ]
        } else {
            vec![
                node(
                    "shift",
                    Box::new(BinaryOp::new(BinaryKind::Add)),
                    &["x", "b"],
                    "z",
                ),
                node("smooth", activation, &["z"], "y"),
            ]
        },
    )
    .expect("graph");
    let xs: Vec<f32> = (0..LEN)
        .map(|i| -4.0 + 8.0 * i as f32 / (LEN - 1) as f32)
        .collect();
    let inputs = vec![Tensor::from_f32(&shape, xs).expect("input")];
    let model = QuantizedModel::quantize(
        &graph,
        &QuantSettings::default(),
        std::slice::from_ref(&inputs),
    )
    .expect("quantize");
    let trace = model.run(&inputs).expect("run");
    (model, trace)
}

#[test]
fn composite_smooth_gadgets_on_linear_combinations_are_exact_and_sound() {
    let cases = || -> Vec<(&str, Box<dyn Op>)> {
        vec![
            ("erf", Box::new(UnaryOp::new(UnaryKind::Erf))),
            (
                "gelu",
                Box::new(Activation::new(ActivationKind::Gelu {
                    approximate: GeluApproximation::None,
                })),
            ),
            (
                "softplus",
                Box::new(Activation::new(ActivationKind::Softplus)),
            ),
            ("elu", Box::new(Elu { alpha: 0.8 })),
            (
                "selu",
                Box::new(Selu {
                    alpha: 1.673_263_2,
                    gamma: 1.050_701,
                }),
            ),
            ("celu", Box::new(Celu { alpha: 2.0 })),
        ]
    };
    for ((name, op), with_weight) in cases()
        .into_iter()
        .map(|c| (c, false))
        .chain(cases().into_iter().map(|c| (c, true)))
    {
        let (model, trace) = model(op, with_weight);
        for weights in [WeightVisibility::Fixed, WeightVisibility::Private] {
            let visibility = Visibility {
                input: InputVisibility::Private,
                weights,
                output: OutputVisibility::Public,
            };
            let plan = plan_for(&model, visibility);
            assert!(
                plan.nodes
                    .iter()
                    .any(|n| n.gadget == GadgetChoice::Nonlinear),
                "{name}: no Nonlinear node\n{plan}"
            );
            let (shape, public) = mock_prove(&model, &plan, &trace)
                .unwrap_or_else(|e| panic!("{name} {visibility}: {e}\n{plan}"));
            let total = plan.total();
            assert_eq!(
                (
                    shape.num_constraints as u64,
                    shape.num_witness_variables as u64
                ),
                (total.constraints, total.witnesses),
                "{name} {visibility}\n{plan}"
            );
            assert_eq!(
                actual_nonzeros(&model, &plan, &trace),
                total.nonzeros,
                "{name} {visibility}: non-zeros\n{plan}"
            );
            let outputs: Vec<i64> = model
                .outputs()
                .iter()
                .flat_map(|&id| trace.value(id).iter().copied())
                .collect();
            let claimed = &public.values[public.values.len() - outputs.len()..];
            for (p, v) in claimed.iter().zip(&outputs) {
                assert_eq!(p.value, zkinfer_layout::Fr::from(*v as i128), "{name}");
            }
        }
        // A tampered output is rejected.
        let plan = plan_for(&model, Visibility::default());
        let out = model.outputs()[0];
        for index in [0, LEN / 2, LEN - 1] {
            let mut values = trace.values().to_vec();
            values[out.0].as_slice_mut().expect("standard layout")[index] += 1;
            assert!(
                mock_prove_values(&model, &plan, &values).is_err(),
                "{name}: output {index} + 1 accepted"
            );
        }
    }
}
