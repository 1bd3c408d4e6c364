//! Recurrent layers unrolled into integer ops: the quantized RNN, GRU and LSTM
//! reproduce the float interpreter on random weights and inputs (forward,
//! reverse and bidirectional; runtime and constant initial states), and the
//! configurations the unrolling does not cover are refused with a typed error.

use std::collections::BTreeMap;

use zkinfer_ir::ops::nn::{Activation, Direction, Gru, Lstm, Recurrence, Rnn};
use zkinfer_ir::{DType, Graph, Node, Op, Tensor, ValueInfo};
use zkinfer_quant::{AccuracyReport, QOp, QuantError, QuantSettings, QuantizedModel};

const SEQ: usize = 4;
const BATCH: usize = 2;
const INPUT: usize = 3;
const HIDDEN: usize = 3;

/// A small deterministic generator (xorshift64*): the test needs varied
/// values, not statistical quality.
struct Xorshift(u64);

impl Xorshift {
    /// Uniform in `[-scale, scale)`.
    fn next(&mut self, scale: f32) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let u = (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f32 / (1u64 << 24) as f32;
        (2.0 * u - 1.0) * scale
    }
}

fn random(rng: &mut Xorshift, shape: &[usize], scale: f32) -> Tensor {
    let n = shape.iter().product();
    Tensor::from_f32(shape, (0..n).map(|_| rng.next(scale)).collect()).unwrap()
}

/// One recurrent node with constant W, R, B (and constant or runtime initial
/// states), every output a graph output.
fn layer(
    op: Box<dyn Op>,
    gates: usize,
    dirs: usize,
    runtime_h0: bool,
    seed: u64,
) -> (Graph, Vec<Tensor>) {
    let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15 ^ (seed + 1));
    let mut constants = BTreeMap::new();
    constants.insert(
        "W".to_owned(),
        random(&mut rng, &[dirs, gates * HIDDEN, INPUT], 0.8),
    );
    constants.insert(
        "R".to_owned(),
        random(&mut rng, &[dirs, gates * HIDDEN, HIDDEN], 0.8),
    );
    constants.insert(
        "B".to_owned(),
        random(&mut rng, &[dirs, 2 * gates * HIDDEN], 0.3),
    );
    let mut inputs = vec![ValueInfo {
        name: "X".into(),
        dtype: DType::F32,
        shape: vec![SEQ, BATCH, INPUT],
    }];
    let mut samples = vec![random(&mut rng, &[SEQ, BATCH, INPUT], 1.0)];
    if runtime_h0 {
        inputs.push(ValueInfo {
            name: "H0".into(),
            dtype: DType::F32,
            shape: vec![dirs, BATCH, HIDDEN],
        });
        samples.push(random(&mut rng, &[dirs, BATCH, HIDDEN], 0.5));
    } else {
        constants.insert(
            "H0".to_owned(),
            random(&mut rng, &[dirs, BATCH, HIDDEN], 0.5),
        );
    }
    let lstm = gates == 4;
    if lstm {
        constants.insert(
            "C0".to_owned(),
            random(&mut rng, &[dirs, BATCH, HIDDEN], 0.5),
        );
    }
    let mut node_inputs: Vec<Option<String>> = ["X", "W", "R", "B"]
        .iter()
        .map(|s| Some(s.to_string()))
        .collect();
    node_inputs.push(None);
    node_inputs.push(Some("H0".into()));
    let mut outputs = vec!["Y".to_owned(), "Y_h".to_owned()];
    if lstm {
        node_inputs.push(Some("C0".into()));
        outputs.push("Y_c".into());
    }
    let node = Node {
        name: "rec".into(),
        op,
        inputs: node_inputs,
        outputs: outputs.clone(),
    };
    let graph = Graph::new(inputs, outputs, constants, vec![node]).unwrap();
    (graph, samples)
}

fn recurrence(direction: Direction, per_dir: &[Activation]) -> Recurrence {
    Recurrence {
        hidden_size: HIDDEN,
        direction,
        activations: per_dir
            .iter()
            .copied()
            .cycle()
            .take(per_dir.len() * direction.count())
            .collect(),
        clip: None,
    }
}

/// Quantize at 2^12 and compare every output with the float interpreter.
fn check(graph: &Graph, sample: &[Tensor], what: &str) {
    let settings = QuantSettings {
        input_scale: 12,
        weight_scale: 12,
        activation_scale: 12,
        nonlinear_scale: 12,
        ..QuantSettings::default()
    };
    let model = QuantizedModel::quantize(graph, &settings, &[sample.to_vec()]).unwrap();
    assert!(
        model
            .nodes()
            .iter()
            .any(|n| matches!(n.op, QOp::Mul { .. } | QOp::Nonlinear { .. } | QOp::Relu)),
        "{what}: the layer was not unrolled"
    );
    let report = AccuracyReport::compare(graph, &model, &[sample.to_vec()]).unwrap();
    for out in &report.outputs {
        assert!(
            out.max_abs_error < 0.02,
            "{what}: output {} off by {} (range {})",
            out.name,
            out.max_abs_error,
            out.range
        );
    }
}

const DIRECTIONS: [Direction; 3] = [
    Direction::Forward,
    Direction::Reverse,
    Direction::Bidirectional,
];

#[test]
fn rnn_matches_the_float_layer() {
    for (seed, direction) in DIRECTIONS.into_iter().enumerate() {
        for act in [Activation::Tanh, Activation::Sigmoid, Activation::Relu] {
            for runtime_h0 in [false, true] {
                let op = Rnn {
                    recurrence: recurrence(direction, &[act]),
                };
                let (g, s) = layer(Box::new(op), 1, direction.count(), runtime_h0, seed as u64);
                check(
                    &g,
                    &s,
                    &format!("RNN {direction:?} {act:?} runtime h0 {runtime_h0}"),
                );
            }
        }
    }
}

#[test]
fn gru_matches_the_float_layer() {
    for (seed, direction) in DIRECTIONS.into_iter().enumerate() {
        for linear_before_reset in [false, true] {
            for runtime_h0 in [false, true] {
                let op = Gru {
                    recurrence: recurrence(direction, &[Activation::Sigmoid, Activation::Tanh]),
                    linear_before_reset,
                };
                let (g, s) = layer(
                    Box::new(op),
                    3,
                    direction.count(),
                    runtime_h0,
                    10 + seed as u64,
                );
                check(
                    &g,
                    &s,
                    &format!("GRU {direction:?} lbr {linear_before_reset} runtime h0 {runtime_h0}"),
                );
            }
        }
    }
}

#[test]
fn lstm_matches_the_float_layer() {
    for (seed, direction) in DIRECTIONS.into_iter().enumerate() {
        for runtime_h0 in [false, true] {
            let op = Lstm {
                recurrence: recurrence(
                    direction,
                    &[Activation::Sigmoid, Activation::Tanh, Activation::Tanh],
                ),
            };
            let (g, s) = layer(
                Box::new(op),
                4,
                direction.count(),
                runtime_h0,
                20 + seed as u64,
            );
            check(
                &g,
                &s,
                &format!("LSTM {direction:?} runtime h0 {runtime_h0}"),
            );
        }
    }
}

#[test]
fn clipped_gates_are_refused_naming_the_node() {
    let mut rec = recurrence(Direction::Forward, &[Activation::Tanh]);
    rec.clip = Some(1.0);
    let (g, s) = layer(Box::new(Rnn { recurrence: rec }), 1, 1, false, 3);
    let err = QuantizedModel::quantize(&g, &QuantSettings::default(), &[s]).unwrap_err();
    match &err {
        QuantError::Unsupported { node, op, reason } => {
            assert_eq!((node.as_str(), op.as_str()), ("rec", "RNN"));
            assert!(reason.contains("clip"), "{err}");
        }
        other => panic!("expected Unsupported, got {other}"),
    }
}
