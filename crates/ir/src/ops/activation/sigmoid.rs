//! Smooth (or smooth-looking) scalar nonlinearities: the sigmoid/tanh family and
//! the modern gated activations, as one [`Activation`] op.
//!
//! A circuit handles all of these the same way — a lookup table over the
//! quantized input range — so one op with a [`ActivationKind`] lets later stages
//! match once and call [`ActivationKind::apply`] to fill the table. Evaluation is
//! in f64 and rounded once, so the reference is as exact as f32 allows.

use super::map_f32;
use crate::error::IrResult;
use crate::op::{Inputs, Op};
use crate::ops::math::erf;
use crate::tensor::Tensor;

/// How `Gelu` evaluates the Gaussian CDF.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeluApproximation {
    /// Exact: `0.5 x (1 + erf(x / √2))` (ONNX `approximate = "none"`).
    None,
    /// `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))` (ONNX `approximate = "tanh"`).
    Tanh,
}

/// Which function an [`Activation`] computes, with its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ActivationKind {
    /// `1 / (1 + exp(-x))`
    Sigmoid,
    /// `max(0, min(1, alpha * x + beta))`
    HardSigmoid {
        /// Slope (ONNX default 0.2).
        alpha: f32,
        /// Offset (ONNX default 0.5).
        beta: f32,
    },
    /// `x * max(0, min(1, x / 6 + 1/2))` (MobileNetV3's hard swish).
    HardSwish,
    /// `tanh(x)`
    Tanh,
    /// `ln(1 + exp(x))`
    Softplus,
    /// `x / (1 + |x|)`
    Softsign,
    /// `x * tanh(softplus(x))`
    Mish,
    /// Gaussian error linear unit, `x * Φ(x)`.
    Gelu {
        /// How Φ is evaluated.
        approximate: GeluApproximation,
    },
}

impl ActivationKind {
    /// ONNX op name of this kind.
    pub fn name(&self) -> &'static str {
        match self {
            ActivationKind::Sigmoid => "Sigmoid",
            ActivationKind::HardSigmoid { .. } => "HardSigmoid",
            ActivationKind::HardSwish => "HardSwish",
            ActivationKind::Tanh => "Tanh",
            ActivationKind::Softplus => "Softplus",
            ActivationKind::Softsign => "Softsign",
            ActivationKind::Mish => "Mish",
            ActivationKind::Gelu { .. } => "Gelu",
        }
    }

    /// The scalar function: the reference semantics of the op.
    pub fn apply(&self, x: f32) -> f32 {
        let x = f64::from(x);
        let y = match *self {
            ActivationKind::Sigmoid => sigmoid(x),
            ActivationKind::HardSigmoid { alpha, beta } => {
                (f64::from(alpha) * x + f64::from(beta)).clamp(0.0, 1.0)
            }
            ActivationKind::HardSwish => x * (x / 6.0 + 0.5).clamp(0.0, 1.0),
            ActivationKind::Tanh => x.tanh(),
            ActivationKind::Softplus => softplus(x),
            ActivationKind::Softsign => x / (1.0 + x.abs()),
            ActivationKind::Mish => x * softplus(x).tanh(),
            ActivationKind::Gelu {
                approximate: GeluApproximation::None,
            } => 0.5 * x * (1.0 + erf(x * std::f64::consts::FRAC_1_SQRT_2)),
            ActivationKind::Gelu {
                approximate: GeluApproximation::Tanh,
            } => {
                let sqrt_2_over_pi = (2.0 / std::f64::consts::PI).sqrt();
                0.5 * x * (1.0 + (sqrt_2_over_pi * (x + 0.044715 * x * x * x)).tanh())
            }
        };
        y as f32
    }
}

/// Logistic function without overflow: `exp` only ever sees a non-positive argument.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `ln(1 + exp(x))` without overflow for large `x` or cancellation for very negative `x`.
fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// An elementwise float nonlinearity; see [`ActivationKind`] for the functions.
#[derive(Debug, Clone, PartialEq)]
pub struct Activation {
    /// The function and its parameters.
    pub kind: ActivationKind,
}

impl Activation {
    /// A new op of the given kind.
    pub fn new(kind: ActivationKind) -> Self {
        Activation { kind }
    }
}

impl Op for Activation {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        map_f32(inputs, |x| self.kind.apply(x))
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saturating_functions_do_not_overflow() {
        assert_eq!(ActivationKind::Sigmoid.apply(-1000.0), 0.0);
        assert_eq!(ActivationKind::Sigmoid.apply(1000.0), 1.0);
        assert_eq!(ActivationKind::Softplus.apply(1000.0), 1000.0);
        assert_eq!(ActivationKind::Mish.apply(1000.0), 1000.0);
        assert!(ActivationKind::Softplus.apply(-1000.0) >= 0.0);
    }

    #[test]
    fn gelu_variants_agree_closely() {
        let exact = ActivationKind::Gelu {
            approximate: GeluApproximation::None,
        };
        let tanh = ActivationKind::Gelu {
            approximate: GeluApproximation::Tanh,
        };
        // Φ(1) = 0.841344746...
        assert!((exact.apply(1.0) - 0.841_344_7).abs() < 1e-6);
        for x in [-3.0, -1.0, -0.1, 0.5, 2.0] {
            assert!((exact.apply(x) - tanh.apply(x)).abs() < 1e-3);
        }
    }

    #[test]
    fn hard_swish_pieces() {
        assert_eq!(ActivationKind::HardSwish.apply(-4.0), 0.0);
        assert_eq!(ActivationKind::HardSwish.apply(4.0), 4.0);
        assert!((ActivationKind::HardSwish.apply(1.0) - 1.0 * (1.0 / 6.0 + 0.5)).abs() < 1e-7);
    }
}
