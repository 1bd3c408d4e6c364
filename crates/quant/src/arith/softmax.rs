//! Integer softmax.

use super::approx::{exp_neg, EXP_EXTRA_BITS};
use super::elementwise::max_reduce;
use super::rounding::div_round_private;

/// Extra bits of the exponentials over the output scale in [`softmax`].
pub const SOFTMAX_EXP_EXTRA_BITS: u32 = EXP_EXTRA_BITS + 2;

/// Softmax of `xs` (scale `s_in`) at scale `s_out`.
///
/// `m = max(xs)`; `e_i = exp_neg(x_i − m)` at `s_e = s_out + 4`; `S = Σ e_i`;
/// `y_i = div_round_private(e_i·2^s_out, S) = floor((2·e_i·2^s_out + S) / (2S))`,
/// i.e. `e_i/S` rounded half up (the circuit range-checks the remainder
/// `0 ≤ r < 2S`). `S ≥ e_max ≈ 2^s_e > 0`, so the division is defined.
/// The outputs need not sum to exactly `2^s_out` (each is rounded separately).
///
/// # Panics
/// If `xs` is empty.
pub fn softmax(xs: &[i128], s_in: u32, s_out: u32) -> Vec<i128> {
    let m = max_reduce(xs);
    let s_e = s_out + SOFTMAX_EXP_EXTRA_BITS;
    let exps: Vec<i128> = xs.iter().map(|&x| exp_neg(x - m, s_in, s_e)).collect();
    let sum: i128 = exps.iter().sum();
    exps.iter()
        .map(|&e| div_round_private(e << s_out, sum))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_is_close_to_float() {
        let xs = [-300i128, 0, 256, 512, 512, -4000];
        let got = softmax(&xs, 8, 12);
        let reals: Vec<f64> = xs.iter().map(|&x| x as f64 / 256.0).collect();
        let m = reals.iter().cloned().fold(f64::MIN, f64::max);
        let sum: f64 = reals.iter().map(|x| (x - m).exp()).sum();
        for (g, r) in got.iter().zip(&reals) {
            let exact = (r - m).exp() / sum;
            assert!((*g as f64 / 4096.0 - exact).abs() < 1e-3, "{g} vs {exact}");
        }
    }
}
