//! `ArgMax` and `ArgMin`: the index of the extremum along one axis.

use std::cmp::Ordering;

use super::{assemble, axis_flags, group_by_axes, reduced_shape};
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Which extremum an [`ArgReduce`] locates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    /// Index of the largest element (`ArgMax`).
    Max,
    /// Index of the smallest element (`ArgMin`).
    Min,
}

/// Index (`i64`) of the largest or smallest element along `axis`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgReduce {
    /// Largest or smallest.
    pub kind: ArgKind,
    /// The axis, possibly negative (ONNX default 0).
    pub axis: i64,
    /// Keep the axis as a dimension of length 1 (ONNX default true).
    pub keepdims: bool,
    /// On ties, report the last index instead of the first (ONNX default false).
    pub select_last_index: bool,
}

impl ArgReduce {
    /// Position of the extremum in one lane; `None` for an empty lane.
    fn locate<T: PartialOrd>(&self, lane: &[T]) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, x) in lane.iter().enumerate() {
            let replace = match best {
                None => true,
                Some(b) => {
                    let wanted = match self.kind {
                        ArgKind::Max => Ordering::Greater,
                        ArgKind::Min => Ordering::Less,
                    };
                    match x.partial_cmp(&lane[b]) {
                        Some(o) if o == wanted => true,
                        Some(Ordering::Equal) => self.select_last_index,
                        _ => false,
                    }
                }
            };
            if replace {
                best = Some(i);
            }
        }
        best
    }

    fn indices<T: PartialOrd + Clone>(&self, a: &ndarray::ArrayD<T>) -> IrResult<Tensor> {
        let flags = axis_flags(self.name(), &[self.axis], a.ndim())?;
        let shape = reduced_shape(a.shape(), &flags, self.keepdims);
        let groups = group_by_axes(a, &flags);
        let found: Option<Vec<i64>> = groups
            .map(|lane| self.locate(lane).map(|i| i as i64))
            .into_iter()
            .collect();
        let found = found.ok_or_else(|| {
            IrError::invalid(self.name(), "the reduced axis is empty: no index to return")
        })?;
        Ok(Tensor::I64(assemble(shape, found)))
    }
}

impl Op for ArgReduce {
    fn name(&self) -> &'static str {
        match self.kind {
            ArgKind::Max => "ArgMax",
            ArgKind::Min => "ArgMin",
        }
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let out = match inputs.get(0)? {
            Tensor::F32(a) => self.indices(a)?,
            Tensor::I64(a) => self.indices(a)?,
            Tensor::Bool(a) => self.indices(a)?,
        };
        Ok(vec![out])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: &ArgReduce, x: &Tensor) -> IrResult<Tensor> {
        Ok(op.eval(Inputs::new(op.name(), &[Some(x)]))?.remove(0))
    }

    #[test]
    fn ties_and_last_index() {
        let x = Tensor::from_f32(&[2, 3], vec![2.0, 5.0, 5.0, 1.0, 0.0, 1.0]).unwrap();
        let first = ArgReduce {
            kind: ArgKind::Max,
            axis: -1,
            keepdims: true,
            select_last_index: false,
        };
        let out = run(&first, &x).unwrap();
        assert_eq!(out.shape(), &[2, 1]);
        assert_eq!(out.to_i64_vec(), vec![1, 0]);
        let last = ArgReduce {
            select_last_index: true,
            keepdims: false,
            ..first
        };
        let out = run(&last, &x).unwrap();
        assert_eq!(out, Tensor::vec_i64(vec![2, 2]));
        let min = ArgReduce {
            kind: ArgKind::Min,
            axis: 0,
            keepdims: false,
            select_last_index: false,
        };
        assert_eq!(run(&min, &x).unwrap(), Tensor::vec_i64(vec![1, 1, 1]));
    }

    #[test]
    fn bad_axis_and_empty_axis_are_errors() {
        let x = Tensor::from_f32(&[2, 3], vec![0.0; 6]).unwrap();
        let op = ArgReduce {
            kind: ArgKind::Max,
            axis: 2,
            keepdims: true,
            select_last_index: false,
        };
        assert!(run(&op, &x).is_err());
        let empty = Tensor::from_f32(&[2, 0], vec![]).unwrap();
        let op = ArgReduce { axis: 1, ..op };
        assert!(run(&op, &empty).is_err());
        // An empty *kept* axis is fine: there is simply nothing to index.
        let op = ArgReduce { axis: 0, ..op };
        assert_eq!(run(&op, &empty).unwrap().shape(), &[1, 0]);
    }
}
