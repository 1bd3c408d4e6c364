//! Neural-network layers: matrix products, convolutions, pools, normalizations
//! and recurrent layers.
//!
//! Window ops (`Conv`, `ConvTranspose`, the pools) share one geometry
//! ([`Window`] → [`Geometry`]) so that every later stage computes the same
//! padding and output size as the interpreter.

mod conv;
mod conv_transpose;
mod einsum;
mod matmul;
mod norm;
mod pool;
mod recurrent;
mod window;

pub use conv::{Conv, ConvShapes};
pub use conv_transpose::{ConvTranspose, TransposedGeometry};
pub use einsum::Einsum;
pub use matmul::{matmul, Gemm, MatMul, MatMulShapes};
pub use norm::{BatchNormalization, InstanceNormalization, LayerNormalization};
pub use pool::{AveragePool, GlobalPool, GlobalPoolKind, LpPool, MaxPool};
pub use recurrent::{Activation, Direction, Gru, Lstm, Recurrence, Rnn};
pub use window::{AutoPad, Geometry, Window};
