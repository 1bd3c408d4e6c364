//! Elementwise reductions over any number of broadcast inputs: `Sum`, `Mean`, `Max`, `Min`.

use ndarray::ArrayD;

use crate::broadcast::broadcast_map2;
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::{DType, Tensor};

/// How a [`VariadicOp`] combines its inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VariadicKind {
    /// Elementwise sum (f32 or i64, wrapping).
    Sum,
    /// Elementwise arithmetic mean (f32 only).
    Mean,
    /// Elementwise maximum (f32 or i64); NaN wins, as with NumPy's `maximum`.
    Max,
    /// Elementwise minimum (f32 or i64); NaN wins, as with NumPy's `minimum`.
    Min,
}

/// Combines one or more inputs of the same element type, broadcast together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariadicOp {
    /// The combination.
    pub kind: VariadicKind,
}

impl VariadicOp {
    /// A new op of the given kind.
    pub fn new(kind: VariadicKind) -> Self {
        VariadicOp { kind }
    }
}

/// Fold broadcast inputs pairwise, left to right.
fn fold<T: Clone>(
    op: &'static str,
    arrays: &[&ArrayD<T>],
    f: fn(&T, &T) -> T,
) -> IrResult<ArrayD<T>> {
    let (first, rest) = arrays
        .split_first()
        .ok_or(IrError::MissingInput { op, index: 0 })?;
    rest.iter()
        .try_fold((*first).clone(), |acc, a| broadcast_map2(op, &acc, a, f))
}

fn nan_max(x: &f32, y: &f32) -> f32 {
    if x.is_nan() || y.is_nan() {
        f32::NAN
    } else {
        x.max(*y)
    }
}

fn nan_min(x: &f32, y: &f32) -> f32 {
    if x.is_nan() || y.is_nan() {
        f32::NAN
    } else {
        x.min(*y)
    }
}

impl Op for VariadicOp {
    fn name(&self) -> &'static str {
        match self.kind {
            VariadicKind::Sum => "Sum",
            VariadicKind::Mean => "Mean",
            VariadicKind::Max => "Max",
            VariadicKind::Min => "Min",
        }
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let tensors: Vec<&Tensor> = inputs.present().collect();
        let first = tensors
            .first()
            .ok_or(IrError::MissingInput { op, index: 0 })?;
        let out = match first.dtype() {
            DType::F32 => {
                let arrays = tensors
                    .iter()
                    .enumerate()
                    .map(|(i, t)| t.as_f32(op, i))
                    .collect::<IrResult<Vec<_>>>()?;
                let f: fn(&f32, &f32) -> f32 = match self.kind {
                    VariadicKind::Sum | VariadicKind::Mean => |x, y| x + y,
                    VariadicKind::Max => nan_max,
                    VariadicKind::Min => nan_min,
                };
                let mut out = fold(op, &arrays, f)?;
                if self.kind == VariadicKind::Mean {
                    let n = arrays.len() as f32;
                    out.mapv_inplace(|x| x / n);
                }
                Tensor::F32(out)
            }
            DType::I64 if self.kind != VariadicKind::Mean => {
                let arrays = tensors
                    .iter()
                    .enumerate()
                    .map(|(i, t)| t.as_i64(op, i))
                    .collect::<IrResult<Vec<_>>>()?;
                let f: fn(&i64, &i64) -> i64 = match self.kind {
                    VariadicKind::Max => |x, y| *x.max(y),
                    VariadicKind::Min => |x, y| *x.min(y),
                    _ => |x, y| x.wrapping_add(*y),
                };
                Tensor::I64(fold(op, &arrays, f)?)
            }
            found => {
                let expected = if self.kind == VariadicKind::Mean {
                    "f32"
                } else {
                    "f32 or i64"
                };
                return Err(IrError::DType {
                    op,
                    index: 0,
                    expected: expected.into(),
                    found,
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

    fn run(kind: VariadicKind, ts: &[Tensor]) -> IrResult<Tensor> {
        let slots: Vec<Option<&Tensor>> = ts.iter().map(Some).collect();
        let op = VariadicOp::new(kind);
        Ok(op.eval(Inputs::new(op.name(), &slots))?.remove(0))
    }

    #[test]
    fn three_inputs_broadcast_together() {
        let a = Tensor::from_f32(&[2, 1], vec![1.0, 2.0]).unwrap();
        let b = Tensor::from_f32(&[3], vec![0.0, 10.0, 20.0]).unwrap();
        let c = Tensor::scalar_f32(3.0);
        let out = run(VariadicKind::Mean, &[a.clone(), b.clone(), c.clone()]).unwrap();
        assert_eq!(out.shape(), &[2, 3]);
        assert_eq!(
            out.to_f32_vec(),
            vec![4.0 / 3.0, 14.0 / 3.0, 8.0, 5.0 / 3.0, 5.0, 25.0 / 3.0]
        );
        assert_eq!(
            run(VariadicKind::Max, &[a, b, c]).unwrap().to_f32_vec(),
            vec![3.0, 10.0, 20.0, 3.0, 10.0, 20.0]
        );
    }

    #[test]
    fn one_input_is_the_identity_and_none_is_an_error() {
        let a = Tensor::vec_i64(vec![3, -1]);
        assert_eq!(run(VariadicKind::Min, std::slice::from_ref(&a)).unwrap(), a);
        assert!(matches!(
            run(VariadicKind::Sum, &[]),
            Err(IrError::MissingInput { .. })
        ));
    }

    #[test]
    fn integers_and_nan() {
        let a = Tensor::vec_i64(vec![3, -1]);
        let b = Tensor::vec_i64(vec![2, 5]);
        assert_eq!(
            run(VariadicKind::Max, &[a.clone(), b.clone()])
                .unwrap()
                .to_i64_vec(),
            vec![3, 5]
        );
        assert!(run(VariadicKind::Mean, &[a.clone(), b]).is_err());
        assert!(run(VariadicKind::Sum, &[a, Tensor::scalar_f32(1.0)]).is_err());
        let x = Tensor::from_f32(&[2], vec![f32::NAN, 1.0]).unwrap();
        let y = Tensor::from_f32(&[2], vec![0.0, 2.0]).unwrap();
        let out = run(VariadicKind::Min, &[y, x]).unwrap().to_f32_vec();
        assert!(out[0].is_nan());
        assert_eq!(out[1], 1.0);
    }
}
