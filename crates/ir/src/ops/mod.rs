//! Op implementations, grouped by family like ONNX's operator documentation.

/// Activations: ReLU family, sigmoid/tanh family, softmax.
pub mod activation;
/// Shape and data movement: reshape, transpose, slice, gather, pad, resize...
pub mod array;
/// Elementwise arithmetic, comparison, logic and casts.
pub mod math;
/// Neural-network layers: matmul, gemm, convolution, pooling, normalization.
pub mod nn;
/// Reductions along axes and arg-max/min.
pub mod reduce;
