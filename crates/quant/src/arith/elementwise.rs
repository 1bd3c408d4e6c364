//! Elementwise piecewise-linear functions and comparisons.

use super::rounding::rescale;

/// `max(x, 0)`. Scale-preserving.
pub fn relu(x: i128) -> i128 {
    x.max(0)
}

/// Leaky ReLU / PReLU with a fixed-point slope: `x` if `x ≥ 0`, else
/// [`rescale`]`(x·slope, shift)`.
///
/// `slope` is the real slope `α` at scale `shift` (`slope = round(α·2^shift)`),
/// so the negative branch is `α·x` rounded half up at the input's scale. PReLU
/// is the same function with one `slope` per channel.
pub fn leaky_relu(x: i128, slope: i64, shift: u32) -> i128 {
    if x >= 0 {
        x
    } else {
        rescale(x * slope as i128, shift)
    }
}

/// `min(max(x, lo), hi)`.
///
/// # Panics
/// If `lo > hi`.
pub fn clip(x: i128, lo: i128, hi: i128) -> i128 {
    assert!(lo <= hi, "clip: empty interval [{lo}, {hi}]");
    x.max(lo).min(hi)
}

/// The larger of two values.
pub fn max(a: i128, b: i128) -> i128 {
    a.max(b)
}

/// The largest element.
///
/// # Panics
/// If `xs` is empty.
pub fn max_reduce(xs: &[i128]) -> i128 {
    *xs.iter().max().expect("max_reduce of an empty slice")
}

/// The index of the largest element; ties go to the lowest index.
///
/// # Panics
/// If `xs` is empty.
pub fn argmax(xs: &[i128]) -> usize {
    assert!(!xs.is_empty(), "argmax of an empty slice");
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate() {
        if x > xs[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piecewise_functions() {
        assert_eq!(relu(-3), 0);
        assert_eq!(relu(3), 3);
        // slope 0.25 at scale 4 = 4
        assert_eq!(leaky_relu(-10, 4, 4), -2); // -2.5 rounds half up to -2
        assert_eq!(leaky_relu(10, 4, 4), 10);
        assert_eq!(clip(5, -2, 3), 3);
        assert_eq!(clip(-5, -2, 3), -2);
        assert_eq!(argmax(&[1, 5, 5, 2]), 1);
        assert_eq!(max_reduce(&[1, 5, 5, 2]), 5);
    }
}
