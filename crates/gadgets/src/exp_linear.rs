//! ELU, SELU and CELU: [`zkinfer_quant::arith::exp_linear`].
//!
//! One decomposition gives the sign `s` and `r = relu(x) = s·x`, so
//! `min(x, 0) = x − r` is free. CELU's `x/α` is one [`divide_by_constant`]
//! (skipped for ELU and SELU, whose `1/α'` is exactly `2^16`). The
//! exponential ([`ExpPlan`] with the degree-10 `EXP_FINE_POLY`) runs on every input — it sees `0` for
//! non-negative ones — and `t = (1 − s)·(e − 2^s_e)` zeroes its branch,
//! so both branches sum into one linear combination
//! `γ·2^s_e·r + γα·2^s_in·t` that is rounded once, exactly as the reference.

use crate::activation::{sign_and_relu, sign_and_relu_cost};
use crate::cost::Cost;
use crate::error::{GadgetError, Result};
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::nonlinear::ExpPlan;
use crate::range::mul;
use crate::rescale::{divide_by_constant, divide_by_constant_cost_with, quotient_bits};
use crate::scope::Scope;
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::arith::approx::{CONST_SHIFT, EXP_EXTRA_BITS};
use zkinfer_quant::arith::exp_linear::EXP_FINE_POLY;
use zkinfer_quant::arith::{exp_linear, Bits, ExpLinear as Params};

/// `exp_linear(x)` elementwise for `bits`-bit inputs: ELU, SELU or CELU by its parameters.
#[derive(Clone, Debug)]
pub struct ExpLinear {
    bits: u32,
    s_in: u32,
    s_out: u32,
    len: usize,
    params: Params,
    /// Width of `min(x,0)·inv_alpha` when CELU divides it by `2^16`.
    scaled_bits: Option<u32>,
    exp: ExpPlan,
    total_bits: u32,
}

fn extremes(a: (i128, i128), c: i128) -> (i128, i128) {
    let (p, q) = (a.0 * c, a.1 * c);
    (p.min(q), p.max(q))
}

impl ExpLinear {
    /// The gadget on `len` inputs of `bits` signed bits at scale `s_in`,
    /// output scale `s_out`; an error for parameters outside the planning range.
    pub fn new(bits: u32, s_in: u32, s_out: u32, params: Params, len: usize) -> Result<Self> {
        crate::range::check_bits("exp_linear", bits)?;
        if params.inv_alpha < 1 {
            return Err(GadgetError::Parameters {
                gadget: "exp_linear",
                reason: format!("1/α = {}·2^-16 must be positive", params.inv_alpha),
            });
        }
        let s_e = s_out + EXP_EXTRA_BITS;
        let (min, max) = Bits(bits).signed_range();
        let (scaled_bits, exp_bits) = if params.inv_alpha == 1 << CONST_SHIFT {
            (None, bits)
        } else {
            let raw = Bits::signed_for_range(min * i128::from(params.inv_alpha), 0).0;
            (Some(raw), quotient_bits(raw, 1 << CONST_SHIFT))
        };
        let exp = ExpPlan::with_poly(&EXP_FINE_POLY, exp_bits, s_in, s_e)?;
        let (e_lo, e_hi) = exp.out_range();
        let t = ((e_lo - (1 << s_e)).min(0), (e_hi - (1 << s_e)).max(0));
        let pos = extremes((0, max), i128::from(params.gamma) << s_e);
        let neg = extremes(t, i128::from(params.gamma_alpha) << s_in);
        let total_bits = Bits::signed_for_range(pos.0 + neg.0, pos.1 + neg.1).0;
        Ok(ExpLinear {
            bits,
            s_in,
            s_out,
            len,
            params,
            scaled_bits,
            exp,
            total_bits,
        })
    }

    fn s_e(&self) -> u32 {
        self.s_out + EXP_EXTRA_BITS
    }

    /// `2^(s_in + s_e + 16 − s_out)`, the final rescale.
    fn out_divisor(&self) -> i128 {
        1 << (self.s_in + self.s_e() + CONST_SHIFT - self.s_out)
    }

    /// The two branch coefficients of the pre-rounding sum.
    fn coefficients(&self) -> (i128, i128) {
        (
            i128::from(self.params.gamma) << self.s_e(),
            i128::from(self.params.gamma_alpha) << self.s_in,
        )
    }

    /// Cost of one element on an input with `x_vars` variable terms and
    /// constant `x_const`: the sign/ReLU split reads `x`, then `x − r` is read
    /// by CELU's division or by the exponential's clamp, and `1 − s` by the select.
    pub fn cost_one_at(&self, x_vars: usize, x_const: i128) -> Cost {
        let nz = |c: i128| usize::from(c != 0);
        let b = self.bits as usize;
        let exp = match self.scaled_bits {
            None => self.exp.cost_at(x_vars + 1, x_const),
            Some(raw) => {
                divide_by_constant_cost_with(
                    raw,
                    1 << CONST_SHIFT,
                    x_vars + 1,
                    x_const * i128::from(self.params.inv_alpha),
                ) + self.exp.cost_at(1, 0)
            }
        };
        // 1 − s carries x, b − 1 bits and the constant −x_const/2^(b−1); e − 2^s_e two terms.
        let select = Cost::new(1, 1, (x_vars + b - 1 + nz(x_const)) + 2 + 1);
        let (c_pos, c_neg) = self.coefficients();
        sign_and_relu_cost(self.bits, x_vars, x_const)
            + exp
            + select
            + divide_by_constant_cost_with(
                self.total_bits,
                self.out_divisor(),
                nz(c_pos) + nz(c_neg),
                0,
            )
    }

    fn exp_linear_one<F: PrimeField>(
        &self,
        cs: &ConstraintSystemRef<F>,
        x: &Wire<F>,
    ) -> Result<Wire<F>> {
        let (sign, relu) = sign_and_relu(cs, x, self.bits, "exp_linear")?;
        let negative_part = x.sub(&relu);
        let z = match self.scaled_bits {
            None => negative_part,
            Some(raw) => {
                let scaled = negative_part.scale(i128::from(self.params.inv_alpha));
                divide_by_constant(cs, &scaled, raw, 1 << CONST_SHIFT, "exp_linear")?.0
            }
        };
        let e = {
            let _scope = Scope::enter(cs, "exp");
            self.exp.synthesize(cs, &z)?
        };
        let not_sign = Wire::linear(&[(-1, &sign)], 1);
        let t = mul(
            cs,
            &not_sign,
            &e.offset(-(1 << self.s_e())),
            "negative_branch",
        )?;
        let (c_pos, c_neg) = self.coefficients();
        let total = Wire::linear(&[(c_pos, &relu), (c_neg, &t)], 0);
        let _scope = Scope::enter(cs, "out");
        let (out, _) = divide_by_constant(cs, &total, self.total_bits, self.out_divisor(), "out")?;
        Ok(out)
    }
}

impl<F: PrimeField> Gadget<F> for ExpLinear {
    fn name(&self) -> &'static str {
        "exp_linear"
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
            .map(|&x| exp_linear(x, self.s_in, self.s_out, self.params))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.cost_one_at(1, 0) * self.len
    }
    fn boundary_inputs(&self) -> Vec<Vec<i128>> {
        // The exponential clamps its input at −8 (real), i.e. x at −8α for CELU.
        let edge = (8 << (self.s_in + CONST_SHIFT)) / i128::from(self.params.inv_alpha);
        let (min, _) = Bits(self.bits).signed_range();
        [-edge - 1, -edge, -edge + 1]
            .into_iter()
            .filter(|&v| v >= min)
            .map(|v| vec![v; self.len])
            .collect()
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "exp_linear");
        check_arity("exp_linear", self.len, inputs.len())?;
        inputs.iter().map(|x| self.exp_linear_one(&cs, x)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    fn elu() -> Params {
        Params::elu(1.0).unwrap()
    }
    fn selu() -> Params {
        Params::selu(1.673_263_2, 1.050_701).unwrap()
    }
    fn celu(alpha: f64) -> Params {
        Params::celu(alpha).unwrap()
    }

    /// Claims the other branch: `relu(x) = x` for negative `x`, `0` for positive.
    fn wrong_relu_branch() -> Adversary<Fr> {
        Adversary::new("relu of the other branch", |t| {
            let x = t.inputs()[0];
            if x == 0 {
                return false;
            }
            let r = t.find("exp_linear/relu")[0];
            t.set_int(r, if x > 0 { 0 } else { x });
            true
        })
    }

    /// Keeps the exponential's branch alive for a positive input (`t ≠ 0`).
    fn leaked_negative_branch() -> Adversary<Fr> {
        Adversary::new("negative branch nonzero for x ≥ 0", |t| {
            if t.inputs()[0] < 0 {
                return false;
            }
            let branch = t.find("exp_linear/negative_branch")[0];
            t.set_int(branch, -1);
            true
        })
    }

    /// Moves the final quotient by one.
    fn shifted_quotient() -> Adversary<Fr> {
        Adversary::new("final quotient+1", |t| {
            let q = t.find("exp_linear/out/quotient")[0];
            t.set(q, t.get(q) + Fr::from(1u64));
            true
        })
    }

    #[test]
    fn elu_cost_and_soundness() {
        let g = ExpLinear::new(12, 8, 8, elu(), 1).unwrap();
        let report = testing::run(
            &g,
            &[
                wrong_relu_branch(),
                leaked_negative_branch(),
                shifted_quotient(),
            ],
        );
        testing::assert_adversaries_ran(&report, 150);
        assert_cost::<Fr, _>(&ExpLinear::new(9, 5, 10, Params::elu(0.3).unwrap(), 3).unwrap());
    }

    #[test]
    fn selu_cost_and_soundness() {
        let g = ExpLinear::new(12, 7, 9, selu(), 1).unwrap();
        testing::run(
            &g,
            &[
                wrong_relu_branch(),
                leaked_negative_branch(),
                shifted_quotient(),
            ],
        );
    }

    #[test]
    fn celu_cost_and_soundness() {
        for alpha in [0.5, 2.0] {
            let g = ExpLinear::new(12, 7, 8, celu(alpha), 1).unwrap();
            testing::run(
                &g,
                &[
                    wrong_relu_branch(),
                    leaked_negative_branch(),
                    shifted_quotient(),
                ],
            );
        }
    }

    #[test]
    fn cost_counts_the_input_shape() {
        for params in [elu(), selu(), celu(0.5)] {
            let g = ExpLinear::new(10, 6, 8, params, 1).unwrap();
            for (vars, constant) in [(1, 0), (2, 0), (3, -17), (1, 5)] {
                let measured = testing::measure_at(vars, constant, |cs, x| g.exp_linear_one(cs, x));
                assert_eq!(measured, g.cost_one_at(vars, constant), "{params:?}");
            }
        }
    }

    #[test]
    fn out_of_range_parameters_are_errors() {
        let bad = Params {
            gamma: 1 << 16,
            gamma_alpha: 1 << 16,
            inv_alpha: 0,
        };
        assert!(ExpLinear::new(10, 6, 8, bad, 1).is_err());
        assert!(ExpLinear::new(0, 6, 8, elu(), 1).is_err());
        assert!(ExpLinear::new(24, 18, 8, elu(), 1).is_err());
    }
}
