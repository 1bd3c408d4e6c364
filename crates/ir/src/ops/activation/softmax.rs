//! `Softmax`, `LogSoftmax` and `Hardmax`: normalisation along an axis.

use ndarray::{ArrayD, IxDyn};

use crate::error::{IrError, IrResult};
use crate::op::{normalize_axis, Inputs, Op};
use crate::tensor::Tensor;

/// What a [`Softmax`] computes over each group of elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoftmaxKind {
    /// `exp(x_i - max) / Σ exp(x_j - max)`
    Softmax,
    /// `x_i - max - ln Σ exp(x_j - max)`
    LogSoftmax,
    /// 1 at the first maximum of the group, 0 elsewhere.
    Hardmax,
}

/// Softmax-like normalisation of groups of elements along `axis`.
///
/// ONNX changed the grouping in opset 13. Before, the input is viewed as the 2-D
/// matrix `[prod(dims[..axis]), prod(dims[axis..])]` and each row is a group, so
/// all axes from `axis` on are normalised jointly (`over_trailing_axes = true`,
/// default axis 1). From opset 13 a group is one lane along `axis` alone
/// (`over_trailing_axes = false`, default axis -1). The two agree when `axis` is
/// the last axis, which is what almost every classifier uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Softmax {
    /// The normalisation.
    pub kind: SoftmaxKind,
    /// The axis, possibly negative (counted from the end).
    pub axis: i64,
    /// Opset < 13 semantics: normalise over all axes from `axis` to the last jointly.
    pub over_trailing_axes: bool,
}

impl Softmax {
    /// A new op.
    pub fn new(kind: SoftmaxKind, axis: i64, over_trailing_axes: bool) -> Self {
        Softmax {
            kind,
            axis,
            over_trailing_axes,
        }
    }

    /// `(outer, group, inner)`: the input seen as `[outer, group, inner]` with groups
    /// along the middle dimension.
    fn layout(&self, shape: &[usize]) -> IrResult<(usize, usize, usize)> {
        let rank = shape.len();
        if rank == 0 {
            return Ok((1, 1, 1));
        }
        let axis = if self.over_trailing_axes {
            // Flatten accepts axis == rank (the whole tensor is one column), so the old
            // softmax does too: every group then has one element.
            let r = rank as i64;
            let a = if self.axis < 0 {
                self.axis + r
            } else {
                self.axis
            };
            if !(0..=r).contains(&a) {
                return Err(IrError::invalid(
                    self.name(),
                    format!("axis {} out of range for rank {rank}", self.axis),
                ));
            }
            a as usize
        } else {
            normalize_axis(self.name(), self.axis, rank)?
        };
        let outer = shape[..axis].iter().product();
        Ok(if self.over_trailing_axes {
            (outer, shape[axis..].iter().product(), 1)
        } else {
            (outer, shape[axis], shape[axis + 1..].iter().product())
        })
    }

    /// Normalise one group in place.
    fn normalise(&self, group: &mut [f64]) {
        let max = group.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        match self.kind {
            SoftmaxKind::Softmax => {
                group.iter_mut().for_each(|x| *x = (*x - max).exp());
                let sum: f64 = group.iter().sum();
                group.iter_mut().for_each(|x| *x /= sum);
            }
            SoftmaxKind::LogSoftmax => {
                let log_sum = group.iter().map(|x| (x - max).exp()).sum::<f64>().ln();
                group.iter_mut().for_each(|x| *x = *x - max - log_sum);
            }
            SoftmaxKind::Hardmax => {
                let first = group.iter().position(|&x| x == max);
                for (i, x) in group.iter_mut().enumerate() {
                    *x = if Some(i) == first { 1.0 } else { 0.0 };
                }
            }
        }
    }
}

impl Op for Softmax {
    fn name(&self) -> &'static str {
        match self.kind {
            SoftmaxKind::Softmax => "Softmax",
            SoftmaxKind::LogSoftmax => "LogSoftmax",
            SoftmaxKind::Hardmax => "Hardmax",
        }
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let x = inputs.f32(0)?;
        let (outer, group_len, inner) = self.layout(x.shape())?;
        let mut data: Vec<f32> = x.iter().copied().collect();
        let mut group = vec![0f64; group_len];
        for o in 0..outer {
            for i in 0..inner {
                let at = |k: usize| (o * group_len + k) * inner + i;
                for (k, g) in group.iter_mut().enumerate() {
                    *g = f64::from(data[at(k)]);
                }
                self.normalise(&mut group);
                for (k, g) in group.iter().enumerate() {
                    data[at(k)] = *g as f32;
                }
            }
        }
        let out = ArrayD::from_shape_vec(IxDyn(x.shape()), data).expect("same element count");
        Ok(vec![Tensor::F32(out)])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: &Softmax, x: &Tensor) -> IrResult<Tensor> {
        Ok(op.eval(Inputs::new(op.name(), &[Some(x)]))?.remove(0))
    }

    fn values(t: &Tensor) -> Vec<f32> {
        t.to_f32_vec()
    }

    #[test]
    fn per_axis_and_legacy_grouping_differ() {
        let x = Tensor::from_f32(&[1, 2, 2], vec![0.0, 0.0, 0.0, 0.0]).unwrap();
        let new = run(&Softmax::new(SoftmaxKind::Softmax, 1, false), &x).unwrap();
        assert_eq!(values(&new), vec![0.5; 4]);
        let old = run(&Softmax::new(SoftmaxKind::Softmax, 1, true), &x).unwrap();
        assert_eq!(values(&old), vec![0.25; 4]);
    }

    #[test]
    fn negative_axis_and_large_numbers() {
        let x = Tensor::from_f32(&[2, 2], vec![1000.0, 1001.0, -1000.0, -1000.0]).unwrap();
        let out = run(&Softmax::new(SoftmaxKind::LogSoftmax, -1, false), &x).unwrap();
        let v = values(&out);
        assert!((v[1] - (-(1.0 + (-1f32).exp()).ln())).abs() < 1e-6);
        assert!((v[2] - (-std::f32::consts::LN_2)).abs() < 1e-6);
    }

    #[test]
    fn hardmax_picks_first_maximum() {
        let x = Tensor::from_f32(&[2, 3], vec![1.0, 3.0, 3.0, 2.0, 0.0, 1.0]).unwrap();
        let out = run(&Softmax::new(SoftmaxKind::Hardmax, 0, false), &x).unwrap();
        assert_eq!(values(&out), vec![0.0, 1.0, 1.0, 1.0, 0.0, 0.0]);
    }

    #[test]
    fn bad_axis_is_an_error() {
        let x = Tensor::from_f32(&[2, 2], vec![0.0; 4]).unwrap();
        assert!(run(&Softmax::new(SoftmaxKind::Softmax, 2, false), &x).is_err());
        assert!(run(&Softmax::new(SoftmaxKind::Softmax, -3, true), &x).is_err());
        assert!(run(&Softmax::new(SoftmaxKind::Softmax, 2, true), &x).is_ok());
    }
}
