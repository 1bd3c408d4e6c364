//! Softplus: [`zkinfer_quant::arith::softplus`], `relu(x) + ln(1 + e^{−|x|})`.
//!
//! The sign and `r = relu(x)` come from one decomposition and one product;
//! `−|x| = x − 2r` is then free, so the exponential ([`ExpPlan`]) and the
//! `ln(1+u)` polynomial ([`PolyPlan`] over [`LOG1P_POLY`]) need no second
//! sign. The output is the sum of two variables (`r` moved to the output
//! scale, and the polynomial) — left as a linear combination, because
//! materialising it would cost a constraint for nothing.

use crate::activation::{sign_and_relu, sign_and_relu_cost};
use crate::cost::Cost;
use crate::error::Result;
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::nonlinear::{ExpPlan, PolyPlan};
use crate::rescale::{divide_by_constant, divide_by_constant_cost};
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::arith::approx::{EXP_EXTRA_BITS, LOG1P_POLY};
use zkinfer_quant::arith::{softplus, Bits};

/// `softplus(x)` elementwise for `bits`-bit inputs; outputs are two-variable
/// linear combinations.
#[derive(Clone, Debug)]
pub struct Softplus {
    bits: u32,
    s_in: u32,
    s_out: u32,
    len: usize,
    exp: ExpPlan,
    log1p: PolyPlan,
}

impl Softplus {
    /// Softplus on `len` inputs of `bits` signed bits at scale `s_in`, output
    /// scale `s_out`; an error when the parameters are outside the planning range.
    pub fn new(bits: u32, s_in: u32, s_out: u32, len: usize) -> Result<Self> {
        crate::range::check_bits("softplus", bits)?;
        let s_e = s_out + EXP_EXTRA_BITS;
        let exp = ExpPlan::new(bits, s_in, s_e)?;
        let (e_lo, e_hi) = exp.out_range();
        let log1p = PolyPlan::new(&LOG1P_POLY, e_lo, e_hi, s_e, s_out)?;
        Ok(Softplus {
            bits,
            s_in,
            s_out,
            len,
            exp,
            log1p,
        })
    }

    /// Cost of one element on an input with `x_vars` variable terms and
    /// constant `x_const`: the sign/ReLU split and the clamp of `x − 2r` read `x`.
    pub fn cost_one_at(&self, x_vars: usize, x_const: i128) -> Cost {
        let relu_rescale = if self.s_out >= self.s_in {
            Cost::ZERO
        } else {
            divide_by_constant_cost(self.bits, 1 << (self.s_in - self.s_out), 1)
        };
        sign_and_relu_cost(self.bits, x_vars, x_const)
            + self.exp.cost_at(x_vars + 1, x_const)
            + self.log1p.cost()
            + relu_rescale
    }

    fn softplus_one<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        x: &Wire<F>,
    ) -> Result<Wire<F>> {
        let (_, relu) = sign_and_relu(cs, x, self.bits, "softplus")?;
        let minus_abs = Wire::linear(&[(1, x), (-2, &relu)], 0);
        let e = self.exp.synthesize(cs, &minus_abs)?;
        let log = self.log1p.synthesize(cs, &e)?;
        let relu_out = if self.s_out >= self.s_in {
            relu.scale_pow2(self.s_out - self.s_in)
        } else {
            let d = 1 << (self.s_in - self.s_out);
            divide_by_constant(cs, &relu, self.bits, d, "softplus")?.0
        };
        Ok(relu_out.add(&log))
    }
}

impl<F: PrimeField> Gadget<F> for Softplus {
    fn name(&self) -> &'static str {
        "softplus"
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
            .map(|&x| softplus(x, self.s_in, self.s_out))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.cost_one_at(1, 0) * self.len
    }
    fn boundary_inputs(&self) -> Vec<Vec<i128>> {
        // The exponential clamps −|x| at −8 (real).
        crate::erf::clamp_edges(self.bits, self.s_in, self.len, 8)
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "softplus");
        check_arity("softplus", self.len, inputs.len())?;
        inputs.iter().map(|x| self.softplus_one(&cs, x)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    /// Claims `relu(x) = 0` for positive `x` (or `x` for negative `x`): the other branch.
    fn wrong_relu_branch() -> Adversary<Fr> {
        Adversary::new("relu of the other branch", |t| {
            let x = t.inputs()[0];
            if x == 0 {
                return false;
            }
            let r = t.find("softplus/relu")[0];
            t.set_int(r, if x > 0 { 0 } else { x });
            true
        })
    }

    /// Claims the unclamped `−|x|` as the exponential's clamp output.
    fn wrong_clamp_branch(s_in: u32) -> Adversary<Fr> {
        Adversary::new("clamp output = −|x|", move |t| {
            let x = t.inputs()[0];
            if x.abs() <= 8 << s_in {
                return false;
            }
            let out = t.find("softplus/out")[0];
            t.set_int(out, -x.abs());
            true
        })
    }

    #[test]
    fn softplus_cost_and_soundness() {
        let g = Softplus::new(13, 8, 8, 1).unwrap();
        let report = testing::run(&g, &[wrong_relu_branch(), wrong_clamp_branch(8)]);
        testing::assert_adversaries_ran(&report, 100);
        // Output scale below the input scale: relu(x) is rescaled.
        testing::run(&Softplus::new(10, 8, 6, 1).unwrap(), &[wrong_relu_branch()]);
        assert_cost::<Fr, _>(&Softplus::new(9, 4, 10, 3).unwrap());
    }

    #[test]
    fn cost_counts_the_input_shape() {
        for g in [
            Softplus::new(10, 6, 8, 1).unwrap(),
            Softplus::new(10, 6, 4, 1).unwrap(),
        ] {
            for (vars, constant) in [(1, 0), (2, 0), (3, -17), (1, 5)] {
                let measured = testing::measure_at(vars, constant, |cs, x| g.softplus_one(cs, x));
                assert_eq!(measured, g.cost_one_at(vars, constant));
            }
        }
    }

    #[test]
    fn out_of_range_parameters_are_errors() {
        assert!(Softplus::new(0, 8, 8, 1).is_err());
        assert!(Softplus::new(24, 18, 8, 1).is_err());
    }
}
