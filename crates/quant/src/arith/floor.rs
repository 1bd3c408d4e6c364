//! Floor, ceiling and rounding of fixed-point values to whole numbers.
//!
//! At scale `s` the real `x/2^s` is an integer exactly when `x` is a multiple
//! of `2^s`, so `Floor`, `Ceil` and `Round` keep the scale and return
//! `2^s·f(x/2^s)`. Each is one division by `2^s` with a remainder in
//! `[0, 2^s)`: `x + c = q·2^s + r` with `c = 0` (floor), `c = 2^s − 1` (ceil)
//! or `c = 2^(s−1)` (round). Round is round half **up** like every rounding in
//! [`crate::arith`]; ONNX `Round` rounds ties to even, so the two differ on
//! exact ties `k + 1/2` only (one unit at scale 0).

/// Which whole number a real is taken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloorMode {
    /// Towards −∞.
    Floor,
    /// Towards +∞.
    Ceil,
    /// Nearest, ties towards +∞.
    Round,
}

impl FloorMode {
    /// The offset `c` added before flooring the division by `2^s` (`s ≥ 1`).
    pub fn offset(self, s: u32) -> i128 {
        match self {
            FloorMode::Floor => 0,
            FloorMode::Ceil => (1i128 << s) - 1,
            FloorMode::Round => 1i128 << (s - 1),
        }
    }
}

/// `2^s·f(x/2^s)` for `f` = floor, ceil or round half up; the identity for `s = 0`.
///
/// Proven as `x + c = q·2^s + r`, `0 ≤ r < 2^s`, output `q·2^s`
/// ([`FloorMode::offset`] gives `c`). Domain: `|x| < 2^125`, `s < 126`.
pub fn floor_at_scale(x: i128, s: u32, mode: FloorMode) -> i128 {
    if s == 0 {
        return x;
    }
    ((x + mode.offset(s)) >> s) << s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn whole_numbers_at_scale_two() {
        // 2.25 = 9/4, −2.25 = −9/4, 2.5 = 10/4
        assert_eq!(floor_at_scale(9, 2, FloorMode::Floor), 8);
        assert_eq!(floor_at_scale(-9, 2, FloorMode::Floor), -12);
        assert_eq!(floor_at_scale(9, 2, FloorMode::Ceil), 12);
        assert_eq!(floor_at_scale(-9, 2, FloorMode::Ceil), -8);
        assert_eq!(floor_at_scale(10, 2, FloorMode::Round), 12);
        assert_eq!(floor_at_scale(-10, 2, FloorMode::Round), -8);
        assert_eq!(floor_at_scale(8, 2, FloorMode::Ceil), 8);
        assert_eq!(floor_at_scale(-7, 0, FloorMode::Floor), -7);
    }

    proptest! {
        #[test]
        fn matches_the_real_functions(x in -(1i128 << 50)..(1i128 << 50), s in 0u32..20) {
            let real = x as f64 / (1u64 << s) as f64;
            let unit = (1i128 << s) as f64;
            prop_assert_eq!(floor_at_scale(x, s, FloorMode::Floor) as f64, real.floor() * unit);
            prop_assert_eq!(floor_at_scale(x, s, FloorMode::Ceil) as f64, real.ceil() * unit);
            prop_assert_eq!(floor_at_scale(x, s, FloorMode::Round) as f64, (real + 0.5).floor() * unit);
        }
    }
}
