//! The documented integer semantics, checked against their formulas, and the
//! typed errors of bad inputs.

mod common;

use proptest::prelude::*;
use zkinfer_ir::Tensor;
use zkinfer_quant::fixed::{dequantize, quantize};
use zkinfer_quant::{QOp, QuantError, QuantSettings, QuantizedModel, Rescale};

fn floor_div(a: i128, b: i128) -> i128 {
    a.div_euclid(b)
}

proptest! {
    #[test]
    fn shift_rescale_is_round_half_up(x in -(1i128 << 80)..(1i128 << 80), k in 0u32..40) {
        let expected = if k == 0 { x } else { floor_div(x + (1i128 << (k - 1)), 1i128 << k) };
        prop_assert_eq!(Rescale::Shift(k).apply(0, x), expected);
        prop_assert_eq!(Rescale::Shift(k).divisor(0), 1i128 << k);
    }

    #[test]
    fn constant_division_is_round_half_up(x in -(1i128 << 80)..(1i128 << 80), d in 1i64..1_000_000) {
        let expected = floor_div(x + (d as i128) / 2, d as i128);
        prop_assert_eq!(Rescale::Divide(d).apply(0, x), expected);
        prop_assert_eq!(Rescale::DividePerRow(vec![1, d]).apply(1, x), expected);
    }

    #[test]
    fn quantize_is_floor_plus_half(x in -1.0e6f64..1.0e6, s in 0i32..20) {
        let q = quantize(x, s).unwrap();
        prop_assert_eq!(q, (x * 2f64.powi(s) + 0.5).floor() as i128);
        prop_assert!((dequantize(q, s as u32) - x).abs() <= 0.5 / 2f64.powi(s) + 1e-9);
    }
}

fn tiny_relu() -> Option<(zkinfer_ir::Graph, Vec<Tensor>)> {
    let dir = common::workspace("fixtures/tiny_relu");
    let graph = zkinfer_onnx::load_model(dir.join("model.onnx")).ok()?;
    let flat = common::read_input_json(&dir.join("input.json"))?;
    let inputs = common::shape_inputs(&graph, &flat)?;
    Some((graph, inputs))
}

fn scaled(inputs: &[Tensor], factor: f32) -> Vec<Tensor> {
    inputs
        .iter()
        .map(|t| {
            Tensor::from_f32(
                t.shape(),
                t.to_f32_vec().iter().map(|x| x * factor).collect(),
            )
            .unwrap()
        })
        .collect()
}

#[test]
fn interpreter_matches_affine_formula_and_budgets() {
    let Some((graph, inputs)) = tiny_relu() else {
        return;
    };
    let model = QuantizedModel::quantize(
        &graph,
        &QuantSettings::default(),
        std::slice::from_ref(&inputs),
    )
    .unwrap();
    let trace = model.run(&inputs).unwrap();
    for node in model.nodes() {
        let out = trace.value(node.output);
        assert!(out
            .iter()
            .all(|&v| zkinfer_quant::arith::Bits(node.out_bits).fits_signed(v as i128)));
        if let QOp::Affine(a) = &node.op {
            let ins: Vec<Vec<i64>> = node
                .inputs
                .iter()
                .map(|&i| trace.value(i).iter().copied().collect())
                .collect();
            for (r, &got) in out.iter().enumerate() {
                let acc: i128 = a.bias[r] as i128
                    + a.row(r)
                        .iter()
                        .map(|t| t.coeff as i128 * ins[t.input][t.index] as i128)
                        .sum::<i128>();
                let d = a.rescale.divisor(r);
                assert_eq!(
                    got as i128,
                    (acc + d / 2).div_euclid(d),
                    "node {} row {r}",
                    node.name
                );
            }
        }
    }
}

#[test]
fn bad_inputs_are_typed_errors() {
    let Some((graph, inputs)) = tiny_relu() else {
        return;
    };
    let model = QuantizedModel::quantize(
        &graph,
        &QuantSettings::default(),
        std::slice::from_ref(&inputs),
    )
    .unwrap();
    // Far outside the calibrated range: the input budget is exceeded.
    match model.run(&scaled(&inputs, 1.0e6)) {
        Err(QuantError::Overflow { bits, .. }) => assert!(bits > 0),
        other => panic!("expected an overflow, got {other:?}"),
    }
    let mut nan = inputs[0].to_f32_vec();
    nan[0] = f32::NAN;
    let nan = vec![Tensor::from_f32(inputs[0].shape(), nan).unwrap()];
    assert!(matches!(
        model.run(&nan),
        Err(QuantError::NonFinite { index: 0, .. })
    ));
    assert!(matches!(model.run(&[]), Err(QuantError::BadInput(_))));
}

#[test]
fn impossible_settings_are_refused() {
    let Some((graph, inputs)) = tiny_relu() else {
        return;
    };
    let huge = QuantSettings {
        weight_scale: 50,
        ..QuantSettings::default()
    };
    assert!(matches!(
        QuantizedModel::quantize(&graph, &huge, std::slice::from_ref(&inputs)),
        Err(QuantError::ScaleOverflow { .. })
    ));
    let narrow = QuantSettings {
        max_bits: 4,
        ..QuantSettings::default()
    };
    assert!(matches!(
        QuantizedModel::quantize(&graph, &narrow, std::slice::from_ref(&inputs)),
        Err(QuantError::ScaleOverflow { .. })
    ));
    assert!(matches!(
        QuantizedModel::quantize(&graph, &QuantSettings::default(), &[]),
        Err(QuantError::NoCalibrationData)
    ));
}
