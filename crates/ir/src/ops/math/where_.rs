//! `Where`: elementwise selection by a boolean mask.

use crate::broadcast::broadcast_map3;
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

fn pick<T: Copy>(c: &bool, x: &T, y: &T) -> T {
    if *c {
        *x
    } else {
        *y
    }
}

/// `condition ? x : y`, elementwise, with the three inputs broadcast together.
/// `x` and `y` have the same element type, which the output keeps.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Where;

impl Op for Where {
    fn name(&self) -> &'static str {
        "Where"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let cond = inputs.get(0)?.as_bool(op, 0)?;
        let out = match (inputs.get(1)?, inputs.get(2)?) {
            (Tensor::F32(x), Tensor::F32(y)) => Tensor::F32(broadcast_map3(op, cond, x, y, pick)?),
            (Tensor::I64(x), Tensor::I64(y)) => Tensor::I64(broadcast_map3(op, cond, x, y, pick)?),
            (Tensor::Bool(x), Tensor::Bool(y)) => {
                Tensor::Bool(broadcast_map3(op, cond, x, y, pick)?)
            }
            (x, y) => {
                return Err(IrError::invalid(
                    op,
                    format!(
                        "the two branches have different element types {} and {}",
                        x.dtype(),
                        y.dtype()
                    ),
                ))
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

    #[test]
    fn selects_with_three_way_broadcasting() {
        let cond = Tensor::vec_i64(vec![1, 0])
            .reshape(&[2, 1])
            .unwrap()
            .cast(DType::Bool);
        let x = Tensor::from_f32(&[3], vec![1.0, 2.0, 3.0]).unwrap();
        let y = Tensor::scalar_f32(-1.0);
        let slots = [Some(&cond), Some(&x), Some(&y)];
        let out = Where.eval(Inputs::new("Where", &slots)).unwrap().remove(0);
        assert_eq!(out.shape(), &[2, 3]);
        assert_eq!(out.to_f32_vec(), vec![1.0, 2.0, 3.0, -1.0, -1.0, -1.0]);
    }

    #[test]
    fn mixed_branches_and_non_bool_condition_are_errors() {
        let c = Tensor::vec_i64(vec![1]);
        let x = Tensor::scalar_f32(1.0);
        let slots = [Some(&c), Some(&x), Some(&x)];
        assert!(Where.eval(Inputs::new("Where", &slots)).is_err());
        let c = c.cast(DType::Bool);
        let slots = [Some(&c), Some(&x), Some(&c)];
        assert!(Where.eval(Inputs::new("Where", &slots)).is_err());
    }
}
