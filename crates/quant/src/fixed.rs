//! Conversions between reals and fixed-point integers.
//!
//! These run outside the circuit (on weights at quantization time, on inputs
//! before an inference, on outputs after it), so their rounding is a choice of
//! this crate rather than a constraint: we use the same "round half up" rule
//! as [`arith::rescale`](crate::arith::rescale) so that every rounding in the
//! pipeline breaks ties the same way.

use crate::arith::Bits;

/// `floor(x·2^scale + 1/2)`: the real `x` at scale `scale`, rounded half up.
/// `None` when `x` is not finite or the result does not fit in `i128` with a margin.
pub fn quantize(x: f64, scale: i32) -> Option<i128> {
    let scaled = (x * 2f64.powi(scale) + 0.5).floor();
    (scaled.is_finite() && scaled.abs() < 2f64.powi(120)).then_some(scaled as i128)
}

/// The real value of integer `n` at scale `scale`: `n / 2^scale`.
pub fn dequantize(n: i128, scale: u32) -> f64 {
    n as f64 / 2f64.powi(scale as i32)
}

/// Bits needed by a tensor whose real values satisfy `|x| ≤ bound`, at scale
/// `scale`: the signed width of `[-M, M]` with `M = ceil(bound·2^scale) + 1`
/// (the `+ 1` absorbs the rounding of the value itself).
pub fn bits_for_bound(bound: f64, scale: u32) -> u32 {
    let m = (bound.abs() * 2f64.powi(scale as i32)).ceil();
    if !m.is_finite() || m >= 2f64.powi(125) {
        return 127;
    }
    let m = m as i128 + 1;
    Bits::signed_for_range(-m, m).0
}

/// Bits needed by the integers in `[lo, hi]`, as a signed value.
pub fn bits_for_range(lo: i128, hi: i128) -> u32 {
    Bits::signed_for_range(lo.min(hi), hi.max(lo)).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantize_rounds_half_up() {
        assert_eq!(quantize(0.5, 0), Some(1));
        assert_eq!(quantize(-0.5, 0), Some(0));
        assert_eq!(quantize(-1.5, 0), Some(-1));
        assert_eq!(quantize(1.0 / 3.0, 7), Some(43));
        assert_eq!(quantize(f64::NAN, 7), None);
        assert_eq!(dequantize(43, 7), 43.0 / 128.0);
    }

    #[test]
    fn bounds_to_bits() {
        // 1.0 at scale 7: |n| ≤ 129 → 9 bits.
        assert_eq!(bits_for_bound(1.0, 7), 9);
        assert_eq!(bits_for_bound(0.0, 7), 2);
    }
}
