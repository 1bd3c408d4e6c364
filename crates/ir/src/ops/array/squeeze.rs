//! `Squeeze` and `Unsqueeze`: remove or insert dimensions of size 1. Like
//! `Reshape`, data never moves and the index map is the identity.

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{distinct_axes, param_i64, shape_of, IndexMap, IndexMapOp, Operand};

/// `Squeeze`: remove the listed size-1 dimensions, or every size-1 dimension when none is listed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Squeeze {
    /// The `axes` attribute (before opset 13). `None`: read input 1 if present.
    pub axes: Option<Vec<i64>>,
}

impl Squeeze {
    /// The output shape, with the axes from the attribute or else `axes_input`.
    pub fn output_shape(
        &self,
        input: &[usize],
        axes_input: Option<&[i64]>,
    ) -> IrResult<Vec<usize>> {
        let Some(axes) = self.axes.as_deref().or(axes_input) else {
            return Ok(input.iter().copied().filter(|&d| d != 1).collect());
        };
        let axes = distinct_axes("Squeeze", axes, input.len())?;
        for &a in &axes {
            if input[a] != 1 {
                return Err(IrError::shape(
                    "Squeeze",
                    format!("dimension {a} of {input:?} is not 1"),
                ));
            }
        }
        Ok(input
            .iter()
            .enumerate()
            .filter(|(i, _)| !axes.contains(i))
            .map(|(_, &d)| d)
            .collect())
    }
}

impl IndexMapOp for Squeeze {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        let axes = param_i64("Squeeze", inputs, 1)?;
        let shape = self.output_shape(shape_of("Squeeze", inputs, 0)?, axes.as_deref())?;
        Ok(vec![IndexMap::identity("Squeeze", shape)?])
    }
}

impl Op for Squeeze {
    fn name(&self) -> &'static str {
        "Squeeze"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let data = inputs.get(0)?;
        let axes = inputs.opt(1).map(Tensor::to_i64_vec);
        Ok(vec![data.reshape(
            &self.output_shape(data.shape(), axes.as_deref())?,
        )?])
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[1]
    }

    crate::op_boilerplate!();
}

/// `Unsqueeze`: insert size-1 dimensions at the listed positions of the output.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Unsqueeze {
    /// The `axes` attribute (before opset 13). `None`: read input 1.
    pub axes: Option<Vec<i64>>,
}

impl Unsqueeze {
    /// The output shape, with the axes from the attribute or else `axes_input`.
    pub fn output_shape(
        &self,
        input: &[usize],
        axes_input: Option<&[i64]>,
    ) -> IrResult<Vec<usize>> {
        let axes = self
            .axes
            .as_deref()
            .or(axes_input)
            .ok_or_else(|| IrError::invalid("Unsqueeze", "no axes (attribute or input 1)"))?;
        let rank = input.len() + axes.len();
        let axes = distinct_axes("Unsqueeze", axes, rank)?;
        let mut dims = input.iter();
        Ok((0..rank)
            .map(|i| {
                if axes.contains(&i) {
                    1
                } else {
                    *dims.next().expect("rank counts both")
                }
            })
            .collect())
    }
}

impl IndexMapOp for Unsqueeze {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        let axes = param_i64("Unsqueeze", inputs, 1)?;
        let shape = self.output_shape(shape_of("Unsqueeze", inputs, 0)?, axes.as_deref())?;
        Ok(vec![IndexMap::identity("Unsqueeze", shape)?])
    }
}

impl Op for Unsqueeze {
    fn name(&self) -> &'static str {
        "Unsqueeze"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let data = inputs.get(0)?;
        let axes = inputs.opt(1).map(Tensor::to_i64_vec);
        Ok(vec![data.reshape(
            &self.output_shape(data.shape(), axes.as_deref())?,
        )?])
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[1]
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeeze_listed_or_all() {
        let all = Squeeze::default();
        assert_eq!(all.output_shape(&[1, 3, 1, 5], None).unwrap(), vec![3, 5]);
        assert_eq!(
            all.output_shape(&[1, 3, 1, 5], Some(&[-2])).unwrap(),
            vec![1, 3, 5]
        );
        assert!(all.output_shape(&[1, 3], Some(&[1])).is_err());
        assert!(all.output_shape(&[1, 3], Some(&[2])).is_err());
        assert!(all.output_shape(&[1, 1], Some(&[0, -2])).is_err());
    }

    #[test]
    fn unsqueeze_axes_are_output_positions() {
        let u = |axes: Vec<i64>, s: &[usize]| Unsqueeze { axes: Some(axes) }.output_shape(s, None);
        assert_eq!(u(vec![0, 4], &[3, 4, 5]).unwrap(), vec![1, 3, 4, 5, 1]);
        assert_eq!(u(vec![-1], &[3]).unwrap(), vec![3, 1]);
        assert_eq!(
            u(vec![5, 1, 3], &[3, 4, 5]).unwrap(),
            vec![3, 1, 4, 1, 5, 1]
        );
        assert!(u(vec![1, 1], &[3]).is_err());
        assert!(u(vec![3], &[3]).is_err());
    }
}
