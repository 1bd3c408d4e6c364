//! Lowering of each float op to quantized nodes. Dispatch is on the IR op type
//! (downcasts), never on ONNX strings; data-movement ops are recognised once,
//! through the IR's [`as_index_map_op`].

mod integer_div;
mod logic;

use zkinfer_ir::ops::activation::{
    Activation, ActivationKind, Celu, Clip, Elu, LeakyRelu, PRelu, Relu, Selu, Softmax, SoftmaxKind,
};
use zkinfer_ir::ops::array::{as_index_map_op, Source};
use zkinfer_ir::ops::math::{
    BinaryKind, BinaryOp, Cast, UnaryKind, UnaryOp, VariadicKind, VariadicOp,
};
use zkinfer_ir::ops::nn::{
    AveragePool, BatchNormalization, Conv, ConvTranspose, Gemm, GlobalPool, GlobalPoolKind, Gru,
    LayerNormalization, Lstm, MatMul, MaxPool, Rnn,
};
use zkinfer_ir::ops::reduce::{ArgKind, ArgReduce, Reduce, ReduceKind, TopK};
use zkinfer_ir::{Fact, Node, Op, OpExt, Tensor};

use super::recurrent::Cell;
use super::{quant_i64, Builder, FloatAffine, Operand, WeightSources};
use crate::arith::ExpLinear;
use crate::arith::FloorMode;
use crate::error::{QuantError, QuantResult};
use crate::fixed::bits_for_range;
use crate::index::{broadcast_map, for_each_index, reduce_groups, strides};
use crate::model::{Gather, GatherSource, NonlinearKind, QOp, QTensor, QTensorId, Tap, Windows};

mod rounded;

/// The recurrent layer `op` is, if it is one (they are unrolled in `recurrent.rs`).
fn recurrent_cell(op: &dyn Op) -> Option<Cell<'_>> {
    if let Some(r) = op.downcast_ref::<Rnn>() {
        Some(Cell::Rnn(r))
    } else if let Some(g) = op.downcast_ref::<Gru>() {
        Some(Cell::Gru(g))
    } else {
        op.downcast_ref::<Lstm>().map(Cell::Lstm)
    }
}

fn unsupported(node: &Node, reason: impl Into<String>) -> QuantError {
    QuantError::Unsupported {
        node: node.name.clone(),
        op: node.op.name().to_owned(),
        reason: reason.into(),
    }
}

/// ELU, SELU or CELU as the parameters of `arith::exp_linear`: `None` for
/// other ops, `Some(None)` for constants the integer semantics refuse.
fn exp_linear_params(op: &dyn Op) -> Option<Option<ExpLinear>> {
    if let Some(e) = op.downcast_ref::<Elu>() {
        Some(ExpLinear::elu(e.alpha.into()))
    } else if let Some(e) = op.downcast_ref::<Selu>() {
        Some(ExpLinear::selu(e.alpha.into(), e.gamma.into()))
    } else {
        op.downcast_ref::<Celu>()
            .map(|e| ExpLinear::celu(e.alpha.into()))
    }
}

impl Builder<'_> {
    /// Lower one float node, registering its output tensor(s) by name.
    pub(crate) fn lower(&mut self, node: &Node) -> QuantResult<()> {
        let op: &dyn Op = node.op.as_ref();
        if let Some(id) = self.lower_logic(node)? {
            self.names.insert(node.outputs[0].clone(), id);
            return Ok(());
        }
        if let Some(ixop) = as_index_map_op(op) {
            return self.lower_gather(node, ixop);
        }
        if let Some(cell) = recurrent_cell(op) {
            return self.lower_recurrent(node, cell);
        }
        let out_name = node.outputs[0].clone();
        let out_shape = self.fact(node, &out_name)?.shape.clone();
        let id = if op.downcast_ref::<Cast>().is_some() {
            match self.input(node, 0)? {
                Operand::Runtime(id) => id,
                Operand::Const(_) => return Err(unsupported(node, "constant input")),
            }
        } else if let Some(gemm) = op.downcast_ref::<Gemm>() {
            self.lower_gemm(node, gemm, out_shape)?
        } else if op.downcast_ref::<MatMul>().is_some() {
            self.lower_matmul(node, out_shape)?
        } else if let Some(conv) = op.downcast_ref::<Conv>() {
            self.lower_conv(node, conv, out_shape)?
        } else if let Some(conv) = op.downcast_ref::<ConvTranspose>() {
            self.lower_conv_transpose(node, conv, out_shape)?
        } else if let Some(bn) = op.downcast_ref::<BatchNormalization>() {
            self.lower_batch_norm(node, bn, out_shape)?
        } else if let Some(b) = op.downcast_ref::<BinaryOp>() {
            self.lower_binary(node, b.kind, out_shape)?
        } else if let Some(v) = op.downcast_ref::<VariadicOp>() {
            self.lower_variadic(node, v.kind, out_shape)?
        } else if let Some(u) = op.downcast_ref::<UnaryOp>() {
            self.lower_unary(node, u.kind, out_shape)?
        } else if op.downcast_ref::<Relu>().is_some() {
            let x = self.runtime_input(node, 0)?;
            let t = self.tensor(x).clone();
            self.push_node(
                &node.name,
                QOp::Relu,
                vec![x],
                QTensor {
                    name: out_name.clone(),
                    calibrated_bound: None,
                    ..t
                },
            )
        } else if let Some(l) = op.downcast_ref::<LeakyRelu>() {
            let x = self.runtime_input(node, 0)?;
            self.lower_leaky(node, x, vec![l.alpha as f64])?
        } else if op.downcast_ref::<PRelu>().is_some() {
            let x = self.runtime_input(node, 0)?;
            let slope = self.const_input(node, 1)?;
            let map = broadcast_map(slope.shape(), &out_shape)
                .ok_or_else(|| unsupported(node, "slope does not broadcast"))?;
            let s = slope.to_f32_vec();
            self.lower_leaky(node, x, map.iter().map(|&i| s[i] as f64).collect())?
        } else if let Some(c) = op.downcast_ref::<Clip>() {
            let x = self.runtime_input(node, 0)?;
            let lo = self.clip_bound(node, 1, c.min)?;
            let hi = self.clip_bound(node, 2, c.max)?;
            self.emit_clip(node, x, lo, hi, &out_name)?
        } else if let Some(a) = op.downcast_ref::<Activation>() {
            self.lower_activation(node, a.kind, out_shape)?
        } else if let Some(params) = exp_linear_params(op) {
            let x = self.runtime_input(node, 0)?;
            let p = params.ok_or_else(|| unsupported(node, "alpha/gamma out of range"))?;
            self.emit_nonlinear(node, x, NonlinearKind::ExpLinear(p), out_shape)?
        } else if let Some(s) = op.downcast_ref::<Softmax>() {
            self.lower_softmax(node, s)?
        } else if let Some(p) = op.downcast_ref::<MaxPool>() {
            self.lower_max_pool(node, p, out_shape)?
        } else if let Some(p) = op.downcast_ref::<AveragePool>() {
            self.lower_average_pool(node, p, out_shape)?
        } else if let Some(p) = op.downcast_ref::<GlobalPool>() {
            self.lower_global_pool(node, p, out_shape)?
        } else if let Some(r) = op.downcast_ref::<Reduce>() {
            self.lower_reduce(node, r, out_shape)?
        } else if let Some(a) = op.downcast_ref::<ArgReduce>() {
            self.lower_arg(node, a, out_shape)?
        } else if let Some(top_k) = op.downcast_ref::<TopK>() {
            let x = self.runtime_input(node, 0)?;
            self.lower_top_k(node, top_k, x, out_shape)?
        } else if let Some(ln) = op.downcast_ref::<LayerNormalization>() {
            self.lower_layer_norm(node, ln, out_shape)?
        } else {
            return Err(unsupported(node, "no integer semantics for this op"));
        };
        // Only the first output of multi-output ops (MaxPool's indices...) is supported.
        for extra in node.outputs.iter().skip(1) {
            if self
                .graph
                .nodes
                .iter()
                .any(|n| n.inputs.iter().flatten().any(|i| i == extra))
                || self.graph.outputs.contains(extra)
            {
                return Err(unsupported(
                    node,
                    format!("output `{extra}` is used but only the first output is supported"),
                ));
            }
        }
        self.names.insert(out_name, id);
        Ok(())
    }

    fn fact(&self, node: &Node, name: &str) -> QuantResult<&'_ Fact> {
        self.graph
            .fact(name)
            .ok_or_else(|| unsupported(node, format!("no fact for `{name}`")))
    }

    fn input(&self, node: &Node, slot: usize) -> QuantResult<Operand<'_>> {
        let name = node
            .inputs
            .get(slot)
            .and_then(|n| n.as_ref())
            .ok_or_else(|| unsupported(node, format!("missing input {slot}")))?;
        self.operand(name, &node.name)
    }

    fn runtime_input(&self, node: &Node, slot: usize) -> QuantResult<QTensorId> {
        match self.input(node, slot)? {
            Operand::Runtime(id) => Ok(id),
            Operand::Const(_) => Err(unsupported(node, format!("input {slot} is constant"))),
        }
    }

    fn const_input(&self, node: &Node, slot: usize) -> QuantResult<Tensor> {
        match self.input(node, slot)? {
            Operand::Const(t) => Ok(t.clone()),
            Operand::Runtime(_) => Err(unsupported(
                node,
                format!("input {slot} must be a constant"),
            )),
        }
    }

    fn opt_const_input(&self, node: &Node, slot: usize) -> QuantResult<Option<Tensor>> {
        if node.inputs.get(slot).and_then(|n| n.as_ref()).is_none() {
            return Ok(None);
        }
        self.const_input(node, slot).map(Some)
    }

    /// Data movement: one Gather per output, from the op's own index maps.
    fn lower_gather(
        &mut self,
        node: &Node,
        ixop: &dyn zkinfer_ir::ops::array::IndexMapOp,
    ) -> QuantResult<()> {
        let facts: Vec<Option<&Fact>> = node
            .inputs
            .iter()
            .map(|i| i.as_ref().and_then(|n| self.graph.fact(n)))
            .collect();
        let maps = ixop
            .index_maps_from_facts(&facts)
            .map_err(|e| unsupported(node, e.to_string()))?;
        // Runtime data slots, aligned to one scale.
        let mut slot_ids: Vec<Option<QTensorId>> = Vec::new();
        for slot in 0..node.inputs.len() {
            slot_ids.push(
                match node.inputs[slot]
                    .as_ref()
                    .map(|n| self.operand(n, &node.name))
                    .transpose()?
                {
                    Some(Operand::Runtime(id)) => Some(id),
                    _ => None,
                },
            );
        }
        let used: Vec<usize> = (0..slot_ids.len())
            .filter(|&s| {
                slot_ids[s].is_some()
                    && maps.iter().any(|m| {
                        m.sources
                            .iter()
                            .any(|src| matches!(src, Source::Input { input, .. } if *input == s))
                    })
            })
            .collect();
        let scale = used
            .iter()
            .map(|&s| self.tensor(slot_ids[s].expect("runtime")).scale)
            .max()
            .unwrap_or(self.settings.activation_scale);
        let mut inputs: Vec<QTensorId> = Vec::new();
        let mut slot_pos = vec![usize::MAX; slot_ids.len()];
        for &s in &used {
            let id = self.align(slot_ids[s].expect("runtime"), scale)?;
            slot_pos[s] = inputs.len();
            inputs.push(id);
        }
        let mut bits = inputs
            .iter()
            .map(|&i| self.tensor(i).bits)
            .max()
            .unwrap_or(2);
        // Fill values: the op evaluated on zero data shows them at its Fill positions.
        let fill_outputs = if maps.iter().any(|m| m.sources.contains(&Source::Fill)) {
            let zeros: Vec<Option<Tensor>> = facts
                .iter()
                .map(|f| {
                    f.map(|f| {
                        f.value
                            .as_deref()
                            .cloned()
                            .unwrap_or_else(|| Tensor::zeros(f.dtype, &f.shape))
                    })
                })
                .collect();
            let slots: Vec<Option<&Tensor>> = zeros.iter().map(|t| t.as_ref()).collect();
            Some(
                node.op
                    .eval(zkinfer_ir::Inputs::new(node.op.name(), &slots))
                    .map_err(|e| unsupported(node, e.to_string()))?,
            )
        } else {
            None
        };
        for (k, map) in maps.iter().enumerate() {
            let Some(out_name) = node.outputs.get(k) else {
                continue;
            };
            let mut sources = Vec::with_capacity(map.sources.len());
            for (pos, src) in map.sources.iter().enumerate() {
                let s = match *src {
                    Source::Input { input, flat }
                        if slot_pos.get(input).is_some_and(|&p| p != usize::MAX) =>
                    {
                        GatherSource::Input(Tap {
                            input: slot_pos[input],
                            index: flat,
                        })
                    }
                    Source::Input { input, flat } => {
                        let t = self.const_input(node, input)?;
                        let v = t.to_f32_vec()[flat];
                        GatherSource::Constant(quant_i64(&node.name, v as f64, scale as i32)?)
                    }
                    Source::Fill => {
                        let v = fill_outputs.as_ref().expect("computed")[k].to_f32_vec()[pos];
                        GatherSource::Constant(quant_i64(&node.name, v as f64, scale as i32)?)
                    }
                };
                if let GatherSource::Constant(c) = s {
                    bits = bits.max(bits_for_range(c as i128, c as i128));
                }
                sources.push(s);
            }
            let name = if maps.len() > 1 {
                format!("{}/{k}", node.name)
            } else {
                node.name.clone()
            };
            let out = QTensor {
                name: out_name.clone(),
                shape: map.shape.clone(),
                scale,
                bits,
                calibrated_bound: None,
            };
            let gather = Gather {
                sources,
                source: node.op.name().to_owned(),
            };
            let id = self.push_node(&name, QOp::Gather(gather), inputs.clone(), out);
            self.names.insert(out_name.clone(), id);
        }
        Ok(())
    }

    /// A Gather that broadcasts `id` to `shape` (nothing when the shape already matches).
    fn broadcast_to(
        &mut self,
        node: &Node,
        id: QTensorId,
        shape: &[usize],
    ) -> QuantResult<QTensorId> {
        let t = self.tensor(id).clone();
        if t.shape == shape {
            return Ok(id);
        }
        let map = broadcast_map(&t.shape, shape)
            .ok_or_else(|| unsupported(node, "operands do not broadcast"))?;
        let sources = map
            .into_iter()
            .map(|i| GatherSource::Input(Tap { input: 0, index: i }))
            .collect();
        let name = format!("{}/broadcast", t.name);
        let out = QTensor {
            name: name.clone(),
            shape: shape.to_vec(),
            calibrated_bound: None,
            ..t
        };
        Ok(self.push_node(
            &name,
            QOp::Gather(Gather {
                sources,
                source: "broadcast".into(),
            }),
            vec![id],
            out,
        ))
    }

    fn lower_gemm(
        &mut self,
        node: &Node,
        gemm: &Gemm,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let a = self.runtime_input(node, 0)?;
        let b = self.const_input(node, 1)?;
        let a_shape = self.tensor(a).shape.clone();
        let (m, k, n) = gemm
            .dims(&a_shape, b.shape())
            .map_err(|e| unsupported(node, e.to_string()))?;
        let bv = b.to_f32_vec();
        let c = self.opt_const_input(node, 2)?;
        let cmap = match &c {
            Some(c) => Some((
                c.to_f32_vec(),
                broadcast_map(c.shape(), &[m, n]).ok_or_else(|| unsupported(node, "C"))?,
            )),
            None => None,
        };
        let mut fa = FloatAffine::new(vec![a], m * n, "Gemm");
        let mut src = WeightSources::new(m * n);
        for i in 0..m {
            for j in 0..n {
                let r = i * n + j;
                for kk in 0..k {
                    let ai = if gemm.trans_a { kk * m + i } else { i * k + kk };
                    let bi = if gemm.trans_b { j * k + kk } else { kk * n + j };
                    fa.rows[r].push((0, ai, gemm.alpha as f64 * bv[bi] as f64));
                    src.terms[r].push(bi as u32);
                }
                // Without C every row's bias is zero; one slot per column keeps
                // the bias table as long as C's broadcast would be.
                src.bias[r] = match &cmap {
                    Some((cv, cm)) => {
                        fa.bias[r] = gemm.beta as f64 * cv[cm[r]] as f64;
                        cm[r] as u32
                    }
                    None => j as u32,
                };
            }
        }
        fa.sources = Some(src);
        self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
    }

    fn lower_matmul(&mut self, node: &Node, out_shape: Vec<usize>) -> QuantResult<QTensorId> {
        let (a_op, b_op) = (self.input(node, 0)?, self.input(node, 1)?);
        let shape_of = |b: &Builder<'_>, o: &Operand<'_>| match o {
            Operand::Runtime(id) => b.tensor(*id).shape.clone(),
            Operand::Const(t) => t.shape().to_vec(),
        };
        let (a_shape, b_shape) = (shape_of(self, &a_op), shape_of(self, &b_op));
        let s = MatMul::shapes(&a_shape, &b_shape).map_err(|e| unsupported(node, e.to_string()))?;
        let batch_len: usize = s.batch.iter().product();
        // Batch index maps of each operand (its batch axes broadcast to the output's).
        let batch_map = |shape: &[usize]| -> QuantResult<Vec<usize>> {
            let own = &shape[..shape.len().saturating_sub(2)];
            broadcast_map(own, &s.batch)
                .ok_or_else(|| unsupported(node, "batch axes do not broadcast"))
        };
        let (am, bm) = (batch_map(&a_shape)?, batch_map(&b_shape)?);
        let (m, k, n) = (s.m, s.k, s.n);
        match (a_op, b_op) {
            (Operand::Runtime(a), Operand::Runtime(b)) => {
                // Materialise [batch, m, k] and [batch, k, n] operands, then one private MatMul.
                let a = self.gather_batches(a, &am, m * k, &[batch_len, m, k])?;
                let b = self.gather_batches(b, &bm, k * n, &[batch_len, k, n])?;
                self.emit_product(
                    node,
                    QOp::MatMul {
                        batch: batch_len,
                        m,
                        k,
                        n,
                        shift: 0,
                    },
                    vec![a, b],
                    out_shape,
                    k,
                )
            }
            (Operand::Runtime(a), Operand::Const(w)) | (Operand::Const(w), Operand::Runtime(a)) => {
                let runtime_left = matches!(a_op, Operand::Runtime(_));
                let wv = w.to_f32_vec();
                let mut fa = FloatAffine::new(vec![a], batch_len * m * n, "MatMul");
                let mut src = WeightSources::new(batch_len * m * n);
                for bi in 0..batch_len {
                    for i in 0..m {
                        for j in 0..n {
                            let r = (bi * m + i) * n + j;
                            for kk in 0..k {
                                let ai = am[bi] * m * k + i * k + kk;
                                let bj = bm[bi] * k * n + kk * n + j;
                                let (x, w) = if runtime_left { (ai, bj) } else { (bj, ai) };
                                fa.rows[r].push((0, x, wv[w] as f64));
                                src.terms[r].push(w as u32);
                            }
                            // No bias: all zero, one shared slot.
                            src.bias[r] = 0;
                        }
                    }
                }
                fa.sources = Some(src);
                self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
            }
            _ => Err(unsupported(
                node,
                "constant product should have been folded",
            )),
        }
    }

    /// A Gather laying out matrices `[batch, rows, cols]` from an operand whose own
    /// batch index for output batch `b` is `map[b]`.
    fn gather_batches(
        &mut self,
        id: QTensorId,
        map: &[usize],
        block: usize,
        shape: &[usize],
    ) -> QuantResult<QTensorId> {
        let t = self.tensor(id).clone();
        if map.iter().enumerate().all(|(i, &m)| i == m)
            && t.len() == shape.iter().product::<usize>()
        {
            return Ok(id);
        }
        let sources = map
            .iter()
            .flat_map(|&b| {
                (0..block).map(move |e| {
                    GatherSource::Input(Tap {
                        input: 0,
                        index: b * block + e,
                    })
                })
            })
            .collect();
        let name = format!("{}/batched", t.name);
        let out = QTensor {
            name: name.clone(),
            shape: shape.to_vec(),
            calibrated_bound: None,
            ..t
        };
        Ok(self.push_node(
            &name,
            QOp::Gather(Gather {
                sources,
                source: "broadcast".into(),
            }),
            vec![id],
            out,
        ))
    }

    /// A private product node (`Mul` or `MatMul`), rescaled to the activation scale.
    fn emit_product(
        &mut self,
        node: &Node,
        op: QOp,
        inputs: Vec<QTensorId>,
        out_shape: Vec<usize>,
        terms: usize,
    ) -> QuantResult<QTensorId> {
        self.emit_product_as(&node.name, &node.outputs[0], op, inputs, out_shape, terms)
    }

    /// [`Self::emit_product`] for a node named `name` computing tensor `out_name`
    /// (for ops lowered to several nodes, e.g. recurrent layers).
    pub(super) fn emit_product_as(
        &mut self,
        name: &str,
        out_name: &str,
        op: QOp,
        inputs: Vec<QTensorId>,
        out_shape: Vec<usize>,
        terms: usize,
    ) -> QuantResult<QTensorId> {
        let (a, b) = (
            self.tensor(inputs[0]).clone(),
            self.tensor(inputs[1]).clone(),
        );
        let acc_scale = a.scale + b.scale;
        let out_scale = self
            .settings
            .scale_for(name, self.settings.activation_scale)
            .min(acc_scale);
        let shift = acc_scale - out_scale;
        let acc_bits = a.bits + b.bits - 2 + usize::BITS - terms.max(1).leading_zeros();
        if acc_bits >= super::ACC_LIMIT_BITS {
            return Err(QuantError::ScaleOverflow {
                node: name.to_owned(),
                reason: format!(
                    "products of {}- and {}-bit values over {terms} terms need {acc_bits} bits",
                    a.bits, b.bits
                ),
            });
        }
        let bound = self.calibration.bound(out_name);
        let bits = self.bits_for(name, bound * self.settings.margin, out_scale)?;
        let op = match op {
            QOp::Mul { .. } => QOp::Mul { shift },
            QOp::MatMul { batch, m, k, n, .. } => QOp::MatMul {
                batch,
                m,
                k,
                n,
                shift,
            },
            other => other,
        };
        let out = QTensor {
            name: out_name.to_owned(),
            shape: out_shape,
            scale: out_scale,
            bits,
            calibrated_bound: Some(bound),
        };
        Ok(self.push_node(name, op, inputs, out))
    }

    fn lower_conv(
        &mut self,
        node: &Node,
        conv: &Conv,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let w = self.const_input(node, 1)?;
        let bias = self.opt_const_input(node, 2)?.map(|b| b.to_f32_vec());
        let x_shape = self.tensor(x).shape.clone();
        let s = conv
            .shapes(&x_shape, w.shape())
            .map_err(|e| unsupported(node, e.to_string()))?;
        let g = &s.geometry;
        let wv = w.to_f32_vec();
        let (cin_g, m_g) = (s.in_channels / conv.group, s.out_channels / conv.group);
        let kernel = g.kernel.clone();
        let taps: usize = kernel.iter().product();
        let x_str = strides(&x_shape);
        let mut fa = FloatAffine::new(vec![x], out_shape.iter().product(), "Conv");
        let mut src = WeightSources::new(fa.rows.len());
        let mut row = 0;
        for n in 0..s.batch {
            for m in 0..s.out_channels {
                let group = m / m_g;
                for_each_index(&g.output, |o| {
                    let terms = &mut fa.rows[row];
                    for c in 0..cin_g {
                        let ic = group * cin_g + c;
                        let base = n * x_str[0] + ic * x_str[1];
                        let mut t = 0;
                        for_each_index(&kernel, |k| {
                            let mut flat = base;
                            let mut inside = true;
                            for axis in 0..k.len() {
                                match g.input_index(axis, o[axis], k[axis]) {
                                    Some(p) => flat += p * x_str[2 + axis],
                                    None => inside = false,
                                }
                            }
                            if inside {
                                let w = (m * cin_g + c) * taps + t;
                                terms.push((0, flat, wv[w] as f64));
                                src.terms[row].push(w as u32);
                            }
                            t += 1;
                        });
                    }
                    fa.bias[row] = bias.as_ref().map_or(0.0, |b| b[m] as f64);
                    src.bias[row] = m as u32;
                    row += 1;
                });
            }
        }
        fa.sources = Some(src);
        self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
    }

    fn lower_conv_transpose(
        &mut self,
        node: &Node,
        conv: &ConvTranspose,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let w = self.const_input(node, 1)?;
        let bias = self.opt_const_input(node, 2)?.map(|b| b.to_f32_vec());
        let x_shape = self.tensor(x).shape.clone();
        let (g, [batch, cin, mout]) = conv
            .geometry(&x_shape, w.shape())
            .map_err(|e| unsupported(node, e.to_string()))?;
        let wv = w.to_f32_vec();
        let (cin_g, m_g) = (cin / conv.group, mout / conv.group);
        let taps: usize = g.kernel.iter().product();
        let x_str = strides(&x_shape);
        let out_str = strides(&out_shape);
        let mut fa = FloatAffine::new(vec![x], out_shape.iter().product(), "ConvTranspose");
        let mut src = WeightSources::new(fa.rows.len());
        // Scatter: every input element and tap adds to one output element.
        for n in 0..batch {
            for c in 0..cin {
                let group = c / cin_g;
                for_each_index(&g.input, |i| {
                    let in_flat: usize = n * x_str[0]
                        + c * x_str[1]
                        + i.iter()
                            .enumerate()
                            .map(|(a, &v)| v * x_str[2 + a])
                            .sum::<usize>();
                    let mut t = 0;
                    for_each_index(&g.kernel, |k| {
                        let mut out_flat = Some(0usize);
                        for axis in 0..k.len() {
                            let o = g.output_index(axis, i[axis], k[axis]);
                            out_flat = match out_flat {
                                Some(f) if o >= 0 && (o as usize) < g.output[axis] => {
                                    Some(f + o as usize * out_str[2 + axis])
                                }
                                _ => None,
                            };
                        }
                        if let Some(of) = out_flat {
                            for mm in 0..m_g {
                                let m = group * m_g + mm;
                                let w = (c * m_g + mm) * taps + t;
                                let r = n * out_str[0] + m * out_str[1] + of;
                                fa.rows[r].push((0, in_flat, wv[w] as f64));
                                src.terms[r].push(w as u32);
                            }
                        }
                        t += 1;
                    });
                });
            }
        }
        for (r, slot) in src.bias.iter_mut().enumerate() {
            *slot = ((r / out_str[1]) % mout) as u32;
        }
        if let Some(b) = bias {
            for (r, bias) in fa.bias.iter_mut().enumerate() {
                *bias = b[(r / out_str[1]) % mout] as f64;
            }
        }
        fa.sources = Some(src);
        self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
    }

    fn lower_batch_norm(
        &mut self,
        node: &Node,
        bn: &BatchNormalization,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let p: Vec<Vec<f32>> = (1..5)
            .map(|i| self.const_input(node, i).map(|t| t.to_f32_vec()))
            .collect::<QuantResult<_>>()?;
        let (mul, add) = bn.affine(&p[0], &p[1], &p[2], &p[3]);
        let channels = mul.len();
        let plane: usize = out_shape.iter().skip(2).product();
        let len: usize = out_shape.iter().product();
        let mut fa = FloatAffine::new(vec![x], len, "BatchNormalization");
        let mut src = WeightSources::new(len);
        for r in 0..len {
            let ch = (r / plane.max(1)) % channels;
            fa.rows[r].push((0, r, mul[ch] as f64));
            fa.bias[r] = add[ch] as f64;
            src.terms[r].push(ch as u32);
            src.bias[r] = ch as u32;
        }
        fa.sources = Some(src);
        self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
    }

    fn lower_binary(
        &mut self,
        node: &Node,
        kind: BinaryKind,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let (a, b) = (self.input(node, 0)?, self.input(node, 1)?);
        let len: usize = out_shape.iter().product();
        let shape_of = |o: &Operand<'_>, bld: &Builder<'_>| match o {
            Operand::Runtime(id) => bld.tensor(*id).shape.clone(),
            Operand::Const(t) => t.shape().to_vec(),
        };
        let map_a = broadcast_map(&shape_of(&a, self), &out_shape)
            .ok_or_else(|| unsupported(node, "broadcast"))?;
        let map_b = broadcast_map(&shape_of(&b, self), &out_shape)
            .ok_or_else(|| unsupported(node, "broadcast"))?;
        let name = kind_name(kind);
        match (kind, a, b) {
            (BinaryKind::Add | BinaryKind::Sub, Operand::Runtime(x), Operand::Runtime(y)) => {
                let sign = if kind == BinaryKind::Sub { -1.0 } else { 1.0 };
                let mut fa = FloatAffine::new(vec![x, y], len, name);
                for r in 0..len {
                    fa.rows[r].push((0, map_a[r], 1.0));
                    fa.rows[r].push((1, map_b[r], sign));
                }
                self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
            }
            (BinaryKind::Div, Operand::Runtime(x), Operand::Const(c))
                if self.tensor(x).scale == 0 && self.has_integer_output(node) =>
            {
                let c = c.clone();
                self.lower_integer_div(node, x, &c, (&map_a, &map_b), out_shape)
            }
            (
                BinaryKind::Add | BinaryKind::Sub | BinaryKind::Mul | BinaryKind::Div,
                Operand::Runtime(x),
                Operand::Const(c),
            ) => {
                let cv = c.to_f32_vec();
                let mut fa = FloatAffine::new(vec![x], len, name);
                for r in 0..len {
                    let cr = cv[map_b[r]] as f64;
                    match kind {
                        BinaryKind::Add => {
                            fa.rows[r].push((0, map_a[r], 1.0));
                            fa.bias[r] = cr;
                        }
                        BinaryKind::Sub => {
                            fa.rows[r].push((0, map_a[r], 1.0));
                            fa.bias[r] = -cr;
                        }
                        BinaryKind::Mul => fa.rows[r].push((0, map_a[r], cr)),
                        _ => {
                            if cr == 0.0 {
                                return Err(unsupported(node, "division by zero"));
                            }
                            // Exact integer divisors stay exact; others become a coefficient 1/c.
                            if cr.fract() == 0.0 && cr.abs() <= (1u64 << 30) as f64 {
                                fa.rows[r].push((0, map_a[r], cr.signum()));
                                fa.divisors[r] = cr.abs() as u64;
                            } else {
                                fa.rows[r].push((0, map_a[r], 1.0 / cr));
                            }
                        }
                    }
                }
                self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
            }
            (
                BinaryKind::Add | BinaryKind::Sub | BinaryKind::Mul,
                Operand::Const(c),
                Operand::Runtime(y),
            ) => {
                let cv = c.to_f32_vec();
                let mut fa = FloatAffine::new(vec![y], len, name);
                for r in 0..len {
                    let cr = cv[map_a[r]] as f64;
                    match kind {
                        BinaryKind::Add => {
                            fa.rows[r].push((0, map_b[r], 1.0));
                            fa.bias[r] = cr;
                        }
                        BinaryKind::Sub => {
                            fa.rows[r].push((0, map_b[r], -1.0));
                            fa.bias[r] = cr;
                        }
                        _ => fa.rows[r].push((0, map_b[r], cr)),
                    }
                }
                self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
            }
            (BinaryKind::Mul, Operand::Runtime(x), Operand::Runtime(y)) => {
                let x = self.broadcast_to(node, x, &out_shape)?;
                let y = self.broadcast_to(node, y, &out_shape)?;
                self.emit_product(node, QOp::Mul { shift: 0 }, vec![x, y], out_shape, 1)
            }
            (BinaryKind::Pow, Operand::Runtime(x), Operand::Const(e))
                if e.to_f32_vec().iter().all(|&v| v == 2.0) =>
            {
                let x = self.broadcast_to(node, x, &out_shape)?;
                self.emit_product(node, QOp::Mul { shift: 0 }, vec![x, x], out_shape, 1)
            }
            (BinaryKind::Pow, Operand::Runtime(x), Operand::Const(e))
                if e.to_f32_vec().iter().all(|&v| v == 1.0) =>
            {
                self.broadcast_to(node, x, &out_shape)
            }
            (BinaryKind::Div, Operand::Runtime(x), Operand::Runtime(y)) => {
                self.emit_divide(node, x, y, out_shape)
            }
            (BinaryKind::Div, Operand::Const(c), Operand::Runtime(y)) => {
                let c = c.clone();
                self.emit_constant_over(node, &c, y, out_shape)
            }
            (BinaryKind::Pow, Operand::Runtime(x), Operand::Const(e)) => {
                let e = e.clone();
                self.lower_pow(node, x, &e, out_shape)
            }
            _ => Err(unsupported(
                node,
                format!("{name} of these operands (private divisor, exponent or remainder)"),
            )),
        }
    }

    fn lower_variadic(
        &mut self,
        node: &Node,
        kind: VariadicKind,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let len: usize = out_shape.iter().product();
        let mut runtime = Vec::new();
        let mut consts = Vec::new();
        for slot in 0..node.inputs.len() {
            match self.input(node, slot)? {
                Operand::Runtime(id) => runtime.push(id),
                Operand::Const(t) => consts.push(t.clone()),
            }
        }
        match kind {
            VariadicKind::Sum | VariadicKind::Mean => {
                let count = node.inputs.len() as u64;
                let mut fa = FloatAffine::new(
                    runtime.clone(),
                    len,
                    if kind == VariadicKind::Sum {
                        "Sum"
                    } else {
                        "Mean"
                    },
                );
                for (slot, &id) in runtime.iter().enumerate() {
                    let map = broadcast_map(&self.tensor(id).shape, &out_shape)
                        .ok_or_else(|| unsupported(node, "broadcast"))?;
                    for (row, &m) in fa.rows.iter_mut().zip(&map) {
                        row.push((slot, m, 1.0));
                    }
                }
                for c in &consts {
                    let map = broadcast_map(c.shape(), &out_shape)
                        .ok_or_else(|| unsupported(node, "broadcast"))?;
                    let cv = c.to_f32_vec();
                    for r in 0..len {
                        fa.bias[r] += cv[map[r]] as f64;
                    }
                }
                if kind == VariadicKind::Mean {
                    fa.divisors = vec![count; len];
                }
                self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
            }
            VariadicKind::Max | VariadicKind::Min => {
                let scale = runtime
                    .iter()
                    .map(|&i| self.tensor(i).scale)
                    .max()
                    .unwrap_or(self.settings.activation_scale);
                let mut ids = Vec::new();
                for id in runtime {
                    ids.push(self.align(id, scale)?);
                }
                for (i, c) in consts.iter().enumerate() {
                    ids.push(self.constant(&format!("{}/{i}", node.name), c, scale)?);
                }
                let maps = ids
                    .iter()
                    .map(|&id| {
                        broadcast_map(&self.tensor(id).shape, &out_shape)
                            .ok_or_else(|| unsupported(node, "broadcast"))
                    })
                    .collect::<QuantResult<Vec<_>>>()?;
                let windows = Windows::from_groups((0..len).map(|r| {
                    maps.iter()
                        .enumerate()
                        .map(|(s, m)| Tap {
                            input: s,
                            index: m[r],
                        })
                        .collect()
                }));
                let bits = ids.iter().map(|&i| self.tensor(i).bits).max().unwrap_or(2);
                let out = QTensor {
                    name: node.outputs[0].clone(),
                    shape: out_shape,
                    scale,
                    bits,
                    calibrated_bound: None,
                };
                Ok(self.push_node(
                    &node.name,
                    QOp::MaxOver {
                        windows,
                        min: kind == VariadicKind::Min,
                    },
                    ids,
                    out,
                ))
            }
        }
    }

    fn lower_unary(
        &mut self,
        node: &Node,
        kind: UnaryKind,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let len: usize = out_shape.iter().product();
        match kind {
            UnaryKind::Neg => {
                let mut fa = FloatAffine::new(vec![x], len, "Neg");
                for r in 0..len {
                    fa.rows[r].push((0, r, -1.0));
                }
                self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
            }
            UnaryKind::Abs => Ok(self.emit_abs(&node.name, &node.outputs[0], x)),
            UnaryKind::Sqrt => self.emit_sqrt(&node.name, &node.outputs[0], x),
            UnaryKind::Reciprocal => {
                self.emit_constant_over(node, &Tensor::scalar_f32(1.0), x, out_shape)
            }
            UnaryKind::Floor => self.emit_floor(node, x, FloorMode::Floor),
            UnaryKind::Ceil => self.emit_floor(node, x, FloorMode::Ceil),
            UnaryKind::Round => self.emit_floor(node, x, FloorMode::Round),
            UnaryKind::Erf => self.emit_nonlinear(node, x, NonlinearKind::Erf, out_shape),
            other => Err(unsupported(
                node,
                format!(
                    "{} has no integer approximation in arith",
                    other.onnx_name()
                ),
            )),
        }
    }

    fn lower_leaky(
        &mut self,
        node: &Node,
        x: QTensorId,
        slopes: Vec<f64>,
    ) -> QuantResult<QTensorId> {
        let shift = self.settings.weight_scale;
        let q = slopes
            .iter()
            .map(|&s| quant_i64(&node.name, s, shift as i32))
            .collect::<QuantResult<Vec<_>>>()?;
        let t = self.tensor(x).clone();
        let max_slope = q.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0) as i128;
        let extreme = ((1i128 << (t.bits - 1)) * max_slope) >> shift;
        let bits = t.bits.max(bits_for_range(-extreme - 1, extreme + 1));
        let out = QTensor {
            name: node.outputs[0].clone(),
            bits,
            calibrated_bound: None,
            ..t
        };
        Ok(self.push_node(
            &node.name,
            QOp::LeakyRelu { slopes: q, shift },
            vec![x],
            out,
        ))
    }

    fn clip_bound(&self, node: &Node, slot: usize, attr: Option<f32>) -> QuantResult<Option<f64>> {
        Ok(match self.opt_const_input(node, slot)? {
            Some(t) => t.to_f32_vec().first().map(|&v| v as f64),
            None => attr.map(f64::from),
        })
    }

    fn emit_clip(
        &mut self,
        node: &Node,
        x: QTensorId,
        lo: Option<f64>,
        hi: Option<f64>,
        out_name: &str,
    ) -> QuantResult<QTensorId> {
        let t = self.tensor(x).clone();
        let q = |v: Option<f64>| {
            v.filter(|v| v.is_finite())
                .map(|v| quant_i64(&node.name, v, t.scale as i32))
                .transpose()
        };
        let (mut lo, hi) = (q(lo)?, q(hi)?);
        if let (Some(l), Some(h)) = (lo, hi) {
            if l > h {
                lo = Some(h); // NumPy: min > max sets everything to max
            }
        }
        let (in_lo, in_hi) = crate::arith::signed_range(t.bits);
        let out_lo = lo.map_or(in_lo, |l| {
            in_lo
                .max(l as i128)
                .min(hi.map_or(i128::MAX, |h| h as i128))
        });
        let out_hi = hi.map_or(in_hi, |h| {
            in_hi
                .min(h as i128)
                .max(lo.map_or(i128::MIN, |l| l as i128))
        });
        let bits = bits_for_range(out_lo.min(out_hi), out_hi.max(out_lo));
        let out = QTensor {
            name: out_name.to_owned(),
            bits,
            calibrated_bound: None,
            ..t
        };
        Ok(self.push_node(&node.name, QOp::Clip { lo, hi }, vec![x], out))
    }

    fn emit_nonlinear(
        &mut self,
        node: &Node,
        x: QTensorId,
        kind: NonlinearKind,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        if kind == NonlinearKind::Tanh && self.tensor(x).scale == 0 {
            return Err(unsupported(node, "tanh needs an input scale ≥ 1"));
        }
        self.emit_nonlinear_as(&node.name, &node.outputs[0], x, kind, out_shape)
    }

    /// [`Self::emit_nonlinear`] for a node named `name` computing tensor
    /// `out_name`; the caller checks that tanh gets an input scale ≥ 1.
    pub(super) fn emit_nonlinear_as(
        &mut self,
        name: &str,
        out_name: &str,
        x: QTensorId,
        kind: NonlinearKind,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let t = self.tensor(x).clone();
        let in_scale = t.scale;
        let out_scale = self.settings.scale_for(name, self.settings.nonlinear_scale);
        let in_bound = crate::fixed::dequantize(1i128 << (t.bits - 1), in_scale);
        let bound = self.calibration.bound(out_name);
        let bits = self.bits_for(
            name,
            kind.output_bound(in_bound)
                .min(bound * self.settings.margin)
                .max(bound),
            out_scale,
        )?;
        let bits = bits.max(self.bits_for(name, kind.output_bound(0.0).min(1.0), out_scale)?);
        let out = QTensor {
            name: out_name.to_owned(),
            shape: out_shape,
            scale: out_scale,
            bits,
            calibrated_bound: Some(bound),
        };
        Ok(self.push_node(
            name,
            QOp::Nonlinear {
                kind,
                in_scale,
                out_scale,
            },
            vec![x],
            out,
        ))
    }

    fn lower_activation(
        &mut self,
        node: &Node,
        kind: ActivationKind,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let k = match kind {
            ActivationKind::Sigmoid => NonlinearKind::Sigmoid,
            ActivationKind::Tanh => NonlinearKind::Tanh,
            ActivationKind::Softplus => NonlinearKind::Softplus,
            // The tanh form of GELU differs from the exact one by < 1e-3; both use arith::gelu.
            ActivationKind::Gelu { .. } => NonlinearKind::Gelu,
            ActivationKind::HardSigmoid { alpha, beta } => {
                let len: usize = out_shape.iter().product();
                let mut fa = FloatAffine::new(vec![x], len, "HardSigmoid");
                for r in 0..len {
                    fa.rows[r].push((0, r, alpha as f64));
                    fa.bias[r] = beta as f64;
                }
                let pre = format!("{}/affine", node.outputs[0]);
                let b = self
                    .calibration
                    .bound(&node.inputs[0].clone().unwrap_or_default())
                    * alpha.abs() as f64
                    + beta.abs() as f64;
                self.calibration.bounds.insert(pre.clone(), b);
                let y = self.emit_affine(&format!("{}/affine", node.name), &pre, out_shape, fa)?;
                return self.emit_clip(node, y, Some(0.0), Some(1.0), &node.outputs[0]);
            }
            other => {
                return Err(unsupported(
                    node,
                    format!("{} has no integer approximation in arith", other.name()),
                ))
            }
        };
        self.emit_nonlinear(node, x, k, out_shape)
    }

    fn lower_softmax(&mut self, node: &Node, s: &Softmax) -> QuantResult<QTensorId> {
        if s.kind != SoftmaxKind::Softmax {
            return Err(unsupported(
                node,
                "only Softmax has an integer approximation in arith",
            ));
        }
        let x = self.runtime_input(node, 0)?;
        let t = self.tensor(x).clone();
        let rank = t.shape.len();
        let (outer, group, inner) = if rank == 0 {
            (1, 1, 1)
        } else {
            let r = rank as i64;
            let a = if s.axis < 0 { s.axis + r } else { s.axis };
            if !(0..=r).contains(&a) || (!s.over_trailing_axes && a == r) {
                return Err(unsupported(node, "axis out of range"));
            }
            let a = a as usize;
            let outer: usize = t.shape[..a].iter().product();
            if s.over_trailing_axes {
                (outer, t.shape[a..].iter().product(), 1)
            } else {
                (outer, t.shape[a], t.shape[a + 1..].iter().product())
            }
        };
        let out_scale = self
            .settings
            .scale_for(&node.name, self.settings.nonlinear_scale);
        let bits = self.bits_for(&node.name, 1.0, out_scale)?;
        let out = QTensor {
            name: node.outputs[0].clone(),
            shape: t.shape.clone(),
            scale: out_scale,
            bits,
            calibrated_bound: Some(self.calibration.bound(&node.outputs[0])),
        };
        let op = QOp::Softmax {
            outer,
            group,
            inner,
            in_scale: t.scale,
            out_scale,
        };
        Ok(self.push_node(&node.name, op, vec![x], out))
    }

    fn lower_max_pool(
        &mut self,
        node: &Node,
        p: &MaxPool,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let t = self.tensor(x).clone();
        let g = p
            .geometry(&t.shape)
            .map_err(|e| unsupported(node, e.to_string()))?;
        let windows = self.pool_windows(node, &t.shape, &g)?;
        let out = QTensor {
            name: node.outputs[0].clone(),
            shape: out_shape,
            calibrated_bound: None,
            ..t
        };
        Ok(self.push_node(
            &node.name,
            QOp::MaxOver {
                windows,
                min: false,
            },
            vec![x],
            out,
        ))
    }

    /// The real-input taps of every window of a pool, planes outermost.
    fn pool_windows(
        &self,
        node: &Node,
        shape: &[usize],
        g: &zkinfer_ir::ops::nn::Geometry,
    ) -> QuantResult<Windows> {
        let planes = shape[0] * shape[1];
        let in_plane: usize = shape[2..].iter().product();
        let st = strides(&shape[2..]);
        let mut groups = Vec::new();
        let mut empty = false;
        for plane in 0..planes {
            for_each_index(&g.output, |o| {
                let mut taps = Vec::new();
                for_each_index(&g.kernel, |k| {
                    let mut flat = plane * in_plane;
                    for axis in 0..k.len() {
                        match g.input_index(axis, o[axis], k[axis]) {
                            Some(p) => flat += p * st[axis],
                            None => return,
                        }
                    }
                    taps.push(Tap {
                        input: 0,
                        index: flat,
                    });
                });
                empty |= taps.is_empty();
                groups.push(taps);
            });
        }
        if empty {
            return Err(unsupported(node, "a window lies entirely in the padding"));
        }
        Ok(Windows::from_groups(groups))
    }

    fn lower_average_pool(
        &mut self,
        node: &Node,
        p: &AveragePool,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let shape = self.tensor(x).shape.clone();
        let g = p
            .geometry(&shape)
            .map_err(|e| unsupported(node, e.to_string()))?;
        let windows = self.pool_windows(node, &shape, &g)?;
        let mut fa = FloatAffine::new(vec![x], windows.len(), "AveragePool");
        let per_plane: usize = g.output.iter().product();
        let mut outs = Vec::new();
        for_each_index(&g.output, |o| outs.push(o.to_vec()));
        for w in 0..windows.len() {
            fa.rows[w] = windows
                .window(w)
                .iter()
                .map(|t| (0, t.index, 1.0))
                .collect();
            fa.divisors[w] = p.divisor(&g, &outs[w % per_plane]) as u64;
        }
        self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
    }

    fn lower_global_pool(
        &mut self,
        node: &Node,
        p: &GlobalPool,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let t = self.tensor(x).clone();
        let reduced: Vec<bool> = (0..t.shape.len()).map(|a| a >= 2).collect();
        let groups = reduce_groups(&t.shape, &reduced);
        match p.kind {
            GlobalPoolKind::Average => {
                let mut fa = FloatAffine::new(vec![x], groups.len(), "GlobalAveragePool");
                for (r, g) in groups.iter().enumerate() {
                    fa.rows[r] = g.iter().map(|&i| (0, i, 1.0)).collect();
                    fa.divisors[r] = g.len() as u64;
                }
                self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
            }
            GlobalPoolKind::Max => {
                let windows = Windows::from_groups(
                    groups
                        .into_iter()
                        .map(|g| g.into_iter().map(|i| Tap { input: 0, index: i }).collect()),
                );
                let out = QTensor {
                    name: node.outputs[0].clone(),
                    shape: out_shape,
                    calibrated_bound: None,
                    ..t
                };
                Ok(self.push_node(
                    &node.name,
                    QOp::MaxOver {
                        windows,
                        min: false,
                    },
                    vec![x],
                    out,
                ))
            }
            GlobalPoolKind::Lp { .. } => Err(unsupported(node, "Lp norms need a square root")),
        }
    }

    fn lower_reduce(
        &mut self,
        node: &Node,
        r: &Reduce,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let t = self.tensor(x).clone();
        let axes_input = self.opt_const_input(node, 1)?;
        let axes = r
            .reduced_axes(t.shape.len(), axes_input.as_ref())
            .map_err(|e| unsupported(node, e.to_string()))?;
        let reduced: Vec<bool> = (0..t.shape.len()).map(|a| axes.contains(&a)).collect();
        let groups = reduce_groups(&t.shape, &reduced);
        match r.kind {
            ReduceKind::Sum | ReduceKind::Mean => {
                let mut fa = FloatAffine::new(vec![x], groups.len(), r.kind.name());
                for (i, g) in groups.iter().enumerate() {
                    fa.rows[i] = g.iter().map(|&e| (0, e, 1.0)).collect();
                    if r.kind == ReduceKind::Mean {
                        fa.divisors[i] = g.len().max(1) as u64;
                    }
                }
                self.emit_affine(&node.name, &node.outputs[0], out_shape, fa)
            }
            ReduceKind::Max | ReduceKind::Min => {
                if groups.iter().any(Vec::is_empty) {
                    return Err(unsupported(node, "empty reduction"));
                }
                let windows = Windows::from_groups(
                    groups
                        .into_iter()
                        .map(|g| g.into_iter().map(|i| Tap { input: 0, index: i }).collect()),
                );
                let out = QTensor {
                    name: node.outputs[0].clone(),
                    shape: out_shape,
                    calibrated_bound: None,
                    ..t
                };
                Ok(self.push_node(
                    &node.name,
                    QOp::MaxOver {
                        windows,
                        min: r.kind == ReduceKind::Min,
                    },
                    vec![x],
                    out,
                ))
            }
            ReduceKind::L1 | ReduceKind::L2 | ReduceKind::SumSquare => {
                self.lower_norm(node, r.kind, x, groups, out_shape)
            }
            other => Err(unsupported(
                node,
                format!(
                    "{} needs a square root, logarithm or private product",
                    other.name()
                ),
            )),
        }
    }

    fn lower_arg(
        &mut self,
        node: &Node,
        a: &ArgReduce,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        if a.select_last_index {
            return Err(unsupported(node, "select_last_index"));
        }
        let x = self.runtime_input(node, 0)?;
        let t = self.tensor(x).clone();
        let rank = t.shape.len();
        let axis = zkinfer_ir::op::normalize_axis(node.op.name(), a.axis, rank)
            .map_err(|e| unsupported(node, e.to_string()))?;
        let reduced: Vec<bool> = (0..rank).map(|i| i == axis).collect();
        let groups = reduce_groups(&t.shape, &reduced);
        let lane = t.shape.get(axis).copied().unwrap_or(1);
        let windows = Windows::from_groups(
            groups
                .into_iter()
                .map(|g| g.into_iter().map(|i| Tap { input: 0, index: i }).collect()),
        );
        let bits = bits_for_range(0, lane as i128);
        let out = QTensor {
            name: node.outputs[0].clone(),
            shape: out_shape,
            scale: 0,
            bits,
            calibrated_bound: None,
        };
        Ok(self.push_node(
            &node.name,
            QOp::ArgMax {
                windows,
                min: a.kind == ArgKind::Min,
            },
            vec![x],
            out,
        ))
    }
}

fn kind_name(kind: BinaryKind) -> &'static str {
    match kind {
        BinaryKind::Add => "Add",
        BinaryKind::Sub => "Sub",
        BinaryKind::Mul => "Mul",
        BinaryKind::Div => "Div",
        BinaryKind::Pow => "Pow",
        BinaryKind::Mod { .. } => "Mod",
    }
}
