//! Erf and GELU: [`zkinfer_quant::arith::erf`] and [`zkinfer_quant::arith::gelu`],
//! constrained step by step.
//!
//! `erf(z) ≈ tanh(c₁z + c₃z³)` needs only a clamp, two squarings-with-rescale
//! and the existing sigmoid: `tanh(w) = 2σ(2w) − 1` is a [`SigmoidPlan`] at
//! input scale `s + 7` and output scale `s_out + 1`, so its output variable
//! *is* `2^s_out + erf(z)`. GELU needs exactly that quantity,
//! `x·(1 + erf(x/√2))/2`, so it costs one division by `2^16` in front of the
//! erf and one product plus one rescale behind it.
//!
//! Every intermediate is a single variable proven by [`divide_by_constant`]
//! with a bit budget computed from the exact range of the step (the clamp
//! bounds `z`, so the budgets do not grow with the input width).

use crate::activation::Clip;
use crate::cost::Cost;
use crate::error::Result;
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::nonlinear::SigmoidPlan;
use crate::range::mul;
use crate::rescale::{divide_by_constant, divide_by_constant_cost_with, quotient_bits};
use crate::scope::Scope;
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::arith::approx::{
    CONST_SHIFT, ERF_ARG_EXTRA_BITS, ERF_C1, ERF_C3, ERF_CLAMP, EXP_EXTRA_BITS, INV_SQRT2,
};
use zkinfer_quant::arith::{erf, gelu, rescale, Bits};

/// Signed width of the range spanned by `values`.
fn bits_of(values: &[i128]) -> u32 {
    let lo = values.iter().copied().min().unwrap_or(0);
    let hi = values.iter().copied().max().unwrap_or(0);
    Bits::signed_for_range(lo, hi).0
}

/// `2^s_out + erf(z)` for `bits`-bit `z` at scale `s_in`, planned once.
#[derive(Clone, Debug)]
pub struct ErfPlan {
    s_in: u32,
    clip: Clip,
    square_bits: u32,
    cube_bits: u32,
    arg_bits: u32,
    tanh: SigmoidPlan,
}

impl ErfPlan {
    /// Plans erf for `bits`-bit inputs at scale `s_in`, output scale `s_out`.
    pub fn new(bits: u32, s_in: u32, s_out: u32) -> Result<Self> {
        crate::range::check_bits("erf", bits)?;
        let clamp = ERF_CLAMP << s_in;
        let (min, max) = Bits(bits).signed_range();
        let (z_lo, z_hi) = (min.max(-clamp), max.min(clamp));
        let square_max = (z_lo * z_lo).max(z_hi * z_hi);
        let q2_max = rescale(square_max, s_in);
        let cube = [q2_max * z_lo, q2_max * z_hi, 0];
        let q3 = cube.map(|c| rescale(c, s_in));
        let arg = [
            ERF_C1 * z_lo + ERF_C3 * q3[0],
            ERF_C1 * z_hi + ERF_C3 * q3[1],
        ];
        let arg_bits = bits_of(&arg);
        let w_bits = quotient_bits(arg_bits, 1 << (CONST_SHIFT - ERF_ARG_EXTRA_BITS));
        let tanh = SigmoidPlan::new(w_bits, s_in + ERF_ARG_EXTRA_BITS - 1, s_out + 1)?;
        Ok(ErfPlan {
            s_in,
            clip: Clip {
                bits,
                lo: -clamp,
                hi: clamp,
                len: 1,
            },
            square_bits: bits_of(&[0, square_max]),
            cube_bits: bits_of(&cube),
            arg_bits,
            tanh,
        })
    }

    /// The exact range of the returned variable `2^s_out + erf(z)`.
    pub fn out_range(&self) -> (i128, i128) {
        self.tanh.out_range()
    }

    /// Proves `y = 2^s_out + erf(z)`; returns `y` as a single variable.
    pub fn synthesize<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        z: &Wire<F>,
    ) -> Result<Wire<F>> {
        let zc = {
            let _scope = Scope::enter(cs, "clamp");
            self.clip.clip_one(cs, z)?
        };
        let d = 1i128 << self.s_in;
        let square = mul(cs, &zc, &zc, "square")?;
        let (z2, _) = divide_by_constant(cs, &square, self.square_bits, d, "erf")?;
        let cube = mul(cs, &z2, &zc, "cube")?;
        let (z3, _) = divide_by_constant(cs, &cube, self.cube_bits, d, "erf")?;
        let arg = Wire::linear(&[(ERF_C1, &zc), (ERF_C3, &z3)], 0);
        let shift = 1i128 << (CONST_SHIFT - ERF_ARG_EXTRA_BITS);
        let (w, _) = divide_by_constant(cs, &arg, self.arg_bits, shift, "erf")?;
        let _scope = Scope::enter(cs, "tanh");
        self.tanh.synthesize(cs, &w)
    }

    /// Cost on an input with `z_vars` variable terms and constant `z_const`:
    /// only the clamp reads `z`.
    pub fn cost_at(&self, z_vars: usize, z_const: i128) -> Cost {
        let d = 1i128 << self.s_in;
        let shift = 1i128 << (CONST_SHIFT - ERF_ARG_EXTRA_BITS);
        self.clip.cost_one_at(z_vars, z_const)
            + Cost::new(1, 1, 3)
            + divide_by_constant_cost_with(self.square_bits, d, 1, 0)
            + Cost::new(1, 1, 3)
            + divide_by_constant_cost_with(self.cube_bits, d, 1, 0)
            + divide_by_constant_cost_with(self.arg_bits, shift, 2, 0)
            + self.tanh.cost()
    }
}

/// `erf(z)` elementwise, as [`zkinfer_quant::arith::erf`]. The outputs are
/// `y − 2^s_out` with `y` a single variable.
#[derive(Clone, Debug)]
pub struct Erf {
    bits: u32,
    s_in: u32,
    s_out: u32,
    len: usize,
    plan: ErfPlan,
}

impl Erf {
    /// Erf on `len` inputs of `bits` signed bits at scale `s_in`, output scale
    /// `s_out`; an error when the parameters are outside the planning range.
    pub fn new(bits: u32, s_in: u32, s_out: u32, len: usize) -> Result<Self> {
        Ok(Erf {
            bits,
            s_in,
            s_out,
            len,
            plan: ErfPlan::new(bits, s_in, s_out)?,
        })
    }

    /// Cost of one element on an input with `x_vars` variable terms and constant `x_const`.
    pub fn cost_one_at(&self, x_vars: usize, x_const: i128) -> Cost {
        self.plan.cost_at(x_vars, x_const)
    }

    /// The constant term `−2^s_out` of every output (the variable is `2^s_out + erf`).
    pub fn out_offset(&self) -> i128 {
        -(1 << self.s_out)
    }
}

impl<F: PrimeField> Gadget<F> for Erf {
    fn name(&self) -> &'static str {
        "erf"
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
            .map(|&z| erf(z, self.s_in, self.s_out))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.cost_one_at(1, 0) * self.len
    }
    fn boundary_inputs(&self) -> Vec<Vec<i128>> {
        clamp_edges(self.bits, self.s_in, self.len, ERF_CLAMP)
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "erf");
        check_arity("erf", self.len, inputs.len())?;
        inputs
            .iter()
            .map(|z| Ok(self.plan.synthesize(&cs, z)?.offset(-(1 << self.s_out))))
            .collect()
    }
}

/// Inputs at `±clamp` (real) and one step either side, each repeated `len`
/// times, when they fit `bits` bits.
pub(crate) fn clamp_edges(bits: u32, s_in: u32, len: usize, clamp: i128) -> Vec<Vec<i128>> {
    let (min, max) = Bits(bits).signed_range();
    let edge = clamp << s_in;
    [-edge - 1, -edge, -edge + 1, edge - 1, edge, edge + 1]
        .into_iter()
        .filter(|v| (min..=max).contains(v))
        .map(|v| vec![v; len])
        .collect()
}

/// `gelu(x) = x·(1 + erf(x/√2))/2` elementwise, as [`zkinfer_quant::arith::gelu`]:
/// `a = rescale(x·⌊2^16/√2⌉, 16)`, the erf plan at output scale `s_out + 2`
/// (whose variable is `2^(s_out+2) + erf(a)`), one product with `x` and one rescale.
#[derive(Clone, Debug)]
pub struct Gelu {
    bits: u32,
    s_in: u32,
    s_out: u32,
    len: usize,
    arg_bits: u32,
    erf: ErfPlan,
    product_bits: u32,
}

impl Gelu {
    /// GELU on `len` inputs of `bits` signed bits at scale `s_in`, output
    /// scale `s_out`; an error when the parameters are outside the planning range.
    pub fn new(bits: u32, s_in: u32, s_out: u32, len: usize) -> Result<Self> {
        crate::range::check_bits("gelu", bits)?;
        let (min, max) = Bits(bits).signed_range();
        let arg_bits = bits_of(&[min * INV_SQRT2, max * INV_SQRT2]);
        let a_bits = quotient_bits(arg_bits, 1 << CONST_SHIFT);
        let erf = ErfPlan::new(a_bits, s_in, s_out + EXP_EXTRA_BITS)?;
        let (y_lo, y_hi) = erf.out_range();
        let product_bits = bits_of(&[min * y_lo, min * y_hi, max * y_lo, max * y_hi]);
        Ok(Gelu {
            bits,
            s_in,
            s_out,
            len,
            arg_bits,
            erf,
            product_bits,
        })
    }

    /// `2^(s_in + s_e + 1 − s_out)`, the final rescale (`s_e = s_out + 2`).
    fn out_divisor(&self) -> i128 {
        1 << (self.s_in + EXP_EXTRA_BITS + 1)
    }

    /// Cost of one element on an input with `x_vars` variable terms and
    /// constant `x_const`: `x` is read by the first division and by the product.
    pub fn cost_one_at(&self, x_vars: usize, x_const: i128) -> Cost {
        divide_by_constant_cost_with(self.arg_bits, 1 << CONST_SHIFT, x_vars, x_const * INV_SQRT2)
            + self.erf.cost_at(1, 0)
            + Cost::new(1, 1, (x_vars + usize::from(x_const != 0)) + 1 + 1)
            + divide_by_constant_cost_with(self.product_bits, self.out_divisor(), 1, 0)
    }

    fn gelu_one<F: PrimeField>(&self, cs: &ConstraintSystemRef<F>, x: &Wire<F>) -> Result<Wire<F>> {
        let (a, _) = divide_by_constant(
            cs,
            &x.scale(INV_SQRT2),
            self.arg_bits,
            1 << CONST_SHIFT,
            "gelu",
        )?;
        let one_plus_erf = self.erf.synthesize(cs, &a)?;
        let product = mul(cs, x, &one_plus_erf, "product")?;
        let _scope = Scope::enter(cs, "out");
        let (out, _) =
            divide_by_constant(cs, &product, self.product_bits, self.out_divisor(), "gelu")?;
        Ok(out)
    }
}

impl<F: PrimeField> Gadget<F> for Gelu {
    fn name(&self) -> &'static str {
        "gelu"
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
            .map(|&x| gelu(x, self.s_in, self.s_out))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.cost_one_at(1, 0) * self.len
    }
    fn boundary_inputs(&self) -> Vec<Vec<i128>> {
        // erf clamps x/√2 at ±4, i.e. x at ±4√2 ≈ ±5.657.
        let edge = (4.0 * std::f64::consts::SQRT_2 * (1u64 << self.s_in) as f64) as i128;
        let (min, max) = Bits(self.bits).signed_range();
        [-edge - 1, -edge, -edge + 1, edge - 1, edge, edge + 1]
            .into_iter()
            .filter(|v| (min..=max).contains(v))
            .map(|v| vec![v; self.len])
            .collect()
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "gelu");
        check_arity("gelu", self.len, inputs.len())?;
        inputs.iter().map(|x| self.gelu_one(&cs, x)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    /// Claims the unclamped input as the clamp's output when `|z|` exceeds the clamp.
    fn wrong_clamp_branch(path: &'static str, clamp: i128) -> Adversary<Fr> {
        Adversary::new("clamp output = unclamped input", move |t| {
            let z = t.inputs()[0];
            if z.abs() <= clamp {
                return false;
            }
            let out = t.find(path)[0];
            t.set_int(out, z);
            true
        })
    }

    /// Moves the final quotient by one; its remainder bits compensate (wrapping).
    fn shifted_quotient(path: &'static str) -> Adversary<Fr> {
        Adversary::new("final quotient+1", move |t| {
            let q = *t.find(path).last().expect("a quotient");
            t.set(q, t.get(q) + Fr::from(1u64));
            true
        })
    }

    /// Claims the other branch of tanh's sign select.
    fn flipped_tanh_sign() -> Adversary<Fr> {
        Adversary::new("tanh output mirrored", |t| {
            let out = *t.find("tanh/out").last().expect("tanh output");
            let honest = t.get(out);
            let one = Fr::from(1u64 << 9);
            t.set(out, one - honest);
            honest != one - honest
        })
    }

    #[test]
    fn erf_cost_and_soundness() {
        // 12-bit inputs at scale 8: real range [−8, 8), clamp edges ±4 inside.
        let erf = Erf::new(12, 8, 8, 1).unwrap();
        let report = testing::run(
            &erf,
            &[
                wrong_clamp_branch("erf/clamp/out", 4 << 8),
                shifted_quotient("erf/tanh/quotient"),
            ],
        );
        testing::assert_adversaries_ran(&report, 50);
        assert_cost::<Fr, _>(&Erf::new(10, 6, 10, 3).unwrap());
    }

    #[test]
    fn erf_tanh_select_cannot_be_mirrored() {
        // s_out = 8 → the tanh sigmoid's output scale is 9: 2^9 − out mirrors it.
        let report = testing::run(&Erf::new(10, 6, 8, 1).unwrap(), &[flipped_tanh_sign()]);
        testing::assert_adversaries_ran(&report, 50);
    }

    #[test]
    fn erf_narrow_input_never_reaches_the_clamp() {
        // 8-bit inputs at scale 6 lie in [−2, 2): the clamp is the identity.
        testing::run(&Erf::new(8, 6, 8, 2).unwrap(), &[]);
    }

    #[test]
    fn gelu_cost_and_soundness() {
        let gelu = Gelu::new(12, 7, 8, 1).unwrap();
        let report = testing::run(
            &gelu,
            &[
                Adversary::new("clamp output = unclamped x/√2", |t| {
                    let x = t.inputs()[0];
                    let a = rescale(x * INV_SQRT2, CONST_SHIFT);
                    if a.abs() <= 4 << 7 {
                        return false;
                    }
                    let out = t.find("gelu/clamp/out")[0];
                    t.set_int(out, a);
                    true
                }),
                shifted_quotient("gelu/out/quotient"),
            ],
        );
        testing::assert_adversaries_ran(&report, 50);
        assert_cost::<Fr, _>(&Gelu::new(9, 5, 10, 2).unwrap());
    }

    #[test]
    fn out_of_range_parameters_are_errors() {
        assert!(Erf::new(0, 8, 8, 1).is_err());
        assert!(Gelu::new(300, 8, 8, 1).is_err());
        // The tanh's exponential would enumerate 2^24 clamped inputs.
        assert!(Erf::new(24, 14, 8, 1).is_err());
    }

    #[test]
    fn cost_counts_the_input_shape() {
        let erf = Erf::new(10, 6, 8, 1).unwrap();
        let gelu = Gelu::new(10, 6, 8, 1).unwrap();
        for (vars, constant) in [(1, 0), (2, 0), (3, 17), (1, -5)] {
            let measured = testing::measure_at(vars, constant, |cs, x| erf.plan.synthesize(cs, x));
            assert_eq!(measured, erf.cost_one_at(vars, constant), "erf");
            let measured = testing::measure_at(vars, constant, |cs, x| gelu.gelu_one(cs, x));
            assert_eq!(measured, gelu.cost_one_at(vars, constant), "gelu");
        }
    }
}
