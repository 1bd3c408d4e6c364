//! Integer square root of a scaled value.
//!
//! `√` of a fixed-point value `x/2^s_in` at output scale `s_out` is
//! `√(x·2^(2·s_out − s_in)) / 2^s_out`, so one integer function covers every
//! scale pair: [`sqrt_scaled`]`(x, k) = floor(√(x·2^k))`. Floor (not
//! nearest) because its certificate is the cheapest: `y ≥ 0` and
//! `y² ≤ X < (y + 1)²`, i.e. `0 ≤ X − y² ≤ 2y`: one product and two range
//! checks, with a unique `y` for every `X ≥ 0`. The bias is below one unit of
//! the output scale.

/// `floor(√n)` for `n ≥ 0`, exactly (Newton's method on integers).
fn isqrt(n: i128) -> i128 {
    if n < 2 {
        return n;
    }
    // Start above the root: 2^ceil(bits/2) ≥ √n.
    let bits = 128 - n.leading_zeros();
    let mut x = 1i128 << bits.div_ceil(2);
    loop {
        let y = (x + n / x) / 2;
        if y >= x {
            return x;
        }
        x = y;
    }
}

/// `floor(√(x·2^k))` for `x ≥ 0`; `None` for `x < 0` (a negative radicand has no real root).
///
/// The circuit proves `y ≥ 0` and `0 ≤ x·2^k − y² ≤ 2y`. Domain: `x·2^k < 2^126`.
pub fn sqrt_scaled(x: i128, k: u32) -> Option<i128> {
    if x < 0 {
        return None;
    }
    Some(isqrt(x << k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_on_squares_and_neighbours() {
        for y in [0i128, 1, 2, 3, 10, 1 << 20, (1 << 40) + 7] {
            assert_eq!(sqrt_scaled(y * y, 0), Some(y));
            if y > 0 {
                assert_eq!(sqrt_scaled(y * y - 1, 0), Some(y - 1));
            }
            assert_eq!(sqrt_scaled(y * y + 2 * y, 0), Some(y));
        }
        assert_eq!(sqrt_scaled(2, 2), Some(2)); // √8 = 2.83
        assert_eq!(sqrt_scaled(-1, 0), None);
    }

    proptest! {
        #[test]
        fn is_the_floor_of_the_root(x in 0i128..(1i128 << 80), k in 0u32..40) {
            let y = sqrt_scaled(x, k).unwrap();
            let big = x << k;
            prop_assert!(y >= 0);
            prop_assert!(y * y <= big && big < (y + 1) * (y + 1));
            // the certificate the circuit checks
            prop_assert!((0..=2 * y).contains(&(big - y * y)));
        }
    }
}
