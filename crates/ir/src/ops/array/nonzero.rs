//! `NonZero`: coordinates of the nonzero elements.

use crate::error::{IrError, IrResult};
use crate::fact::Fact;
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::for_each_index;

/// `NonZero`: a `(rank, count)` matrix of the coordinates of nonzero elements.
///
/// The output shape depends on the input's values, which a static-shape circuit
/// cannot accommodate: the op is accepted only when its input is a load-time
/// constant (it then folds away), and refused with [`IrError::NotConstant`] otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NonZero;

impl Op for NonZero {
    fn name(&self) -> &'static str {
        "NonZero"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let x = inputs.get(0)?;
        let shape = x.shape();
        let flags: Vec<bool> = x.to_f32_vec().iter().map(|&v| v != 0.0).collect();
        let mut coords: Vec<Vec<i64>> = vec![Vec::new(); shape.len()];
        let mut k = 0;
        for_each_index(shape, |i| {
            if flags[k] {
                for (axis, &c) in i.iter().enumerate() {
                    coords[axis].push(c as i64);
                }
            }
            k += 1;
            Ok(())
        })?;
        let count = flags.iter().filter(|&&f| f).count();
        Ok(vec![Tensor::from_i64(
            &[shape.len(), count],
            coords.concat(),
        )?])
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[0]
    }

    fn infer(&self, inputs: &[Option<&Fact>]) -> IrResult<Vec<Fact>> {
        match inputs.first().copied().flatten() {
            Some(Fact { value: Some(v), .. }) => Ok(vec![Fact::constant(
                self.eval(Inputs::new("NonZero", &[Some(v)]))?.remove(0),
            )]),
            Some(_) => Err(IrError::NotConstant {
                op: "NonZero",
                index: 0,
            }),
            None => Err(IrError::MissingInput {
                op: "NonZero",
                index: 0,
            }),
        }
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::DType;

    #[test]
    fn coordinates_of_constants_only() {
        let x = Tensor::from_i64(&[2, 2], vec![1, 0, 1, 1]).unwrap();
        let out = NonZero.infer(&[Some(&Fact::constant(x))]).unwrap();
        assert_eq!(
            out[0].value.as_deref(),
            Some(&Tensor::from_i64(&[2, 3], vec![0, 1, 1, 0, 0, 1]).unwrap())
        );
        assert!(NonZero
            .infer(&[Some(&Fact::new(DType::F32, vec![2]))])
            .is_err());
    }
}
