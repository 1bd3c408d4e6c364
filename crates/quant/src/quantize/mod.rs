//! From a float [`Graph`] to a [`QuantizedModel`]: scale choice, weight
//! quantization, bit budgets and the folding of consecutive affine maps.
//!
//! Affine nodes are first built in float form ([`FloatAffine`]) and only then
//! quantized, so that an elementwise affine op that follows one (batch norm,
//! `+ bias`, `× c`) can be folded into it with a single rounding of the combined
//! coefficients.

mod lower;
mod recurrent;
mod topk;

use std::collections::HashMap;

use zkinfer_ir::{Graph, Tensor};

use crate::calibrate::Calibration;
use crate::error::{QuantError, QuantResult};
use crate::fixed::{bits_for_bound, quantize};
use crate::model::{Affine, QNode, QOp, QTensor, QTensorId, Rescale, Term, WeightSharing};
use crate::settings::QuantSettings;
use crate::QuantizedModel;

/// Accumulators must stay below this (the `arith` functions accept `|x| < 2^126`,
/// and the circuit's field is 254 bits).
const ACC_LIMIT_BITS: u32 = 120;

/// An affine node before quantization: real coefficients, real biases and an
/// exact integer divisor per row (`row = (Σ c·x + b) / d`).
#[derive(Debug, Clone)]
pub(crate) struct FloatAffine {
    pub inputs: Vec<QTensorId>,
    pub rows: Vec<Vec<(usize, usize, f64)>>,
    pub bias: Vec<f64>,
    pub divisors: Vec<u64>,
    pub source: String,
    /// Which model weight each term and bias is (see [`WeightSharing`]);
    /// `None` when every coefficient is its own.
    pub sources: Option<WeightSources>,
}

/// Source weight ids of a [`FloatAffine`]'s terms and biases, parallel to its
/// rows; terms and biases with equal ids are the same model weight.
#[derive(Debug, Clone)]
pub(crate) struct WeightSources {
    pub terms: Vec<Vec<u32>>,
    pub bias: Vec<u32>,
}

impl WeightSources {
    /// Ids for `rows` rows, filled in as the lowering pushes terms.
    pub fn new(rows: usize) -> Self {
        WeightSources {
            terms: vec![Vec::new(); rows],
            bias: vec![0; rows],
        }
    }
}

impl FloatAffine {
    pub fn new(inputs: Vec<QTensorId>, rows: usize, source: &str) -> Self {
        FloatAffine {
            inputs,
            rows: vec![Vec::new(); rows],
            bias: vec![0.0; rows],
            divisors: vec![1; rows],
            source: source.to_owned(),
            sources: None,
        }
    }

    /// True when row `r` is `coeff × input0[r] + bias` (an elementwise map of one tensor).
    fn is_diagonal(&self) -> bool {
        self.inputs.len() == 1
            && self
                .rows
                .iter()
                .enumerate()
                .all(|(r, row)| row.len() == 1 && row[0].0 == 0 && row[0].1 == r)
    }
}

/// A value feeding a float node: a runtime tensor already in the quantized model, or a constant.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Operand<'a> {
    Runtime(QTensorId),
    Const(&'a Tensor),
}

pub(crate) struct Builder<'g> {
    pub graph: &'g Graph,
    pub settings: &'g QuantSettings,
    pub calibration: Calibration,
    pub tensors: Vec<QTensor>,
    pub nodes: Vec<QNode>,
    /// Float tensor name → quantized tensor.
    pub names: HashMap<String, QTensorId>,
    /// Affine nodes still open for folding: output tensor → (node index, float form).
    open: HashMap<QTensorId, (usize, FloatAffine)>,
    /// How many node inputs and graph outputs read each float tensor.
    uses: HashMap<String, usize>,
}

impl<'g> Builder<'g> {
    pub fn new(graph: &'g Graph, settings: &'g QuantSettings, calibration: Calibration) -> Self {
        let mut uses: HashMap<String, usize> = HashMap::new();
        for n in &graph.nodes {
            for i in n.inputs.iter().flatten() {
                *uses.entry(i.clone()).or_default() += 1;
            }
        }
        for o in &graph.outputs {
            // A graph output must keep its own value: never fold past it.
            *uses.entry(o.clone()).or_default() += 2;
        }
        Builder {
            graph,
            settings,
            calibration,
            tensors: Vec::new(),
            nodes: Vec::new(),
            names: HashMap::new(),
            open: HashMap::new(),
            uses,
        }
    }

    pub fn build(mut self) -> QuantResult<QuantizedModel> {
        let graph = self.graph;
        let mut inputs = Vec::new();
        for decl in &graph.inputs {
            let boolean = decl.dtype == zkinfer_ir::DType::Bool;
            // Integers (indices, booleans) are exact at scale 0; a larger scale
            // would only add fractional bits that are always zero.
            let scale = if decl.dtype == zkinfer_ir::DType::F32 {
                self.settings.input_scale
            } else {
                0
            };
            let bound = self.calibration.bound(&decl.name);
            let bits = if boolean {
                crate::fixed::bits_for_range(0, 1)
            } else {
                self.bits_for(&decl.name, bound * self.settings.margin, scale)?
            };
            let id = self.push_tensor(QTensor {
                name: decl.name.clone(),
                shape: decl.shape.clone(),
                scale,
                bits,
                calibrated_bound: Some(bound),
            });
            inputs.push(id);
            // Booleans are proven 0/1 where they enter; gadgets reading them rely on it.
            let id = if boolean {
                let out = QTensor {
                    name: format!("{}/boolean", decl.name),
                    calibrated_bound: None,
                    ..self.tensor(id).clone()
                };
                self.push_node(&out.name.clone(), QOp::Boolean, vec![id], out)
            } else {
                id
            };
            self.names.insert(decl.name.clone(), id);
        }
        for node in &graph.nodes {
            self.lower(node)?;
        }
        let mut outputs = Vec::new();
        for name in &graph.outputs {
            let id = match self.operand(name, "output")? {
                Operand::Runtime(id) => id,
                Operand::Const(t) => {
                    let t = t.clone();
                    self.constant(name, &t, self.settings.activation_scale)?
                }
            };
            outputs.push(id);
        }
        Ok(QuantizedModel {
            tensors: self.tensors,
            nodes: self.nodes,
            inputs,
            outputs,
            input_names: graph.inputs.iter().map(|i| i.name.clone()).collect(),
            settings: self.settings.clone(),
        })
    }

    pub fn push_tensor(&mut self, t: QTensor) -> QTensorId {
        self.tensors.push(t);
        QTensorId(self.tensors.len() - 1)
    }

    pub fn tensor(&self, id: QTensorId) -> &QTensor {
        &self.tensors[id.0]
    }

    /// A node's input by name.
    pub fn operand(&self, name: &str, node: &str) -> QuantResult<Operand<'g>> {
        if let Some(&id) = self.names.get(name) {
            return Ok(Operand::Runtime(id));
        }
        if let Some(t) = self.graph.constants.get(name) {
            return Ok(Operand::Const(t));
        }
        if let Some(v) = self.graph.fact(name).and_then(|f| f.value.as_deref()) {
            return Ok(Operand::Const(v));
        }
        Err(QuantError::Unsupported {
            node: node.to_owned(),
            op: "?".into(),
            reason: format!("tensor `{name}` is neither computed nor constant"),
        })
    }

    /// Bit budget for a calibrated bound, refusing widths above the settings' limit.
    pub fn bits_for(&self, node: &str, bound: f64, scale: u32) -> QuantResult<u32> {
        let bits = bits_for_bound(bound, scale);
        if bits > self.settings.max_bits {
            return Err(QuantError::ScaleOverflow {
                node: node.to_owned(),
                reason: format!(
                    "values up to {bound:.4} at scale 2^{scale} need {bits} bits, above the limit of {}",
                    self.settings.max_bits
                ),
            });
        }
        Ok(bits)
    }

    /// Push a node and its output tensor.
    pub fn push_node(
        &mut self,
        name: &str,
        op: QOp,
        inputs: Vec<QTensorId>,
        out: QTensor,
    ) -> QTensorId {
        let (out_scale, out_bits) = (out.scale, out.bits);
        let output = self.push_tensor(out);
        self.nodes.push(QNode {
            name: name.to_owned(),
            op,
            inputs,
            output,
            out_scale,
            out_bits,
        });
        output
    }

    /// A constant tensor as a node (needed when a non-affine op reads a constant).
    pub fn constant(&mut self, name: &str, t: &Tensor, scale: u32) -> QuantResult<QTensorId> {
        let values = t
            .to_f32_vec()
            .iter()
            .map(|&x| quant_i64(name, x as f64, scale as i32))
            .collect::<QuantResult<Vec<i64>>>()?;
        let (lo, hi) = values
            .iter()
            .fold((0i64, 0i64), |(lo, hi), &v| (lo.min(v), hi.max(v)));
        let bits = crate::fixed::bits_for_range(lo as i128, hi as i128);
        let out = QTensor {
            name: name.to_owned(),
            shape: t.shape().to_vec(),
            scale,
            bits,
            calibrated_bound: None,
        };
        Ok(self.push_node(&format!("{name}/const"), QOp::Constant(values), vec![], out))
    }

    /// The tensor `id` at scale `scale`: itself, or an inserted exact shift-up /
    /// rounding shift-down.
    pub fn align(&mut self, id: QTensorId, scale: u32) -> QuantResult<QTensorId> {
        let t = self.tensor(id).clone();
        if t.scale == scale {
            return Ok(id);
        }
        let n = t.len();
        let name = format!("{}/to_scale_{scale}", t.name);
        let (terms, rescale, bits) = if scale > t.scale {
            let c = 1i64 << (scale - t.scale);
            (
                (0..n)
                    .map(|i| Term {
                        input: 0,
                        index: i,
                        coeff: c,
                    })
                    .collect::<Vec<_>>(),
                Rescale::Shift(0),
                t.bits + (scale - t.scale),
            )
        } else {
            (
                (0..n)
                    .map(|i| Term {
                        input: 0,
                        index: i,
                        coeff: 1,
                    })
                    .collect(),
                Rescale::Shift(t.scale - scale),
                t.bits.saturating_sub(t.scale - scale).max(2),
            )
        };
        if bits > self.settings.max_bits {
            return Err(QuantError::ScaleOverflow {
                node: name,
                reason: format!("aligning `{}` to scale 2^{scale} needs {bits} bits", t.name),
            });
        }
        let acc_bound = 1i128 << (t.bits - 1 + scale.saturating_sub(t.scale));
        let affine = Affine {
            row_starts: (0..=n).collect(),
            terms,
            bias: vec![0; n],
            acc_scale: scale.max(t.scale),
            rescale,
            acc_bound,
            source: "align".into(),
            sharing: None,
        };
        let out = QTensor {
            name: name.clone(),
            shape: t.shape.clone(),
            scale,
            bits,
            calibrated_bound: None,
        };
        Ok(self.push_node(&name, QOp::Affine(affine), vec![id], out))
    }

    /// Quantize and emit an affine node computing float tensor `out_name`, folding it
    /// into the open affine that produces its only input when it is elementwise.
    pub fn emit_affine(
        &mut self,
        node: &str,
        out_name: &str,
        shape: Vec<usize>,
        mut fa: FloatAffine,
    ) -> QuantResult<QTensorId> {
        let scale = if self.is_exact_integer(out_name, &fa) {
            0
        } else {
            self.settings
                .scale_for(node, self.settings.activation_scale)
        };
        if self.settings.fold_affine && fa.is_diagonal() {
            let input = fa.inputs[0];
            let in_name = self.tensor(input).name.clone();
            if let (Some(1), Some((index, prev))) =
                (self.uses.get(&in_name).copied(), self.open.remove(&input))
            {
                let mut merged = prev.clone();
                for (r, row) in merged.rows.iter_mut().enumerate() {
                    let (c, b, d) = (fa.rows[r][0].2, fa.bias[r], fa.divisors[r]);
                    for term in row.iter_mut() {
                        term.2 *= c;
                    }
                    merged.bias[r] = merged.bias[r] * c + b * merged.divisors[r] as f64;
                    merged.divisors[r] *= d;
                }
                merged.source = format!("{}+{}", prev.source, fa.source);
                let node_name = self.nodes[index].name.clone();
                let (affine, out) =
                    self.quantize_affine(&node_name, out_name, &shape, scale, &merged)?;
                self.tensors[input.0] = out.clone();
                self.nodes[index].op = QOp::Affine(affine);
                self.nodes[index].out_scale = out.scale;
                self.nodes[index].out_bits = out.bits;
                self.open.insert(input, (index, merged));
                return Ok(input);
            }
        }
        fa.source = fa.source.clone();
        let (affine, out) = self.quantize_affine(node, out_name, &shape, scale, &fa)?;
        let inputs = fa.inputs.clone();
        let id = self.push_node(node, QOp::Affine(affine), inputs, out);
        self.open.insert(id, (self.nodes.len() - 1, fa));
        Ok(id)
    }

    /// Round a float affine map to integers at the chosen scales and check its bounds.
    /// An integer-typed output (indices, booleans) computed exactly from
    /// scale-0 integers stays at scale 0: integer coefficients and biases and
    /// no divisor, so no rounding and no fractional bits to carry.
    fn is_exact_integer(&self, out_name: &str, fa: &FloatAffine) -> bool {
        let integral = |c: f64| c.fract() == 0.0 && c.abs() < (1u64 << 24) as f64;
        self.graph
            .fact(out_name)
            .is_some_and(|f| f.dtype != zkinfer_ir::DType::F32)
            && fa.inputs.iter().all(|&i| self.tensor(i).scale == 0)
            && fa.rows.iter().flatten().all(|&(_, _, c)| integral(c))
            && fa.bias.iter().all(|&b| integral(b))
            && fa.divisors.iter().all(|&d| d == 1)
    }

    fn quantize_affine(
        &self,
        node: &str,
        out_name: &str,
        shape: &[usize],
        out_scale: u32,
        fa: &FloatAffine,
    ) -> QuantResult<(Affine, QTensor)> {
        let in_scales: Vec<u32> = fa.inputs.iter().map(|&i| self.tensor(i).scale).collect();
        let in_bits: Vec<u32> = fa.inputs.iter().map(|&i| self.tensor(i).bits).collect();
        let integral = fa
            .rows
            .iter()
            .flatten()
            .all(|&(_, _, c)| c.fract() == 0.0 && c.abs() < (1u64 << 24) as f64);
        let coeff_scale = if integral {
            0
        } else {
            self.settings.weight_scale
        };
        let max_in = in_scales.iter().copied().max().unwrap_or(0);
        let mut acc_scale = max_in + coeff_scale;
        let mut shift = 0;
        if acc_scale >= out_scale {
            shift = acc_scale - out_scale;
        } else {
            acc_scale = out_scale;
        }
        let overflow = |reason: String| QuantError::ScaleOverflow {
            node: node.to_owned(),
            reason,
        };
        let mut row_starts = Vec::with_capacity(fa.rows.len() + 1);
        row_starts.push(0);
        let mut terms = Vec::with_capacity(fa.rows.iter().map(Vec::len).sum());
        let mut bias = Vec::with_capacity(fa.rows.len());
        let mut acc_bound: i128 = 0;
        // Ids that do not line up with the rows (a lowering that edited rows
        // without its ids) would share wrongly: every term is then its own weight.
        let sources = fa.sources.as_ref().filter(|src| {
            src.bias.len() == fa.rows.len()
                && src.terms.len() == fa.rows.len()
                && src
                    .terms
                    .iter()
                    .zip(&fa.rows)
                    .all(|(ids, row)| ids.len() == row.len())
        });
        let mut slots = sources.map(|_| SlotTables::default());
        for (r, row) in fa.rows.iter().enumerate() {
            let mut row_bound: i128 = 0;
            for (t, &(input, index, c)) in row.iter().enumerate() {
                let coeff = quant_i64(node, c, (acc_scale - in_scales[input]) as i32)?;
                if coeff == 0 && !self.settings.keep_zero_weights {
                    continue;
                }
                terms.push(Term {
                    input,
                    index,
                    coeff,
                });
                if let (Some(slots), Some(src)) = (&mut slots, sources) {
                    slots.term(src.terms[r][t], coeff);
                }
                row_bound = row_bound.saturating_add((coeff as i128).abs() << (in_bits[input] - 1));
            }
            let b = quant_i64(node, fa.bias[r], acc_scale as i32)?;
            if let (Some(slots), Some(src)) = (&mut slots, sources) {
                slots.bias(src.bias[r], b);
            }
            bias.push(b);
            row_bound = row_bound.saturating_add((b as i128).abs());
            acc_bound = acc_bound.max(row_bound);
            row_starts.push(terms.len());
        }
        if acc_bound >= 1i128 << ACC_LIMIT_BITS {
            return Err(overflow(format!(
                "accumulator bound {acc_bound} at scale 2^{acc_scale} exceeds 2^{ACC_LIMIT_BITS}"
            )));
        }
        let rescale = rescale_for(&fa.divisors, shift).ok_or_else(|| {
            overflow(format!(
                "divisors {:?}… times 2^{shift} overflow i64",
                &fa.divisors[..fa.divisors.len().min(3)]
            ))
        })?;
        let bound = self.calibration.bound(out_name);
        let bits = self.bits_for(node, bound * self.settings.margin, out_scale)?;
        let affine = Affine {
            row_starts,
            terms,
            bias,
            acc_scale,
            rescale,
            acc_bound,
            source: fa.source.clone(),
            sharing: slots.map(SlotTables::finish),
        };
        let out = QTensor {
            name: out_name.to_owned(),
            shape: shape.to_vec(),
            scale: out_scale,
            bits,
            calibrated_bound: Some(bound),
        };
        Ok((affine, out))
    }
}

/// The rounding of rows with exact divisors `d_r`, after a shift by `2^k`.
fn rescale_for(divisors: &[u64], shift: u32) -> Option<Rescale> {
    let total =
        |d: u64| -> Option<i64> { i64::try_from(d).ok()?.checked_mul(1i64.checked_shl(shift)?) };
    let first = divisors.first().copied().unwrap_or(1);
    if divisors.iter().all(|&d| d == first) {
        let t = total(first)?;
        if (t as u64).is_power_of_two() {
            Some(Rescale::Shift(t.trailing_zeros()))
        } else {
            Some(Rescale::Divide(t))
        }
    } else {
        Some(Rescale::DividePerRow(
            divisors
                .iter()
                .map(|&d| total(d))
                .collect::<Option<Vec<_>>>()?,
        ))
    }
}

/// `x` at scale `scale` as an `i64`, or a typed refusal.
pub(crate) fn quant_i64(node: &str, x: f64, scale: i32) -> QuantResult<i64> {
    quantize(x, scale)
        .and_then(|v| i64::try_from(v).ok())
        .ok_or_else(|| QuantError::ScaleOverflow {
            node: node.to_owned(),
            reason: format!("constant {x} at scale 2^{scale} does not fit in i64"),
        })
}

impl QuantizedModel {
    /// Calibrate `graph` on `calibration` samples (each one inference's inputs) and
    /// quantize it.
    pub fn quantize(
        graph: &Graph,
        settings: &QuantSettings,
        calibration: &[Vec<Tensor>],
    ) -> QuantResult<QuantizedModel> {
        let cal = Calibration::run(graph, calibration)?;
        Self::quantize_calibrated(graph, settings, cal)
    }

    /// Quantize with ranges recorded beforehand.
    pub fn quantize_calibrated(
        graph: &Graph,
        settings: &QuantSettings,
        calibration: Calibration,
    ) -> QuantResult<QuantizedModel> {
        validate(settings)?;
        Builder::new(graph, settings, calibration).build()
    }
}

/// Refuse settings that cannot work before touching the model.
fn validate(s: &QuantSettings) -> QuantResult<()> {
    let bad = |reason: String| {
        Err(QuantError::ScaleOverflow {
            node: "<settings>".into(),
            reason,
        })
    };
    if !(s.margin >= 1.0 && s.margin.is_finite()) {
        return bad(format!("margin {} must be a finite number ≥ 1", s.margin));
    }
    if !(2..=63).contains(&s.max_bits) {
        return bad(format!(
            "max_bits {} must lie in 2..=63 (values are stored as i64)",
            s.max_bits
        ));
    }
    let scales = [
        s.input_scale,
        s.weight_scale,
        s.activation_scale,
        s.nonlinear_scale,
    ];
    if let Some(&big) = scales
        .iter()
        .chain(s.node_scales.values())
        .find(|&&x| x > 40)
    {
        return bad(format!("scale exponent {big} is above 40: products of two such values overflow the accumulator"));
    }
    Ok(())
}

/// Assigns [`WeightSharing`] slots while an affine map is quantized: one
/// slot per distinct (source weight, quantized value).
#[derive(Default)]
struct SlotTables {
    weights: HashMap<(u32, i64), u32>,
    biases: HashMap<(u32, i64), u32>,
    term_slots: Vec<u32>,
    bias_slots: Vec<u32>,
}

impl SlotTables {
    fn slot(table: &mut HashMap<(u32, i64), u32>, key: (u32, i64)) -> u32 {
        let next = table.len() as u32;
        *table.entry(key).or_insert(next)
    }

    fn term(&mut self, source: u32, coeff: i64) {
        let slot = Self::slot(&mut self.weights, (source, coeff));
        self.term_slots.push(slot);
    }

    fn bias(&mut self, source: u32, value: i64) {
        let slot = Self::slot(&mut self.biases, (source, value));
        self.bias_slots.push(slot);
    }

    fn finish(self) -> WeightSharing {
        WeightSharing {
            weights: self.weights.len() as u32,
            biases: self.biases.len() as u32,
            term_slots: self.term_slots,
            bias_slots: self.bias_slots,
        }
    }
}
