//! Exp, Sigmoid, Tanh and Softmax: the fixed-point approximations of
//! `zkinfer_quant::arith::approx`, constrained step by step.
//!
//! A [`FixedPoly`] is proved exactly as `FixedPoly::trace` computes it: each
//! Horner step is one product (free when the accumulator is still a
//! constant) followed by a [`divide_by_constant`] by a power of two whose bit
//! budget comes from the exact range of the step over every clamped input
//! (enumerated once when the plan is built, so budgets are tight). Division
//! by a private positive value ([`divide_private`]) proves
//! `2n + d = q·2d + r`, `0 ≤ r < 2d`, with one product and three
//! decompositions.

use crate::activation::Clip;
use crate::cost::Cost;
use crate::error::{GadgetError, Result};
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::pool::{max_of, max_of_cost};
use crate::range::{decompose, decompose_cost, enforce, mul, sign_decompose};
use crate::rescale::{divide_by_constant, divide_by_constant_cost_with};
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::arith::approx::{FixedPoly, EXP_CLAMP, EXP_EXTRA_BITS, EXP_POLY};
use zkinfer_quant::arith::softmax::SOFTMAX_EXP_EXTRA_BITS;
use zkinfer_quant::arith::{div_round_private, rescale, sigmoid, softmax, tanh, Bits};

/// Inputs of a polynomial plan beyond this many values use interval bounds.
const ENUMERATION_LIMIT: i128 = 1 << 20;

/// One Horner step: `acc·x (+ constant)` rescaled, then `+ c_j`.
#[derive(Clone, Debug)]
struct HornerStep {
    in_bits: u32,
    shift: u32,
    constant_in: i128,
    constant_after: i128,
}

/// The bit budgets of a [`FixedPoly`] over an input range.
#[derive(Clone, Debug)]
pub struct PolyPlan {
    coeffs: Vec<i128>,
    steps: Vec<HornerStep>,
    out_range: (i128, i128),
}

fn widen(r: &mut Option<(i128, i128)>, v: i128) {
    *r = Some(match *r {
        None => (v, v),
        Some((lo, hi)) => (lo.min(v), hi.max(v)),
    });
}

impl PolyPlan {
    /// Plans `poly` on inputs in `[lo, hi]` (scale `s_in`) with output scale `s_out`.
    pub fn new(poly: &FixedPoly, lo: i128, hi: i128, s_in: u32, s_out: u32) -> Result<Self> {
        let coeffs = poly.coefficient_ints(s_out);
        let d = coeffs.len() - 1;
        let s_t = s_in + poly.input_shift;
        if hi - lo > ENUMERATION_LIMIT {
            return Err(GadgetError::Parameters {
                gadget: "poly",
                reason: format!("input range of {} values is too wide to plan", hi - lo + 1),
            });
        }
        // ranges of every rescale input, over every input
        let mut ranges: Vec<Option<(i128, i128)>> = vec![None; d];
        let mut out_range = None;
        for x in lo..=hi {
            let mut acc = coeffs[d];
            for (k, j) in (1..d).rev().enumerate() {
                let p = acc * x;
                widen(&mut ranges[k], p);
                acc = rescale(p, s_t) + coeffs[j];
            }
            let p = acc * x + (coeffs[0] << s_t);
            widen(&mut ranges[d - 1], p);
            widen(&mut out_range, rescale(p, s_t + FixedPoly::GUARD_BITS));
        }
        let steps = (0..d)
            .map(|k| {
                let (rlo, rhi) = ranges[k].expect("non-empty input range");
                let last = k == d - 1;
                HornerStep {
                    in_bits: Bits::signed_for_range(rlo, rhi).0,
                    shift: if last {
                        s_t + FixedPoly::GUARD_BITS
                    } else {
                        s_t
                    },
                    constant_in: if last { coeffs[0] << s_t } else { 0 },
                    constant_after: if last { 0 } else { coeffs[d - 1 - k] },
                }
            })
            .collect();
        Ok(PolyPlan {
            coeffs,
            steps,
            out_range: out_range.expect("non-empty input range"),
        })
    }

    /// The exact output range.
    pub fn out_range(&self) -> (i128, i128) {
        self.out_range
    }

    /// Proves the polynomial at the single-variable `x`; returns a single variable.
    pub fn synthesize<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        x: &Wire<F>,
    ) -> Result<Wire<F>> {
        let d = self.coeffs.len() - 1;
        let mut acc = Wire::constant(self.coeffs[d]);
        let mut acc_is_constant = true;
        for step in &self.steps {
            let product = if acc_is_constant {
                x.scale(self.coeffs[d])
            } else {
                mul(cs, &acc, x, "horner")?
            };
            let input = product.offset(step.constant_in);
            let (q, _) = divide_by_constant(cs, &input, step.in_bits, 1 << step.shift, "poly")?;
            acc = q.offset(step.constant_after);
            acc_is_constant = false;
        }
        Ok(acc)
    }

    /// Cost of [`PolyPlan::synthesize`].
    pub fn cost(&self) -> Cost {
        let d = self.coeffs.len() - 1;
        let mut cost = Cost::ZERO;
        let mut acc_terms = None;
        for step in &self.steps {
            let vars = match acc_terms {
                None => usize::from(self.coeffs[d] != 0),
                Some(terms) => {
                    cost += Cost::new(1, 1, terms + 2);
                    1
                }
            };
            cost +=
                divide_by_constant_cost_with(step.in_bits, 1 << step.shift, vars, step.constant_in);
            acc_terms = Some(1 + usize::from(step.constant_after != 0));
        }
        cost
    }
}

/// `e^x` for `x ≤ 0` of `bits` bits with `x_vars` variable terms: clamp then [`EXP_POLY`].
#[derive(Clone, Debug)]
pub struct ExpPlan {
    clip: Clip,
    poly: PolyPlan,
}

impl ExpPlan {
    /// Plans `exp_neg` for `bits`-bit inputs in `[-2^(bits−1), 0]`.
    pub fn new(bits: u32, s_in: u32, s_out: u32) -> Result<Self> {
        Self::with_poly(&EXP_POLY, bits, s_in, s_out)
    }

    /// Plans the clamp to `[−8, 0]` followed by `poly` (a fit of `e^{8t}`), e.g.
    /// the finer fit of `arith::exp_linear::exp_neg_fine`.
    pub fn with_poly(poly: &FixedPoly, bits: u32, s_in: u32, s_out: u32) -> Result<Self> {
        let clamp = -(EXP_CLAMP << s_in);
        let (min, _) = Bits(bits).signed_range();
        let clip = Clip {
            bits,
            lo: clamp,
            hi: 0,
            len: 1,
        };
        let poly = PolyPlan::new(poly, clamp.max(min), 0, s_in, s_out)?;
        Ok(ExpPlan { clip, poly })
    }

    /// Proves `exp_neg(x)`.
    pub fn synthesize<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        x: &Wire<F>,
    ) -> Result<Wire<F>> {
        let clamped = self.clip.clip_one(cs, x)?;
        self.poly.synthesize(cs, &clamped)
    }

    /// Cost on an input with `x_vars` variable terms.
    pub fn cost(&self, x_vars: usize) -> Cost {
        self.clip.cost_one_with(x_vars) + self.poly.cost()
    }

    /// Cost on an input with `x_vars` variable terms and constant `x_const`
    /// (only the clamp reads the input).
    pub fn cost_at(&self, x_vars: usize, x_const: i128) -> Cost {
        self.clip.cost_one_at(x_vars, x_const) + self.poly.cost()
    }

    /// The exact output range.
    pub fn out_range(&self) -> (i128, i128) {
        self.poly.out_range()
    }
}

/// Proves `q = div_round_private(n, d)` for `d > 0` in `[d_min, d_max]`, with `q ∈ q_range`.
pub fn divide_private<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    n: &Wire<F>,
    d: &Wire<F>,
    q_range: (i128, i128),
    d_max: i128,
) -> Result<Wire<F>> {
    let n_q = Bits::signed_for_range(q_range.0, q_range.1).0;
    let n_r = Bits::unsigned_for_max(2 * d_max - 1).0;
    let q_value = n.value.zip(d.value).map(|(n, d)| div_round_private(n, d));
    let q = Wire::witness(cs, "quotient", q_value)?;
    let q_shifted = q.offset(1 << (n_q - 1));
    decompose(cs, &q_shifted.lc, q_shifted.value, n_q, "divide_private")?;
    let p = mul(cs, &q, d, "quotient_times_divisor")?;
    let r = Wire::linear(&[(2, n), (1, d), (-2, &p)], 0);
    decompose(cs, &r.lc, r.value, n_r, "divide_private")?;
    let slack = Wire::linear(&[(2, d), (-1, &r)], -1);
    decompose(cs, &slack.lc, slack.value, n_r, "divide_private")?;
    Ok(q)
}

/// Cost of [`divide_private`]: `n` has `n_vars` variable terms and constant `n_const`,
/// `d` has `d_vars` and `d_const`.
pub fn divide_private_cost(
    n_vars: usize,
    n_const: i128,
    d_vars: usize,
    d_const: i128,
    q_range: (i128, i128),
    d_max: i128,
) -> Cost {
    let n_q = Bits::signed_for_range(q_range.0, q_range.1).0;
    let n_r = Bits::unsigned_for_max(2 * d_max - 1).0;
    let d_terms = d_vars + usize::from(d_const != 0);
    Cost::new(0, 1, 0)
        + decompose_cost(n_q, 1, 1 << (n_q - 1))
        + Cost::new(1, 1, 1 + d_terms + 1)
        + decompose_cost(n_r, n_vars + d_vars + 1, 2 * n_const + d_const)
        + decompose_cost(n_r, n_vars + d_vars + 1, d_const - 1 - 2 * n_const)
}

/// `exp_neg(x)` elementwise for `bits`-bit inputs in `[-2^(bits−1), 0]`.
#[derive(Clone, Debug)]
pub struct Exp {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Input scale.
    pub s_in: u32,
    /// Output scale.
    pub s_out: u32,
    /// Number of elements.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for Exp {
    fn name(&self) -> &'static str {
        "exp"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        (Bits(self.bits).signed_range().0, 0)
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs
            .iter()
            .map(|&x| zkinfer_quant::arith::exp_neg(x, self.s_in, self.s_out))
            .collect()
    }
    fn cost(&self) -> Cost {
        ExpPlan::new(self.bits, self.s_in, self.s_out)
            .map(|p| p.cost(1) * self.len)
            .unwrap_or_default()
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "exp");
        check_arity("exp", self.len, inputs.len())?;
        let plan = ExpPlan::new(self.bits, self.s_in, self.s_out)?;
        inputs.iter().map(|x| plan.synthesize(&cs, x)).collect()
    }
}

/// `σ(x)` elementwise, as [`zkinfer_quant::arith::sigmoid`]: sign, `|x|`,
/// `exp_neg(−|x|)`, one private division, and a select for negative inputs.
#[derive(Clone, Debug)]
pub struct Sigmoid {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Input scale.
    pub s_in: u32,
    /// Output scale.
    pub s_out: u32,
    /// Number of elements.
    pub len: usize,
}

/// A [`Sigmoid`] element planned once: the exponential's bit budgets and the
/// division's bounds. Composite gadgets (Tanh, Erf, GELU) build one per node,
/// because planning enumerates the exponential's clamped input range.
#[derive(Clone, Debug)]
pub struct SigmoidPlan {
    bits: u32,
    s_out: u32,
    exp: ExpPlan,
    q_range: (i128, i128),
    d_max: i128,
}

impl SigmoidPlan {
    /// Plans `σ` for `bits`-bit inputs at scale `s_in`, output scale `s_out`.
    pub fn new(bits: u32, s_in: u32, s_out: u32) -> Result<Self> {
        let s_e = s_out + EXP_EXTRA_BITS;
        let exp = ExpPlan::new(bits, s_in, s_e)?;
        let (e_lo, e_hi) = exp.out_range();
        let (d_min, d_max) = ((1 << s_e) + e_lo, (1 << s_e) + e_hi);
        if d_min <= 0 {
            return Err(GadgetError::Parameters {
                gadget: "sigmoid",
                reason: "non-positive denominator".into(),
            });
        }
        let n = 1i128 << (s_out + s_e);
        let q_range = (div_round_private(n, d_max), div_round_private(n, d_min));
        Ok(SigmoidPlan {
            bits,
            s_out,
            exp,
            q_range,
            d_max,
        })
    }

    fn s_e(&self) -> u32 {
        self.s_out + EXP_EXTRA_BITS
    }

    /// The exact output range (`y` for `x ≥ 0`, `2^s_out − y` otherwise).
    pub fn out_range(&self) -> (i128, i128) {
        let (q_lo, q_hi) = self.q_range;
        let one = 1i128 << self.s_out;
        (q_lo.min(one - q_hi), q_hi.max(one - q_lo))
    }

    /// Proves one element at the single-variable `x`; returns a single variable.
    pub fn synthesize<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        x: &Wire<F>,
    ) -> Result<Wire<F>> {
        let bits = sign_decompose(cs, x, self.bits, "sigmoid")?;
        let sign = bits.last().expect("bits ≥ 1");
        let abs = mul(cs, &Wire::linear(&[(2, sign)], -1), x, "abs")?;
        let e = self.exp.synthesize(cs, &abs.scale(-1))?;
        let n = Wire::constant(1 << (self.s_out + self.s_e()));
        let y = divide_private(cs, &n, &e.offset(1 << self.s_e()), self.q_range, self.d_max)?;
        let out_value = y
            .value
            .zip(sign.value)
            .map(|(y, s)| if s == 1 { y } else { (1 << self.s_out) - y });
        let out = Wire::witness(cs, "out", out_value)?;
        // out = 2^s_out − y + sign·(2y − 2^s_out)
        enforce(
            cs,
            sign.lc.clone(),
            Wire::linear(&[(2, &y)], -(1 << self.s_out)).lc,
            Wire::linear(&[(1, &out), (1, &y)], -(1 << self.s_out)).lc,
        )?;
        Ok(out)
    }

    /// Cost of one element on a single-variable input.
    pub fn cost(&self) -> Cost {
        let b = self.bits as usize;
        decompose_cost(self.bits, 1, 1 << (self.bits - 1))
            + Cost::new(1, 1, (b + 1) + 1 + 1)
            + self.exp.cost(1)
            + divide_private_cost(
                0,
                1 << (self.s_out + self.s_e()),
                1,
                1 << self.s_e(),
                self.q_range,
                self.d_max,
            )
            + Cost::new(1, 1, (b + 1) + 2 + 3)
    }
}

impl Sigmoid {
    fn plan(&self) -> Result<SigmoidPlan> {
        SigmoidPlan::new(self.bits, self.s_in, self.s_out)
    }

    /// Proves one element.
    pub fn sigmoid_one<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        x: &Wire<F>,
    ) -> Result<Wire<F>> {
        self.plan()?.synthesize(cs, x)
    }

    /// Cost of one element.
    pub fn cost_one(&self) -> Cost {
        self.plan().map(|p| p.cost()).unwrap_or_default()
    }
}

impl<F: PrimeField> Gadget<F> for Sigmoid {
    fn name(&self) -> &'static str {
        "sigmoid"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs
            .iter()
            .map(|&x| sigmoid(x, self.s_in, self.s_out))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.cost_one() * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "sigmoid");
        check_arity("sigmoid", self.len, inputs.len())?;
        let plan = self.plan()?;
        inputs.iter().map(|x| plan.synthesize(&cs, x)).collect()
    }
}

/// `tanh(x) = 2σ(2x) − 1` elementwise: a [`Sigmoid`] at input scale `s_in − 1`
/// and output scale `s_out + 1`, minus `2^s_out` (free). Same cost as that sigmoid.
#[derive(Clone, Debug)]
pub struct Tanh {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Input scale (≥ 1).
    pub s_in: u32,
    /// Output scale.
    pub s_out: u32,
    /// Number of elements.
    pub len: usize,
}

impl Tanh {
    fn sigmoid(&self) -> Sigmoid {
        Sigmoid {
            bits: self.bits,
            s_in: self.s_in - 1,
            s_out: self.s_out + 1,
            len: self.len,
        }
    }
}

impl<F: PrimeField> Gadget<F> for Tanh {
    fn name(&self) -> &'static str {
        "tanh"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs
            .iter()
            .map(|&x| tanh(x, self.s_in, self.s_out))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.sigmoid().cost_one() * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "tanh");
        check_arity("tanh", self.len, inputs.len())?;
        let plan = self.sigmoid().plan()?;
        inputs
            .iter()
            .map(|x| Ok(plan.synthesize(&cs, x)?.offset(-(1 << self.s_out))))
            .collect()
    }
}

/// Softmax of one vector, as [`zkinfer_quant::arith::softmax`]: claimed max
/// ([`max_of`]), `exp_neg(x_i − m)`, the sum (free) and one private division
/// per element with a range-checked remainder.
#[derive(Clone, Debug)]
pub struct Softmax {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Input scale.
    pub s_in: u32,
    /// Output scale.
    pub s_out: u32,
    /// Number of elements.
    pub len: usize,
}

impl Softmax {
    fn plan(&self) -> Result<ExpPlan> {
        ExpPlan::new(
            self.bits + 1,
            self.s_in,
            self.s_out + SOFTMAX_EXP_EXTRA_BITS,
        )
    }

    fn d_max(&self, exp: &ExpPlan) -> i128 {
        self.len as i128 * exp.out_range().1
    }
}

impl<F: PrimeField> Gadget<F> for Softmax {
    fn name(&self) -> &'static str {
        "softmax"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        softmax(inputs, self.s_in, self.s_out)
    }
    fn cost(&self) -> Cost {
        let Ok(exp) = self.plan() else {
            return Cost::ZERO;
        };
        let gap_vars = if self.len == 1 { 0 } else { 2 };
        let q_range = (0, 1 << self.s_out);
        max_of_cost(self.len, self.bits)
            + (exp.cost(gap_vars)
                // n = e_i·2^s_out shares its variable with d = Σ e_j: 0 extra terms
                + divide_private_cost(0, 0, self.len, 0, q_range, self.d_max(&exp)))
                * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "softmax");
        check_arity("softmax", self.len, inputs.len())?;
        let exp = self.plan()?;
        let xs: Vec<&Wire<F>> = inputs.iter().collect();
        let m = max_of(&cs, &xs, self.bits)?;
        let exps: Vec<Wire<F>> = inputs
            .iter()
            .map(|x| exp.synthesize(&cs, &x.sub(&m)))
            .collect::<Result<_>>()?;
        let sum = Wire::linear(&exps.iter().map(|e| (1, e)).collect::<Vec<_>>(), 0);
        exps.iter()
            .map(|e| {
                divide_private(
                    &cs,
                    &e.scale(1 << self.s_out),
                    &sum,
                    (0, 1 << self.s_out),
                    self.d_max(&exp),
                )
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    #[test]
    fn exp_cost_and_soundness() {
        testing::run(
            &Exp {
                bits: 12,
                s_in: 8,
                s_out: 8,
                len: 1,
            },
            &[],
        );
    }

    #[test]
    fn sigmoid_and_tanh_cost_and_soundness() {
        testing::run(
            &Sigmoid {
                bits: 12,
                s_in: 6,
                s_out: 8,
                len: 1,
            },
            &[],
        );
        testing::run(
            &Tanh {
                bits: 10,
                s_in: 7,
                s_out: 8,
                len: 1,
            },
            &[],
        );
    }

    #[test]
    fn softmax_cost_and_soundness() {
        let wrong_quotient = Adversary::new("quotient+1, remainder−2S", |t| {
            let q = t.find("softmax/quotient")[0];
            t.set(q, t.get(q) + Fr::from(1u64));
            true
        });
        testing::run(
            &Softmax {
                bits: 8,
                s_in: 4,
                s_out: 8,
                len: 3,
            },
            &[wrong_quotient],
        );
        assert_cost::<Fr, _>(&Softmax {
            bits: 8,
            s_in: 4,
            s_out: 8,
            len: 1,
        });
    }
}
