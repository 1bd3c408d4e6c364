//! `Reduce*`: collapse axes with a sum, mean, extremum, product or norm.

use super::{assemble, axis_flags, group_by_axes, reduced_shape};
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// What a [`Reduce`] computes over each group of elements.
///
/// Over an empty group (a reduced axis of length 0) each kind yields its identity,
/// as ONNX's reference does: 0 for sums and norms, 1 for the product, −∞/+∞ (or the
/// integer extremes, or false/true for booleans) for max/min, −∞ for the log
/// reductions, and NaN for the mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReduceKind {
    /// `Σ x`
    Sum,
    /// `Σ x / n`
    Mean,
    /// `max x`
    Max,
    /// `min x`
    Min,
    /// `Π x`
    Prod,
    /// `Σ |x|`
    L1,
    /// `√(Σ x²)`
    L2,
    /// `Σ x²`
    SumSquare,
    /// `ln Σ x`
    LogSum,
    /// `ln Σ exp(x)`, computed stably around the maximum.
    LogSumExp,
}

impl ReduceKind {
    /// ONNX op name of this kind.
    pub fn name(&self) -> &'static str {
        match self {
            ReduceKind::Sum => "ReduceSum",
            ReduceKind::Mean => "ReduceMean",
            ReduceKind::Max => "ReduceMax",
            ReduceKind::Min => "ReduceMin",
            ReduceKind::Prod => "ReduceProd",
            ReduceKind::L1 => "ReduceL1",
            ReduceKind::L2 => "ReduceL2",
            ReduceKind::SumSquare => "ReduceSumSquare",
            ReduceKind::LogSum => "ReduceLogSum",
            ReduceKind::LogSumExp => "ReduceLogSumExp",
        }
    }

    /// The reduction of one group, in f64 so that long sums do not drift.
    fn float(&self, group: impl Iterator<Item = f64> + Clone) -> f64 {
        match self {
            ReduceKind::Sum => group.sum(),
            ReduceKind::Mean => {
                let n = group.clone().count();
                group.sum::<f64>() / n as f64
            }
            ReduceKind::Max => group.fold(f64::NEG_INFINITY, f64::max),
            ReduceKind::Min => group.fold(f64::INFINITY, f64::min),
            ReduceKind::Prod => group.product(),
            ReduceKind::L1 => group.map(f64::abs).sum(),
            ReduceKind::L2 => group.map(|x| x * x).sum::<f64>().sqrt(),
            ReduceKind::SumSquare => group.map(|x| x * x).sum(),
            ReduceKind::LogSum => group.sum::<f64>().ln(),
            ReduceKind::LogSumExp => {
                let max = group.clone().fold(f64::NEG_INFINITY, f64::max);
                if max.is_infinite() {
                    // All −∞ (or empty) gives −∞; any +∞ gives +∞. Shifting by an
                    // infinite max would produce NaN instead.
                    max
                } else {
                    max + group.map(|x| (x - max).exp()).sum::<f64>().ln()
                }
            }
        }
    }

    /// The reduction of one integer group: exact (wrapping) where the result is an
    /// integer anyway, through f64 and truncated otherwise, as NumPy's `astype` does.
    fn int(&self, group: &[i64]) -> i64 {
        let it = group.iter().copied();
        match self {
            ReduceKind::Sum => it.fold(0, i64::wrapping_add),
            ReduceKind::Max => it.fold(i64::MIN, i64::max),
            ReduceKind::Min => it.fold(i64::MAX, i64::min),
            ReduceKind::Prod => it.fold(1, i64::wrapping_mul),
            ReduceKind::L1 => it.fold(0, |acc, x| acc.wrapping_add(x.wrapping_abs())),
            ReduceKind::SumSquare => it.fold(0, |acc, x| acc.wrapping_add(x.wrapping_mul(x))),
            ReduceKind::Mean | ReduceKind::L2 | ReduceKind::LogSum | ReduceKind::LogSumExp => {
                self.float(group.iter().map(|&x| x as f64)) as i64
            }
        }
    }
}

/// A reduction over a set of axes.
///
/// The axes come from the `axes` attribute for models older than the opset that
/// turned them into input 1 (13 for `ReduceSum`, 18 for the others); a present
/// input 1 overrides the field. Absent or empty axes reduce every axis, unless
/// `noop_with_empty_axes` is set: then no axis is reduced, and — following ONNX's
/// reference implementation — the elementwise part of the kind still applies
/// (`ReduceSumSquare` squares, `ReduceL1` takes absolute values, `ReduceSum` is
/// the identity).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reduce {
    /// The reduction.
    pub kind: ReduceKind,
    /// Axes from the attribute, possibly negative; `None` when the attribute is absent.
    pub axes: Option<Vec<i64>>,
    /// Keep reduced axes as dimensions of length 1 (ONNX default true).
    pub keepdims: bool,
    /// Empty axes mean "reduce nothing" rather than "reduce everything" (ONNX default false).
    pub noop_with_empty_axes: bool,
}

impl Reduce {
    /// A reduction over the attribute `axes` (`None`: all axes).
    pub fn new(kind: ReduceKind, axes: Option<Vec<i64>>, keepdims: bool) -> Self {
        Reduce {
            kind,
            axes,
            keepdims,
            noop_with_empty_axes: false,
        }
    }

    /// Which axes of an input of rank `rank` are reduced, given the op's input 1
    /// (the constant axes tensor, if the node has one). Later stages call this with
    /// the constant from the graph's facts.
    pub fn reduced_axes(&self, rank: usize, axes_input: Option<&Tensor>) -> IrResult<Vec<usize>> {
        let flags = self.axis_flags(rank, axes_input)?;
        Ok((0..rank).filter(|&i| flags[i]).collect())
    }

    fn axis_flags(&self, rank: usize, axes_input: Option<&Tensor>) -> IrResult<Vec<bool>> {
        let axes = match axes_input {
            Some(t) => Some(t.to_i64_vec()),
            None => self.axes.clone(),
        };
        match axes {
            Some(axes) if !axes.is_empty() => axis_flags(self.name(), &axes, rank),
            _ => Ok(vec![!self.noop_with_empty_axes; rank]),
        }
    }
}

impl Op for Reduce {
    fn name(&self) -> &'static str {
        self.kind.name()
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let x = inputs.get(0)?;
        let flags = self.axis_flags(x.shape().len(), inputs.opt(1))?;
        let shape = reduced_shape(x.shape(), &flags, self.keepdims);
        let out = match x {
            Tensor::F32(a) => {
                let groups = group_by_axes(a, &flags);
                let values =
                    groups.map(|g| self.kind.float(g.iter().map(|&x| f64::from(x))) as f32);
                Tensor::F32(assemble(shape, values))
            }
            Tensor::I64(a) => Tensor::I64(assemble(
                shape,
                group_by_axes(a, &flags).map(|g| self.kind.int(g)),
            )),
            Tensor::Bool(a) => {
                let all = match self.kind {
                    ReduceKind::Max => false,
                    ReduceKind::Min => true,
                    _ => {
                        return Err(IrError::DType {
                            op: self.name(),
                            index: 0,
                            expected: "f32 or i64".into(),
                            found: x.dtype(),
                        })
                    }
                };
                // Max is "any", min is "all".
                let values = group_by_axes(a, &flags).map(|g| {
                    if all {
                        g.iter().all(|&b| b)
                    } else {
                        g.iter().any(|&b| b)
                    }
                });
                Tensor::Bool(assemble(shape, values))
            }
        };
        Ok(vec![out])
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[1]
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn x234() -> Tensor {
        Tensor::from_f32(&[2, 3, 4], (0..24).map(|v| v as f32).collect()).unwrap()
    }

    fn run(op: &Reduce, x: &Tensor, axes: Option<&Tensor>) -> IrResult<Tensor> {
        Ok(op.eval(Inputs::new(op.name(), &[Some(x), axes]))?.remove(0))
    }

    #[test]
    fn negative_axes_and_keepdims() {
        let op = Reduce::new(ReduceKind::Sum, Some(vec![-1, 0]), true);
        let out = run(&op, &x234(), None).unwrap();
        assert_eq!(out.shape(), &[1, 3, 1]);
        // Row j sums x[0, j, :] and x[1, j, :]: (4j..4j+4) and (12+4j..16+4j).
        assert_eq!(out.to_f32_vec(), vec![60.0, 92.0, 124.0]);
        let op = Reduce {
            keepdims: false,
            ..op
        };
        assert_eq!(run(&op, &x234(), None).unwrap().shape(), &[3]);
    }

    #[test]
    fn axes_input_overrides_attribute_and_empty_axes() {
        let op = Reduce::new(ReduceKind::Max, Some(vec![0]), false);
        let axes = Tensor::vec_i64(vec![1]);
        let out = run(&op, &x234(), Some(&axes)).unwrap();
        assert_eq!(out.shape(), &[2, 4]);
        assert_eq!(out.to_f32_vec()[..4], [8.0, 9.0, 10.0, 11.0]);

        let empty = Tensor::vec_i64(vec![]);
        let all = Reduce::new(ReduceKind::Mean, None, false);
        assert_eq!(
            run(&all, &x234(), Some(&empty)).unwrap().to_f32_vec(),
            vec![11.5]
        );
        let noop = Reduce {
            noop_with_empty_axes: true,
            ..Reduce::new(ReduceKind::SumSquare, None, true)
        };
        let out = run(&noop, &x234(), Some(&empty)).unwrap();
        assert_eq!(out.shape(), &[2, 3, 4]);
        assert_eq!(out.to_f32_vec()[3], 9.0);
    }

    #[test]
    fn empty_set_gives_identities() {
        let x = Tensor::from_f32(&[2, 0, 4], vec![]).unwrap();
        let axes = Tensor::vec_i64(vec![1]);
        let expect = [
            (ReduceKind::Sum, 0.0),
            (ReduceKind::Prod, 1.0),
            (ReduceKind::Max, f32::NEG_INFINITY),
            (ReduceKind::Min, f32::INFINITY),
            (ReduceKind::L2, 0.0),
            (ReduceKind::LogSumExp, f32::NEG_INFINITY),
        ];
        for (kind, identity) in expect {
            let out = run(&Reduce::new(kind, None, true), &x, Some(&axes)).unwrap();
            assert_eq!(out.shape(), &[2, 1, 4]);
            assert!(out.to_f32_vec().iter().all(|&v| v == identity), "{kind:?}");
        }
        // Reducing a non-empty axis of a tensor that is empty elsewhere gives an empty tensor.
        let axes = Tensor::vec_i64(vec![2]);
        let out = run(&Reduce::new(ReduceKind::Sum, None, false), &x, Some(&axes)).unwrap();
        assert_eq!(out.shape(), &[2, 0]);
    }

    #[test]
    fn integers_and_booleans() {
        let x = Tensor::from_i64(&[2, 2], vec![3, -4, 5, 6]).unwrap();
        let l1 = Reduce::new(ReduceKind::L1, Some(vec![1]), false);
        assert_eq!(run(&l1, &x, None).unwrap(), Tensor::vec_i64(vec![7, 11]));
        let mean = Reduce::new(ReduceKind::Mean, Some(vec![0]), false);
        assert_eq!(run(&mean, &x, None).unwrap(), Tensor::vec_i64(vec![4, 1]));
        let b = Tensor::Bool(ndarray::arr2(&[[true, false], [true, true]]).into_dyn());
        let any = run(
            &Reduce::new(ReduceKind::Max, Some(vec![1]), false),
            &b,
            None,
        )
        .unwrap();
        let all = run(
            &Reduce::new(ReduceKind::Min, Some(vec![1]), false),
            &b,
            None,
        )
        .unwrap();
        assert_eq!(any.cast(crate::DType::I64), Tensor::vec_i64(vec![1, 1]));
        assert_eq!(all.cast(crate::DType::I64), Tensor::vec_i64(vec![0, 1]));
        assert!(run(&Reduce::new(ReduceKind::Sum, None, false), &b, None).is_err());
    }

    #[test]
    fn bad_axes_are_errors() {
        let op = Reduce::new(ReduceKind::Sum, Some(vec![3]), true);
        assert!(matches!(
            run(&op, &x234(), None),
            Err(IrError::InvalidArgument { .. })
        ));
        let scalar = Tensor::scalar_f32(1.0);
        let op = Reduce::new(ReduceKind::Sum, Some(vec![0]), true);
        assert!(run(&op, &scalar, None).is_err());
        let op = Reduce::new(ReduceKind::Sum, None, false);
        assert_eq!(run(&op, &scalar, None).unwrap().to_f32_vec(), vec![1.0]);
    }
}
