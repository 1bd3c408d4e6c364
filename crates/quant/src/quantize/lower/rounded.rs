//! Lowering of the ops that need [`RoundedOp`]s: division by a runtime tensor,
//! `Reciprocal`, `Sqrt`, `Pow` with exponent `±1/2` or `−1`, `Floor`/`Ceil`/`Round`,
//! `Abs`, and the norms `ReduceL1`, `ReduceL2`, `ReduceSumSquare`.
//!
//! Bit budgets of square roots and floors follow from the input's budget
//! exactly (the gadget's range); quotients take the calibrated bound, so a
//! divisor smaller than any seen in calibration is an `Overflow` at run time
//! rather than a wrapped witness.

use zkinfer_ir::ops::reduce::ReduceKind;
use zkinfer_ir::{Node, Tensor};

use super::unsupported;
use crate::arith::{floor_at_scale, signed_range, sqrt_scaled, FloorMode};
use crate::error::{QuantError, QuantResult};
use crate::fixed::bits_for_range;
use crate::model::{
    Affine, Gather, GatherSource, QOp, QTensor, QTensorId, Rescale, Tap, Term, Windows,
};
use crate::quantize::{Builder, FloatAffine};
use crate::rounded::RoundedOp;

/// Widest radicand or scaled numerator accepted (`x·2^shift`), far inside `i128`
/// and the gadgets' no-wrap limits.
const MAX_SCALED_BITS: u32 = 100;

impl Builder<'_> {
    fn scaled_overflow(&self, node: &str, bits: u32, shift: u32) -> QuantResult<()> {
        if bits + shift > MAX_SCALED_BITS {
            return Err(QuantError::ScaleOverflow {
                node: node.to_owned(),
                reason: format!(
                    "{bits}-bit values shifted by {shift} exceed {MAX_SCALED_BITS} bits"
                ),
            });
        }
        Ok(())
    }

    fn checked_bits(&self, node: &str, bits: u32) -> QuantResult<u32> {
        if bits > self.settings.max_bits {
            return Err(QuantError::ScaleOverflow {
                node: node.to_owned(),
                reason: format!(
                    "needs {bits} bits, above the limit of {}",
                    self.settings.max_bits
                ),
            });
        }
        Ok(bits)
    }

    /// `n / d` elementwise (broadcast to `out_shape`), rounded half up at the
    /// output scale; `d` is a runtime tensor, `n` a runtime or constant tensor.
    pub(super) fn emit_divide(
        &mut self,
        node: &Node,
        n: QTensorId,
        d: QTensorId,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let n = self.broadcast_to(node, n, &out_shape)?;
        let d = self.broadcast_to(node, d, &out_shape)?;
        let (tn, td) = (self.tensor(n).clone(), self.tensor(d).clone());
        // n/2^s_n ÷ d/2^s_d at scale s_out is (n·2^(s_out + s_d − s_n)) / d.
        let out_scale = self
            .settings
            .scale_for(&node.name, self.settings.activation_scale)
            .max(tn.scale.saturating_sub(td.scale));
        let shift = out_scale + td.scale - tn.scale;
        self.scaled_overflow(&node.name, tn.bits, shift)?;
        let out_name = node.outputs[0].clone();
        let bound = self.calibration.bound(&out_name);
        let bits = self.bits_for(&node.name, bound * self.settings.margin, out_scale)?;
        let out = QTensor {
            name: out_name,
            shape: out_shape,
            scale: out_scale,
            bits,
            calibrated_bound: Some(bound),
        };
        Ok(self.push_node(
            &node.name,
            QOp::Rounded(RoundedOp::Divide { shift }),
            vec![n, d],
            out,
        ))
    }

    /// `c / y` for a constant `c` (ONNX `Div` with a constant numerator, `Reciprocal`).
    pub(super) fn emit_constant_over(
        &mut self,
        node: &Node,
        c: &Tensor,
        y: QTensorId,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let values = c.to_f32_vec();
        // Whole numbers are exact at scale 0; others take the weight scale.
        let scale = if values.iter().all(|v| v.fract() == 0.0) {
            0
        } else {
            self.settings.weight_scale
        };
        let n = self.constant(&format!("{}/numerator", node.outputs[0]), c, scale)?;
        self.emit_divide(node, n, y, out_shape)
    }

    /// `√x` at the output scale: `floor(√(x·2^(2·s_out − s_in)))`, output `out_name`.
    pub(super) fn emit_sqrt(
        &mut self,
        node_name: &str,
        out_name: &str,
        x: QTensorId,
    ) -> QuantResult<QTensorId> {
        let t = self.tensor(x).clone();
        let out_scale = self
            .settings
            .scale_for(node_name, self.settings.activation_scale)
            .max(t.scale.div_ceil(2));
        let shift = 2 * out_scale - t.scale;
        self.scaled_overflow(node_name, t.bits, shift)?;
        let (_, hi) = signed_range(t.bits);
        let max_root = sqrt_scaled(hi, shift).unwrap_or(0);
        let bits = self.checked_bits(node_name, bits_for_range(0, max_root))?;
        let out = QTensor {
            name: out_name.to_owned(),
            shape: t.shape.clone(),
            scale: out_scale,
            bits,
            calibrated_bound: Some(self.calibration.bound(out_name)),
        };
        Ok(self.push_node(
            node_name,
            QOp::Rounded(RoundedOp::Sqrt { shift }),
            vec![x],
            out,
        ))
    }

    /// `Pow(x, e)` for the exponents with a rounded-op form: `1/2`, `−1`, `−1/2`.
    pub(super) fn lower_pow(
        &mut self,
        node: &Node,
        x: QTensorId,
        exponent: &Tensor,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let e = exponent.to_f32_vec();
        let Some(&first) = e.first().filter(|&&v| e.iter().all(|&w| w == v)) else {
            return Err(unsupported(node, "Pow with a non-uniform exponent"));
        };
        let out_name = node.outputs[0].clone();
        let one = Tensor::scalar_f32(1.0);
        match first {
            0.5 => {
                let y = self.emit_sqrt(&node.name, &out_name, x)?;
                self.broadcast_to(node, y, &out_shape)
            }
            -1.0 => self.emit_constant_over(node, &one, x, out_shape),
            -0.5 => {
                let root_name = format!("{out_name}/sqrt");
                let root_bound = self.calibration.bound(&self.tensor(x).name).sqrt();
                self.calibration
                    .bounds
                    .insert(root_name.clone(), root_bound);
                let root = self.emit_sqrt(&format!("{}/sqrt", node.name), &root_name, x)?;
                self.emit_constant_over(node, &one, root, out_shape)
            }
            other => Err(unsupported(
                node,
                format!(
                    "Pow with exponent {other}: only 1, 2, 1/2, −1 and −1/2 have integer semantics"
                ),
            )),
        }
    }

    /// `Floor`, `Ceil` or `Round` (half up) at the input's scale.
    pub(super) fn emit_floor(
        &mut self,
        node: &Node,
        x: QTensorId,
        mode: FloorMode,
    ) -> QuantResult<QTensorId> {
        let t = self.tensor(x).clone();
        let (lo, hi) = signed_range(t.bits);
        let bits = self.checked_bits(
            &node.name,
            bits_for_range(
                floor_at_scale(lo, t.scale, mode),
                floor_at_scale(hi, t.scale, mode),
            ),
        )?;
        let out = QTensor {
            name: node.outputs[0].clone(),
            bits,
            calibrated_bound: None,
            ..t.clone()
        };
        Ok(self.push_node(
            &node.name,
            QOp::Rounded(RoundedOp::Floor {
                mode,
                scale: t.scale,
            }),
            vec![x],
            out,
        ))
    }

    /// `|x| = max(x, −x)`: an exact negation (coefficient −1, no rounding) then a
    /// max over the pairs. Output `out_name`, one bit wider than `x`.
    pub(super) fn emit_abs(&mut self, node_name: &str, out_name: &str, x: QTensorId) -> QTensorId {
        let t = self.tensor(x).clone();
        let len = t.len();
        let neg_name = format!("{out_name}/neg");
        let affine = Affine {
            row_starts: (0..=len).collect(),
            terms: (0..len)
                .map(|i| Term {
                    input: 0,
                    index: i,
                    coeff: -1,
                })
                .collect(),
            bias: vec![0; len],
            acc_scale: t.scale,
            rescale: Rescale::Shift(0),
            acc_bound: 1i128 << (t.bits - 1),
            source: "Neg".into(),
        };
        let neg_out = QTensor {
            name: neg_name.clone(),
            bits: t.bits + 1,
            calibrated_bound: None,
            ..t.clone()
        };
        let neg = self.push_node(&neg_name, QOp::Affine(affine), vec![x], neg_out);
        let windows = Windows::from_groups(
            (0..len).map(|r| vec![Tap { input: 0, index: r }, Tap { input: 1, index: r }]),
        );
        let out = QTensor {
            name: out_name.to_owned(),
            bits: t.bits + 1,
            calibrated_bound: None,
            ..t
        };
        self.push_node(
            node_name,
            QOp::MaxOver {
                windows,
                min: false,
            },
            vec![x, neg],
            out,
        )
    }

    /// `ReduceL1` (sum of `|x|`), `ReduceSumSquare` and `ReduceL2` (its square
    /// root) over the reduction `groups` of `x`.
    ///
    /// Squares are summed by one private dot product per group (the groups
    /// gathered into a `[groups, k]` tensor that is both operands of a
    /// `MatMul` with `m = n = 1`) at the full scale `2·s_x` without rounding;
    /// the square root then brings the norm to the output scale.
    pub(super) fn lower_norm(
        &mut self,
        node: &Node,
        kind: ReduceKind,
        x: QTensorId,
        groups: Vec<Vec<usize>>,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let out_name = node.outputs[0].clone();
        if kind == ReduceKind::L1 {
            let abs = self.emit_abs(&format!("{}/abs", node.name), &format!("{out_name}/abs"), x);
            let mut fa = FloatAffine::new(vec![abs], groups.len(), "ReduceL1");
            for (row, g) in fa.rows.iter_mut().zip(&groups) {
                *row = g.iter().map(|&e| (0, e, 1.0)).collect();
            }
            return self.emit_affine(&node.name, &out_name, out_shape, fa);
        }
        let k = groups.first().map_or(0, Vec::len);
        if k == 0 || groups.iter().any(|g| g.len() != k) {
            return Err(unsupported(node, "empty or ragged reduction groups"));
        }
        let t = self.tensor(x).clone();
        let gathered_name = format!("{out_name}/groups");
        let gathered = self.push_node(
            &gathered_name,
            QOp::Gather(Gather {
                sources: groups
                    .iter()
                    .flatten()
                    .map(|&i| GatherSource::Input(Tap { input: 0, index: i }))
                    .collect(),
                source: node.op.name().into(),
            }),
            vec![x],
            QTensor {
                name: gathered_name.clone(),
                shape: vec![groups.len(), k],
                calibrated_bound: None,
                ..t.clone()
            },
        );
        let margin = self.settings.margin;
        let (square_name, square_bound, out_bound) = if kind == ReduceKind::L2 {
            let b = self.calibration.bound(&out_name);
            (
                format!("{out_name}/sum_square"),
                b * b,
                b * margin * b * margin,
            )
        } else {
            let b = self.calibration.bound(&out_name);
            (out_name.clone(), b, b * margin)
        };
        let square_scale = 2 * t.scale;
        let acc_bits = 2 * t.bits - 2 + usize::BITS - k.leading_zeros();
        let bits = self
            .bits_for(&node.name, out_bound, square_scale)?
            .min(acc_bits);
        let square_node = if kind == ReduceKind::L2 {
            format!("{}/sum_square", node.name)
        } else {
            node.name.clone()
        };
        let squares = self.push_node(
            &square_node,
            QOp::MatMul {
                batch: groups.len(),
                m: 1,
                k,
                n: 1,
                shift: 0,
            },
            vec![gathered, gathered],
            QTensor {
                name: square_name.clone(),
                shape: if kind == ReduceKind::L2 {
                    vec![groups.len()]
                } else {
                    out_shape.clone()
                },
                scale: square_scale,
                bits,
                calibrated_bound: Some(square_bound),
            },
        );
        match kind {
            ReduceKind::SumSquare => Ok(squares),
            _ => {
                let root = self.emit_sqrt(&node.name, &out_name, squares)?;
                // the root is computed per group; give it the node's output shape
                self.tensors[root.0].shape = out_shape;
                Ok(root)
            }
        }
    }
}
