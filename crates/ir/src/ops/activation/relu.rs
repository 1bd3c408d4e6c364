//! The piecewise-linear ReLU family: `Relu`, `LeakyRelu`, `PRelu`, `ThresholdedRelu`.
//!
//! These stay separate from the smooth activations because a circuit checks them
//! with a comparison and a select rather than a lookup table.

use super::map_f32;
use crate::broadcast::broadcast_map2;
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// `max(x, 0)`, on floats and integers (ONNX allows integer `Relu` from opset 14).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Relu;

impl Op for Relu {
    fn name(&self) -> &'static str {
        "Relu"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        match inputs.get(0)? {
            Tensor::F32(a) => Ok(vec![Tensor::F32(a.mapv(|x| x.max(0.0)))]),
            Tensor::I64(a) => Ok(vec![Tensor::I64(a.mapv(|x| x.max(0)))]),
            other => Err(IrError::DType {
                op: self.name(),
                index: 0,
                expected: "f32 or i64".into(),
                found: other.dtype(),
            }),
        }
    }

    crate::op_boilerplate!();
}

/// `x` for `x >= 0`, `alpha * x` otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakyRelu {
    /// Slope of the negative part (ONNX default 0.01).
    pub alpha: f32,
}

impl LeakyRelu {
    /// The scalar function.
    pub fn apply(&self, x: f32) -> f32 {
        if x >= 0.0 {
            x
        } else {
            self.alpha * x
        }
    }
}

impl Op for LeakyRelu {
    fn name(&self) -> &'static str {
        "LeakyRelu"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        map_f32(inputs, |x| self.apply(x))
    }

    crate::op_boilerplate!();
}

/// Leaky ReLU whose slope is a tensor (input 1), typically one learned slope per channel.
///
/// The slope broadcasts *unidirectionally* to the input: the output always has the
/// input's shape, so a slope that would enlarge it is rejected.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PRelu;

impl Op for PRelu {
    fn name(&self) -> &'static str {
        "PRelu"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let (x, slope) = (inputs.get(0)?, inputs.get(1)?);
        let out = match (x, slope) {
            (Tensor::F32(x), Tensor::F32(s)) => {
                Tensor::F32(broadcast_map2(
                    op,
                    x,
                    s,
                    |&x, &s| if x >= 0.0 { x } else { s * x },
                )?)
            }
            (Tensor::I64(x), Tensor::I64(s)) => Tensor::I64(broadcast_map2(op, x, s, |&x, &s| {
                if x >= 0 {
                    x
                } else {
                    s.wrapping_mul(x)
                }
            })?),
            (x, s) => {
                return Err(IrError::invalid(
                    op,
                    format!(
                        "unsupported element types {} and {} (input and slope must match)",
                        x.dtype(),
                        s.dtype()
                    ),
                ))
            }
        };
        if out.shape() != x.shape() {
            return Err(IrError::shape(
                op,
                format!(
                    "slope {:?} must broadcast to the input {:?} without enlarging it",
                    slope.shape(),
                    x.shape()
                ),
            ));
        }
        Ok(vec![out])
    }

    crate::op_boilerplate!();
}

/// `x` for `x > alpha`, 0 otherwise.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdedRelu {
    /// The threshold (ONNX default 1.0).
    pub alpha: f32,
}

impl ThresholdedRelu {
    /// The scalar function.
    pub fn apply(&self, x: f32) -> f32 {
        if x > self.alpha {
            x
        } else {
            0.0
        }
    }
}

impl Op for ThresholdedRelu {
    fn name(&self) -> &'static str {
        "ThresholdedRelu"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        map_f32(inputs, |x| self.apply(x))
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: &dyn Op, inputs: &[&Tensor]) -> IrResult<Vec<Tensor>> {
        let slots: Vec<Option<&Tensor>> = inputs.iter().map(|t| Some(*t)).collect();
        op.eval(Inputs::new(op.name(), &slots))
    }

    #[test]
    fn relu_keeps_integers_integral() {
        let x = Tensor::vec_i64(vec![-3, 0, 5]);
        assert_eq!(
            run(&Relu, &[&x]).unwrap()[0],
            Tensor::vec_i64(vec![0, 0, 5])
        );
    }

    #[test]
    fn prelu_broadcasts_slope_per_channel() {
        let x = Tensor::from_f32(&[1, 2, 2], vec![-1.0, 2.0, -4.0, 3.0]).unwrap();
        let slope = Tensor::from_f32(&[2, 1], vec![0.5, 0.25]).unwrap();
        let out = run(&PRelu, &[&x, &slope]).unwrap();
        assert_eq!(
            out[0],
            Tensor::from_f32(&[1, 2, 2], vec![-0.5, 2.0, -1.0, 3.0]).unwrap()
        );
    }

    #[test]
    fn prelu_rejects_slope_that_enlarges_input() {
        let x = Tensor::from_f32(&[2], vec![-1.0, 1.0]).unwrap();
        let slope = Tensor::from_f32(&[3, 1], vec![0.1; 3]).unwrap();
        assert!(matches!(
            run(&PRelu, &[&x, &slope]),
            Err(IrError::Shape { .. })
        ));
    }

    #[test]
    fn thresholded_relu_is_strict() {
        let op = ThresholdedRelu { alpha: 1.0 };
        assert_eq!(op.apply(1.0), 0.0);
        assert_eq!(op.apply(1.5), 1.5);
    }
}
