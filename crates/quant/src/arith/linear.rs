//! Integer dot products: the semantics of MatMul, Gemm and Conv.
//!
//! A quantized linear layer accumulates exact integer products; the rounding
//! happens afterwards in one [`rescale`](super::rescale). Bias is added to the
//! accumulator at the accumulator's scale.

/// `Σ a_i·b_i`, exactly.
///
/// # Panics
/// If the lengths differ.
pub fn dot(a: &[i128], b: &[i128]) -> i128 {
    assert_eq!(a.len(), b.len(), "dot: length mismatch");
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}
