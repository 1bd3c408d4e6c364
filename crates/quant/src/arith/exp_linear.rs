//! The exponential-linear family: ELU, SELU and CELU as one integer function.
//!
//! All three are `γ·x` for `x ≥ 0` and `γα·(e^{x/α'} − 1)` for `x < 0`
//! (ELU: `γ = 1`, `α' = 1`; SELU: `α' = 1`; CELU: `γ = 1`, `α' = α`), so one
//! gadget proves them all. The constants are integers at scale
//! [`CONST_SHIFT`] so the parameters are `Eq + Hash` and identical on every
//! platform. Both branches are summed at the common scale
//! `s_in + s_e + 16` and rounded once, so the positive branch is exact
//! whenever `s_out ≥ s_in` and `γ = 1`.

use super::approx::{FixedPoly, CONST_SHIFT, EXP_CLAMP, EXP_EXTRA_BITS};
use super::rounding::rescale;

/// `e^{8t}` on `t ∈ [-1, 0]`, degree 10 truncated Chebyshev series (max error 3.1e-6).
///
/// ELU's negative branch is the exponential itself, not damped by a division
/// as in the sigmoid, and it feeds wide linear layers (GAN decoders), where the
/// degree-8 [`EXP_POLY`](super::approx::EXP_POLY)'s `9.5e-5` dominated the
/// quantization error. Two more Horner steps buy a factor of 30.
pub const EXP_FINE_POLY: FixedPoly = FixedPoly {
    coeffs: &[
        0.9999968889296098,
        7.999219809530098,
        31.967398553069494,
        84.79615181884213,
        166.05655041022214,
        249.4580466263814,
        286.07064216150013,
        241.11827461064146,
        139.33306341255215,
        48.81052488829325,
        7.754904033497368,
    ],
    input_shift: 3,
};

/// `e^x` for `x ≤ 0`: clamp to `[-8, 0]`, then [`EXP_FINE_POLY`].
///
/// Max error over all 16-bit inputs at `s_in = 8`: `3.4e-4` below the clamp,
/// `3.1e-6 + 1.05·2^-(s_out+1)` (fit and Horner rounding) above it.
pub fn exp_neg_fine(x: i128, s_in: u32, s_out: u32) -> i128 {
    let clamped = x.max(-(EXP_CLAMP << s_in));
    EXP_FINE_POLY.eval(clamped, s_in, s_out)
}

/// Parameters of [`exp_linear`], at scale [`CONST_SHIFT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExpLinear {
    /// `γ`: the slope of the positive branch.
    pub gamma: i64,
    /// `γ·α`: the amplitude of the negative branch.
    pub gamma_alpha: i64,
    /// `1/α'`: the exponential's input is `rescale(x·inv_alpha, 16)` (`2^16` for ELU and SELU).
    pub inv_alpha: i64,
}

/// Constants beyond this magnitude (real `2^24`) are refused: they would only
/// come from a malformed model and would waste bits.
const MAX_CONSTANT: f64 = (1u64 << (24 + CONST_SHIFT)) as f64;

fn fixed(real: f64) -> Option<i64> {
    let v = (real * (1u64 << CONST_SHIFT) as f64).round();
    (v.is_finite() && v.abs() <= MAX_CONSTANT).then_some(v as i64)
}

impl ExpLinear {
    /// ELU: `x` for `x ≥ 0`, `α(e^x − 1)` otherwise. `None` for a non-finite or huge `α`.
    pub fn elu(alpha: f64) -> Option<Self> {
        Self::selu(alpha, 1.0)
    }

    /// SELU: `γx` for `x > 0`, `γα(e^x − 1)` otherwise. `None` for non-finite or huge constants.
    pub fn selu(alpha: f64, gamma: f64) -> Option<Self> {
        Some(ExpLinear {
            gamma: fixed(gamma)?,
            gamma_alpha: fixed(gamma * alpha)?,
            inv_alpha: 1 << CONST_SHIFT,
        })
    }

    /// CELU: `max(0, x) + min(0, α(e^{x/α} − 1))`. `None` unless `α > 0` with
    /// `1/α` representable at scale 16 (`α ≤ 2^16`).
    pub fn celu(alpha: f64) -> Option<Self> {
        if alpha.is_nan() || alpha <= 0.0 {
            return None;
        }
        let inv_alpha = fixed(1.0 / alpha)?;
        (inv_alpha >= 1).then_some(ExpLinear {
            gamma: 1 << CONST_SHIFT,
            gamma_alpha: fixed(alpha)?,
            inv_alpha,
        })
    }

    /// A bound on `|f(x)|` for `|x| ≤ bound` (real units).
    pub fn output_bound(&self, input_bound: f64) -> f64 {
        let real = |c: i64| (c as f64 / (1u64 << CONST_SHIFT) as f64).abs();
        (real(self.gamma) * input_bound).max(real(self.gamma_alpha))
    }
}

/// `γ·x` for `x ≥ 0`, `γα·(exp_neg_fine(rescale(x·inv_alpha, 16)) − 1)` for `x < 0`.
///
/// With `s_e = s_out + 2` the two branches are `γ·x·2^s_e` and
/// `γα·(e − 2^s_e)·2^s_in` at scale `s_in + s_e + 16`, then one [`rescale`]
/// to `s_out`. Max error: `|γα|·(3.4e-4 + 2^-(s_out+3)) + 2^-(s_out+1)` (the
/// exponential's error at scale `s_out + 2`, `3.4e-4` only below the clamp at
/// `−8`, then one rounding) plus the constants' rounding (`2^-17` relative), and
/// for CELU `|α|·2^-(s_in+1)` from rounding `x/α` to scale `s_in`.
pub fn exp_linear(x: i128, s_in: u32, s_out: u32, p: ExpLinear) -> i128 {
    let s_e = s_out + EXP_EXTRA_BITS;
    let total = if x >= 0 {
        (i128::from(p.gamma) * x) << s_e
    } else {
        let z = rescale(x * i128::from(p.inv_alpha), CONST_SHIFT);
        (i128::from(p.gamma_alpha) * (exp_neg_fine(z, s_in, s_e) - (1 << s_e))) << s_in
    };
    rescale(total, s_in + s_e + CONST_SHIFT - s_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Max |approx − exact| over all 16-bit inputs at `s_in = 8`.
    fn max_error(p: ExpLinear, exact: impl Fn(f64) -> f64, s_out: u32) -> f64 {
        (-32768..=32767i128)
            .map(|x| {
                let got = exp_linear(x, 8, s_out, p) as f64 / (1u64 << s_out) as f64;
                (got - exact(x as f64 / 256.0)).abs()
            })
            .fold(0.0, f64::max)
    }

    #[test]
    fn elu_error_bound() {
        for s_out in [8, 12, 16] {
            let exact = |x: f64| if x >= 0.0 { x } else { x.exp_m1() };
            let err = max_error(ExpLinear::elu(1.0).unwrap(), exact, s_out);
            assert!(
                err <= 3.4e-4 + 1.25 * 0.5f64.powi(s_out as i32 + 1),
                "s_out {s_out}: {err}"
            );
        }
    }

    #[test]
    fn selu_error_bound() {
        let (alpha, gamma) = (1.673_263_2, 1.050_701);
        let p = ExpLinear::selu(alpha, gamma).unwrap();
        for s_out in [8, 12, 16] {
            let exact = |x: f64| gamma * if x > 0.0 { x } else { alpha * x.exp_m1() };
            let err = max_error(p, exact, s_out);
            // γ·128 carries a relative constant error of 2^-17.
            let bound =
                1.76 * 3.4e-4 + 128.0 * 0.5f64.powi(17) + 1.25 * 0.5f64.powi(s_out as i32 + 1);
            assert!(err <= bound, "s_out {s_out}: {err}");
        }
    }

    #[test]
    fn celu_error_bound() {
        for alpha in [0.5, 1.0, 2.0] {
            let p = ExpLinear::celu(alpha).unwrap();
            for s_out in [8, 12] {
                let exact = |x: f64| x.max(0.0) + (alpha * (x / alpha).exp_m1()).min(0.0);
                let err = max_error(p, exact, s_out);
                // x/α rounded to scale 8 (2^-9) moves α(e^z − 1) by up to α·2^-9.
                let bound = alpha * (3.4e-4 + 0.5f64.powi(s_out as i32 + 3) + 0.5f64.powi(9))
                    + 0.5f64.powi(s_out as i32 + 1);
                assert!(err <= bound, "α {alpha}, s_out {s_out}: {err}");
            }
        }
    }

    #[test]
    fn fine_exp_error_bound() {
        for s_out in [8, 12, 16, 20] {
            // Above the clamp: the fit and the Horner rounding only.
            let err = (-2048..=0i128)
                .map(|x| {
                    let got = exp_neg_fine(x, 8, s_out) as f64 / (1u64 << s_out) as f64;
                    (got - (x as f64 / 256.0).exp()).abs()
                })
                .fold(0.0, f64::max);
            assert!(
                err <= 3.1e-6 + 1.05 * 0.5f64.powi(s_out as i32 + 1),
                "s_out {s_out}: {err}"
            );
        }
    }

    #[test]
    fn positive_branch_is_exact_when_scales_allow() {
        let p = ExpLinear::elu(0.7).unwrap();
        for x in 0..5000 {
            assert_eq!(exp_linear(x, 7, 9, p), x << 2);
        }
    }

    #[test]
    fn malformed_parameters_are_refused() {
        assert!(ExpLinear::celu(0.0).is_none());
        assert!(ExpLinear::celu(-1.0).is_none());
        assert!(ExpLinear::celu(f64::NAN).is_none());
        assert!(ExpLinear::elu(f64::INFINITY).is_none());
        assert!(ExpLinear::celu(1e6).is_none());
    }
}
