//! Float classification into boolean masks: `IsNaN`, `IsInf`.

use crate::error::IrResult;
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// `true` where the input is NaN.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IsNaN;

impl Op for IsNaN {
    fn name(&self) -> &'static str {
        "IsNaN"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        Ok(vec![Tensor::Bool(inputs.f32(0)?.mapv(f32::is_nan))])
    }

    crate::op_boilerplate!();
}

/// `true` where the input is an infinity of a selected sign.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IsInf {
    /// Report −∞.
    pub detect_negative: bool,
    /// Report +∞.
    pub detect_positive: bool,
}

impl Default for IsInf {
    /// Both signs, as ONNX's defaults.
    fn default() -> Self {
        IsInf {
            detect_negative: true,
            detect_positive: true,
        }
    }
}

impl Op for IsInf {
    fn name(&self) -> &'static str {
        "IsInf"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let (neg, pos) = (self.detect_negative, self.detect_positive);
        let mask = inputs
            .f32(0)?
            .mapv(|x| (neg && x == f32::NEG_INFINITY) || (pos && x == f32::INFINITY));
        Ok(vec![Tensor::Bool(mask)])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_by_sign() {
        let t =
            Tensor::from_f32(&[4], vec![f32::NEG_INFINITY, 1.0, f32::INFINITY, f32::NAN]).unwrap();
        let slots = [Some(&t)];
        let only_pos = IsInf {
            detect_negative: false,
            detect_positive: true,
        };
        let out = only_pos
            .eval(Inputs::new("IsInf", &slots))
            .unwrap()
            .remove(0);
        assert_eq!(out.to_i64_vec(), vec![0, 0, 1, 0]);
        let out = IsInf::default()
            .eval(Inputs::new("IsInf", &slots))
            .unwrap()
            .remove(0);
        assert_eq!(out.to_i64_vec(), vec![1, 0, 1, 0]);
        let out = IsNaN.eval(Inputs::new("IsNaN", &slots)).unwrap().remove(0);
        assert_eq!(out.to_i64_vec(), vec![0, 0, 0, 1]);
    }
}
