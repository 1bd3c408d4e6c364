//! Pure changes of shape: `Reshape` and `Flatten`. Data never moves (row-major
//! order is kept), so their index map is the identity.

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{checked_len, param_i64, shape_of, IndexMap, IndexMapOp, Operand};

/// `Reshape`: input 1 holds the target shape, where `0` copies the input's
/// dimension (unless `allowzero`) and `-1` is inferred.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reshape {
    /// ONNX `allowzero` (opset 14): a `0` in the target shape means an empty dimension.
    pub allowzero: bool,
}

impl Reshape {
    /// The output shape for a given input shape and target.
    pub fn output_shape(&self, input: &[usize], target: &[i64]) -> IrResult<Vec<usize>> {
        const OP: &str = "Reshape";
        let total: usize = input.iter().product();
        let mut out = Vec::with_capacity(target.len());
        let mut inferred = None;
        for (i, &d) in target.iter().enumerate() {
            match d {
                -1 if inferred.is_some() => {
                    return Err(IrError::invalid(
                        OP,
                        format!("more than one -1 in target shape {target:?}"),
                    ))
                }
                -1 => {
                    inferred = Some(i);
                    out.push(1);
                }
                0 if !self.allowzero => match input.get(i) {
                    Some(&d) => out.push(d),
                    None => {
                        return Err(IrError::invalid(
                            OP,
                            format!(
                                "target {target:?} copies dimension {i} of a rank-{} input",
                                input.len()
                            ),
                        ))
                    }
                },
                d if d < 0 => {
                    return Err(IrError::invalid(
                        OP,
                        format!("negative dimension {d} in target {target:?}"),
                    ))
                }
                d => out.push(d as usize),
            }
        }
        if let Some(i) = inferred {
            let known = out
                .iter()
                .try_fold(1usize, |a, &d| a.checked_mul(d))
                .unwrap_or(0);
            if total.checked_rem(known) != Some(0) {
                return Err(IrError::shape(
                    OP,
                    format!("cannot reshape {input:?} into {target:?}"),
                ));
            }
            out[i] = total / known;
        }
        if checked_len(OP, &out)? != total {
            return Err(IrError::shape(
                OP,
                format!("cannot reshape {input:?} into {target:?}"),
            ));
        }
        Ok(out)
    }
}

impl IndexMapOp for Reshape {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        let target = param_i64("Reshape", inputs, 1)?.ok_or(IrError::MissingInput {
            op: "Reshape",
            index: 1,
        })?;
        let shape = self.output_shape(shape_of("Reshape", inputs, 0)?, &target)?;
        Ok(vec![IndexMap::identity("Reshape", shape)?])
    }
}

impl Op for Reshape {
    fn name(&self) -> &'static str {
        "Reshape"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let data = inputs.get(0)?;
        let shape = self.output_shape(data.shape(), &inputs.get(1)?.to_i64_vec())?;
        Ok(vec![data.reshape(&shape)?])
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[1]
    }

    crate::op_boilerplate!();
}

/// `Flatten`: collapse the dimensions before `axis` and those from `axis` on into a matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flatten {
    /// Split point, in `[-rank, rank]`; ONNX's default is 1.
    pub axis: i64,
}

impl Flatten {
    /// The output shape (always rank 2).
    pub fn output_shape(&self, input: &[usize]) -> IrResult<Vec<usize>> {
        let rank = input.len() as i64;
        let axis = if self.axis < 0 {
            self.axis + rank
        } else {
            self.axis
        };
        if !(0..=rank).contains(&axis) {
            return Err(IrError::invalid(
                "Flatten",
                format!("axis {} out of range for rank {rank}", self.axis),
            ));
        }
        let (outer, inner) = input.split_at(axis as usize);
        Ok(vec![outer.iter().product(), inner.iter().product()])
    }
}

impl IndexMapOp for Flatten {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        let shape = self.output_shape(shape_of("Flatten", inputs, 0)?)?;
        Ok(vec![IndexMap::identity("Flatten", shape)?])
    }
}

impl Op for Flatten {
    fn name(&self) -> &'static str {
        "Flatten"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let data = inputs.get(0)?;
        Ok(vec![data.reshape(&self.output_shape(data.shape())?)?])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reshape(input: &[usize], target: &[i64], allowzero: bool) -> IrResult<Vec<usize>> {
        Reshape { allowzero }.output_shape(input, target)
    }

    #[test]
    fn zero_copies_and_minus_one_infers() {
        assert_eq!(reshape(&[2, 3, 4], &[0, -1], false).unwrap(), vec![2, 12]);
        assert_eq!(reshape(&[2, 3, 4], &[-1], false).unwrap(), vec![24]);
        assert_eq!(
            reshape(&[2, 3, 4], &[4, 0, 2], false).unwrap(),
            vec![4, 3, 2]
        );
        assert_eq!(reshape(&[], &[1, 1], false).unwrap(), vec![1, 1]);
    }

    #[test]
    fn allowzero_makes_zero_literal() {
        assert_eq!(
            reshape(&[0, 3, 4], &[3, 4, 0], true).unwrap(),
            vec![3, 4, 0]
        );
        assert!(reshape(&[2, 3], &[0, 6], true).is_err());
        // Inferring -1 next to a literal 0 is ambiguous.
        assert!(reshape(&[0, 3], &[0, -1], true).is_err());
    }

    #[test]
    fn bad_targets_are_errors() {
        assert!(reshape(&[2, 3], &[-1, -1], false).is_err());
        assert!(reshape(&[2, 3], &[4, -1], false).is_err());
        assert!(reshape(&[2, 3], &[0, 0, 0], false).is_err());
        assert!(reshape(&[2, 3], &[-2, 3], false).is_err());
        assert!(reshape(&[2, 3], &[i64::MAX, i64::MAX], false).is_err());
    }

    #[test]
    fn flatten_axes() {
        let f = |axis, s: &[usize]| Flatten { axis }.output_shape(s);
        assert_eq!(f(0, &[2, 3, 4]).unwrap(), vec![1, 24]);
        assert_eq!(f(3, &[2, 3, 4]).unwrap(), vec![24, 1]);
        assert_eq!(f(-1, &[2, 3, 4]).unwrap(), vec![6, 4]);
        assert!(f(4, &[2, 3, 4]).is_err());
        assert!(f(-4, &[2, 3, 4]).is_err());
    }
}
