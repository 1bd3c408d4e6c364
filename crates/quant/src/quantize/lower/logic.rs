//! Lowering of comparisons, boolean logic, `Where`, casts to `bool` and
//! lookups with runtime indices (`Gather`, `GatherElements`, `OneHot`).
//!
//! Booleans are 0/1 at scale 0 and integer indices are integers at scale 0.
//! Every boolean tensor is proven 0/1 where it is created (a comparison bit, a
//! logic gadget on booleans, a `bool` graph input's [`QOp::Boolean`]), so the
//! gadgets reading booleans can rely on it; a cast *to* `bool` is therefore an
//! is-zero test, never a relabelling.

use zkinfer_ir::ops::array::{Gather as GatherOp, GatherElements, OneHot};
use zkinfer_ir::ops::math::{Cast, CompareKind as IrCompare, CompareOp, LogicKind as IrLogic};
use zkinfer_ir::ops::math::{LogicOp, Not, Where};
use zkinfer_ir::{DType, Node, Op, OpExt, Tensor};

use super::{unsupported, Builder, FloatAffine, Operand};
use crate::arith::{CompareKind, LogicKind};
use crate::error::QuantResult;
use crate::fixed::bits_for_range;
use crate::index::{for_each_index, strides};
use crate::model::{GatherSource, Lookup, QOp, QTensor, QTensorId, Tap};
use crate::quantize::quant_i64;

impl Builder<'_> {
    /// Lower `node` if it is a comparison, logic, `Where`, cast to `bool` or
    /// runtime-index lookup; `None` leaves it to the other lowerings.
    pub(super) fn lower_logic(&mut self, node: &Node) -> QuantResult<Option<QTensorId>> {
        let op: &dyn Op = node.op.as_ref();
        let id = if let Some(c) = op.downcast_ref::<CompareOp>() {
            self.lower_compare(node, compare_kind(c.kind))?
        } else if let Some(l) = op.downcast_ref::<LogicOp>() {
            self.lower_logic_op(node, logic_kind(l.kind))?
        } else if op.downcast_ref::<Not>().is_some() {
            let x = self.boolean_input(node, 0)?;
            self.emit_not(node, x, &node.outputs[0])?
        } else if op.downcast_ref::<Where>().is_some() {
            self.lower_where(node)?
        } else if let Some(c) = op.downcast_ref::<Cast>() {
            if c.to != DType::Bool || self.dtype_of(node, 0)? == DType::Bool {
                return Ok(None);
            }
            self.lower_cast_to_bool(node)?
        } else if let Some(g) = op.downcast_ref::<GatherOp>() {
            if !self.is_runtime(node, 1)? {
                return Ok(None);
            }
            self.lower_runtime_gather(node, g.axis, false)?
        } else if let Some(g) = op.downcast_ref::<GatherElements>() {
            if !self.is_runtime(node, 1)? {
                return Ok(None);
            }
            self.lower_runtime_gather(node, g.axis, true)?
        } else if let Some(o) = op.downcast_ref::<OneHot>() {
            if !self.is_runtime(node, 0)? {
                return Ok(None);
            }
            self.lower_one_hot(node, o.axis)?
        } else {
            return Ok(None);
        };
        Ok(Some(id))
    }

    fn is_runtime(&self, node: &Node, slot: usize) -> QuantResult<bool> {
        Ok(matches!(self.input(node, slot)?, Operand::Runtime(_)))
    }

    fn dtype_of(&self, node: &Node, slot: usize) -> QuantResult<DType> {
        let name = node
            .inputs
            .get(slot)
            .and_then(|n| n.as_ref())
            .ok_or_else(|| unsupported(node, format!("missing input {slot}")))?;
        Ok(self.fact(node, name)?.dtype)
    }

    fn out_shape(&self, node: &Node) -> QuantResult<Vec<usize>> {
        Ok(self.fact(node, &node.outputs[0])?.shape.clone())
    }

    /// Input `slot` as a tensor at `scale`: a runtime tensor aligned (up) to
    /// it, or a constant quantized at it.
    fn operand_at(&mut self, node: &Node, slot: usize, scale: u32) -> QuantResult<QTensorId> {
        match self.input(node, slot)? {
            Operand::Runtime(id) => self.align(id, scale),
            Operand::Const(t) => {
                let t = t.clone();
                self.constant(&format!("{}/in{slot}", node.name), &t, scale)
            }
        }
    }

    /// The largest scale among the runtime inputs in `slots`.
    fn common_scale(&self, node: &Node, slots: &[usize]) -> QuantResult<Option<u32>> {
        let mut scale = None;
        for &slot in slots {
            if let Operand::Runtime(id) = self.input(node, slot)? {
                let s = self.tensor(id).scale;
                scale = Some(scale.map_or(s, |m: u32| m.max(s)));
            }
        }
        Ok(scale)
    }

    /// A runtime boolean input (0/1 at scale 0).
    fn boolean_input(&mut self, node: &Node, slot: usize) -> QuantResult<QTensorId> {
        let id = match self.input(node, slot)? {
            Operand::Runtime(id) => id,
            Operand::Const(t) => {
                let t = t.clone();
                self.constant(&format!("{}/in{slot}", node.name), &t, 0)?
            }
        };
        let t = self.tensor(id);
        if t.scale != 0 {
            return Err(unsupported(
                node,
                format!("boolean input {slot} is at scale 2^{}", t.scale),
            ));
        }
        Ok(id)
    }

    fn bool_tensor(&self, name: &str, shape: Vec<usize>) -> QTensor {
        QTensor {
            name: name.to_owned(),
            shape,
            scale: 0,
            bits: bits_for_range(0, 1),
            calibrated_bound: None,
        }
    }

    fn lower_compare(&mut self, node: &Node, kind: CompareKind) -> QuantResult<QTensorId> {
        let shape = self.out_shape(node)?;
        let mut scale = self
            .common_scale(node, &[0, 1])?
            .ok_or_else(|| unsupported(node, "comparison of constants (not folded)"))?;
        // A fractional threshold against integers keeps fraction bits.
        for slot in 0..2 {
            if let Operand::Const(t) = self.input(node, slot)? {
                if t.to_f32_vec().iter().any(|v| v.fract() != 0.0) {
                    scale = scale.max(self.settings.activation_scale);
                }
            }
        }
        let a = self.operand_at(node, 0, scale)?;
        let b = self.operand_at(node, 1, scale)?;
        let a = self.broadcast_to(node, a, &shape)?;
        let b = self.broadcast_to(node, b, &shape)?;
        let out = self.bool_tensor(&node.outputs[0], shape);
        Ok(self.push_node(&node.name, QOp::Compare { kind }, vec![a, b], out))
    }

    fn lower_logic_op(&mut self, node: &Node, kind: LogicKind) -> QuantResult<QTensorId> {
        let shape = self.out_shape(node)?;
        let a = self.boolean_input(node, 0)?;
        let b = self.boolean_input(node, 1)?;
        let a = self.broadcast_to(node, a, &shape)?;
        let b = self.broadcast_to(node, b, &shape)?;
        let out = self.bool_tensor(&node.outputs[0], shape);
        Ok(self.push_node(&node.name, QOp::Logic { kind }, vec![a, b], out))
    }

    /// `1 − x`: a free affine map.
    fn emit_not(&mut self, node: &Node, x: QTensorId, out_name: &str) -> QuantResult<QTensorId> {
        let t = self.tensor(x).clone();
        if t.scale != 0 {
            return Err(unsupported(node, "negation of a non-boolean tensor"));
        }
        let mut fa = FloatAffine::new(vec![x], t.len(), "Not");
        for r in 0..t.len() {
            fa.rows[r].push((0, r, -1.0));
            fa.bias[r] = 1.0;
        }
        self.emit_affine(&node.name, out_name, t.shape, fa)
    }

    fn lower_where(&mut self, node: &Node) -> QuantResult<QTensorId> {
        let shape = self.out_shape(node)?;
        let c = self.boolean_input(node, 0)?;
        let scale = match self.common_scale(node, &[1, 2])? {
            Some(s) => s,
            None if self.fact(node, &node.outputs[0])?.dtype == DType::F32 => {
                self.settings.activation_scale
            }
            None => 0,
        };
        let x = self.operand_at(node, 1, scale)?;
        let y = self.operand_at(node, 2, scale)?;
        let bits = self.tensor(x).bits.max(self.tensor(y).bits);
        let c = self.broadcast_to(node, c, &shape)?;
        let x = self.broadcast_to(node, x, &shape)?;
        let y = self.broadcast_to(node, y, &shape)?;
        let out = QTensor {
            name: node.outputs[0].clone(),
            shape,
            scale,
            bits,
            calibrated_bound: None,
        };
        Ok(self.push_node(&node.name, QOp::Select, vec![c, x, y], out))
    }

    /// `x ≠ 0` as `1 − [x = 0]`.
    fn lower_cast_to_bool(&mut self, node: &Node) -> QuantResult<QTensorId> {
        let x = self.runtime_input(node, 0)?;
        let t = self.tensor(x).clone();
        let zero = Tensor::zeros(DType::F32, &t.shape);
        let zero = self.constant(&format!("{}/zero", node.name), &zero, t.scale)?;
        let name = format!("{}/is_zero", node.outputs[0]);
        let out = self.bool_tensor(&name, t.shape.clone());
        let is_zero = self.push_node(
            &format!("{}/is_zero", node.name),
            QOp::Compare {
                kind: CompareKind::Equal,
            },
            vec![x, zero],
            out,
        );
        self.emit_not(node, is_zero, &node.outputs[0])
    }

    /// The runtime index input (integers at scale 0).
    fn index_input(&self, node: &Node, slot: usize) -> QuantResult<QTensorId> {
        let id = self.runtime_input(node, slot)?;
        let scale = self.tensor(id).scale;
        if scale != 0 {
            return Err(unsupported(
                node,
                format!("runtime indices at scale 2^{scale} are not integers"),
            ));
        }
        Ok(id)
    }

    /// A lookup table from input `slot`: taps into the node's slot 1 for a
    /// runtime tensor, or constants (at scale 0 for integer data, else the
    /// activation scale). Returns the data's shape, its entry maker, scale and bits.
    fn table_source(&self, node: &Node, slot: usize) -> QuantResult<TableData> {
        Ok(match self.input(node, slot)? {
            Operand::Runtime(id) => {
                let t = self.tensor(id);
                TableData {
                    shape: t.shape.clone(),
                    runtime: Some(id),
                    constants: Vec::new(),
                    scale: t.scale,
                    bits: t.bits,
                }
            }
            Operand::Const(t) => {
                let scale = if t.dtype() == DType::F32 {
                    self.settings.activation_scale
                } else {
                    0
                };
                let constants = t
                    .to_f32_vec()
                    .iter()
                    .map(|&v| quant_i64(&node.name, v as f64, scale as i32))
                    .collect::<QuantResult<Vec<i64>>>()?;
                let (lo, hi) = constants
                    .iter()
                    .fold((0i64, 0i64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
                TableData {
                    shape: t.shape().to_vec(),
                    runtime: None,
                    constants,
                    scale,
                    bits: bits_for_range(lo as i128, hi as i128),
                }
            }
        })
    }

    /// `Gather` (`elements = false`) or `GatherElements` with runtime indices.
    fn lower_runtime_gather(
        &mut self,
        node: &Node,
        axis: i64,
        elements: bool,
    ) -> QuantResult<QTensorId> {
        let shape = self.out_shape(node)?;
        let idx = self.index_input(node, 1)?;
        let ishape = self.tensor(idx).shape.clone();
        let data = self.table_source(node, 0)?;
        let d = &data.shape;
        if d.is_empty() {
            return Err(unsupported(node, "cannot gather from a scalar"));
        }
        let axis = zkinfer_ir::op::normalize_axis(node.op.name(), axis, d.len())
            .map_err(|e| unsupported(node, e.to_string()))?;
        let depth = d[axis];
        let dst = strides(d);
        let mut index = Vec::new();
        let mut flats: Vec<usize> = Vec::new();
        if elements {
            if ishape.len() != d.len() || shape != ishape {
                return Err(unsupported(node, "indices and data differ in rank"));
            }
            let mut bad = false;
            let mut e = 0;
            for_each_index(&ishape, |o| {
                for v in 0..depth {
                    let mut flat = 0;
                    for (a, &i) in o.iter().enumerate() {
                        let i = if a == axis { v } else { i };
                        bad |= i >= d[a];
                        flat += i * dst[a];
                    }
                    flats.push(flat);
                }
                index.push(e);
                e += 1;
            });
            if bad {
                return Err(unsupported(node, "indices exceed the data's shape"));
            }
        } else {
            let outer: usize = d[..axis].iter().product();
            let inner: usize = d[axis + 1..].iter().product();
            let nidx: usize = ishape.iter().product();
            if outer * nidx * inner != shape.iter().product::<usize>() {
                return Err(unsupported(node, "output shape does not match the gather"));
            }
            for e in 0..outer * nidx * inner {
                let (o_outer, j, o_inner) = (e / (nidx * inner), (e / inner) % nidx, e % inner);
                index.push(j);
                flats.extend((0..depth).map(|v| (o_outer * depth + v) * inner + o_inner));
            }
        }
        let table = flats
            .into_iter()
            .map(|flat| data.entry(flat))
            .collect::<Vec<_>>();
        let mut inputs = vec![idx];
        inputs.extend(data.runtime);
        let lookup = Lookup {
            depth,
            index,
            table,
            source: node.op.name().to_owned(),
        };
        let out = QTensor {
            name: node.outputs[0].clone(),
            shape,
            scale: data.scale,
            bits: data.bits,
            calibrated_bound: None,
        };
        Ok(self.push_node(&node.name, QOp::Lookup(lookup), inputs, out))
    }

    /// `OneHot` with runtime indices: a lookup into the constant rows
    /// `[off, …, on (at the output position), …, off]`.
    fn lower_one_hot(&mut self, node: &Node, axis: i64) -> QuantResult<QTensorId> {
        let shape = self.out_shape(node)?;
        let idx = self.index_input(node, 0)?;
        let ishape = self.tensor(idx).shape.clone();
        let depth = self.const_input(node, 1)?.to_i64_vec();
        let &[depth] = depth.as_slice() else {
            return Err(unsupported(node, "depth must be one value"));
        };
        let depth = usize::try_from(depth)
            .ok()
            .filter(|&d| d > 0)
            .ok_or_else(|| unsupported(node, format!("depth {depth}")))?;
        let values = self.table_source(node, 2)?;
        if values.runtime.is_some() || values.constants.len() != 2 {
            return Err(unsupported(node, "values must be a constant [off, on]"));
        }
        let rank = ishape.len() + 1;
        let axis = if axis < 0 { axis + rank as i64 } else { axis };
        let axis = usize::try_from(axis)
            .ok()
            .filter(|&a| a < rank)
            .ok_or_else(|| unsupported(node, format!("axis {axis} for rank {rank}")))?;
        let ist = strides(&ishape);
        let (off, on) = (values.constants[0], values.constants[1]);
        let mut index = Vec::new();
        let mut table = Vec::new();
        for_each_index(&shape, |o| {
            let j: usize = o
                .iter()
                .enumerate()
                .filter(|&(a, _)| a != axis)
                .map(|(_, &i)| i)
                .zip(&ist)
                .map(|(i, s)| i * s)
                .sum();
            index.push(j);
            table.extend(
                (0..depth).map(|v| GatherSource::Constant(if v == o[axis] { on } else { off })),
            );
        });
        let lookup = Lookup {
            depth,
            index,
            table,
            source: "OneHot".into(),
        };
        let out = QTensor {
            name: node.outputs[0].clone(),
            shape,
            scale: values.scale,
            bits: values.bits,
            calibrated_bound: None,
        };
        Ok(self.push_node(&node.name, QOp::Lookup(lookup), vec![idx], out))
    }
}

/// The data of a lookup table (see [`Builder::table_source`]).
struct TableData {
    shape: Vec<usize>,
    runtime: Option<QTensorId>,
    constants: Vec<i64>,
    scale: u32,
    bits: u32,
}

impl TableData {
    /// The entry for flat data index `flat`.
    fn entry(&self, flat: usize) -> GatherSource {
        match self.runtime {
            Some(_) => GatherSource::Input(Tap {
                input: 1,
                index: flat,
            }),
            None => GatherSource::Constant(self.constants[flat]),
        }
    }
}

fn compare_kind(kind: IrCompare) -> CompareKind {
    match kind {
        IrCompare::Less => CompareKind::Less,
        IrCompare::LessOrEqual => CompareKind::LessOrEqual,
        IrCompare::Greater => CompareKind::Greater,
        IrCompare::GreaterOrEqual => CompareKind::GreaterOrEqual,
        IrCompare::Equal => CompareKind::Equal,
    }
}

fn logic_kind(kind: IrLogic) -> LogicKind {
    match kind {
        IrLogic::And => LogicKind::And,
        IrLogic::Or => LogicKind::Or,
        IrLogic::Xor => LogicKind::Xor,
    }
}
