//! The gadget parameters of each node, derived once from the model and the
//! plan's choice and shared by costing ([`crate::optimizer`]) and synthesis
//! ([`crate::circuit`]), so the predicted cost is the cost of the very gadget
//! that is synthesized.

use zkinfer_gadgets::activation::{Clip, LeakyRelu, Relu};
use zkinfer_gadgets::cost::Cost as GadgetCost;
use zkinfer_gadgets::erf::{Erf, Gelu};
use zkinfer_gadgets::exp_linear::ExpLinear;
use zkinfer_gadgets::gadget::Gadget;
use zkinfer_gadgets::linear::dot_private_cost;
use zkinfer_gadgets::nonlinear::{ExpPlan, Sigmoid, Softmax, Tanh};
use zkinfer_gadgets::pool::{max_of_cost, ArgMax};
use zkinfer_gadgets::poseidon::PoseidonCommit;
use zkinfer_gadgets::range::decompose_cost;
use zkinfer_gadgets::rescale::{divide_by_constant_cost, quotient_bits};
use zkinfer_gadgets::softplus::Softplus;
use zkinfer_quant::arith::approx::EXP_CLAMP;
use zkinfer_quant::arith::softmax::SOFTMAX_EXP_EXTRA_BITS;
use zkinfer_quant::arith::Bits;
use zkinfer_quant::{Affine, NonlinearKind, QNode, QOp, Rescale};

use crate::cost::Cost;
use crate::error::LayoutError;
use crate::plan::GadgetChoice;
use crate::Fr;

/// Float ops whose constant coefficients are model parameters (weights).
/// Affine nodes made only of other ops (scale alignment, sums, means, average
/// pools, Add/Sub of two runtime tensors) have structural coefficients that
/// stay circuit constants whatever the weights' visibility.
const PARAMETERISED: [&str; 5] = [
    "Gemm",
    "MatMul",
    "Conv",
    "ConvTranspose",
    "BatchNormalization",
];
/// Elementwise ops that are parameterised when their other operand is a constant.
const WITH_CONSTANT: [&str; 5] = ["Add", "Sub", "Mul", "Div", "HardSigmoid"];

/// Whether an affine node's coefficients and biases are weights.
pub fn is_parameterised(affine: &Affine, num_inputs: usize) -> bool {
    affine.source.split('+').any(|part| {
        PARAMETERISED.contains(&part) || (num_inputs == 1 && WITH_CONSTANT.contains(&part))
    })
}

/// Convert a gadget-crate cost.
pub(crate) fn from_gadget(c: GadgetCost) -> Cost {
    Cost::new(
        c.constraints as u64,
        c.witness_vars as u64,
        c.nonzeros as u64,
    )
}

/// Signed width of `[-bound, bound]`.
pub(crate) fn bits_of_bound(bound: i128) -> u32 {
    Bits::signed_for_range(-bound, bound).0
}

/// The narrowest input width whose rounded quotient by `d` still covers
/// `out_bits`, but never wider than what the accumulator can reach.
pub(crate) fn division_in_bits(acc_bits: u32, out_bits: u32, d: i128) -> u32 {
    let mut b = 1;
    while b < acc_bits && quotient_bits(b, d) < out_bits {
        b += 1;
    }
    b.min(acc_bits).max(1)
}

/// How an affine node's accumulators are divided.
#[derive(Debug, Clone)]
pub(crate) enum Division {
    /// Exact (`Shift(0)`): the accumulator is the output.
    None,
    /// By the constant divisor of each row, with its input width (ReLU fused when `relu`).
    Rows {
        /// Divisor per row.
        divisors: Vec<i128>,
        /// Signed input width per row.
        in_bits: Vec<u32>,
        /// ReLU fused onto the quotient (power-of-two divisors only).
        relu: bool,
    },
}

/// An affine node's gadget parameters.
#[derive(Debug, Clone)]
pub(crate) struct AffineGadget {
    /// Weights are witness variables.
    pub private: bool,
    /// The rounding.
    pub division: Division,
}

impl AffineGadget {
    /// Parameters for `affine` under `choice`.
    pub fn new(node: &QNode, affine: &Affine, choice: &GadgetChoice) -> AffineGadget {
        let private = matches!(
            choice,
            GadgetChoice::PrivateDot | GadgetChoice::PrivateDotRelu
        );
        let relu = matches!(
            choice,
            GadgetChoice::RescaleRelu | GadgetChoice::PrivateDotRelu
        );
        let rows = affine.rows();
        let division = if affine.rescale == Rescale::Shift(0) && !relu {
            Division::None
        } else {
            let acc_bits = bits_of_bound(affine.acc_bound);
            let divisors: Vec<i128> = (0..rows).map(|r| affine.rescale.divisor(r)).collect();
            let in_bits = divisors
                .iter()
                .map(|&d| division_in_bits(acc_bits, node.out_bits, d))
                .collect();
            Division::Rows {
                divisors,
                in_bits,
                relu,
            }
        };
        AffineGadget { private, division }
    }

    /// Width the outputs are range-checked to (0 when exact).
    pub fn out_bits(&self) -> u32 {
        match &self.division {
            Division::None => 0,
            Division::Rows {
                divisors, in_bits, ..
            } => divisors
                .iter()
                .zip(in_bits)
                .map(|(&d, &b)| if d == 1 { 0 } else { quotient_bits(b, d) })
                .max()
                .unwrap_or(0),
        }
    }

    /// Exact cost, and the shape of each output's linear combination, given
    /// the shape of every input element's linear combination.
    pub fn cost(
        &self,
        affine: &Affine,
        input: &dyn Fn(usize, usize) -> LcShape,
    ) -> (Cost, Vec<LcShape>) {
        let mut total = Cost::ZERO;
        // One witness per weight and per bias: per table slot when the node
        // shares weights across rows, else per term and per row.
        let shared = affine.sharing.as_ref().filter(|_| self.private);
        if let Some(sharing) = shared {
            total += Cost::new(0, u64::from(sharing.weights + sharing.biases), 0);
        }
        let mut acc = Vec::with_capacity(affine.rows());
        for r in 0..affine.rows() {
            let row = affine.row(r);
            if self.private {
                // The dot product reads each activation once, so an activation
                // that is a linear combination of v variables adds v − 1 non-zeros.
                let read: u64 = row.iter().map(|t| input(t.input, t.index).nonzeros()).sum();
                let own = if shared.is_some() {
                    0
                } else {
                    row.len() as u64 + 1
                };
                let mut cost = Cost::new(0, own, 0) + from_gadget(dot_private_cost(row.len()));
                cost.nonzeros = (cost.nonzeros + read).saturating_sub(row.len() as u64);
                total += cost;
                acc.push(LcShape {
                    vars: if row.is_empty() { 1 } else { 2 },
                    constant: 0,
                });
            } else {
                let mut shape = LcShape {
                    vars: 0,
                    constant: affine.bias[r] as i128,
                };
                for t in row {
                    let x = input(t.input, t.index);
                    shape.vars += x.vars;
                    shape.constant += t.coeff as i128 * x.constant;
                }
                acc.push(shape);
            }
        }
        let out = match &self.division {
            Division::None => acc,
            Division::Rows {
                divisors,
                in_bits,
                relu,
            } => {
                let mut out = Vec::with_capacity(acc.len());
                for (r, x) in acc.iter().enumerate() {
                    let (d, b) = (divisors[r], in_bits[r]);
                    if *relu && d == 1 {
                        total += relu_cost(b, *x);
                        out.push(LcShape::VARIABLE);
                        continue;
                    }
                    total += division_cost(b, d, *x);
                    if *relu {
                        let n_q = quotient_bits(b, d) as usize;
                        total += from_gadget(GadgetCost::new(1, 1, n_q + 3));
                    }
                    out.push(if d == 1 { *x } else { LcShape::VARIABLE });
                }
                out
            }
        };
        (total, out)
    }
}

/// The shape of a linear combination: how many variables, which constant.
/// Gadget cost formulas assume single-variable inputs; a wider input adds
/// non-zeros in every row it appears in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct LcShape {
    /// Variable terms.
    pub vars: usize,
    /// Constant term.
    pub constant: i128,
}

impl LcShape {
    /// A single variable (every gadget output, every input).
    pub const VARIABLE: LcShape = LcShape {
        vars: 1,
        constant: 0,
    };

    /// A constant.
    pub fn constant(c: i128) -> LcShape {
        LcShape {
            vars: 0,
            constant: c,
        }
    }

    /// Non-zeros of the linear combination in one matrix row.
    pub fn nonzeros(&self) -> u64 {
        self.vars as u64 + u64::from(self.constant != 0)
    }
}

/// [`divide_by_constant_cost`] for an input of any shape: the remainder
/// `x + floor(d/2) − q·d` carries `x`'s variables and constant.
pub(crate) fn division_cost(in_bits: u32, d: i128, x: LcShape) -> Cost {
    if d == 1 {
        return Cost::ZERO;
    }
    let n_q = quotient_bits(in_bits, d);
    let n_r = Bits::unsigned_for_max(d - 1).0;
    let constant = x.constant + d / 2;
    let mut cost = Cost::new(0, 1, 0)
        + from_gadget(decompose_cost(n_q, 1, 1 << (n_q - 1)))
        + from_gadget(decompose_cost(n_r, x.vars + 1, constant));
    if d & (d - 1) != 0 {
        cost += from_gadget(decompose_cost(n_r, x.vars + 1, d - 1 - constant));
    }
    debug_assert!(
        x != LcShape::VARIABLE || cost == from_gadget(divide_by_constant_cost(in_bits, d, 1)),
        "division cost diverges from the gadget formula"
    );
    cost
}

/// [`Relu`]'s cost for an input of any shape: the sign decomposition reads
/// `x + 2^(b−1)` once, the product `sign·x` reads `x` twice (in the sign's
/// derived top bit and as the factor).
pub(crate) fn relu_cost(bits: u32, x: LcShape) -> Cost {
    let base = from_gadget(<Relu as Gadget<Fr>>::cost(&Relu { bits, len: 1 }));
    if x == LcShape::VARIABLE {
        return base;
    }
    let half = 1i128 << (bits - 1);
    let decomposition = from_gadget(decompose_cost(bits, x.vars, x.constant + half));
    let reference = from_gadget(decompose_cost(bits, 1, half));
    // sign = (x + 2^(b−1) − Σ bits)/2^(b−1): x's terms, constant, b − 1 bits; factor x; out.
    let sign_terms = x.vars as u64 + u64::from(x.constant + half != 0) + bits as u64 - 1;
    let product = sign_terms + x.nonzeros() + 1;
    let reference_product = 1 + 1 + bits as u64 - 1 + 1 + 1;
    Cost {
        nonzeros: base.nonzeros - reference.nonzeros - reference_product
            + decomposition.nonzeros
            + product,
        ..base
    }
}

/// An elementwise activation's gadget.
#[derive(Debug, Clone)]
pub(crate) enum Activation {
    Relu(Relu),
    LeakyRelu(LeakyRelu),
    Clip(Clip),
}

impl Activation {
    /// The gadget for an activation node whose input has `in_bits` signed bits.
    pub fn new(node: &QNode, in_bits: u32, len: usize) -> Result<Activation, LayoutError> {
        Ok(match &node.op {
            QOp::Relu => Activation::Relu(Relu { bits: in_bits, len }),
            QOp::LeakyRelu { slopes, shift } => {
                let slopes = if slopes.len() == 1 {
                    vec![slopes[0]; len]
                } else {
                    slopes.clone()
                };
                if slopes.contains(&0) {
                    return Err(LayoutError::Unsupported {
                        node: node.name.clone(),
                        op: "LeakyRelu".into(),
                        reason: "a zero slope (use Relu)".into(),
                    });
                }
                Activation::LeakyRelu(LeakyRelu {
                    bits: in_bits,
                    slopes,
                    shift: *shift,
                })
            }
            QOp::Clip { lo, hi } => {
                let (min, max) = Bits(in_bits).signed_range();
                Activation::Clip(Clip {
                    bits: in_bits,
                    lo: lo.map_or(min, |v| v as i128),
                    hi: hi.map_or(max, |v| v as i128),
                    len,
                })
            }
            other => unreachable!("not an activation: {}", other.kind_name()),
        })
    }

    /// The gadget as a trait object (synthesis and cost).
    pub fn gadget(&self) -> &dyn Gadget<Fr> {
        match self {
            Activation::Relu(g) => g,
            Activation::LeakyRelu(g) => g,
            Activation::Clip(g) => g,
        }
    }

    /// Exact cost.
    pub fn cost(&self) -> Cost {
        from_gadget(self.gadget().cost())
    }

    /// The choice it is.
    pub fn choice(&self) -> GadgetChoice {
        match self {
            Activation::Relu(_) => GadgetChoice::Relu,
            Activation::LeakyRelu(_) => GadgetChoice::LeakyRelu,
            Activation::Clip(_) => GadgetChoice::Clip,
        }
    }
}

/// [`max_of_cost`] for inputs of any shape: each gap `m − x_i` is decomposed
/// once and read once in the product chain.
pub(crate) fn max_cost(bits: u32, xs: &[LcShape]) -> Cost {
    let n = xs.len();
    let mut cost = from_gadget(max_of_cost(n, bits));
    if n >= 2 {
        for x in xs {
            let gap = LcShape {
                vars: x.vars + 1,
                constant: -x.constant,
            };
            let actual =
                from_gadget(decompose_cost(bits, gap.vars, gap.constant)).nonzeros + gap.nonzeros();
            let reference = from_gadget(decompose_cost(bits, 2, 0)).nonzeros + 2;
            cost.nonzeros = (cost.nonzeros + actual).saturating_sub(reference);
        }
    }
    cost
}

/// [`ArgMax`]'s cost for inputs of any shape (e.g. a constant-table lookup
/// feeding a classifier's argmax): each `x_i` is read once as a product's
/// factor and once in the decomposition of its gap `Σ t − x_i − after_i`,
/// whose constant also absorbs `x_i`'s.
pub(crate) fn argmax_cost(bits: u32, xs: &[LcShape]) -> Cost {
    let n = xs.len();
    let mut cost = from_gadget(<ArgMax as Gadget<Fr>>::cost(&ArgMax { bits, len: n }));
    if n <= 1 {
        return cost;
    }
    for (i, x) in xs.iter().enumerate() {
        let (vars, constant) = if i + 1 < n {
            (n + 2 + i, -1)
        } else {
            (n + 1, 0)
        };
        let reference = from_gadget(decompose_cost(bits, vars, constant)).nonzeros + 1;
        let actual = from_gadget(decompose_cost(
            bits,
            vars - 1 + x.vars,
            constant - x.constant,
        ))
        .nonzeros
            + x.nonzeros();
        cost.nonzeros = (cost.nonzeros + actual).saturating_sub(reference);
    }
    cost
}

/// The shape of [`ArgMax`]'s index output `Σ i·h_i` with `h_{n−1} = 1 − Σ h_j`.
pub(crate) fn argmax_index_shape(len: usize) -> LcShape {
    if len <= 1 {
        LcShape::constant(0)
    } else {
        LcShape {
            vars: len - 1,
            constant: len as i128 - 1,
        }
    }
}

/// Poseidon commitment to `values` of `bits` bits (range-checked when asked),
/// plus the equality with its public input.
pub(crate) fn commitment_cost(bits: u32, values: &[LcShape], range_check: bool) -> Cost {
    if values.is_empty() {
        // Nothing absorbed: the squeezed hash is a constant, equal to its public input.
        return Cost {
            constraints: 1,
            witnesses: 0,
            instances: 1,
            nonzeros: 3,
        };
    }
    let g = PoseidonCommit {
        bits,
        len: values.len(),
        range_check: false,
    };
    let mut cost = from_gadget(<PoseidonCommit as Gadget<Fr>>::cost(&g));
    let extra: u64 = values
        .iter()
        .map(|v| v.vars as u64)
        .sum::<u64>()
        .saturating_sub(values.len() as u64);
    cost.nonzeros += 3 * extra;
    if range_check {
        let half = 1i128 << (bits - 1);
        for v in values {
            cost += from_gadget(decompose_cost(bits, v.vars, v.constant + half));
        }
    }
    cost + Cost {
        constraints: 1,
        witnesses: 0,
        instances: 1,
        nonzeros: 5, // the squeezed hash inlines as 3 state variables: 1 + 3 + 1
    }
}

/// All weights of a model in commitment order (per parameterised affine node,
/// per row: the bias, then the row's coefficients) and their common width.
pub(crate) fn weight_values(model: &zkinfer_quant::QuantizedModel) -> (Vec<i128>, u32) {
    let mut values = Vec::new();
    for node in model.nodes() {
        if let QOp::Affine(a) = &node.op {
            if is_parameterised(a, node.inputs.len()) {
                if let Some(sharing) = &a.sharing {
                    let (biases, weights) = sharing.tables(a);
                    values.extend(biases.iter().chain(&weights).map(|&v| v as i128));
                } else {
                    for r in 0..a.rows() {
                        values.push(a.bias[r] as i128);
                        values.extend(a.row(r).iter().map(|t| t.coeff as i128));
                    }
                }
            }
        }
    }
    let (lo, hi) = values
        .iter()
        .fold((0i128, 0i128), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    (values, Bits::signed_for_range(lo, hi).0.max(2))
}

/// A private × private product node's gadget parameters ([`QOp::Mul`] with
/// one product per output, [`QOp::MatMul`] with `k`): a private dot product
/// per output (one constraint per product), then the rounding.
#[derive(Debug, Clone)]
pub(crate) struct Product {
    /// Signed width the accumulator is divided at (narrowed to what the output needs).
    pub in_bits: u32,
    /// The rounding shift.
    pub shift: u32,
    /// With `shift = 0`: the width the products are range-checked to when
    /// the output budget is narrower than what the products can reach.
    pub check_bits: Option<u32>,
}

impl Product {
    /// Parameters for `terms` products of `a_bits`- and `b_bits`-bit operands per output.
    pub fn new(node: &QNode, a_bits: u32, b_bits: u32, terms: usize, shift: u32) -> Product {
        let magnitude = |b: u32| 1i128 << (b - 1);
        let bound = terms.max(1) as i128 * magnitude(a_bits) * magnitude(b_bits);
        let acc_bits = bits_of_bound(bound);
        if shift == 0 {
            Product {
                in_bits: acc_bits,
                shift,
                check_bits: (node.out_bits < acc_bits).then_some(node.out_bits),
            }
        } else {
            Product {
                in_bits: division_in_bits(acc_bits, node.out_bits, 1 << shift),
                shift,
                check_bits: None,
            }
        }
    }

    /// Width the outputs are range-checked to (0 when not checked).
    pub fn out_bits(&self) -> u32 {
        match (self.shift, self.check_bits) {
            (0, bits) => bits.unwrap_or(0),
            (shift, _) => quotient_bits(self.in_bits, 1 << shift),
        }
    }

    /// Exact cost of one output from its operand pairs, and the output's shape.
    ///
    /// [`dot_private`](zkinfer_gadgets::linear::dot_private) reads every
    /// operand once, so an operand with `t` terms adds `t − 1` non-zeros to
    /// the single-variable formula.
    pub fn cost(&self, pairs: &[(LcShape, LcShape)]) -> (Cost, LcShape) {
        let n = pairs.len();
        let mut cost = from_gadget(dot_private_cost(n));
        let read: u64 = pairs.iter().map(|(a, b)| a.nonzeros() + b.nonzeros()).sum();
        cost.nonzeros = (cost.nonzeros + read).saturating_sub(2 * n as u64);
        let acc = if n == 0 {
            LcShape::constant(0)
        } else {
            LcShape::VARIABLE
        };
        if self.shift > 0 {
            return (
                cost + division_cost(self.in_bits, 1 << self.shift, acc),
                LcShape::VARIABLE,
            );
        }
        if let Some(bits) = self.check_bits {
            let half = 1i128 << (bits - 1);
            cost += from_gadget(decompose_cost(bits, acc.vars, acc.constant + half));
        }
        (cost, acc)
    }
}

/// For [`QOp::MatMul`]: per output (row-major `[batch, m, n]`), the flat
/// indices `(a, b)` of its `k` operand pairs.
pub(crate) fn matmul_taps(
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
) -> impl Iterator<Item = impl Iterator<Item = (usize, usize)>> {
    (0..batch * m * n).map(move |e| {
        let (bi, i, j) = (e / (m * n), e / n % m, e % n);
        (0..k).map(move |kk| ((bi * m + i) * k + kk, (bi * k + kk) * n + j))
    })
}

/// The gadget of a [`QOp::Nonlinear`] node, or why there is none.
#[derive(Debug, Clone)]
pub(crate) enum Smooth {
    Sigmoid(Sigmoid),
    Tanh(Tanh),
    Erf(Erf),
    Gelu(Gelu),
    Softplus(Softplus),
    ExpLinear(ExpLinear),
}

impl Smooth {
    /// The gadget for `kind` on `len` inputs of `in_bits` signed bits.
    pub fn new(
        node: &QNode,
        kind: NonlinearKind,
        in_bits: u32,
        in_scale: u32,
        out_scale: u32,
        len: usize,
    ) -> Result<Smooth, LayoutError> {
        let unsupported = |reason: String| LayoutError::Unsupported {
            node: node.name.clone(),
            op: format!("Nonlinear({kind:?})"),
            reason,
        };
        let smooth = match kind {
            NonlinearKind::Sigmoid => Smooth::Sigmoid(Sigmoid {
                bits: in_bits,
                s_in: in_scale,
                s_out: out_scale,
                len,
            }),
            NonlinearKind::Tanh if in_scale >= 1 => Smooth::Tanh(Tanh {
                bits: in_bits,
                s_in: in_scale,
                s_out: out_scale,
                len,
            }),
            NonlinearKind::Tanh => return Err(unsupported("tanh needs an input scale ≥ 1".into())),
            // These gadgets plan in their constructor and say why they cannot.
            NonlinearKind::Erf => Erf::new(in_bits, in_scale, out_scale, len)
                .map(Smooth::Erf)
                .map_err(|e| unsupported(e.to_string()))?,
            NonlinearKind::Gelu => Gelu::new(in_bits, in_scale, out_scale, len)
                .map(Smooth::Gelu)
                .map_err(|e| unsupported(e.to_string()))?,
            NonlinearKind::Softplus => Softplus::new(in_bits, in_scale, out_scale, len)
                .map(Smooth::Softplus)
                .map_err(|e| unsupported(e.to_string()))?,
            NonlinearKind::ExpLinear(p) => ExpLinear::new(in_bits, in_scale, out_scale, p, len)
                .map(Smooth::ExpLinear)
                .map_err(|e| unsupported(e.to_string()))?,
        };
        // The sigmoid reports a zero cost for parameters it cannot plan.
        if smooth
            .sigmoid()
            .is_some_and(|g| g.cost_one() == GadgetCost::ZERO)
        {
            return Err(unsupported(format!(
                "{kind:?} at {in_bits} bits, scales 2^{in_scale} → 2^{out_scale}: outside the gadget's planning range"
            )));
        }
        Ok(smooth)
    }

    /// The sigmoid Sigmoid and Tanh are proven with (`tanh(x) = 2σ(2x) − 1`);
    /// `None` for the composite gadgets, whose plans live in the gadget.
    fn sigmoid(&self) -> Option<Sigmoid> {
        match self {
            Smooth::Sigmoid(g) => Some(Sigmoid {
                len: 1,
                ..g.clone()
            }),
            Smooth::Tanh(g) => Some(Sigmoid {
                bits: g.bits,
                s_in: g.s_in - 1,
                s_out: g.s_out + 1,
                len: 1,
            }),
            Smooth::Erf(_) | Smooth::Gelu(_) | Smooth::Softplus(_) | Smooth::ExpLinear(_) => None,
        }
    }

    /// The gadget as a trait object.
    pub fn gadget(&self) -> &dyn Gadget<Fr> {
        match self {
            Smooth::Sigmoid(g) => g,
            Smooth::Tanh(g) => g,
            Smooth::Erf(g) => g,
            Smooth::Gelu(g) => g,
            Smooth::Softplus(g) => g,
            Smooth::ExpLinear(g) => g,
        }
    }

    /// Exact cost of one element whose input has shape `x`, and the output's shape.
    ///
    /// `x` is read by the sign decomposition, by the sign and `2·sign − 1`
    /// (both derived from that decomposition) and as the factor of `|x|`.
    pub fn cost_one(&self, x: LcShape) -> (Cost, LcShape) {
        // The composite gadgets count their input's shape themselves.
        let (vars, constant) = (x.vars, x.constant);
        let sigmoid = match self {
            Smooth::Sigmoid(_) | Smooth::Tanh(_) => self.sigmoid().expect("a sigmoid variant"),
            Smooth::Erf(g) => {
                let out = LcShape {
                    vars: 1,
                    constant: g.out_offset(),
                };
                return (from_gadget(g.cost_one_at(vars, constant)), out);
            }
            Smooth::Gelu(g) => {
                return (
                    from_gadget(g.cost_one_at(vars, constant)),
                    LcShape::VARIABLE,
                )
            }
            // relu(x) at the output scale plus the ln(1 + e^-|x|) polynomial.
            Smooth::Softplus(g) => {
                let out = LcShape {
                    vars: 2,
                    constant: 0,
                };
                return (from_gadget(g.cost_one_at(vars, constant)), out);
            }
            Smooth::ExpLinear(g) => {
                return (
                    from_gadget(g.cost_one_at(vars, constant)),
                    LcShape::VARIABLE,
                )
            }
        };
        let mut cost = from_gadget(sigmoid.cost_one());
        if x != LcShape::VARIABLE {
            let b = sigmoid.bits;
            let half = 1i128 << (b - 1);
            let nz = |c: i128| u64::from(c != 0);
            let reference = from_gadget(decompose_cost(b, 1, half)).nonzeros
                + 2 * (b as u64 + 1) // sign and 2·sign − 1
                + 1; // x
            let actual = from_gadget(decompose_cost(b, x.vars, x.constant + half)).nonzeros
                + (x.vars as u64 + nz(x.constant + half) + b as u64 - 1)
                + (x.vars as u64 + nz(2 * (x.constant + half) - (1 << (b - 1))) + b as u64 - 1)
                + x.nonzeros();
            cost.nonzeros = cost.nonzeros + actual - reference;
        }
        let out = match self {
            Smooth::Tanh(g) => LcShape {
                vars: 1,
                constant: -(1i128 << g.s_out),
            },
            _ => LcShape::VARIABLE,
        };
        (cost, out)
    }
}

/// [`Clip::clip_one`]'s cost on an input of any shape (the gadget's formula
/// assumes no constant term).
pub(crate) fn clip_cost(clip: &Clip, x: LcShape) -> Cost {
    let (m_lo, m_hi) = clip.comparison_bits();
    let nz = |c: i128| u64::from(c != 0);
    let v = x.vars as u64;
    let above_lo = x.constant - clip.lo + (1 << (m_lo - 1));
    let below_hi = clip.hi - x.constant + (1 << (m_hi - 1));
    // p = [x ≥ lo]·(x − lo), the flag derived from above_lo's decomposition.
    let product = Cost::new(
        1,
        1,
        (v + nz(above_lo) + m_lo as u64 - 1) + (v + nz(x.constant - clip.lo)) + 1,
    );
    // (1 − [x ≤ hi])·(hi − x) = out − lo − p.
    let select = Cost::new(
        1,
        1,
        (v + nz((1 << (m_hi - 1)) - below_hi) + m_hi as u64 - 1)
            + (v + nz(clip.hi - x.constant))
            + (2 + nz(clip.lo)),
    );
    let cost = from_gadget(decompose_cost(m_lo, x.vars, above_lo))
        + from_gadget(decompose_cost(m_hi, x.vars, below_hi))
        + product
        + select;
    debug_assert!(
        x != LcShape::VARIABLE || cost == from_gadget(clip.cost_one()),
        "clip cost diverges from the gadget formula"
    );
    cost
}

/// The [`Softmax`] gadget of one lane and its exact cost for the lane's input shapes.
///
/// Only the claimed maximum's gaps `m − x_i` and the exponentials' clamps
/// read the inputs; the rest of the gadget sees fresh variables.
pub(crate) fn softmax_lane(
    node: &QNode,
    bits: u32,
    s_in: u32,
    s_out: u32,
    xs: &[LcShape],
) -> Result<(Softmax, Cost), LayoutError> {
    let gadget = Softmax {
        bits,
        s_in,
        s_out,
        len: xs.len(),
    };
    let exp_bits = bits + 1;
    if ExpPlan::new(exp_bits, s_in, s_out + SOFTMAX_EXP_EXTRA_BITS).is_err() {
        return Err(LayoutError::Unsupported {
            node: node.name.clone(),
            op: "Softmax".into(),
            reason: format!(
                "{bits}-bit inputs at scale 2^{s_in}: outside the exponential's planning range"
            ),
        });
    }
    let mut cost = from_gadget(<Softmax as Gadget<Fr>>::cost(&gadget));
    if xs.len() >= 2 && xs.iter().any(|x| *x != LcShape::VARIABLE) {
        let clip = Clip {
            bits: exp_bits,
            lo: -(EXP_CLAMP << s_in),
            hi: 0,
            len: 1,
        };
        let reference = from_gadget(max_of_cost(xs.len(), bits)).nonzeros
            + xs.len() as u64 * from_gadget(clip.cost_one_with(2)).nonzeros;
        let actual = max_cost(bits, xs).nonzeros
            + xs.iter()
                .map(|x| {
                    let gap = LcShape {
                        vars: x.vars + 1,
                        constant: x.constant,
                    };
                    clip_cost(&clip, gap).nonzeros
                })
                .sum::<u64>();
        cost.nonzeros = cost.nonzeros + actual - reference;
    }
    Ok((gadget, cost))
}
