//! Integer `Div` by constants (truncation toward zero) proves with negative
//! numerators and divisors of both signs, with exact predicted costs, and a
//! claimed quotient off by one is rejected.

mod common;

use std::collections::BTreeMap;

use common::*;
use zkinfer_ir::ops::math::{BinaryKind, BinaryOp};
use zkinfer_ir::{DType, Graph, Node, Tensor, ValueInfo};
use zkinfer_layout::{plan, Visibility};
use zkinfer_quant::{QuantSettings, QuantizedModel};

#[test]
fn integer_division_proves_for_every_sign_and_rejects_a_shifted_quotient() {
    let xs: Vec<i64> = (-20..=20).collect();
    let n = xs.len();
    let ds: Vec<i64> = (0..n).map(|i| [3, -3, 2, -2, 1, 5, -8][i % 7]).collect();
    let mut constants = BTreeMap::new();
    constants.insert("D".to_owned(), Tensor::from_i64(&[n], ds).unwrap());
    let node = Node {
        name: "div".into(),
        op: Box::new(BinaryOp {
            kind: BinaryKind::Div,
        }),
        inputs: vec![Some("X".into()), Some("D".into())],
        outputs: vec!["Y".into()],
    };
    let decl = ValueInfo {
        name: "X".into(),
        dtype: DType::I64,
        shape: vec![n],
    };
    let graph = Graph::new(vec![decl], vec!["Y".into()], constants, vec![node]).unwrap();
    let x = Tensor::from_i64(&[n], xs).unwrap();
    let model =
        QuantizedModel::quantize(&graph, &QuantSettings::default(), &[vec![x.clone()]]).unwrap();
    let trace = model.run(std::slice::from_ref(&x)).unwrap();
    let p = plan(&model, &options(Visibility::default())).unwrap();
    let (shape, _) = mock_prove(&model, &p, &trace).expect("honest trace proves");
    assert_eq!(shape.num_constraints as u64, p.total().constraints);

    // A prover claiming quotient + 1 for one element cannot satisfy the circuit.
    let mut values = trace.values().to_vec();
    let out = model.outputs()[0].0;
    values[out][[0]] += 1;
    assert!(mock_prove_values(&model, &p, &values).is_err());
}
