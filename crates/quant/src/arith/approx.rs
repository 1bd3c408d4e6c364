//! Fixed-point approximations of transcendental functions.
//!
//! Every function takes an integer input at scale `s_in` (real `x = n/2^s_in`)
//! and returns an integer at scale `s_out`. They are built from pieces that
//! are cheap in R1CS and need no lookup table:
//!
//! * [`FixedPoly`]: clamp to a range of width `2^ρ`, then a Chebyshev fit
//!   evaluated by Horner's rule in fixed point, each multiply followed by a
//!   [`rescale`] (one product and one decomposition per degree);
//! * exact integer identities: `σ(x) = 1/(1+e^{-|x|})` mirrored for `x < 0`,
//!   `tanh(x) = 2σ(2x) − 1`, `erf(z) ≈ tanh(1.1283791·z + 0.10091·z³)`,
//!   `gelu(x) = x·(1 + erf(x/√2))/2`, `softplus(x) = relu(x) + ln(1 + e^{-|x|})`;
//! * [`div_round_private`]: division by a private positive value with a
//!   range-checked remainder.
//!
//! Maximum absolute errors (real units, against `f64`) are measured by the
//! exhaustive tests below over every 16-bit input at `s_in = 8` for each
//! listed `s_out`; each function's doc states its bound.

use super::elementwise::{clip, relu};
use super::rounding::{div_round_private, rescale};

/// A polynomial in `t = x / 2^ρ` evaluated in fixed point by Horner's rule.
///
/// With `x` at scale `s_in`, `t` is the same integer at scale `s_t = s_in + ρ`
/// (no arithmetic). Coefficients are rounded to the working scale
/// `s_c = s_out + GUARD_BITS`. Horner's rule runs
/// `acc ← rescale(acc·t, s_t) + c_j` for `j = d−1, …, 1` starting from
/// `acc = c_d`, and the last step folds the output rescale into one rounding:
/// `out = rescale(acc·t + c_0·2^s_t, s_t + GUARD_BITS)`.
#[derive(Clone, Copy, Debug)]
pub struct FixedPoly {
    /// Real coefficients `a_0, …, a_d` of the polynomial in `t` (degree ≥ 1).
    pub coeffs: &'static [f64],
    /// `ρ`: the input is divided by `2^ρ` to give `t`.
    pub input_shift: u32,
}

impl FixedPoly {
    /// Extra bits of the working scale over the output scale.
    pub const GUARD_BITS: u32 = 8;

    /// The coefficients at working scale `s_out + GUARD_BITS`: `round(a_j·2^(s_out+8))`.
    ///
    /// Multiplying by a power of two and rounding are exact in IEEE arithmetic,
    /// so these integers are the same on every platform.
    pub fn coefficient_ints(&self, s_out: u32) -> Vec<i128> {
        let scale = (2.0f64).powi((s_out + Self::GUARD_BITS) as i32);
        self.coeffs
            .iter()
            .map(|a| (a * scale).round() as i128)
            .collect()
    }

    /// The Horner accumulators `acc_{d-1}, …, acc_1` followed by the output, for input `x` at scale `s_in`.
    ///
    /// The gadget mirrors these steps one to one; [`FixedPoly::eval`] is the last entry.
    pub fn trace(&self, x: i128, s_in: u32, s_out: u32) -> Vec<i128> {
        let c = self.coefficient_ints(s_out);
        let d = c.len() - 1;
        assert!(d >= 1, "FixedPoly needs degree ≥ 1");
        let s_t = s_in + self.input_shift;
        let mut acc = c[d];
        let mut steps = Vec::with_capacity(d);
        for j in (1..d).rev() {
            acc = rescale(acc * x, s_t) + c[j];
            steps.push(acc);
        }
        steps.push(rescale(acc * x + (c[0] << s_t), s_t + Self::GUARD_BITS));
        steps
    }

    /// The polynomial at `x` (scale `s_in`), at scale `s_out`.
    pub fn eval(&self, x: i128, s_in: u32, s_out: u32) -> i128 {
        *self.trace(x, s_in, s_out).last().expect("non-empty trace")
    }
}

/// `e^{8t}` on `t ∈ [-1, 0]`, degree 8 Chebyshev fit (max error 9.5e-5).
pub const EXP_POLY: FixedPoly = FixedPoly {
    coeffs: &[
        0.9999055289844715,
        7.983857428804639,
        31.53899941329017,
        80.1506100207117,
        140.469348273115,
        168.68071454354754,
        131.535325808205,
        59.503184360130724,
        11.775186813016445,
    ],
    input_shift: 3,
};

/// `ln(1 + u)` on `u ∈ [0, 1]`, degree 6 Chebyshev fit (max error 1.5e-6).
pub const LOG1P_POLY: FixedPoly = FixedPoly {
    coeffs: &[
        1.4720650111484579e-06,
        0.9998476974962355,
        -0.4973732161579576,
        0.3157473167580356,
        -0.19035433673324154,
        0.08269123711160571,
        -0.017414077524329816,
    ],
    input_shift: 0,
};

/// Inputs below `-EXP_CLAMP` (real units) are clamped: `e^{-8} ≈ 3.4e-4` is the price.
pub const EXP_CLAMP: i128 = 8;

/// Extra output bits used for intermediate exponentials in sigmoid, softplus, GELU and softmax.
pub const EXP_EXTRA_BITS: u32 = 2;

/// `2/√π` at scale 16, the linear coefficient of the erf approximation.
pub const ERF_C1: i128 = 73949;
/// `0.10091` at scale 16, the cubic coefficient of the erf approximation.
pub const ERF_C3: i128 = 6613;
/// The scale of [`ERF_C1`], [`ERF_C3`] and [`INV_SQRT2`].
pub const CONST_SHIFT: u32 = 16;
/// `1/√2` at scale 16.
pub const INV_SQRT2: i128 = 46341;
/// Extra fractional bits of the erf approximation's tanh argument over the input scale.
pub const ERF_ARG_EXTRA_BITS: u32 = 8;
/// erf inputs are clamped to `[-4, 4]` (real), where `1 − erf(4) < 2e-8`.
pub const ERF_CLAMP: i128 = 4;

/// Moves `x` from scale `from` to scale `to`: exact shift up, or [`rescale`] down.
pub fn change_scale(x: i128, from: u32, to: u32) -> i128 {
    if to >= from {
        x << (to - from)
    } else {
        rescale(x, from - to)
    }
}

/// `e^x` for `x ≤ 0`: clamp to `[-8, 0]`, then [`EXP_POLY`].
///
/// Max error over all 16-bit inputs at `s_in = 8`: `4.4e-4 + 2^-(s_out+1)`
/// (clamp `3.4e-4` + fit `9.5e-5` + Horner rounding).
///
/// # Panics
/// In debug builds, if `x > 0`.
pub fn exp_neg(x: i128, s_in: u32, s_out: u32) -> i128 {
    debug_assert!(x <= 0, "exp_neg: positive input {x}");
    let clamped = x.max(-(EXP_CLAMP << s_in));
    EXP_POLY.eval(clamped, s_in, s_out)
}

/// The logistic function `σ(x) = 1/(1 + e^{-x})`.
///
/// `y = div_round_private(2^(s_out+s_e), 2^s_e + exp_neg(-|x|))` with
/// `s_e = s_out + 2`, and `2^s_out − y` for `x < 0`.
/// Max error: `4.4e-4 + 1.25·2^-(s_out+1)` (the exponential's error plus two roundings).
pub fn sigmoid(x: i128, s_in: u32, s_out: u32) -> i128 {
    let s_e = s_out + EXP_EXTRA_BITS;
    let e = exp_neg(-x.abs(), s_in, s_e);
    let y = div_round_private(1i128 << (s_out + s_e), (1i128 << s_e) + e);
    if x >= 0 {
        y
    } else {
        (1i128 << s_out) - y
    }
}

/// `tanh(x) = 2σ(2x) − 1`: [`sigmoid`] of the same integer read at scale
/// `s_in − 1`, at output scale `s_out + 1`, minus `2^s_out` (exact).
/// Max error: `8.8e-4 + 1.25·2^-(s_out+1)`.
///
/// # Panics
/// If `s_in = 0`.
pub fn tanh(x: i128, s_in: u32, s_out: u32) -> i128 {
    assert!(s_in >= 1, "tanh needs s_in ≥ 1");
    sigmoid(x, s_in - 1, s_out + 1) - (1i128 << s_out)
}

/// `erf(z) ≈ tanh(1.1283791·z + 0.10091·z³)` with `z` clamped to `[-4, 4]`.
///
/// `z² = rescale(z·z, s_in)`, `z³ = rescale(z²·z, s_in)`,
/// `w = rescale(ERF_C1·z + ERF_C3·z³, 8)` (scale `s_in + 8`), then [`tanh`]`(w)`.
/// Max error: `8.8e-4 + 1.25·2^-(s_out+1)` (the tanh clamp dominates the `3.6e-4` of the formula).
pub fn erf(z: i128, s_in: u32, s_out: u32) -> i128 {
    let zc = clip(z, -(ERF_CLAMP << s_in), ERF_CLAMP << s_in);
    let z2 = rescale(zc * zc, s_in);
    let z3 = rescale(z2 * zc, s_in);
    let w = rescale(ERF_C1 * zc + ERF_C3 * z3, CONST_SHIFT - ERF_ARG_EXTRA_BITS);
    tanh(w, s_in + ERF_ARG_EXTRA_BITS, s_out)
}

/// `gelu(x) = x·(1 + erf(x/√2))/2`.
///
/// `a = rescale(x·INV_SQRT2, 16)`, `e = erf(a)` at `s_e = s_out + 2`,
/// `out = rescale(x·(2^s_e + e), s_in + s_e + 1 − s_out)`.
/// The error grows with `|x|` (the erf error is multiplied by `|x|/2`):
/// max error over `|x| ≤ 8`: `4.5e-3 + 2^-(s_out+1)`.
pub fn gelu(x: i128, s_in: u32, s_out: u32) -> i128 {
    let s_e = s_out + EXP_EXTRA_BITS;
    let a = rescale(x * INV_SQRT2, CONST_SHIFT);
    let e = erf(a, s_in, s_e);
    rescale(x * ((1i128 << s_e) + e), s_in + s_e + 1 - s_out)
}

/// `softplus(x) = ln(1 + e^x) = relu(x) + ln(1 + e^{-|x|})`.
///
/// `e = exp_neg(-|x|)` at `s_e = s_out + 2`, then [`LOG1P_POLY`] at `e`
/// (scale `s_e`), plus `relu(x)` moved to `s_out` by [`change_scale`].
/// Max error: `4.0e-4 + 2^-s_out`.
pub fn softplus(x: i128, s_in: u32, s_out: u32) -> i128 {
    let s_e = s_out + EXP_EXTRA_BITS;
    let e = exp_neg(-x.abs(), s_in, s_e);
    change_scale(relu(x), s_in, s_out) + LOG1P_POLY.eval(e, s_e, s_out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// erf to ~1e-9: Maclaurin series for |x| ≤ 3, asymptotic erfc beyond.
    fn erf_f64(x: f64) -> f64 {
        if x.abs() > 3.0 {
            let y = x.abs();
            let y2 = y * y;
            let series =
                1.0 - 1.0 / (2.0 * y2) + 3.0 / (4.0 * y2 * y2) - 15.0 / (8.0 * y2 * y2 * y2);
            let erfc = (-y2).exp() / (y * std::f64::consts::PI.sqrt()) * series;
            return x.signum() * (1.0 - erfc);
        }
        let mut sum = 0.0;
        let mut term = x;
        let mut n = 0.0;
        loop {
            let add = term / (2.0 * n + 1.0);
            sum += add;
            if add.abs() < 1e-17 {
                break;
            }
            n += 1.0;
            term *= -x * x / n;
        }
        2.0 / std::f64::consts::PI.sqrt() * sum
    }

    /// Max |approx − exact| over all 16-bit inputs in `range` at `s_in = 8`.
    fn max_error(
        f: impl Fn(i128, u32, u32) -> i128,
        exact: impl Fn(f64) -> f64,
        range: std::ops::RangeInclusive<i128>,
        s_out: u32,
    ) -> f64 {
        let s_in = 8;
        range
            .map(|x| {
                let real = x as f64 / 256.0;
                let got = f(x, s_in, s_out) as f64 / (1u64 << s_out) as f64;
                (got - exact(real)).abs()
            })
            .fold(0.0, f64::max)
    }

    const FULL: std::ops::RangeInclusive<i128> = -32768..=32767;

    #[test]
    fn exp_error_bound() {
        for s_out in [8, 12, 16] {
            let err = max_error(exp_neg, f64::exp, -32768..=0, s_out);
            assert!(
                err <= 4.4e-4 + 0.5f64.powi(s_out as i32 + 1),
                "s_out {s_out}: {err}"
            );
        }
    }

    #[test]
    fn sigmoid_error_bound() {
        for s_out in [8, 12, 16] {
            let err = max_error(sigmoid, |x| 1.0 / (1.0 + (-x).exp()), FULL, s_out);
            assert!(
                err <= 4.4e-4 + 1.25 * 0.5f64.powi(s_out as i32 + 1),
                "s_out {s_out}: {err}"
            );
        }
    }

    #[test]
    fn tanh_error_bound() {
        for s_out in [8, 12, 16] {
            let err = max_error(tanh, f64::tanh, FULL, s_out);
            assert!(
                err <= 8.8e-4 + 1.25 * 0.5f64.powi(s_out as i32 + 1),
                "s_out {s_out}: {err}"
            );
        }
    }

    #[test]
    fn erf_error_bound() {
        for s_out in [8, 12, 16] {
            let err = max_error(erf, erf_f64, FULL, s_out);
            assert!(
                err <= 8.8e-4 + 1.25 * 0.5f64.powi(s_out as i32 + 1),
                "s_out {s_out}: {err}"
            );
        }
    }

    #[test]
    fn gelu_error_bound() {
        for s_out in [8, 12, 16] {
            let exact = |x: f64| 0.5 * x * (1.0 + erf_f64(x / std::f64::consts::SQRT_2));
            let err = max_error(gelu, exact, -2048..=2048, s_out);
            assert!(
                err <= 4.5e-3 + 0.5f64.powi(s_out as i32 + 1),
                "s_out {s_out}: {err}"
            );
        }
    }

    #[test]
    fn softplus_error_bound() {
        for s_out in [8, 12, 16] {
            let err = max_error(softplus, |x| x.exp().ln_1p(), FULL, s_out);
            assert!(
                err <= 4.0e-4 + 0.5f64.powi(s_out as i32),
                "s_out {s_out}: {err}"
            );
        }
    }

    #[test]
    fn exp_is_nonnegative_and_at_most_one_ulp_above_one() {
        for s_out in [4, 8, 12, 16] {
            for x in -32768..=0 {
                let e = exp_neg(x, 8, s_out);
                assert!(
                    (0..=(1 << s_out) + 1).contains(&e),
                    "exp({x}) = {e} at s_out {s_out}"
                );
            }
        }
    }
}
