//! Bounds on how large a tensor the IR will materialise.
//!
//! Shapes in a model file are data: a 100-byte model can declare a
//! `[65536, 65536]` input, or a `ConstantOfShape`/`Expand`/broadcast whose
//! output has 2^40 elements. Shape inference evaluates ops on stand-in
//! tensors (see [`crate::infer`]), so without a bound such a file would make
//! the loader allocate until the process is killed. Every place that creates
//! a tensor whose size comes from the model (declared inputs, broadcasting,
//! shape-producing ops, matrix products, windows) checks it here first and
//! fails with [`IrError::TensorTooLarge`].

use crate::error::{IrError, IrResult};

/// Largest tensor, in elements, the IR creates: 2^28.
///
/// That is also the most constraints a BN254 Groth16 circuit can have (its
/// FFT domain is 2^28), and every element of a runtime tensor costs at least
/// one variable or linear combination, so a model with a larger tensor could
/// not be proven anyway. 2^28 `f32` values are 1 GiB.
pub const MAX_ELEMENTS: usize = 1 << 28;

/// Largest total, in elements, of the constants folded while a graph is
/// built (shape sub-graphs, generated tensors). Initializers are not
/// counted: their size is bounded by the model file's.
pub const MAX_FOLDED_ELEMENTS: usize = 1 << 28;

/// Number of elements of `shape`, refusing overflow and shapes beyond [`MAX_ELEMENTS`].
pub fn checked_elements(op: &'static str, shape: &[usize]) -> IrResult<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= MAX_ELEMENTS)
        .ok_or_else(|| IrError::TensorTooLarge {
            op,
            shape: shape.to_vec(),
            limit: MAX_ELEMENTS,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_beyond_the_bound_or_overflowing_are_refused() {
        assert_eq!(checked_elements("Test", &[2, 3]).unwrap(), 6);
        assert_eq!(checked_elements("Test", &[]).unwrap(), 1);
        assert_eq!(
            checked_elements("Test", &[MAX_ELEMENTS]).unwrap(),
            MAX_ELEMENTS
        );
        assert!(matches!(
            checked_elements("Test", &[MAX_ELEMENTS, 2]),
            Err(IrError::TensorTooLarge { op: "Test", .. })
        ));
        assert!(checked_elements("Test", &[usize::MAX, 2]).is_err());
        assert!(checked_elements("Test", &[1 << 20, 1 << 20]).is_err());
    }
}
