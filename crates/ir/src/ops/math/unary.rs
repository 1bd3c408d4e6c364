//! Elementwise functions of one tensor: `Neg`, `Abs`, `Sqrt`, `Exp`, `Erf`, trig...

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::erf::erf;

/// Which function a [`UnaryOp`] applies. Later stages match on this to pick a
/// gadget (negation and absolute value are cheap; the rest need lookup tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnaryKind {
    /// `-x` (also on integers, wrapping).
    Neg,
    /// `|x|` (also on integers, wrapping).
    Abs,
    /// `√x` (NaN below zero).
    Sqrt,
    /// `eˣ`
    Exp,
    /// Natural logarithm (NaN below zero, −∞ at zero).
    Log,
    /// The error function.
    Erf,
    /// `1/x`
    Reciprocal,
    /// Round toward −∞.
    Floor,
    /// Round toward +∞.
    Ceil,
    /// Round to nearest, ties to even (`Round(2.5) = 2`), as ONNX specifies.
    Round,
    /// −1, 0 or 1 (also on integers); NaN stays NaN.
    Sign,
    /// Sine.
    Sin,
    /// Cosine.
    Cos,
    /// Tangent.
    Tan,
    /// Arcsine.
    Asin,
    /// Arccosine.
    Acos,
    /// Arctangent.
    Atan,
    /// Hyperbolic sine.
    Sinh,
    /// Hyperbolic cosine.
    Cosh,
    /// Inverse hyperbolic sine.
    Asinh,
    /// Inverse hyperbolic cosine.
    Acosh,
    /// Inverse hyperbolic tangent.
    Atanh,
}

impl UnaryKind {
    /// The ONNX op type.
    pub fn onnx_name(self) -> &'static str {
        match self {
            UnaryKind::Neg => "Neg",
            UnaryKind::Abs => "Abs",
            UnaryKind::Sqrt => "Sqrt",
            UnaryKind::Exp => "Exp",
            UnaryKind::Log => "Log",
            UnaryKind::Erf => "Erf",
            UnaryKind::Reciprocal => "Reciprocal",
            UnaryKind::Floor => "Floor",
            UnaryKind::Ceil => "Ceil",
            UnaryKind::Round => "Round",
            UnaryKind::Sign => "Sign",
            UnaryKind::Sin => "Sin",
            UnaryKind::Cos => "Cos",
            UnaryKind::Tan => "Tan",
            UnaryKind::Asin => "Asin",
            UnaryKind::Acos => "Acos",
            UnaryKind::Atan => "Atan",
            UnaryKind::Sinh => "Sinh",
            UnaryKind::Cosh => "Cosh",
            UnaryKind::Asinh => "Asinh",
            UnaryKind::Acosh => "Acosh",
            UnaryKind::Atanh => "Atanh",
        }
    }

    /// The function on floats.
    pub fn apply_f32(self, x: f32) -> f32 {
        match self {
            UnaryKind::Neg => -x,
            UnaryKind::Abs => x.abs(),
            UnaryKind::Sqrt => x.sqrt(),
            UnaryKind::Exp => x.exp(),
            UnaryKind::Log => x.ln(),
            UnaryKind::Erf => erf(f64::from(x)) as f32,
            UnaryKind::Reciprocal => 1.0 / x,
            UnaryKind::Floor => x.floor(),
            UnaryKind::Ceil => x.ceil(),
            UnaryKind::Round => x.round_ties_even(),
            // f32::signum maps ±0 to ±1; ONNX's Sign(0) is 0.
            UnaryKind::Sign => {
                if x > 0.0 {
                    1.0
                } else if x < 0.0 {
                    -1.0
                } else {
                    x
                }
            }
            UnaryKind::Sin => x.sin(),
            UnaryKind::Cos => x.cos(),
            UnaryKind::Tan => x.tan(),
            UnaryKind::Asin => x.asin(),
            UnaryKind::Acos => x.acos(),
            UnaryKind::Atan => x.atan(),
            UnaryKind::Sinh => x.sinh(),
            UnaryKind::Cosh => x.cosh(),
            UnaryKind::Asinh => x.asinh(),
            UnaryKind::Acosh => x.acosh(),
            UnaryKind::Atanh => x.atanh(),
        }
    }

    /// The function on integers, for the kinds ONNX defines on them.
    pub fn apply_i64(self, x: i64) -> Option<i64> {
        match self {
            UnaryKind::Neg => Some(x.wrapping_neg()),
            UnaryKind::Abs => Some(x.wrapping_abs()),
            UnaryKind::Sign => Some(x.signum()),
            _ => None,
        }
    }
}

/// An elementwise function of one tensor, output of the same type and shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnaryOp {
    /// The function.
    pub kind: UnaryKind,
}

impl UnaryOp {
    /// A new op of the given kind.
    pub fn new(kind: UnaryKind) -> Self {
        UnaryOp { kind }
    }
}

impl Op for UnaryOp {
    fn name(&self) -> &'static str {
        self.kind.onnx_name()
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let out = match inputs.get(0)? {
            Tensor::F32(a) => Tensor::F32(a.mapv(|x| self.kind.apply_f32(x))),
            Tensor::I64(a) if self.kind.apply_i64(0).is_some() => {
                Tensor::I64(a.mapv(|x| self.kind.apply_i64(x).unwrap_or_default()))
            }
            other => {
                let expected = if self.kind.apply_i64(0).is_some() {
                    "f32 or i64"
                } else {
                    "f32"
                };
                return Err(IrError::DType {
                    op: self.name(),
                    index: 0,
                    expected: expected.into(),
                    found: other.dtype(),
                });
            }
        };
        Ok(vec![out])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::DType;

    fn run(kind: UnaryKind, t: Tensor) -> IrResult<Tensor> {
        let slots = [Some(&t)];
        let op = UnaryOp::new(kind);
        Ok(op.eval(Inputs::new(op.name(), &slots))?.remove(0))
    }

    #[test]
    fn round_ties_to_even() {
        let t = Tensor::from_f32(&[6], vec![0.5, 1.5, 2.5, -0.5, -1.5, 2.6]).unwrap();
        assert_eq!(
            run(UnaryKind::Round, t).unwrap().to_f32_vec(),
            vec![0.0, 2.0, 2.0, -0.0, -2.0, 3.0]
        );
    }

    #[test]
    fn sign_of_zero_is_zero_and_nan_stays_nan() {
        let t = Tensor::from_f32(&[4], vec![-3.0, 0.0, 2.0, f32::NAN]).unwrap();
        let out = run(UnaryKind::Sign, t).unwrap().to_f32_vec();
        assert_eq!(&out[..3], &[-1.0, 0.0, 1.0]);
        assert!(out[3].is_nan());
        assert_eq!(
            run(UnaryKind::Sign, Tensor::vec_i64(vec![-5, 0, 7]))
                .unwrap()
                .to_i64_vec(),
            vec![-1, 0, 1]
        );
    }

    #[test]
    fn integer_kinds_wrap_and_float_only_kinds_reject_integers() {
        let t = Tensor::vec_i64(vec![i64::MIN, -2]);
        assert_eq!(
            run(UnaryKind::Abs, t.clone()).unwrap().to_i64_vec(),
            vec![i64::MIN, 2]
        );
        assert_eq!(
            run(UnaryKind::Neg, t.clone()).unwrap().to_i64_vec(),
            vec![i64::MIN, 2]
        );
        assert!(matches!(
            run(UnaryKind::Sqrt, t),
            Err(IrError::DType { .. })
        ));
        let b = Tensor::zeros(DType::Bool, &[2]);
        assert!(run(UnaryKind::Neg, b).is_err());
    }

    #[test]
    fn out_of_domain_gives_nan_not_an_error() {
        let t = Tensor::from_f32(&[3], vec![-1.0, 2.0, 0.0]).unwrap();
        let sqrt = run(UnaryKind::Sqrt, t.clone()).unwrap().to_f32_vec();
        assert!(sqrt[0].is_nan());
        let acos = run(UnaryKind::Acos, t.clone()).unwrap().to_f32_vec();
        assert!(acos[1].is_nan());
        assert_eq!(
            run(UnaryKind::Log, t).unwrap().to_f32_vec()[2],
            f32::NEG_INFINITY
        );
    }
}
