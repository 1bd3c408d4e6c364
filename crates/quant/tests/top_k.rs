//! `TopK` values through the sorting network equal the float op exactly
//! (values are only permuted, never rounded), for both orders, several axes,
//! `k` and tie patterns; a model that reads the indices output is refused.

use std::collections::BTreeMap;

use zkinfer_ir::ops::reduce::TopK;
use zkinfer_ir::{DType, Graph, Node, Tensor, ValueInfo};
use zkinfer_quant::{QuantError, QuantSettings, QuantizedModel};

fn graph(shape: &[usize], axis: i64, k: i64, largest: bool, read_indices: bool) -> Graph {
    let mut constants = BTreeMap::new();
    constants.insert("K".to_owned(), Tensor::from_i64(&[1], vec![k]).unwrap());
    let mut outputs = vec!["values".to_owned()];
    if read_indices {
        outputs.push("indices".into());
    }
    let node = Node {
        name: "topk".into(),
        op: Box::new(TopK {
            axis,
            largest,
            sorted: true,
            k: None,
        }),
        inputs: vec![Some("X".into()), Some("K".into())],
        outputs: vec!["values".into(), "indices".into()],
    };
    let inputs = vec![ValueInfo {
        name: "X".into(),
        dtype: DType::F32,
        shape: shape.to_vec(),
    }];
    Graph::new(inputs, outputs, constants, vec![node]).unwrap()
}

/// Values on a coarse grid (many ties), exactly representable at scale 2^4.
fn sample(shape: &[usize], seed: u64) -> Tensor {
    let n: usize = shape.iter().product();
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let values = (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) % 17) as f32 / 4.0 - 2.0
        })
        .collect();
    Tensor::from_f32(shape, values).unwrap()
}

#[test]
fn top_k_values_equal_the_float_op() {
    let settings = QuantSettings {
        input_scale: 4,
        weight_scale: 4,
        activation_scale: 4,
        ..QuantSettings::default()
    };
    let mut cases = 0;
    for (shape, axis) in [
        (vec![1, 6], -1),
        (vec![2, 7, 3], 1),
        (vec![5, 4], 0),
        (vec![3, 1], 1),
    ] {
        let n = shape[if axis < 0 {
            shape.len() - 1
        } else {
            axis as usize
        }];
        for k in 1..=n as i64 {
            for largest in [true, false] {
                for seed in 0..4 {
                    let g = graph(&shape, axis, k, largest, false);
                    let x = sample(&shape, seed + 31 * k as u64);
                    let model =
                        QuantizedModel::quantize(&g, &settings, &[vec![x.clone()]]).unwrap();
                    let got = model
                        .run(std::slice::from_ref(&x))
                        .unwrap()
                        .dequantized_outputs();
                    let want = g.run(&[x]).unwrap();
                    assert_eq!(
                        got[0].to_f32_vec(),
                        want[0].to_f32_vec(),
                        "shape {shape:?} axis {axis} k {k} largest {largest} seed {seed}"
                    );
                    cases += 1;
                }
            }
        }
    }
    assert!(cases > 100, "{cases} cases");
}

#[test]
fn reading_the_indices_is_refused_naming_the_node() {
    let g = graph(&[1, 6], -1, 2, true, true);
    let x = sample(&[1, 6], 1);
    let err = QuantizedModel::quantize(&g, &QuantSettings::default(), &[vec![x]]).unwrap_err();
    match &err {
        QuantError::Unsupported { node, reason, .. } => {
            assert_eq!(node, "topk");
            assert!(reason.contains("indices"), "{err}");
        }
        other => panic!("expected Unsupported, got {other}"),
    }
}
