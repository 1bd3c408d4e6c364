//! Lowering of the ops that need [`RoundedOp`]s: division by a runtime tensor,
//! `Reciprocal`, `Sqrt`, `Pow` with exponent `±1/2` or `−1`, `Floor`/`Ceil`/`Round`,
//! `Abs`, and the norms `ReduceL1`, `ReduceL2`, `ReduceSumSquare`.
//!
//! Bit budgets of square roots and floors follow from the input's budget
//! exactly (the gadget's range); quotients take the calibrated bound, so a
//! divisor smaller than any seen in calibration is an `Overflow` at run time
//! rather than a wrapped witness.

use zkinfer_ir::ops::nn::LayerNormalization;
use zkinfer_ir::ops::reduce::ReduceKind;
use zkinfer_ir::{Node, Tensor};

use super::unsupported;
use crate::arith::{floor_at_scale, signed_range, sqrt_scaled, FloorMode};
use crate::error::{QuantError, QuantResult};
use crate::fixed::bits_for_range;
use crate::index::{broadcast_map, reduce_groups};
use crate::model::{
    Affine, Gather, GatherSource, QOp, QTensor, QTensorId, Rescale, Tap, Term, Windows,
};
use crate::quantize::{Builder, FloatAffine};
use crate::rounded::RoundedOp;

/// Names, scale and calibrated bound of an emitted node's output.
#[derive(Clone, Copy)]
struct Named<'a> {
    node: &'a str,
    tensor: &'a str,
    scale: u32,
    bound: f64,
}

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
        let (sn, sd) = (self.tensor(n).scale, self.tensor(d).scale);
        let out_scale = self
            .settings
            .scale_for(&node.name, self.settings.activation_scale)
            .max(sn.saturating_sub(sd));
        let out_name = node.outputs[0].clone();
        let bound = self.calibration.bound(&out_name);
        let out = Named {
            node: &node.name,
            tensor: &out_name,
            scale: out_scale,
            bound,
        };
        self.push_divide(node, out, n, d, out_shape)
    }

    /// [`emit_divide`](Self::emit_divide) with explicit names, scale and bound.
    fn push_divide(
        &mut self,
        node: &Node,
        out: Named<'_>,
        n: QTensorId,
        d: QTensorId,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let n = self.broadcast_to(node, n, &out_shape)?;
        let d = self.broadcast_to(node, d, &out_shape)?;
        let (tn, td) = (self.tensor(n).clone(), self.tensor(d).clone());
        // n/2^s_n ÷ d/2^s_d at scale s_out is (n·2^(s_out + s_d − s_n)) / d.
        let out_scale = out.scale.max(tn.scale.saturating_sub(td.scale));
        let shift = out_scale + td.scale - tn.scale;
        self.scaled_overflow(out.node, tn.bits, shift)?;
        let bits = self.bits_for(out.node, out.bound * self.settings.margin, out_scale)?;
        let tensor = QTensor {
            name: out.tensor.to_owned(),
            shape: out_shape,
            scale: out_scale,
            bits,
            calibrated_bound: Some(out.bound),
        };
        Ok(self.push_node(
            out.node,
            QOp::Rounded(RoundedOp::Divide { shift }),
            vec![n, d],
            tensor,
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
        let scale = self
            .settings
            .scale_for(node_name, self.settings.activation_scale);
        self.emit_sqrt_at(node_name, out_name, x, scale)
    }

    /// [`emit_sqrt`](Self::emit_sqrt) at a chosen output scale (raised to `⌈s_in/2⌉` if below).
    fn emit_sqrt_at(
        &mut self,
        node_name: &str,
        out_name: &str,
        x: QTensorId,
        scale: u32,
    ) -> QuantResult<QTensorId> {
        let t = self.tensor(x).clone();
        let out_scale = scale.max(t.scale.div_ceil(2));
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

    /// `Floor`, `Ceil` or `Round` (ties to even) at the input's scale.
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
            sharing: None,
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

    /// `LayerNormalization`: `y = (x − μ)/√(σ² + ε)·γ + β` over the axes from `axis` on.
    ///
    /// * centered `c = round((n·x − Σx)/n)` (one constant division per element),
    /// * `S = Σ c²` per group by a private dot product, exact at scale `2·s_c`,
    /// * `v = round((S + n·ε)/n)` at scale `2·s_c` (the variance plus ε),
    /// * `r = floor(√v)` at scale `s_c + LN_EXTRA_BITS` (the standard deviation
    ///   with extra precision: it divides),
    /// * `q = c / r` at scale `activation + LN_EXTRA_BITS` (a private division;
    ///   a group with zero variance and an ε below one unit is a zero divisor,
    ///   refused at run time),
    /// * `y = γ·q + β`, an affine map with the parameters as weights.
    pub(super) fn lower_layer_norm(
        &mut self,
        node: &Node,
        ln: &LayerNormalization,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let gamma = self.const_input(node, 1)?;
        let beta = self.opt_const_input(node, 2)?;
        let t = self.tensor(x).clone();
        let rank = t.shape.len();
        let axis = ln
            .resolved_axis(rank)
            .map_err(|e| unsupported(node, e.to_string()))?;
        let reduced: Vec<bool> = (0..rank).map(|a| a >= axis).collect();
        let groups = reduce_groups(&t.shape, &reduced);
        let n = groups.first().map_or(0, Vec::len);
        if n == 0 || groups.iter().any(|g| g.len() != n) {
            return Err(unsupported(node, "empty normalization groups"));
        }
        let len = t.len();
        let out = node.outputs[0].clone();
        let bx = self.calibration.bound(&self.tensor(x).name);
        // 1. centered values
        let mut fa = FloatAffine::new(vec![x], len, "LayerNormalization");
        for g in &groups {
            for &e in g {
                fa.rows[e] = g
                    .iter()
                    .map(|&j| (0, j, if j == e { n as f64 - 1.0 } else { -1.0 }))
                    .collect();
                fa.divisors[e] = n as u64;
            }
        }
        let centered_name = format!("{out}/centered");
        self.calibration
            .bounds
            .insert(centered_name.clone(), 2.0 * bx);
        let centered = self.emit_affine(
            &format!("{}/centered", node.name),
            &centered_name,
            t.shape.clone(),
            fa,
        )?;
        let tc = self.tensor(centered).clone();
        // 2. sums of squares, exact
        let gathered_name = format!("{out}/groups");
        let gathered = self.push_node(
            &gathered_name,
            QOp::Gather(Gather {
                sources: groups
                    .iter()
                    .flatten()
                    .map(|&i| GatherSource::Input(Tap { input: 0, index: i }))
                    .collect(),
                source: "LayerNormalization".into(),
            }),
            vec![centered],
            QTensor {
                name: gathered_name.clone(),
                shape: vec![groups.len(), n],
                calibrated_bound: None,
                ..tc.clone()
            },
        );
        let square_scale = 2 * tc.scale;
        let square_bits = 2 * tc.bits - 2 + usize::BITS - n.leading_zeros();
        let squares_name = format!("{out}/sum_square");
        let squares = self.push_node(
            &squares_name,
            QOp::MatMul {
                batch: groups.len(),
                m: 1,
                k: n,
                n: 1,
                shift: 0,
            },
            vec![gathered, gathered],
            QTensor {
                name: squares_name.clone(),
                shape: vec![groups.len()],
                scale: square_scale,
                bits: self.checked_bits(&node.name, square_bits)?,
                calibrated_bound: None,
            },
        );
        // 3. variance + ε at the squares' scale
        let mut fa = FloatAffine::new(vec![squares], groups.len(), "LayerNormalization");
        for (g, row) in fa.rows.iter_mut().enumerate() {
            *row = vec![(0, g, 1.0)];
        }
        let eps = ln.epsilon as f64;
        fa.bias = vec![n as f64 * eps; groups.len()];
        fa.divisors = vec![n as u64; groups.len()];
        let var_name = format!("{out}/variance");
        self.calibration
            .bounds
            .insert(var_name.clone(), 4.0 * bx * bx + eps);
        let (affine, var_tensor) = self.quantize_affine(
            &format!("{}/variance", node.name),
            &var_name,
            &[groups.len()],
            square_scale,
            &fa,
        )?;
        let variance = self.push_node(
            &format!("{}/variance", node.name),
            QOp::Affine(affine),
            vec![squares],
            var_tensor,
        );
        // 4. standard deviation, 5. normalized values
        let std_name = format!("{out}/std");
        self.calibration.bounds.insert(std_name.clone(), 2.0 * bx);
        let std = self.emit_sqrt_at(
            &format!("{}/std", node.name),
            &std_name,
            variance,
            tc.scale + LN_EXTRA_BITS,
        )?;
        let std_per_element = {
            let name = format!("{out}/std_broadcast");
            let mut sources = vec![GatherSource::Constant(0); len];
            for (g, members) in groups.iter().enumerate() {
                for &e in members {
                    sources[e] = GatherSource::Input(Tap { input: 0, index: g });
                }
            }
            let ts = self.tensor(std).clone();
            self.push_node(
                &name,
                QOp::Gather(Gather {
                    sources,
                    source: "broadcast".into(),
                }),
                vec![std],
                QTensor {
                    name: name.clone(),
                    shape: t.shape.clone(),
                    calibrated_bound: None,
                    ..ts
                },
            )
        };
        let normalized_name = format!("{out}/normalized");
        let normalized = self.push_divide(
            node,
            Named {
                node: &format!("{}/normalized", node.name),
                tensor: &normalized_name,
                scale: self.settings.activation_scale + LN_EXTRA_BITS,
                bound: (n as f64).sqrt(),
            },
            centered,
            std_per_element,
            t.shape.clone(),
        )?;
        // 6. scale and shift
        let map_g = broadcast_map(gamma.shape(), &out_shape)
            .ok_or_else(|| unsupported(node, "Scale does not broadcast"))?;
        let gv = gamma.to_f32_vec();
        let mut fa = FloatAffine::new(vec![normalized], len, "LayerNormalization");
        for (r, row) in fa.rows.iter_mut().enumerate() {
            *row = vec![(0, r, gv[map_g[r]] as f64)];
        }
        if let Some(b) = beta {
            let map_b = broadcast_map(b.shape(), &out_shape)
                .ok_or_else(|| unsupported(node, "B does not broadcast"))?;
            let bv = b.to_f32_vec();
            for (r, bias) in fa.bias.iter_mut().enumerate() {
                *bias = bv[map_b[r]] as f64;
            }
        }
        self.emit_affine(&node.name, &out, out_shape, fa)
    }
}

/// Extra fraction bits of LayerNormalization's standard deviation and
/// normalized values over their inputs' scales (both feed a division).
const LN_EXTRA_BITS: u32 = 4;
