//! The quantized model: a small IR of integer ops, one per circuit gadget family.
//!
//! Every tensor is a flat row-major vector of integers with a static shape, a
//! scale exponent `s` (the integer `n` stands for `n / 2^s`) and a bit budget.
//! Ops address their inputs' elements by flat index, so the layout crate never
//! re-derives a convolution's geometry or a transpose's permutation.

use std::fmt;

/// Index of a tensor in [`QuantizedModel::tensors`](crate::QuantizedModel::tensors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QTensorId(pub usize);

impl fmt::Display for QTensorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "t{}", self.0)
    }
}

/// A tensor of the quantized model.
#[derive(Debug, Clone, PartialEq)]
pub struct QTensor {
    /// The float tensor it represents (its name in the float graph), or a
    /// generated name for tensors the quantizer inserts.
    pub name: String,
    /// Shape; data is row-major.
    pub shape: Vec<usize>,
    /// Scale exponent: integer `n` represents `n / 2^scale`.
    pub scale: u32,
    /// Signed bit budget: every value lies in `[-2^(bits-1), 2^(bits-1))`.
    pub bits: u32,
    /// Calibrated bound `max |x|` of the real values (before the margin); `None`
    /// for tensors whose range follows from their op (ReLU, gathers, maxima...).
    pub calibrated_bound: Option<f64>,
}

impl QTensor {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True for a tensor without elements.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One node: an integer op producing one tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct QNode {
    /// Name of the float node it comes from (with a suffix for inserted nodes).
    pub name: String,
    /// The integer operation.
    pub op: QOp,
    /// Input tensors, in the order the op refers to them by slot.
    pub inputs: Vec<QTensorId>,
    /// The output tensor.
    pub output: QTensorId,
    /// Scale exponent of the output (same as the output tensor's).
    pub out_scale: u32,
    /// Bit budget of the output (same as the output tensor's).
    pub out_bits: u32,
}

/// One term of an affine row: `coeff × inputs[input][index]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    /// Input slot of the node.
    pub input: usize,
    /// Flat (row-major) element index in that input.
    pub index: usize,
    /// Integer coefficient.
    pub coeff: i64,
}

/// A reference to one input element: slot and flat index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tap {
    /// Input slot of the node.
    pub input: usize,
    /// Flat (row-major) element index in that input.
    pub index: usize,
}

/// How an affine accumulator is brought back to the output scale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rescale {
    /// `arith::rescale(acc, k)`: divide by `2^k`, round half up (`k = 0`: identity).
    Shift(u32),
    /// `arith::div_round(acc, d)` with one constant `d > 0` for every row.
    Divide(i64),
    /// `arith::div_round(acc, d[row])`: per-row divisors (average pooling whose
    /// border windows hold fewer elements).
    DividePerRow(Vec<i64>),
}

impl Rescale {
    /// The divisor of a row (`2^k` for a shift).
    pub fn divisor(&self, row: usize) -> i128 {
        match self {
            Rescale::Shift(k) => 1i128 << k,
            Rescale::Divide(d) => *d as i128,
            Rescale::DividePerRow(ds) => ds[row] as i128,
        }
    }

    /// Apply to the accumulator of `row`, through [`crate::arith`].
    pub fn apply(&self, row: usize, acc: i128) -> i128 {
        match self {
            Rescale::Shift(k) => crate::arith::rescale(acc, *k),
            Rescale::Divide(d) => crate::arith::div_round(acc, *d as i128),
            Rescale::DividePerRow(ds) => crate::arith::div_round(acc, ds[row] as i128),
        }
    }
}

/// `out[r] = rescale(Σ_terms coeff·input + bias[r])` for every output element `r`.
///
/// Stored as compressed rows. The coefficients and biases are constants of the
/// circuit, so the sum is one linear combination (no constraint); only the
/// [`Rescale`] costs a decomposition and range checks.
#[derive(Debug, Clone, PartialEq)]
pub struct Affine {
    /// Row `r`'s terms are `terms[row_starts[r]..row_starts[r + 1]]`.
    pub row_starts: Vec<usize>,
    /// All terms, row after row.
    pub terms: Vec<Term>,
    /// One bias per row, at the accumulator scale.
    pub bias: Vec<i64>,
    /// Scale of the accumulator (inputs' scale + coefficient scale, aligned).
    pub acc_scale: u32,
    /// Rounding from the accumulator to the output.
    pub rescale: Rescale,
    /// Largest possible `|accumulator|` given the inputs' bit budgets.
    pub acc_bound: i128,
    /// The float op(s) it implements, for reports (e.g. `"Conv+BatchNormalization"`).
    pub source: String,
    /// Which terms and biases are the same model weight (a convolution's
    /// kernel at every output position, a constant MatMul operand in every
    /// row), for circuits whose weights are witnesses; `None` when every
    /// coefficient is its own weight.
    pub sharing: Option<WeightSharing>,
}

/// Slots of a parameterised [`Affine`]'s weight and bias tables.
///
/// With private weights a circuit allocates one witness per slot, so a
/// convolution's kernel is one set of variables reused at every output
/// position: the proof then says the same kernel was applied everywhere (the
/// model's statement, not a weaker "locally connected" one), and a weight
/// commitment hashes each weight once. Two terms share a slot only when they
/// come from the same source weight *and* have the same quantized
/// coefficient, so a slot's value is well defined even after an elementwise
/// map with per-row factors was folded into the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeightSharing {
    /// Per term of [`Affine::terms`]: its slot in the weight table.
    pub term_slots: Vec<u32>,
    /// Per row: its bias's slot in the bias table.
    pub bias_slots: Vec<u32>,
    /// Weight table length.
    pub weights: u32,
    /// Bias table length.
    pub biases: u32,
}

impl WeightSharing {
    /// The bias and weight tables' values, each slot's value taken from the
    /// first row or term that uses it (all of them hold the same by construction).
    pub fn tables(&self, affine: &Affine) -> (Vec<i64>, Vec<i64>) {
        let mut biases = vec![0; self.biases as usize];
        for (r, &slot) in self.bias_slots.iter().enumerate().rev() {
            biases[slot as usize] = affine.bias[r];
        }
        let mut weights = vec![0; self.weights as usize];
        for (t, &slot) in self.term_slots.iter().enumerate().rev() {
            weights[slot as usize] = affine.terms[t].coeff;
        }
        (biases, weights)
    }
}

impl Affine {
    /// Number of output elements.
    pub fn rows(&self) -> usize {
        self.row_starts.len() - 1
    }

    /// The terms of output element `row`.
    pub fn row(&self, row: usize) -> &[Term] {
        &self.terms[self.row_starts[row]..self.row_starts[row + 1]]
    }
}

/// Where a [`Gather`] output element comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GatherSource {
    /// Copy of an input element.
    Input(Tap),
    /// A constant (padding value, constant operand of a concat), at the output scale.
    Constant(i64),
}

/// Pure data movement: every output element is an input element or a constant.
#[derive(Debug, Clone, PartialEq)]
pub struct Gather {
    /// One source per output element, row-major.
    pub sources: Vec<GatherSource>,
    /// The float op it implements.
    pub source: String,
}

/// Groups of input elements, one group per output element, compressed like [`Affine`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Windows {
    /// Window `w` is `taps[starts[w]..starts[w + 1]]`.
    pub starts: Vec<usize>,
    /// All taps, window after window, in the order that decides ties.
    pub taps: Vec<Tap>,
}

impl Windows {
    /// Build from explicit windows.
    pub fn from_groups(groups: impl IntoIterator<Item = Vec<Tap>>) -> Windows {
        let mut starts = vec![0];
        let mut taps = Vec::new();
        for g in groups {
            taps.extend(g);
            starts.push(taps.len());
        }
        Windows { starts, taps }
    }

    /// Number of windows (output elements).
    pub fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// True when there is no window.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The taps of window `w`.
    pub fn window(&self, w: usize) -> &[Tap] {
        &self.taps[self.starts[w]..self.starts[w + 1]]
    }
}

/// Which smooth function a [`QOp::Nonlinear`] approximates (all from [`crate::arith`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NonlinearKind {
    /// `arith::sigmoid`.
    Sigmoid,
    /// `arith::tanh`.
    Tanh,
    /// `arith::erf`.
    Erf,
    /// `arith::gelu` (the exact, erf-based GELU).
    Gelu,
    /// `arith::softplus`.
    Softplus,
    /// `arith::exp_linear`: ELU, SELU and CELU.
    ExpLinear(crate::arith::ExpLinear),
}

impl NonlinearKind {
    /// Evaluate on one integer through [`crate::arith`].
    pub fn apply(self, x: i128, in_scale: u32, out_scale: u32) -> i128 {
        use crate::arith;
        match self {
            NonlinearKind::Sigmoid => arith::sigmoid(x, in_scale, out_scale),
            NonlinearKind::Tanh => arith::tanh(x, in_scale, out_scale),
            NonlinearKind::Erf => arith::erf(x, in_scale, out_scale),
            NonlinearKind::Gelu => arith::gelu(x, in_scale, out_scale),
            NonlinearKind::Softplus => arith::softplus(x, in_scale, out_scale),
            NonlinearKind::ExpLinear(p) => arith::exp_linear(x, in_scale, out_scale, p),
        }
    }

    /// A bound on `|f(x)|` given `|x| ≤ bound` (real units).
    pub fn output_bound(self, input_bound: f64) -> f64 {
        match self {
            NonlinearKind::Sigmoid | NonlinearKind::Tanh | NonlinearKind::Erf => 1.0,
            NonlinearKind::Gelu => input_bound.max(0.2),
            NonlinearKind::Softplus => input_bound + std::f64::consts::LN_2,
            NonlinearKind::ExpLinear(p) => p.output_bound(input_bound),
        }
    }
}

/// A lookup with runtime indices: output element `e` is
/// `table[e·depth + idx[index[e]]]`, where `idx` is the node's input slot 0
/// (integers at scale 0) and table entries are constants or taps into slots ≥ 1.
///
/// Covers `Gather`, `GatherElements` and `OneHot` whose indices are computed at
/// runtime (tree ensembles walk their nodes this way). The circuit proves one
/// one-hot vector per index element, which also proves `idx ∈ [0, depth)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Lookup {
    /// Number of table entries each index selects among.
    pub depth: usize,
    /// Per output element, the flat index of its index in input slot 0.
    pub index: Vec<usize>,
    /// `depth` entries per output element, row-major. A row is either all
    /// constants (at the output scale) or all taps into slots ≥ 1.
    pub table: Vec<GatherSource>,
    /// The float op it implements.
    pub source: String,
}

impl Lookup {
    /// The `depth` entries of output element `e`.
    pub fn row(&self, e: usize) -> &[GatherSource] {
        &self.table[e * self.depth..(e + 1) * self.depth]
    }
}

/// An integer operation; each variant is one gadget family of the circuit.
#[derive(Debug, Clone, PartialEq)]
pub enum QOp {
    /// A constant tensor (row-major values at the output scale). No inputs.
    Constant(Vec<i64>),
    /// Constant-coefficient affine map plus one rounding: Gemm, MatMul/Conv/ConvTranspose
    /// with constant weights, BatchNorm, Add/Sub, Mul/Div by constants, sums, means,
    /// average pools, scale alignment.
    Affine(Affine),
    /// Free re-wiring: reshape, transpose, slice, concat, pad, resize-nearest...
    Gather(Gather),
    /// Elementwise product of two same-shape inputs, then `arith::rescale(a·b, shift)`.
    Mul {
        /// Rescale after the product.
        shift: u32,
    },
    /// Batched product of two private matrices `[batch, m, k] × [batch, k, n]`
    /// (inputs flattened row-major), each dot product then `arith::rescale(·, shift)`.
    MatMul {
        /// Number of matrix pairs.
        batch: usize,
        /// Rows of the left operand.
        m: usize,
        /// Shared dimension.
        k: usize,
        /// Columns of the right operand.
        n: usize,
        /// Rescale after each dot product.
        shift: u32,
    },
    /// `arith::relu`, elementwise; scale-preserving.
    Relu,
    /// `arith::leaky_relu(x, slope, shift)`: one slope for all elements, or one per element.
    LeakyRelu {
        /// Slopes at scale `shift` (length 1 or the tensor's length).
        slopes: Vec<i64>,
        /// Scale of the slopes.
        shift: u32,
    },
    /// `arith::clip(x, lo, hi)` with bounds at the tensor's scale; an absent bound does not clip.
    Clip {
        /// Lower bound.
        lo: Option<i64>,
        /// Upper bound.
        hi: Option<i64>,
    },
    /// Maximum (or minimum) over each window of input elements: elementwise Max/Min,
    /// MaxPool, GlobalMaxPool, ReduceMax/ReduceMin, |x|. Scale-preserving.
    MaxOver {
        /// The windows, one per output element.
        windows: Windows,
        /// Minimum instead of maximum.
        min: bool,
    },
    /// Position (inside its window) of the first maximum (or minimum) of each
    /// window, as a plain integer at scale 0. `arith::argmax`, ties → lowest position.
    ArgMax {
        /// The windows (lanes), one per output element.
        windows: Windows,
        /// Arg-min instead of arg-max.
        min: bool,
    },
    /// Elementwise smooth function through the `arith` approximations.
    Nonlinear {
        /// The function.
        kind: NonlinearKind,
        /// Input scale.
        in_scale: u32,
        /// Output scale.
        out_scale: u32,
    },
    /// `arith::softmax` over each lane; lanes are the input viewed as `[outer, group, inner]`
    /// with the group along the middle axis.
    Softmax {
        /// Product of the axes before the group.
        outer: usize,
        /// Lane length.
        group: usize,
        /// Product of the axes after the group.
        inner: usize,
        /// Input scale.
        in_scale: u32,
        /// Output scale.
        out_scale: u32,
    },
    /// Division by a private value, square root, floor/ceil/round: one rounding
    /// of an exact real function, elementwise (see [`crate::rounded`]).
    Rounded(crate::rounded::RoundedOp),
    /// `arith::compare(kind, a, b)` elementwise on two same-shape inputs at
    /// one scale; 0/1 at scale 0.
    Compare {
        /// The comparison.
        kind: crate::arith::CompareKind,
    },
    /// `arith::logic(kind, a, b)` elementwise on two same-shape 0/1 inputs.
    Logic {
        /// The operation.
        kind: crate::arith::LogicKind,
    },
    /// `arith::select(c, x, y)` elementwise (ONNX `Where`): inputs `(c, x, y)`
    /// of one shape, `c` boolean, `x` and `y` at the output scale.
    Select,
    /// A lookup with runtime indices (see [`Lookup`]).
    Lookup(Lookup),
    /// The identity on 0/1 values, proving each element is 0 or 1: where a
    /// boolean enters the model (a `bool` graph input), so that every gadget
    /// reading booleans may assume them.
    Boolean,
}

impl QOp {
    /// Short name of the variant, for reports.
    pub fn kind_name(&self) -> &'static str {
        match self {
            QOp::Constant(_) => "Constant",
            QOp::Affine(_) => "Affine",
            QOp::Gather(_) => "Gather",
            QOp::Mul { .. } => "Mul",
            QOp::MatMul { .. } => "MatMul",
            QOp::Relu => "Relu",
            QOp::LeakyRelu { .. } => "LeakyRelu",
            QOp::Clip { .. } => "Clip",
            QOp::MaxOver { min: false, .. } => "Max",
            QOp::MaxOver { min: true, .. } => "Min",
            QOp::ArgMax { min: false, .. } => "ArgMax",
            QOp::ArgMax { min: true, .. } => "ArgMin",
            QOp::Nonlinear { .. } => "Nonlinear",
            QOp::Softmax { .. } => "Softmax",
            QOp::Rounded(r) => r.name(),
            QOp::Compare { .. } => "Compare",
            QOp::Logic { .. } => "Logic",
            QOp::Select => "Select",
            QOp::Lookup(_) => "Lookup",
            QOp::Boolean => "Boolean",
        }
    }

    /// For [`QOp::Softmax`]: the flat indices of every lane.
    pub fn softmax_lanes(
        outer: usize,
        group: usize,
        inner: usize,
    ) -> impl Iterator<Item = Vec<usize>> {
        (0..outer).flat_map(move |o| {
            (0..inner).map(move |i| (0..group).map(|g| (o * group + g) * inner + i).collect())
        })
    }
}

/// A quantized model: integer tensors and nodes in topological order.
///
/// Built by [`QuantizedModel::quantize`]; run by [`QuantizedModel::run`].
#[derive(Debug, Clone)]
pub struct QuantizedModel {
    pub(crate) tensors: Vec<QTensor>,
    pub(crate) nodes: Vec<QNode>,
    pub(crate) inputs: Vec<QTensorId>,
    pub(crate) outputs: Vec<QTensorId>,
    pub(crate) input_names: Vec<String>,
    pub(crate) settings: crate::settings::QuantSettings,
}

impl QuantizedModel {
    /// Nodes in evaluation order.
    pub fn nodes(&self) -> &[QNode] {
        &self.nodes
    }

    /// All tensors; [`QTensorId`] indexes this slice.
    pub fn tensors(&self) -> &[QTensor] {
        &self.tensors
    }

    /// One tensor.
    pub fn tensor(&self, id: QTensorId) -> &QTensor {
        &self.tensors[id.0]
    }

    /// The runtime inputs, in the float graph's order.
    pub fn inputs(&self) -> &[QTensorId] {
        &self.inputs
    }

    /// The outputs, in the float graph's order.
    pub fn outputs(&self) -> &[QTensorId] {
        &self.outputs
    }

    /// The settings it was quantized with.
    pub fn settings(&self) -> &crate::settings::QuantSettings {
        &self.settings
    }

    /// How many nodes of each kind, e.g. `[("Affine", 3), ("Relu", 2)]`, sorted by kind.
    pub fn op_histogram(&self) -> Vec<(&'static str, usize)> {
        let mut counts = std::collections::BTreeMap::new();
        for n in &self.nodes {
            *counts.entry(n.op.kind_name()).or_insert(0) += 1;
        }
        counts.into_iter().collect()
    }
}

impl fmt::Display for QuantizedModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in &self.nodes {
            let out = &self.tensors[n.output.0];
            let ins: Vec<String> = n.inputs.iter().map(|i| i.to_string()).collect();
            writeln!(
                f,
                "{:<10} {:<40} {} <- [{}]  shape {:?} scale 2^{} bits {}",
                n.op.kind_name(),
                n.name,
                n.output,
                ins.join(", "),
                out.shape,
                n.out_scale,
                n.out_bits
            )?;
        }
        Ok(())
    }
}
