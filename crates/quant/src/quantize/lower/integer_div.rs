//! ONNX `Div` of an integer tensor by integer constants: the quotient is
//! truncated toward zero (C semantics, what onnxruntime and the float IR do),
//! not the real quotient the fixed-point path would produce.
//!
//! With `y = sign(d)·x` and `t = [y < 0]`, `trunc(x / d) = floor((y + (|d|−1)·t) / |d|)`:
//! for `y ≥ 0` this is `floor(y/|d|)`, for `y < 0` it is `ceil(y/|d|)`. It is
//! built from existing ops at scale 0 — an exact `Affine` for `y`, one
//! `Compare` for `t`, and an `Affine` whose bias `−⌊|d|/2⌋` turns the
//! round-half-up division of [`crate::arith::div_round`] into a floor — so
//! the circuit needs nothing new.

use zkinfer_ir::{DType, Node, Tensor};

use super::unsupported;
use crate::arith::CompareKind;
use crate::error::QuantResult;
use crate::model::{Affine, QOp, QTensor, QTensorId, Rescale, Term};
use crate::quantize::{rescale_for, Builder};

impl Builder<'_> {
    /// Whether `node`'s output is an integer tensor (not bool, not float).
    pub(super) fn has_integer_output(&self, node: &Node) -> bool {
        self.graph
            .fact(&node.outputs[0])
            .is_some_and(|f| !matches!(f.dtype, DType::F32 | DType::Bool))
    }

    /// `trunc(x[map_x[r]] / c[map_c[r]])` for a scale-0 integer `x`.
    pub(super) fn lower_integer_div(
        &mut self,
        node: &Node,
        x: QTensorId,
        c: &Tensor,
        (map_x, map_c): (&[usize], &[usize]),
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let t = self.tensor(x).clone();
        debug_assert_eq!(t.scale, 0);
        let cv = c.to_f32_vec();
        let len = map_x.len();
        let mut divisors = Vec::with_capacity(len);
        let mut signs = Vec::with_capacity(len);
        for &i in map_c {
            let d = cv[i] as f64;
            if d == 0.0 {
                return Err(unsupported(node, "integer division by zero"));
            }
            if d.fract() != 0.0 || d.abs() > (1u64 << 30) as f64 {
                return Err(unsupported(
                    node,
                    format!("integer division by {d}: the divisor must be an integer below 2^30"),
                ));
            }
            divisors.push(d.abs() as u64);
            signs.push(if d < 0.0 { -1 } else { 1 });
        }
        let scalar = |name: String, shape: Vec<usize>, bits: u32| QTensor {
            name,
            shape,
            scale: 0,
            bits,
            calibrated_bound: None,
        };
        let bits = t.bits.max(2);
        // |x| < 2^(bits−1), and so is |y| and the quotient.
        let x_bound = 1i128 << (bits - 1);
        // y = sign(d)·x, gathered to the output's layout (no constraint).
        let y_name = format!("{}/signed", node.outputs[0]);
        let y = self.push_node(
            &y_name,
            QOp::Affine(Affine {
                row_starts: (0..=len).collect(),
                terms: (0..len)
                    .map(|r| Term {
                        input: 0,
                        index: map_x[r],
                        coeff: signs[r],
                    })
                    .collect(),
                bias: vec![0; len],
                acc_scale: 0,
                rescale: Rescale::Shift(0),
                acc_bound: x_bound,
                source: "Div (integer)".into(),
                sharing: None,
            }),
            vec![x],
            scalar(y_name.clone(), out_shape.clone(), bits),
        );
        // t = [y < 0].
        let zero_name = format!("{}/zero", node.outputs[0]);
        let zeros = Tensor::from_f32(&out_shape, vec![0.0; len])
            .map_err(|e| unsupported(node, e.to_string()))?;
        let zero = self.constant(&zero_name, &zeros, 0)?;
        let neg_name = format!("{}/negative", node.outputs[0]);
        let neg = self.push_node(
            &neg_name,
            QOp::Compare {
                kind: CompareKind::Less,
            },
            vec![y, zero],
            scalar(neg_name.clone(), out_shape.clone(), 2),
        );
        // floor((y + (|d|−1)·t) / |d|), the floor from round-half-up minus ⌊|d|/2⌋.
        let mut terms = Vec::with_capacity(2 * len);
        let mut row_starts = vec![0];
        let mut bias = Vec::with_capacity(len);
        let mut acc_bound: i128 = 0;
        for (r, &d) in divisors.iter().enumerate() {
            terms.push(Term {
                input: 0,
                index: r,
                coeff: 1,
            });
            if d > 1 {
                terms.push(Term {
                    input: 1,
                    index: r,
                    coeff: d as i64 - 1,
                });
            }
            row_starts.push(terms.len());
            bias.push(-((d / 2) as i64));
            acc_bound = acc_bound.max(x_bound + d as i128 + (d / 2) as i128);
        }
        let rescale = rescale_for(&divisors, 0)
            .ok_or_else(|| unsupported(node, "divisor does not fit in i64"))?;
        let out = scalar(node.outputs[0].clone(), out_shape, bits);
        Ok(self.push_node(
            &node.name,
            QOp::Affine(Affine {
                row_starts,
                terms,
                bias,
                acc_scale: 0,
                rescale,
                acc_bound,
                source: "Div (integer)".into(),
                sharing: None,
            }),
            vec![y, neg],
            out,
        ))
    }
}
