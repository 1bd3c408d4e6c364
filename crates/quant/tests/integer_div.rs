//! Integer `Div` by constants truncates toward zero exactly like the float IR
//! (and onnxruntime), for every sign combination and divisor, instead of
//! producing the real quotient.

use std::collections::BTreeMap;

use zkinfer_ir::ops::math::{BinaryKind, BinaryOp};
use zkinfer_ir::{DType, Graph, Node, Tensor, ValueInfo};
use zkinfer_quant::{QuantSettings, QuantizedModel};

fn div_graph(n: usize, divisors: Vec<i64>) -> Graph {
    let mut constants = BTreeMap::new();
    let d_shape = if divisors.len() == 1 {
        vec![1]
    } else {
        vec![n]
    };
    constants.insert(
        "D".to_owned(),
        Tensor::from_i64(&d_shape, divisors).unwrap(),
    );
    let node = Node {
        name: "div".into(),
        op: Box::new(BinaryOp {
            kind: BinaryKind::Div,
        }),
        inputs: vec![Some("X".into()), Some("D".into())],
        outputs: vec!["Y".into()],
    };
    let inputs = vec![ValueInfo {
        name: "X".into(),
        dtype: DType::I64,
        shape: vec![n],
    }];
    Graph::new(inputs, vec!["Y".into()], constants, vec![node]).unwrap()
}

#[test]
fn integer_division_truncates_toward_zero_like_the_float_ir() {
    let xs: Vec<i64> = (-40..=40).collect();
    let n = xs.len();
    let x = Tensor::from_i64(&[n], xs.clone()).unwrap();
    let mixed: Vec<i64> = (0..n as i64)
        .map(|i| [1, -1, 2, -2, 3, -3, 4, 7, -8][i as usize % 9])
        .collect();
    for divisors in [
        vec![1],
        vec![2],
        vec![3],
        vec![-3],
        vec![4],
        vec![16],
        vec![-7],
        mixed,
    ] {
        let g = div_graph(n, divisors.clone());
        let model =
            QuantizedModel::quantize(&g, &QuantSettings::default(), &[vec![x.clone()]]).unwrap();
        let got = model
            .run(std::slice::from_ref(&x))
            .unwrap()
            .dequantized_outputs();
        let want = g.run(std::slice::from_ref(&x)).unwrap();
        assert_eq!(
            got[0].to_f32_vec(),
            want[0].to_f32_vec(),
            "divisors {divisors:?}"
        );
    }
    // The reference itself truncates: −7 / 2 = −3.
    let want = div_graph(2, vec![2])
        .run(&[Tensor::from_i64(&[2], vec![-7, 7]).unwrap()])
        .unwrap();
    assert_eq!(want[0].to_f32_vec(), vec![-3.0, 3.0]);
}
