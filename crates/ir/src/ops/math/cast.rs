//! Element-type conversion: `Cast`, `CastLike`.
//!
//! The IR has three element types, so a cast is between f32, i64 and bool. The
//! importer maps ONNX's many targets onto them (float16/double → f32, every
//! integer width → i64); a cast to a narrow integer type therefore does not wrap
//! or clamp to that type's range.

use crate::error::IrResult;
use crate::op::{Inputs, Op};
use crate::tensor::{DType, Tensor};

/// Convert to a fixed element type: float → int truncates toward zero
/// (saturating, NaN → 0), nonzero → true, true → 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cast {
    /// The target element type.
    pub to: DType,
}

impl Cast {
    /// A cast to `to`.
    pub fn new(to: DType) -> Self {
        Cast { to }
    }
}

impl Op for Cast {
    fn name(&self) -> &'static str {
        "Cast"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        Ok(vec![inputs.get(0)?.cast(self.to)])
    }

    crate::op_boilerplate!();
}

/// Convert input 0 to the element type of input 1 (whose values are ignored),
/// with [`Cast`]'s semantics. The target type is fixed once the graph is built:
/// later stages can read it from the second input's fact.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CastLike;

impl Op for CastLike {
    fn name(&self) -> &'static str {
        "CastLike"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        Ok(vec![inputs.get(0)?.cast(inputs.get(1)?.dtype())])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_to_int_truncates_and_saturates() {
        let t = Tensor::from_f32(&[5], vec![2.7, -2.7, f32::NAN, 1e30, -0.0]).unwrap();
        let slots = [Some(&t)];
        let out = Cast::new(DType::I64)
            .eval(Inputs::new("Cast", &slots))
            .unwrap()
            .remove(0);
        assert_eq!(out.to_i64_vec(), vec![2, -2, 0, i64::MAX, 0]);
        let out = Cast::new(DType::Bool)
            .eval(Inputs::new("Cast", &slots))
            .unwrap()
            .remove(0);
        assert_eq!(out.to_i64_vec(), vec![1, 1, 1, 1, 0]);
    }

    #[test]
    fn cast_like_takes_the_type_of_its_second_input() {
        let x = Tensor::vec_i64(vec![1, 0]);
        let like = Tensor::scalar_f32(0.0);
        let slots = [Some(&x), Some(&like)];
        let out = CastLike
            .eval(Inputs::new("CastLike", &slots))
            .unwrap()
            .remove(0);
        assert_eq!(out, Tensor::from_f32(&[2], vec![1.0, 0.0]).unwrap());
    }
}
