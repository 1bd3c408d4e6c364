//! The exponential-linear family: `Elu`, `Selu`, `Celu`.
//!
//! Linear for positive inputs and a scaled `exp(x) - 1` for negative ones; they
//! differ only in where the constants go. The exponential is evaluated in f64 so
//! the reference semantics do not add their own rounding to the quantization error.

use super::map_f32;
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// `x` for `x >= 0`, `alpha * (exp(x) - 1)` otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Elu {
    /// Scale of the negative part (ONNX default 1.0).
    pub alpha: f32,
}

impl Elu {
    /// The scalar function.
    pub fn apply(&self, x: f32) -> f32 {
        if x >= 0.0 {
            x
        } else {
            (f64::from(self.alpha) * f64::from(x).exp_m1()) as f32
        }
    }
}

impl Op for Elu {
    fn name(&self) -> &'static str {
        "Elu"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        map_f32(inputs, |x| self.apply(x))
    }

    crate::op_boilerplate!();
}

/// Scaled ELU: `gamma * x` for `x > 0`, `gamma * alpha * (exp(x) - 1)` otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct Selu {
    /// Scale of the exponential part (ONNX default 1.67326319217681884765625).
    pub alpha: f32,
    /// Overall scale (ONNX default 1.05070102214813232421875).
    pub gamma: f32,
}

impl Selu {
    /// ONNX's default `alpha`: the self-normalising constant of Klambauer et al., 2017.
    pub const DEFAULT_ALPHA: f32 = 1.673_263_2;
    /// ONNX's default `gamma`.
    pub const DEFAULT_GAMMA: f32 = 1.050_701;

    /// The scalar function.
    pub fn apply(&self, x: f32) -> f32 {
        let (alpha, gamma, x) = (f64::from(self.alpha), f64::from(self.gamma), f64::from(x));
        let y = if x > 0.0 { x } else { alpha * x.exp_m1() };
        (gamma * y) as f32
    }
}

impl Op for Selu {
    fn name(&self) -> &'static str {
        "Selu"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        map_f32(inputs, |x| self.apply(x))
    }

    crate::op_boilerplate!();
}

/// Continuously differentiable ELU: `max(0, x) + min(0, alpha * (exp(x / alpha) - 1))`.
#[derive(Debug, Clone, PartialEq)]
pub struct Celu {
    /// Scale and inverse input scale of the exponential part (ONNX default 1.0; nonzero).
    pub alpha: f32,
}

impl Celu {
    /// The scalar function.
    pub fn apply(&self, x: f32) -> f32 {
        let (alpha, x) = (f64::from(self.alpha), f64::from(x));
        (x.max(0.0) + (alpha * (x / alpha).exp_m1()).min(0.0)) as f32
    }
}

impl Op for Celu {
    fn name(&self) -> &'static str {
        "Celu"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        if self.alpha == 0.0 {
            return Err(IrError::invalid(self.name(), "alpha must be nonzero"));
        }
        map_f32(inputs, |x| self.apply(x))
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_parts() {
        let elu = Elu { alpha: 2.0 };
        assert!((elu.apply(-1.0) - 2.0 * ((-1f32).exp() - 1.0)).abs() < 1e-6);
        assert_eq!(elu.apply(3.0), 3.0);
        let selu = Selu {
            alpha: Selu::DEFAULT_ALPHA,
            gamma: Selu::DEFAULT_GAMMA,
        };
        assert!((selu.apply(-1.0) - (-1.111_330_7)).abs() < 1e-5);
        let celu = Celu { alpha: 2.0 };
        assert!((celu.apply(-1.0) - 2.0 * ((-0.5f32).exp() - 1.0)).abs() < 1e-6);
        assert_eq!(celu.apply(1.5), 1.5);
    }
}
