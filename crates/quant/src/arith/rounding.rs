//! Rounding divisions and bit widths.
//!
//! Every rounding in the quantized model is "round half up":
//! `floor(x/d + 1/2)`. It is what a circuit proves cheaply with one
//! decomposition `x + floor(d/2) = q·d + r`, `0 ≤ r < d`, and unlike
//! round-half-away-from-zero it needs no sign.

/// Divides by `2^k`, rounding half up: `floor((x + 2^(k-1)) / 2^k)`, and `x` for `k = 0`.
///
/// This is the fixed-point rescale: a value at scale `s + k` becomes the
/// nearest value at scale `s`, ties going towards +∞ (`rescale(-3, 1) = -1`,
/// `rescale(3, 1) = 2`). The circuit proves `x + 2^(k-1) = q·2^k + r` with
/// `0 ≤ r < 2^k`. Domain: `|x| < 2^126`, `k < 127`.
pub fn rescale(x: i128, k: u32) -> i128 {
    if k == 0 {
        x
    } else {
        (x + (1i128 << (k - 1))) >> k
    }
}

/// Divides by a positive constant `d`, rounding half up: `floor((x + floor(d/2)) / d)`.
///
/// Used by average pooling and division by constants. For even `d` ties go
/// towards +∞; for odd `d` there are no ties. Equals [`rescale`] when `d = 2^k`.
///
/// # Panics
/// If `d ≤ 0`.
pub fn div_round(x: i128, d: i128) -> i128 {
    assert!(d > 0, "div_round: divisor {d} must be positive");
    (x + d / 2).div_euclid(d)
}

/// Divides by a positive *private* value `d`, rounding half up: `floor((2n + d) / (2d))`.
///
/// The circuit proves `2n + d = q·2d + r` with `0 ≤ r < 2d`; one product
/// (`q·d`) and two range checks. Used by softmax and sigmoid.
///
/// # Panics
/// If `d ≤ 0`.
pub fn div_round_private(n: i128, d: i128) -> i128 {
    assert!(d > 0, "div_round_private: divisor {d} must be positive");
    (2 * n + d).div_euclid(2 * d)
}

/// The inclusive range `[-2^(b-1), 2^(b-1) - 1]` of `b`-bit two's-complement integers.
///
/// # Panics
/// If `b` is 0 or above 127.
pub fn signed_range(b: u32) -> (i128, i128) {
    assert!((1..=127).contains(&b), "signed_range: {b} bits");
    (-(1i128 << (b - 1)), (1i128 << (b - 1)) - 1)
}

/// Bit widths of integer ranges.
///
/// The circuit range-checks values by bit decomposition, so every wire in a
/// quantized model has a bit budget: a `b`-bit signed value lies in
/// [`signed_range(b)`](signed_range).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Bits(pub u32);

impl Bits {
    /// The fewest bits `b ≥ 1` such that `[lo, hi] ⊆ [-2^(b-1), 2^(b-1))`.
    ///
    /// # Panics
    /// If `lo > hi`.
    pub fn signed_for_range(lo: i128, hi: i128) -> Self {
        assert!(lo <= hi, "Bits::signed_for_range: empty range [{lo}, {hi}]");
        let mut b = 1;
        while !(-(1i128 << (b - 1)) <= lo && hi < (1i128 << (b - 1))) {
            b += 1;
        }
        Bits(b)
    }

    /// The fewest bits `b ≥ 1` such that `[0, hi] ⊆ [0, 2^b)`.
    ///
    /// # Panics
    /// If `hi < 0`.
    pub fn unsigned_for_max(hi: i128) -> Self {
        assert!(hi >= 0, "Bits::unsigned_for_max: negative maximum {hi}");
        let mut b = 1;
        while hi >= (1i128 << b) {
            b += 1;
        }
        Bits(b)
    }

    /// The signed range `[-2^(b-1), 2^(b-1) - 1]` of this width.
    pub fn signed_range(self) -> (i128, i128) {
        signed_range(self.0)
    }

    /// Whether `x` fits this width as a signed value.
    pub fn fits_signed(self, x: i128) -> bool {
        let (lo, hi) = self.signed_range();
        lo <= x && x <= hi
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn floor_div(a: i128, b: i128) -> i128 {
        let q = a / b;
        if (a % b != 0) && ((a < 0) != (b < 0)) {
            q - 1
        } else {
            q
        }
    }

    #[test]
    fn rescale_rounds_half_up() {
        assert_eq!(rescale(3, 1), 2);
        assert_eq!(rescale(-3, 1), -1);
        assert_eq!(rescale(-5, 2), -1);
        assert_eq!(rescale(-6, 2), -1);
        assert_eq!(rescale(-7, 2), -2);
        assert_eq!(rescale(7, 0), 7);
    }

    #[test]
    fn bits_of_ranges() {
        assert_eq!(Bits::signed_for_range(-128, 127), Bits(8));
        assert_eq!(Bits::signed_for_range(-128, 128), Bits(9));
        assert_eq!(Bits::signed_for_range(0, 0), Bits(1));
        assert_eq!(Bits::signed_for_range(-1, 0), Bits(1));
        assert_eq!(Bits::unsigned_for_max(255), Bits(8));
        assert_eq!(Bits::unsigned_for_max(256), Bits(9));
        assert_eq!(Bits::unsigned_for_max(0), Bits(1));
    }

    proptest! {
        #[test]
        fn rescale_is_floor_of_shifted(x in -(1i128 << 100)..(1i128 << 100), k in 0u32..64) {
            let expected = if k == 0 { x } else { floor_div(x + (1i128 << (k - 1)), 1i128 << k) };
            prop_assert_eq!(rescale(x, k), expected);
            // and it is the real x/2^k rounded half up (exact in f64 for small x)
            if x.abs() < (1 << 40) {
                let real = x as f64 / (1u64 << k) as f64;
                prop_assert_eq!(rescale(x, k) as f64, (real + 0.5).floor());
            }
            // the decomposition the circuit proves
            if k > 0 {
                let r = x + (1i128 << (k - 1)) - rescale(x, k) * (1i128 << k);
                prop_assert!((0..(1i128 << k)).contains(&r));
            }
        }

        #[test]
        fn div_round_is_floor_of_shifted(x in -(1i128 << 90)..(1i128 << 90), d in 1i128..100_000) {
            prop_assert_eq!(div_round(x, d), floor_div(x + d / 2, d));
            let r = x + d / 2 - div_round(x, d) * d;
            prop_assert!((0..d).contains(&r));
            if d.count_ones() == 1 {
                prop_assert_eq!(div_round(x, d), rescale(x, d.trailing_zeros()));
            }
        }

        #[test]
        fn div_round_private_is_nearest(n in -(1i128 << 60)..(1i128 << 60), d in 1i128..(1i128 << 30)) {
            let q = div_round_private(n, d);
            prop_assert_eq!(q, floor_div(2 * n + d, 2 * d));
            // |n/d - q| ≤ 1/2, ties up: 2n + d - 2dq ∈ [0, 2d)
            let r = 2 * n + d - 2 * d * q;
            prop_assert!((0..2 * d).contains(&r));
        }

        #[test]
        fn bits_are_minimal(lo in -(1i128 << 70)..(1i128 << 70), len in 0i128..(1i128 << 70)) {
            let hi = lo + len;
            let b = Bits::signed_for_range(lo, hi);
            prop_assert!(b.fits_signed(lo) && b.fits_signed(hi));
            if b.0 > 1 {
                let smaller = Bits(b.0 - 1);
                prop_assert!(!(smaller.fits_signed(lo) && smaller.fits_signed(hi)));
            }
        }
    }
}
