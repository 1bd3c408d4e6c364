//! Ops whose output is decided by attributes and shapes alone: `ConstantOfShape`,
//! `EyeLike`, `Range`. They always fold to constants at load time.

use ndarray::{ArrayD, IxDyn};

use crate::error::{IrError, IrResult};
use crate::fact::Fact;
use crate::op::{Inputs, Op};
use crate::tensor::{DType, Tensor};

use super::index_map::{checked_len, dim};

/// `ConstantOfShape`: a tensor of the shape in input 0, filled with `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConstantOfShape {
    /// The one-element fill value (ONNX's default: float 0).
    pub value: Tensor,
}

impl Default for ConstantOfShape {
    fn default() -> Self {
        ConstantOfShape {
            value: Tensor::scalar_f32(0.0),
        }
    }
}

impl Op for ConstantOfShape {
    fn name(&self) -> &'static str {
        "ConstantOfShape"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        const OP: &str = "ConstantOfShape";
        let shape = inputs
            .get(0)?
            .to_i64_vec()
            .iter()
            .map(|&d| dim(OP, d))
            .collect::<IrResult<Vec<_>>>()?;
        checked_len(OP, &shape)?;
        let out = match &self.value {
            Tensor::F32(v) => Tensor::F32(ArrayD::from_elem(IxDyn(&shape), first(OP, v)?)),
            Tensor::I64(v) => Tensor::I64(ArrayD::from_elem(IxDyn(&shape), first(OP, v)?)),
            Tensor::Bool(v) => Tensor::Bool(ArrayD::from_elem(IxDyn(&shape), first(OP, v)?)),
        };
        Ok(vec![out])
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[0]
    }

    crate::op_boilerplate!();
}

fn first<T: Clone>(op: &'static str, a: &ArrayD<T>) -> IrResult<T> {
    a.iter()
        .next()
        .cloned()
        .ok_or_else(|| IrError::invalid(op, "empty value"))
}

/// `EyeLike`: ones on diagonal `k` of a matrix shaped like the input, zeros elsewhere.
/// Only the input's shape matters, so the output is a constant.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EyeLike {
    /// Output element type; `None` for the input's.
    pub dtype: Option<DType>,
    /// Diagonal offset (positive: above the main diagonal).
    pub k: i64,
}

impl EyeLike {
    fn value(&self, dtype: DType, shape: &[usize]) -> IrResult<Tensor> {
        if shape.len() != 2 {
            return Err(IrError::invalid(
                "EyeLike",
                format!("input must be a matrix, got shape {shape:?}"),
            ));
        }
        let eye = ArrayD::from_shape_fn(IxDyn(shape), |ix| ix[1] as i64 - ix[0] as i64 == self.k);
        Ok(Tensor::Bool(eye).cast(self.dtype.unwrap_or(dtype)))
    }
}

impl Op for EyeLike {
    fn name(&self) -> &'static str {
        "EyeLike"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let x = inputs.get(0)?;
        Ok(vec![self.value(x.dtype(), x.shape())?])
    }

    fn infer(&self, inputs: &[Option<&Fact>]) -> IrResult<Vec<Fact>> {
        let x = inputs
            .first()
            .copied()
            .flatten()
            .ok_or(IrError::MissingInput {
                op: "EyeLike",
                index: 0,
            })?;
        Ok(vec![Fact::constant(self.value(x.dtype, &x.shape)?)])
    }

    crate::op_boilerplate!();
}

/// `Range`: `start, start + delta, ...` up to (excluding) `limit`; inputs are scalars.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Range;

impl Op for Range {
    fn name(&self) -> &'static str {
        "Range"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        const OP: &str = "Range";
        let scalar = |i| -> IrResult<&Tensor> {
            let t = inputs.get(i)?;
            if t.len() == 1 {
                Ok(t)
            } else {
                Err(IrError::invalid(
                    OP,
                    format!("input {i} must be a scalar, has shape {:?}", t.shape()),
                ))
            }
        };
        let (start, limit, delta) = (scalar(0)?, scalar(1)?, scalar(2)?);
        let count = |n: f64| -> IrResult<usize> {
            let n = n.ceil().max(0.0);
            if n.is_finite() && n <= crate::size::size_limits().max_elements as f64 {
                Ok(n as usize)
            } else {
                Err(IrError::invalid(OP, "invalid or too many elements"))
            }
        };
        let out = match start.dtype() {
            DType::I64 => {
                let [s, l, d] = [start, limit, delta].map(|t| t.to_i64_vec()[0]);
                if d == 0 {
                    return Err(IrError::invalid(OP, "delta is 0"));
                }
                let n = count((l as f64 - s as f64) / d as f64)?;
                Tensor::vec_i64(
                    (0..n as i64)
                        .map(|i| s.wrapping_add(i.wrapping_mul(d)))
                        .collect(),
                )
            }
            DType::F32 => {
                let [s, l, d] = [start, limit, delta].map(|t| t.to_f32_vec()[0]);
                if d == 0.0 {
                    return Err(IrError::invalid(OP, "delta is 0"));
                }
                let n = count((l as f64 - s as f64) / d as f64)?;
                Tensor::from_f32(&[n], (0..n).map(|i| s + i as f32 * d).collect())?
            }
            DType::Bool => return Err(IrError::invalid(OP, "boolean range")),
        };
        Ok(vec![out])
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[0, 1, 2]
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_of_shape_and_errors() {
        let op = ConstantOfShape {
            value: Tensor::vec_i64(vec![7]),
        };
        let shape = Tensor::vec_i64(vec![2, 0]);
        assert_eq!(
            op.eval(Inputs::new("ConstantOfShape", &[Some(&shape)]))
                .unwrap()[0]
                .shape(),
            &[2, 0]
        );
        let negative = Tensor::vec_i64(vec![-2]);
        assert!(op
            .eval(Inputs::new("ConstantOfShape", &[Some(&negative)]))
            .is_err());
        let huge = Tensor::vec_i64(vec![1 << 40, 1 << 40]);
        assert!(op
            .eval(Inputs::new("ConstantOfShape", &[Some(&huge)]))
            .is_err());
    }

    #[test]
    fn range_counts_like_onnx() {
        let s = |v| Tensor::from_i64(&[], vec![v]).unwrap();
        let out = Range
            .eval(Inputs::new(
                "Range",
                &[Some(&s(10)), Some(&s(4)), Some(&s(-3))],
            ))
            .unwrap();
        assert_eq!(out[0].to_i64_vec(), vec![10, 7]);
        let f = Tensor::scalar_f32;
        let out = Range
            .eval(Inputs::new(
                "Range",
                &[Some(&f(1.0)), Some(&f(2.0)), Some(&f(0.25))],
            ))
            .unwrap();
        assert_eq!(out[0].to_f32_vec(), vec![1.0, 1.25, 1.5, 1.75]);
        assert!(Range
            .eval(Inputs::new(
                "Range",
                &[Some(&s(0)), Some(&s(4)), Some(&s(0))]
            ))
            .is_err());
    }

    #[test]
    fn eye_like_offsets() {
        let x = Tensor::zeros(DType::F32, &[2, 3]);
        let out = EyeLike {
            dtype: Some(DType::I64),
            k: 1,
        }
        .eval(Inputs::new("EyeLike", &[Some(&x)]))
        .unwrap();
        assert_eq!(
            out[0],
            Tensor::from_i64(&[2, 3], vec![0, 1, 0, 0, 0, 1]).unwrap()
        );
    }
}
