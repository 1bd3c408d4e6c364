//! Activations: the ReLU family, the sigmoid/tanh family, clipping and softmax.
//!
//! Elementwise activations are small ops whose fields are the ONNX attributes;
//! each also exposes its scalar function (`apply`) so that later stages can
//! build lookup tables from exactly the reference semantics. Softmax-like ops
//! normalise along an axis and live apart in [`Softmax`].

mod clip;
mod elu;
mod relu;
mod sigmoid;
mod softmax;

pub use clip::Clip;
pub use elu::{Celu, Elu, Selu};
pub use relu::{LeakyRelu, PRelu, Relu, ThresholdedRelu};
pub use sigmoid::{Activation, ActivationKind, GeluApproximation};
pub use softmax::{Softmax, SoftmaxKind};

use crate::error::IrResult;
use crate::op::Inputs;
use crate::tensor::Tensor;

/// Apply a scalar float function to input 0, the shape of every float-only activation.
fn map_f32(inputs: Inputs<'_>, f: impl Fn(f32) -> f32) -> IrResult<Vec<Tensor>> {
    Ok(vec![Tensor::F32(inputs.f32(0)?.mapv(f))])
}
