//! `TopK`: the `k` largest (or smallest) elements along an axis, with their indices.

use std::cmp::Ordering;

use ndarray::{ArrayD, IxDyn};

use super::{axis_flags, group_by_axes};
use crate::error::{IrError, IrResult};
use crate::op::{normalize_axis, Inputs, Op};
use crate::tensor::Tensor;

/// The `k` largest or smallest elements along `axis` (output 0) and their
/// indices along that axis (output 1, `i64`).
///
/// `k` is input 1 (a one-element `i64` tensor) from opset 10 and the `k` field before;
/// it decides the output shape, so it must be a load-time constant. Equal values
/// keep their input order (the lower index first), as ONNX requires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopK {
    /// The axis, possibly negative (ONNX default -1).
    pub axis: i64,
    /// Largest elements when true (ONNX default), smallest when false.
    pub largest: bool,
    /// Whether the caller asked for sorted output (ONNX default true). The output is
    /// always sorted, which also satisfies `sorted = false` ("any order").
    pub sorted: bool,
    /// `k` from the attribute (opset < 10); input 1 overrides it.
    pub k: Option<i64>,
}

/// A total order on elements: NaN sorts above every number so that sorting never
/// sees an inconsistent comparison, while `-0.0` and `0.0` stay equal (ties).
trait TotalKey: Clone {
    fn total_cmp_key(&self, other: &Self) -> Ordering;
}

impl TotalKey for f32 {
    fn total_cmp_key(&self, other: &Self) -> Ordering {
        match (self.is_nan(), other.is_nan()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => self.partial_cmp(other).unwrap_or(Ordering::Equal),
        }
    }
}

impl TotalKey for i64 {
    fn total_cmp_key(&self, other: &Self) -> Ordering {
        self.cmp(other)
    }
}

impl TopK {
    fn k(&self, inputs: Inputs<'_>) -> IrResult<i64> {
        match inputs.opt(1) {
            Some(t) if t.len() == 1 => Ok(t.to_i64_vec()[0]),
            Some(t) => Err(IrError::invalid(
                self.name(),
                format!("K must hold one value, got shape {:?}", t.shape()),
            )),
            None => self.k.ok_or(IrError::MissingInput {
                op: self.name(),
                index: 1,
            }),
        }
    }

    fn select<T: TotalKey>(&self, a: &ArrayD<T>, k: i64) -> IrResult<(ArrayD<T>, ArrayD<i64>)> {
        let op = self.name();
        let rank = a.ndim();
        let axis = normalize_axis(op, self.axis, rank)?;
        let flags = axis_flags(op, &[self.axis], rank)?;
        let len = a.shape()[axis];
        let k = usize::try_from(k)
            .ok()
            .filter(|&k| k <= len)
            .ok_or_else(|| {
                IrError::invalid(
                    op,
                    format!("K = {k} outside [0, {len}] for axis {}", self.axis),
                )
            })?;
        let groups = group_by_axes(a, &flags);
        let mut values = Vec::with_capacity(groups.groups * k);
        let mut indices = Vec::with_capacity(groups.groups * k);
        groups.map(|lane| {
            let mut order: Vec<usize> = (0..lane.len()).collect();
            // A stable sort keeps equal elements in index order.
            order.sort_by(|&i, &j| {
                let o = lane[i].total_cmp_key(&lane[j]);
                if self.largest {
                    o.reverse()
                } else {
                    o
                }
            });
            for &i in &order[..k] {
                values.push(lane[i].clone());
                indices.push(i as i64);
            }
        });
        // Groups come out with the selected axis last; move it back into place.
        let mut lane_shape = groups.kept_shape.clone();
        lane_shape.push(k);
        let perm: Vec<usize> = (0..rank)
            .map(|i| match i.cmp(&axis) {
                Ordering::Less => i,
                Ordering::Equal => rank - 1,
                Ordering::Greater => i - 1,
            })
            .collect();
        fn place<U: Clone>(lane_shape: &[usize], perm: &[usize], data: Vec<U>) -> ArrayD<U> {
            let lanes = ArrayD::from_shape_vec(IxDyn(lane_shape), data).expect("k values per lane");
            lanes
                .permuted_axes(IxDyn(perm))
                .as_standard_layout()
                .into_owned()
        }
        Ok((
            place(&lane_shape, &perm, values),
            place(&lane_shape, &perm, indices),
        ))
    }
}

impl Op for TopK {
    fn name(&self) -> &'static str {
        "TopK"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let k = self.k(inputs)?;
        let (values, indices) = match inputs.get(0)? {
            Tensor::F32(a) => {
                let (v, i) = self.select(a, k)?;
                (Tensor::F32(v), i)
            }
            Tensor::I64(a) => {
                let (v, i) = self.select(a, k)?;
                (Tensor::I64(v), i)
            }
            other => {
                return Err(IrError::DType {
                    op: self.name(),
                    index: 0,
                    expected: "f32 or i64".into(),
                    found: other.dtype(),
                })
            }
        };
        Ok(vec![values, Tensor::I64(indices)])
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[1]
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: &TopK, x: &Tensor, k: i64) -> IrResult<Vec<Tensor>> {
        let k = Tensor::vec_i64(vec![k]);
        op.eval(Inputs::new("TopK", &[Some(x), Some(&k)]))
    }

    #[test]
    fn along_a_middle_axis_with_ties() {
        // shape [1, 3, 2]; axis 1 holds columns (3, 1, 3) and (0, 2, 1).
        let x = Tensor::from_f32(&[1, 3, 2], vec![3.0, 0.0, 1.0, 2.0, 3.0, 1.0]).unwrap();
        let op = TopK {
            axis: -2,
            largest: true,
            sorted: true,
            k: None,
        };
        let out = run(&op, &x, 2).unwrap();
        assert_eq!(
            out[0],
            Tensor::from_f32(&[1, 2, 2], vec![3.0, 2.0, 3.0, 1.0]).unwrap()
        );
        assert_eq!(
            out[1],
            Tensor::from_i64(&[1, 2, 2], vec![0, 1, 2, 2]).unwrap()
        );
        let smallest = TopK {
            largest: false,
            ..op
        };
        let out = run(&smallest, &x, 1).unwrap();
        assert_eq!(out[1], Tensor::from_i64(&[1, 1, 2], vec![1, 0]).unwrap());
    }

    #[test]
    fn bad_k_and_axis_are_errors() {
        let x = Tensor::from_f32(&[3], vec![1.0, 2.0, 3.0]).unwrap();
        let op = TopK {
            axis: 0,
            largest: true,
            sorted: true,
            k: None,
        };
        assert!(run(&op, &x, 4).is_err());
        assert!(run(&op, &x, -1).is_err());
        assert!(run(
            &TopK {
                axis: 1,
                ..op.clone()
            },
            &x,
            1
        )
        .is_err());
        assert_eq!(run(&op, &x, 0).unwrap()[0].shape(), &[0]);
        assert!(op.eval(Inputs::new("TopK", &[Some(&x)])).is_err());
        let attr = TopK { k: Some(1), ..op };
        assert_eq!(
            attr.eval(Inputs::new("TopK", &[Some(&x)])).unwrap()[1],
            Tensor::vec_i64(vec![2])
        );
    }
}
