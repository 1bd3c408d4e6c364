//! The rounded ops end to end on corpus models: a zero divisor and a negative
//! square root are typed `Domain` errors naming the node and op, never a
//! panic or a wrapped value; honest runs match the arith functions.
//! Skipped when the shared corpus is absent.

mod common;

use zkinfer_ir::Tensor;
use zkinfer_quant::{QOp, QuantError, QuantSettings, QuantizedModel, RoundedOp};

fn load(name: &str) -> Option<(QuantizedModel, Vec<Tensor>)> {
    let dir = common::corpus()?.join("ezkl-examples").join(name);
    let graph = zkinfer_onnx::load_model(dir.join("network.onnx")).ok()?;
    let flat = common::read_input_json(&dir.join("input.json"))?;
    let inputs = common::shape_inputs(&graph, &flat)?;
    let model = QuantizedModel::quantize(
        &graph,
        &QuantSettings::default(),
        std::slice::from_ref(&inputs),
    )
    .expect("quantize");
    Some((model, inputs))
}

fn filled(inputs: &[Tensor], value: f32) -> Vec<Tensor> {
    inputs
        .iter()
        .map(|t| Tensor::from_f32(t.shape(), vec![value; t.to_f32_vec().len()]).unwrap())
        .collect()
}

#[test]
fn zero_divisor_is_a_domain_error() {
    let Some((model, inputs)) = load("1l_eltwise_div") else {
        println!("skipped: corpus absent");
        return;
    };
    assert!(model
        .nodes()
        .iter()
        .any(|n| matches!(n.op, QOp::Rounded(RoundedOp::Divide { .. }))));
    model.run(&inputs).expect("honest run");
    match model.run(&filled(&inputs, 0.0)) {
        Err(QuantError::Domain { op, reason, .. }) => {
            assert_eq!(op, "Divide");
            assert_eq!(reason, "division by zero");
        }
        other => panic!("expected a Domain error, got {other:?}"),
    }
}

#[test]
fn negative_square_root_is_a_domain_error() {
    let Some((model, inputs)) = load("1l_sqrt") else {
        println!("skipped: corpus absent");
        return;
    };
    let trace = model.run(&inputs).expect("honest run");
    // every Sqrt output is floor(√(x·2^shift)) of its input
    for n in model.nodes() {
        if let QOp::Rounded(RoundedOp::Sqrt { shift }) = n.op {
            let x = trace.value(n.inputs[0]);
            let y = trace.value(n.output);
            for (&x, &y) in x.iter().zip(y.iter()) {
                assert_eq!(
                    zkinfer_quant::arith::sqrt_scaled(x as i128, shift),
                    Some(y as i128)
                );
            }
        }
    }
    match model.run(&filled(&inputs, -0.05)) {
        Err(QuantError::Domain { op, node, .. }) => {
            assert_eq!(op, "Sqrt");
            assert!(!node.is_empty());
        }
        other => panic!("expected a Domain error, got {other:?}"),
    }
}

#[test]
fn round_ties_to_even_on_the_corpus_inputs() {
    let Some((model, inputs)) = load("rounding_ops") else {
        println!("skipped: corpus absent");
        return;
    };
    // the inputs hold 0.5 and 1.5: ONNX Round gives 0 and 2
    let trace = model.run(&inputs).expect("honest run");
    let round = model
        .nodes()
        .iter()
        .find(|n| {
            matches!(
                n.op,
                QOp::Rounded(RoundedOp::Floor {
                    mode: zkinfer_quant::arith::FloorMode::Round,
                    ..
                })
            )
        })
        .expect("a Round node");
    let input = trace.dequantized(round.inputs[0]);
    let out = trace.dequantized(round.output);
    let mut ties = 0;
    for (x, y) in input.iter().zip(out.iter()) {
        ties += usize::from(x.fract().abs() == 0.5);
        assert_eq!(*y, x.round_ties_even(), "Round({x})");
    }
    assert!(ties >= 2, "the corpus input holds exact ties");
}
