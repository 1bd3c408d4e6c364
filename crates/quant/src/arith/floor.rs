//! Floor, ceiling and rounding of fixed-point values to whole numbers.
//!
//! At scale `s` the real `x/2^s` is an integer exactly when `x` is a multiple
//! of `2^s`, so `Floor`, `Ceil` and `Round` keep the scale and return
//! `2^s·f(x/2^s)`. Each is one division by `2^s` with a remainder in
//! `[0, 2^s)`: `x + c = q·2^s + r` with `c = 0` (floor), `c = 2^s − 1` (ceil)
//! or `c = 2^(s−1)` (round). Round follows ONNX: ties go to the even
//! neighbour, so after the half-up division an exact tie (`r = 0`) with an odd
//! `q` is moved down by one; the circuit detects the tie with one zero test.

/// Which whole number a real is taken to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FloorMode {
    /// Towards −∞.
    Floor,
    /// Towards +∞.
    Ceil,
    /// Nearest, ties to even (ONNX `Round`).
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

/// `2^s·f(x/2^s)` for `f` = floor, ceil or round half to even; the identity for `s = 0`.
///
/// Proven as `x + c = q·2^s + r`, `0 ≤ r < 2^s` ([`FloorMode::offset`] gives
/// `c`), output `q·2^s`, or `(q − [r = 0]·[q odd])·2^s` for [`FloorMode::Round`].
/// Monotone in `x`. Domain: `|x| < 2^125`, `s < 126`.
pub fn floor_at_scale(x: i128, s: u32, mode: FloorMode) -> i128 {
    if s == 0 {
        return x;
    }
    let shifted = x + mode.offset(s);
    let mut q = shifted >> s;
    let tie = shifted - (q << s) == 0;
    if mode == FloorMode::Round && tie && q & 1 == 1 {
        q -= 1;
    }
    q << s
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
        // ties to even: 2.5 → 2, −2.5 → −2, 1.5 → 2, 0.5 → 0, 2.75 → 3
        assert_eq!(floor_at_scale(10, 2, FloorMode::Round), 8);
        assert_eq!(floor_at_scale(-10, 2, FloorMode::Round), -8);
        assert_eq!(floor_at_scale(6, 2, FloorMode::Round), 8);
        assert_eq!(floor_at_scale(2, 2, FloorMode::Round), 0);
        assert_eq!(floor_at_scale(11, 2, FloorMode::Round), 12);
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
            // f64::round_ties_even is exactly ONNX Round
            prop_assert_eq!(floor_at_scale(x, s, FloorMode::Round) as f64, real.round_ties_even() * unit);
        }
    }
}
