//! Division of a private value by a private, signed, non-zero divisor.
//!
//! [`div_round_private`](super::div_round_private) needs a positive divisor.
//! ONNX `Div` and `Reciprocal` divide by arbitrary runtime values, so the
//! sign is moved onto the numerator first: `n/d = (sgn(d)·n)/|d|`. The
//! rounding stays round half up *of the real quotient* (the same rule as
//! every other rounding here), and the circuit only ever divides by `|d| ≥ 1`.
//!
//! A zero divisor has no meaningful fixed-point quotient (ONNX gives ±∞ or
//! NaN), so it is refused: [`div_round_signed`] returns `None`, the
//! interpreter turns that into a typed error, and the gadget proves `|d| ≥ 1`,
//! so no proof exists for a zero divisor either.

use super::rounding::div_round_private;

/// `floor(n/d + 1/2)` for `d ≠ 0`: the real quotient rounded half up; `None` for `d = 0`.
///
/// Computed as `div_round_private(sgn(d)·n, |d|)`, the relation the circuit
/// proves: `2·sgn(d)·n + |d| = q·2|d| + r` with `0 ≤ r < 2|d|`.
/// Domain: `|n|, |d| < 2^125`.
pub fn div_round_signed(n: i128, d: i128) -> Option<i128> {
    if d == 0 {
        return None;
    }
    Some(div_round_private(n * d.signum(), d.abs()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn signs_and_ties() {
        assert_eq!(div_round_signed(7, 2), Some(4)); // 3.5 → 4
        assert_eq!(div_round_signed(-7, 2), Some(-3)); // −3.5 → −3 (half up)
        assert_eq!(div_round_signed(7, -2), Some(-3));
        assert_eq!(div_round_signed(-7, -2), Some(4));
        assert_eq!(div_round_signed(5, 1), Some(5));
        assert_eq!(div_round_signed(5, -1), Some(-5));
        assert_eq!(div_round_signed(0, -9), Some(0));
        assert_eq!(div_round_signed(5, 0), None);
    }

    proptest! {
        #[test]
        fn is_the_real_quotient_rounded_half_up(n in -(1i128 << 60)..(1i128 << 60), d in -(1i128 << 30)..(1i128 << 30)) {
            prop_assume!(d != 0);
            let q = div_round_signed(n, d).unwrap();
            // q = floor(n/d + 1/2) ⟺ q ≤ n/d + 1/2 < q + 1 ⟺ 2dq ≤ 2n + d < 2d(q+1) for d > 0
            // (inequalities flip for d < 0); checked in the sign-free form.
            let (n2, d2) = (2 * n * d.signum() + d.abs(), 2 * d.abs());
            prop_assert!(q * d2 <= n2 && n2 < (q + 1) * d2);
            if n.abs() < (1 << 40) {
                let real = n as f64 / d as f64;
                prop_assert!((q as f64 - real).abs() <= 0.5 + 1e-9);
            }
        }
    }
}
