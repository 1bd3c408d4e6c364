//! The integer interpreter: one inference of a [`QuantizedModel`], every
//! intermediate kept in a [`Trace`] (the circuit's witness).
//!
//! All rounding and every nonlinear function goes through [`crate::arith`], the
//! functions the gadgets mirror; arithmetic is checked, and every value is
//! checked against its tensor's bit budget, so a bad input is a typed error and
//! never a silently wrapped witness.

use ndarray::{ArrayD, IxDyn};
use zkinfer_ir::Tensor;

use crate::arith;
use crate::error::{QuantError, QuantResult};
use crate::fixed::{dequantize, quantize};
use crate::model::{GatherSource, QNode, QOp, QTensorId, QuantizedModel};

/// Every integer tensor of one inference, indexed by [`QTensorId`].
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    values: Vec<ArrayD<i64>>,
    scales: Vec<u32>,
    outputs: Vec<QTensorId>,
}

impl Trace {
    /// The integer value of a tensor.
    pub fn value(&self, id: QTensorId) -> &ArrayD<i64> {
        &self.values[id.0]
    }

    /// All values, indexed by tensor id.
    pub fn values(&self) -> &[ArrayD<i64>] {
        &self.values
    }

    /// The real value of a tensor: each integer divided by `2^scale`.
    pub fn dequantized(&self, id: QTensorId) -> ArrayD<f32> {
        let s = self.scales[id.0];
        self.values[id.0].mapv(|v| dequantize(v as i128, s) as f32)
    }

    /// The model's outputs as integers.
    pub fn outputs(&self) -> Vec<&ArrayD<i64>> {
        self.outputs.iter().map(|&id| self.value(id)).collect()
    }

    /// The model's outputs as reals, in the float graph's order.
    pub fn dequantized_outputs(&self) -> Vec<Tensor> {
        self.outputs
            .iter()
            .map(|&id| Tensor::F32(self.dequantized(id)))
            .collect()
    }
}

impl QuantizedModel {
    /// Quantize float inputs at the input scale (rounding half up) and check their budgets.
    pub fn quantize_inputs(&self, inputs: &[Tensor]) -> QuantResult<Vec<ArrayD<i64>>> {
        if inputs.len() != self.inputs.len() {
            return Err(QuantError::BadInput(format!(
                "expected {} inputs, got {}",
                self.inputs.len(),
                inputs.len()
            )));
        }
        let mut out = Vec::with_capacity(inputs.len());
        for ((&id, t), name) in self.inputs.iter().zip(inputs).zip(&self.input_names) {
            let q = self.tensor(id);
            if t.shape() != q.shape.as_slice() {
                return Err(QuantError::BadInput(format!(
                    "input `{name}` has shape {:?}, expected {:?}",
                    t.shape(),
                    q.shape
                )));
            }
            let values = t.to_f32_vec();
            let mut ints = Vec::with_capacity(values.len());
            for (index, &x) in values.iter().enumerate() {
                if !x.is_finite() {
                    return Err(QuantError::NonFinite {
                        name: name.clone(),
                        index,
                        value: x,
                    });
                }
                let v = quantize(x as f64, q.scale as i32).unwrap_or(i128::MAX);
                ints.push(check(name, index, v, q.bits)?);
            }
            out.push(ArrayD::from_shape_vec(IxDyn(&q.shape), ints).expect("shape checked"));
        }
        Ok(out)
    }

    /// Run one inference on float inputs (quantized at the input scale).
    pub fn run(&self, inputs: &[Tensor]) -> QuantResult<Trace> {
        let ints = self.quantize_inputs(inputs)?;
        self.run_integers(ints)
    }

    /// Run one inference on already quantized inputs.
    pub fn run_integers(&self, inputs: Vec<ArrayD<i64>>) -> QuantResult<Trace> {
        let mut values: Vec<Option<ArrayD<i64>>> = vec![None; self.tensors.len()];
        for ((&id, v), name) in self.inputs.iter().zip(inputs).zip(&self.input_names) {
            let q = self.tensor(id);
            if v.shape() != q.shape.as_slice() {
                return Err(QuantError::BadInput(format!(
                    "input `{name}` has shape {:?}",
                    v.shape()
                )));
            }
            for (index, &x) in v.iter().enumerate() {
                check(name, index, x as i128, q.bits)?;
            }
            values[id.0] = Some(v);
        }
        for node in &self.nodes {
            let ins: Vec<&[i64]> = node
                .inputs
                .iter()
                .map(|i| {
                    values[i.0]
                        .as_ref()
                        .and_then(|a| a.as_slice())
                        .expect("topological order, standard layout")
                })
                .collect();
            let out = eval_node(node, &ins)?;
            let shape = &self.tensor(node.output).shape;
            values[node.output.0] =
                Some(ArrayD::from_shape_vec(IxDyn(shape), out).expect("one value per element"));
        }
        Ok(Trace {
            values: values
                .into_iter()
                .map(|v| v.unwrap_or_else(|| ArrayD::zeros(IxDyn(&[0]))))
                .collect(),
            scales: self.tensors.iter().map(|t| t.scale).collect(),
            outputs: self.outputs.clone(),
        })
    }
}

/// `v` as an `i64` within a `bits`-bit signed budget, or an overflow error.
fn check(node: &str, index: usize, value: i128, bits: u32) -> QuantResult<i64> {
    if arith::Bits(bits).fits_signed(value) {
        Ok(value as i64)
    } else {
        Err(QuantError::Overflow {
            node: node.to_owned(),
            index,
            value,
            bits,
        })
    }
}

fn overflow(node: &QNode, index: usize) -> QuantError {
    QuantError::Overflow {
        node: node.name.clone(),
        index,
        value: i128::MAX,
        bits: 127,
    }
}

/// Evaluate one node on flat inputs; returns the flat output, budget-checked.
fn eval_node(node: &QNode, ins: &[&[i64]]) -> QuantResult<Vec<i64>> {
    let bits = node.out_bits;
    let name = node.name.as_str();
    let at = |tap: crate::model::Tap| ins[tap.input][tap.index] as i128;
    let raw: Vec<i128> = match &node.op {
        QOp::Constant(values) => values.iter().map(|&v| v as i128).collect(),
        QOp::Affine(a) => {
            let mut out = Vec::with_capacity(a.rows());
            for r in 0..a.rows() {
                let mut acc = a.bias[r] as i128;
                for t in a.row(r) {
                    let p = (t.coeff as i128)
                        .checked_mul(ins[t.input][t.index] as i128)
                        .ok_or_else(|| overflow(node, r))?;
                    acc = acc.checked_add(p).ok_or_else(|| overflow(node, r))?;
                }
                out.push(a.rescale.apply(r, acc));
            }
            out
        }
        QOp::Gather(g) => g
            .sources
            .iter()
            .map(|s| match *s {
                GatherSource::Input(tap) => at(tap),
                GatherSource::Constant(c) => c as i128,
            })
            .collect(),
        QOp::Mul { shift } => ins[0]
            .iter()
            .zip(ins[1])
            .map(|(&a, &b)| arith::rescale(a as i128 * b as i128, *shift))
            .collect(),
        QOp::MatMul {
            batch,
            m,
            k,
            n,
            shift,
        } => {
            let (a, b) = (ins[0], ins[1]);
            let mut out = Vec::with_capacity(batch * m * n);
            for bi in 0..*batch {
                for i in 0..*m {
                    let row: Vec<i128> =
                        (0..*k).map(|kk| a[(bi * m + i) * k + kk] as i128).collect();
                    for j in 0..*n {
                        let col: Vec<i128> =
                            (0..*k).map(|kk| b[(bi * k + kk) * n + j] as i128).collect();
                        out.push(arith::rescale(arith::dot(&row, &col), *shift));
                    }
                }
            }
            out
        }
        QOp::Relu => ins[0].iter().map(|&x| arith::relu(x as i128)).collect(),
        QOp::LeakyRelu { slopes, shift } => ins[0]
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                arith::leaky_relu(
                    x as i128,
                    slopes[if slopes.len() == 1 { 0 } else { i }],
                    *shift,
                )
            })
            .collect(),
        QOp::Clip { lo, hi } => ins[0]
            .iter()
            .map(|&x| {
                let lo = lo.map_or(i128::MIN, |v| v as i128);
                let hi = hi.map_or(i128::MAX, |v| v as i128);
                arith::clip(x as i128, lo, hi)
            })
            .collect(),
        QOp::MaxOver { windows, min } => (0..windows.len())
            .map(|w| {
                let xs: Vec<i128> = windows
                    .window(w)
                    .iter()
                    .map(|&t| if *min { -at(t) } else { at(t) })
                    .collect();
                let m = arith::max_reduce(&xs);
                if *min {
                    -m
                } else {
                    m
                }
            })
            .collect(),
        QOp::ArgMax { windows, min } => (0..windows.len())
            .map(|w| {
                let xs: Vec<i128> = windows
                    .window(w)
                    .iter()
                    .map(|&t| if *min { -at(t) } else { at(t) })
                    .collect();
                arith::argmax(&xs) as i128
            })
            .collect(),
        QOp::Nonlinear {
            kind,
            in_scale,
            out_scale,
        } => ins[0]
            .iter()
            .map(|&x| kind.apply(x as i128, *in_scale, *out_scale))
            .collect(),
        QOp::Softmax {
            outer,
            group,
            inner,
            in_scale,
            out_scale,
        } => {
            let mut out = vec![0i128; ins[0].len()];
            for lane in QOp::softmax_lanes(*outer, *group, *inner) {
                let xs: Vec<i128> = lane.iter().map(|&i| ins[0][i] as i128).collect();
                for (&i, y) in lane.iter().zip(arith::softmax(&xs, *in_scale, *out_scale)) {
                    out[i] = y;
                }
            }
            out
        }
        QOp::Rounded(r) => (0..ins[0].len())
            .map(|i| {
                r.eval(ins, i).map_err(|reason| QuantError::Domain {
                    node: name.to_owned(),
                    op: r.name(),
                    index: i,
                    reason,
                })
            })
            .collect::<QuantResult<Vec<_>>>()?,
        QOp::Compare { kind } => ins[0]
            .iter()
            .zip(ins[1])
            .map(|(&a, &b)| arith::compare(*kind, a as i128, b as i128))
            .collect(),
        QOp::Logic { kind } => ins[0]
            .iter()
            .zip(ins[1])
            .map(|(&a, &b)| arith::logic(*kind, a as i128, b as i128))
            .collect(),
        QOp::Select => (0..ins[0].len())
            .map(|i| arith::select(ins[0][i] as i128, ins[1][i] as i128, ins[2][i] as i128))
            .collect(),
        QOp::Lookup(l) => crate::interpret::lookup(node, l, ins)?,
        QOp::Boolean => {
            if let Some((i, v)) = ins[0].iter().enumerate().find(|(_, &v)| v != 0 && v != 1) {
                return Err(QuantError::BadInput(format!(
                    "node `{name}`: element {i} is {v}, not a boolean"
                )));
            }
            ins[0].iter().map(|&x| x as i128).collect()
        }
    };
    raw.into_iter()
        .enumerate()
        .map(|(i, v)| check(name, i, v, bits))
        .collect()
}

/// A [`QOp::Lookup`]: every output element's table row at its runtime index.
fn lookup(node: &QNode, l: &crate::model::Lookup, ins: &[&[i64]]) -> QuantResult<Vec<i128>> {
    (0..l.index.len())
        .map(|e| {
            let row: Vec<i128> = l
                .row(e)
                .iter()
                .map(|s| match *s {
                    GatherSource::Input(tap) => ins[tap.input][tap.index] as i128,
                    GatherSource::Constant(c) => c as i128,
                })
                .collect();
            let idx = ins[0][l.index[e]] as i128;
            arith::lookup(&row, idx).ok_or_else(|| QuantError::IndexOutOfRange {
                node: node.name.clone(),
                index: e,
                value: idx,
                depth: l.depth,
            })
        })
        .collect()
}

#[cfg(test)]
mod logic_tests {
    use super::*;
    use crate::arith::CompareKind;
    use crate::model::{Lookup, QTensor, Tap};
    use crate::settings::QuantSettings;

    fn tensor(name: &str, len: usize, bits: u32) -> QTensor {
        QTensor {
            name: name.into(),
            shape: vec![len],
            scale: 0,
            bits,
            calibrated_bound: None,
        }
    }

    /// idx → Boolean(flag) ; Lookup(idx, data) ; Compare(lookup, data[0]).
    fn model() -> QuantizedModel {
        let node = |name: &str, op, inputs: Vec<usize>, output, bits| QNode {
            name: name.into(),
            op,
            inputs: inputs.into_iter().map(QTensorId).collect(),
            output: QTensorId(output),
            out_scale: 0,
            out_bits: bits,
        };
        let lookup = Lookup {
            depth: 3,
            index: vec![0, 1],
            table: vec![
                GatherSource::Constant(10),
                GatherSource::Constant(20),
                GatherSource::Constant(30),
                GatherSource::Input(Tap { input: 1, index: 0 }),
                GatherSource::Input(Tap { input: 1, index: 1 }),
                GatherSource::Input(Tap { input: 1, index: 2 }),
            ],
            source: "test".into(),
        };
        QuantizedModel {
            tensors: vec![
                tensor("idx", 2, 8),
                tensor("data", 3, 8),
                tensor("flag", 1, 2),
                tensor("flag/boolean", 1, 2),
                tensor("picked", 2, 8),
                tensor("less", 2, 2),
            ],
            nodes: vec![
                node("flag/boolean", QOp::Boolean, vec![2], 3, 2),
                node("pick", QOp::Lookup(lookup), vec![0, 1], 4, 8),
                node(
                    "less",
                    QOp::Compare {
                        kind: CompareKind::Less,
                    },
                    vec![4, 0],
                    5,
                    2,
                ),
            ],
            inputs: vec![QTensorId(0), QTensorId(1), QTensorId(2)],
            outputs: vec![QTensorId(4), QTensorId(5)],
            input_names: vec!["idx".into(), "data".into(), "flag".into()],
            settings: QuantSettings::default(),
        }
    }

    fn run(idx: [i64; 2], flag: i64) -> QuantResult<Trace> {
        let ints = vec![
            ArrayD::from_shape_vec(IxDyn(&[2]), idx.to_vec()).unwrap(),
            ArrayD::from_shape_vec(IxDyn(&[3]), vec![-4, 5, 6]).unwrap(),
            ArrayD::from_shape_vec(IxDyn(&[1]), vec![flag]).unwrap(),
        ];
        model().run_integers(ints)
    }

    #[test]
    fn lookups_and_comparisons_follow_arith() {
        let trace = run([2, 1], 1).unwrap();
        let picked: Vec<i64> = trace.value(QTensorId(4)).iter().copied().collect();
        assert_eq!(picked, vec![30, 5]);
        let less: Vec<i64> = trace.value(QTensorId(5)).iter().copied().collect();
        assert_eq!(less, vec![0, 0]); // 30 < 2 and 5 < 1 are false
    }

    #[test]
    fn bad_indices_and_non_booleans_are_typed_errors() {
        assert!(matches!(
            run([3, 0], 0),
            Err(QuantError::IndexOutOfRange {
                value: 3,
                depth: 3,
                ..
            })
        ));
        assert!(matches!(
            run([0, -1], 0),
            Err(QuantError::IndexOutOfRange { value: -1, .. })
        ));
        assert!(matches!(run([0, 0], -1), Err(QuantError::BadInput(_))));
    }
}
