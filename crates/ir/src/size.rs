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
//!
//! The bounds are [`SizeLimits`]: [`MAX_ELEMENTS`] and [`MAX_FOLDED_ELEMENTS`]
//! by default, replaceable for the duration of a closure with
//! [`with_size_limits`]. They are scoped per thread rather than passed to
//! every op because the check sits deep inside op evaluation (a broadcast, a
//! generator) that has no other reason to know about them; the loader
//! (`zkinfer_onnx::LoadOptions::size_limits`) sets them around building a graph.

use std::cell::Cell;

use crate::error::{IrError, IrResult};

/// Default bound on one tensor, in elements: 2^28.
///
/// That is also the most constraints a BN254 Groth16 circuit can have (its
/// FFT domain is 2^28), and every element of a runtime tensor costs at least
/// one variable or linear combination, so a model with a larger tensor could
/// not be proven anyway. 2^28 `f32` values are 1 GiB.
pub const MAX_ELEMENTS: usize = 1 << 28;

/// Default bound on the total, in elements, of the constants folded while a
/// graph is built (shape sub-graphs, generated tensors). Initializers are
/// not counted: their size is bounded by the model file's.
pub const MAX_FOLDED_ELEMENTS: usize = 1 << 28;

/// How large the tensors the IR creates may be.
///
/// Peak memory while loading is a small multiple of `max_elements` times the
/// element size (an op's stand-in inputs and its output are alive at once),
/// so a caller on a small machine, or a fuzzer with an RSS limit, lowers it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SizeLimits {
    /// Largest single tensor, in elements.
    pub max_elements: usize,
    /// Largest total of constants folded while building one graph, in elements.
    pub max_folded_elements: usize,
}

impl Default for SizeLimits {
    fn default() -> Self {
        SizeLimits {
            max_elements: MAX_ELEMENTS,
            max_folded_elements: MAX_FOLDED_ELEMENTS,
        }
    }
}

thread_local! {
    static ACTIVE: Cell<SizeLimits> = const {
        Cell::new(SizeLimits {
            max_elements: MAX_ELEMENTS,
            max_folded_elements: MAX_FOLDED_ELEMENTS,
        })
    };
}

/// The limits in force on this thread.
pub fn size_limits() -> SizeLimits {
    ACTIVE.with(Cell::get)
}

/// Runs `f` with `limits` in force on this thread, then restores the previous
/// ones (also if `f` panics).
pub fn with_size_limits<R>(limits: SizeLimits, f: impl FnOnce() -> R) -> R {
    struct Restore(SizeLimits);
    impl Drop for Restore {
        fn drop(&mut self) {
            ACTIVE.with(|a| a.set(self.0));
        }
    }
    let _restore = Restore(ACTIVE.with(|a| a.replace(limits)));
    f()
}

/// Number of elements of `shape`, refusing overflow and shapes beyond the
/// active [`SizeLimits::max_elements`].
pub fn checked_elements(op: &'static str, shape: &[usize]) -> IrResult<usize> {
    let limit = size_limits().max_elements;
    shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .filter(|&n| n <= limit)
        .ok_or_else(|| IrError::TensorTooLarge {
            op,
            shape: shape.to_vec(),
            limit,
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

    #[test]
    fn scoped_limits_apply_inside_and_are_restored_after() {
        let small = SizeLimits {
            max_elements: 10,
            max_folded_elements: 10,
        };
        with_size_limits(small, || {
            assert_eq!(size_limits(), small);
            assert!(checked_elements("Test", &[10]).is_ok());
            assert!(matches!(
                checked_elements("Test", &[11]),
                Err(IrError::TensorTooLarge { limit: 10, .. })
            ));
        });
        assert_eq!(size_limits(), SizeLimits::default());
        let caught = std::panic::catch_unwind(|| with_size_limits(small, || panic!("inside")));
        assert!(caught.is_err());
        assert_eq!(size_limits(), SizeLimits::default());
    }
}
