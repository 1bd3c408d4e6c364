//! Integer fixed-point semantics, the single source of truth for the
//! quantized interpreter and the R1CS gadgets.
//!
//! A real `x` at scale `s` is the integer `round(x·2^s)`. Values are `i128`
//! (accumulators of products of 32-bit values fit with room to spare); weights
//! and other constants are `i64`. Every function here is total on its
//! documented domain and is mirrored exactly by a gadget in `zkinfer-gadgets`:
//! the circuit proves *these* integers, not the real functions they approximate.
//!
//! * [`rounding`]: rescaling by powers of two, division by constants and by
//!   private positive values, bit widths of ranges.
//! * [`elementwise`]: ReLU, leaky ReLU / PReLU, clip, max, argmax.
//! * [`linear`]: dot products (the integer semantics of MatMul/Gemm/Conv).
//! * [`approx`]: fixed-point approximations of exp, sigmoid, tanh, erf, GELU,
//!   softplus, with stated maximum errors.
//! * [`softmax`]: max-subtract, exp, sum, rounded division.
//! * [`exp_linear`]: ELU, SELU and CELU as one function of `exp_neg`.
//! * [`division`], [`sqrt`], [`floor`]: division by a signed private value,
//!   integer square root, floor/ceil/round at a scale.
//! * [`logic`]: comparisons, boolean logic, `Where`, runtime-index lookups, truncation.

/// Fixed-point approximations of transcendental functions.
pub mod approx;
/// Division by a signed, non-zero private value.
pub mod division;
/// Elementwise piecewise-linear functions and comparisons.
pub mod elementwise;
/// ELU, SELU and CELU.
pub mod exp_linear;
/// Floor, ceil and round of fixed-point values.
pub mod floor;
/// Integer dot products.
pub mod linear;
/// Comparisons, boolean logic, selection and runtime-index lookups.
pub mod logic;
/// Rounding divisions and bit widths.
pub mod rounding;
/// Integer softmax.
pub mod softmax;
/// Integer square root of a scaled value.
pub mod sqrt;

pub use approx::{erf, exp_neg, gelu, sigmoid, softplus, tanh, FixedPoly};
pub use division::div_round_signed;
pub use elementwise::{argmax, clip, leaky_relu, max, max_reduce, relu};
pub use exp_linear::{exp_linear, ExpLinear};
pub use floor::{floor_at_scale, FloorMode};
pub use linear::dot;
pub use logic::{compare, logic, lookup, not, select, truncate, CompareKind, LogicKind};
pub use rounding::{div_round, div_round_private, rescale, signed_range, Bits};
pub use softmax::softmax;
pub use sqrt::sqrt_scaled;
