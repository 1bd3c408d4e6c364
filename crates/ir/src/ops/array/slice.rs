//! `Slice`: strided windows along some axes.

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    distinct_axes, eval_by_index_maps, param_i64, shape_of, strides, IndexMap, IndexMapOp, Operand,
    Source,
};

/// `Slice`. Before opset 10 `starts`, `ends` and `axes` are attributes; from opset 10
/// they are inputs 1 to 4 (`starts`, `ends`, `axes`, `steps`). A `None` field is read
/// from its input, and absent inputs take ONNX's defaults (all axes, step 1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Slice {
    /// `starts` attribute (opset < 10).
    pub starts: Option<Vec<i64>>,
    /// `ends` attribute (opset < 10).
    pub ends: Option<Vec<i64>>,
    /// `axes` attribute (opset < 10).
    pub axes: Option<Vec<i64>>,
}

/// One axis of a slice, with ONNX's clamping already applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AxisSlice {
    /// First input position taken.
    pub start: i64,
    /// Step between taken positions (never 0).
    pub step: i64,
    /// Number of positions taken.
    pub len: usize,
}

impl AxisSlice {
    /// Clamp `start`/`end` against a dimension the way ONNX specifies (negative values
    /// count from the end; out-of-range values saturate rather than fail).
    pub fn new(start: i64, end: i64, step: i64, dim: usize) -> IrResult<AxisSlice> {
        if step == 0 {
            return Err(IrError::invalid("Slice", "step 0"));
        }
        if dim == 0 {
            // Nothing to take, and the clamping ranges below would be empty.
            return Ok(AxisSlice {
                start: 0,
                step,
                len: 0,
            });
        }
        let d = dim as i128;
        let (mut s, mut e) = (start as i128, end as i128);
        if s < 0 {
            s += d;
        }
        if e < 0 {
            e += d;
        }
        let (s, len) = if step > 0 {
            let (s, e) = (s.clamp(0, d), e.clamp(0, d));
            (s, ceil_div((e - s).max(0), step as i128))
        } else {
            let (s, e) = (s.clamp(0, d - 1), e.clamp(-1, d - 1));
            (s, ceil_div((s - e).max(0), -(step as i128)))
        };
        Ok(AxisSlice {
            start: s as i64,
            step,
            len: len as usize,
        })
    }
}

/// `ceil(a / b)` for `a >= 0`, `b > 0` (signed `div_ceil` is not stable).
fn ceil_div(a: i128, b: i128) -> i128 {
    (a + b - 1) / b
}

impl Slice {
    /// The per-axis windows (full range on axes not sliced), from the attributes or inputs.
    pub fn axis_slices(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<AxisSlice>> {
        const OP: &str = "Slice";
        let shape = shape_of(OP, inputs, 0)?;
        let read = |attr: &Option<Vec<i64>>, index| match attr {
            Some(v) => Ok(Some(v.clone())),
            None => param_i64(OP, inputs, index),
        };
        let starts = read(&self.starts, 1)?.ok_or(IrError::MissingInput { op: OP, index: 1 })?;
        let ends = read(&self.ends, 2)?.ok_or(IrError::MissingInput { op: OP, index: 2 })?;
        let axes = read(&self.axes, 3)?.unwrap_or_else(|| (0..starts.len() as i64).collect());
        let steps = if self.starts.is_some() {
            None
        } else {
            param_i64(OP, inputs, 4)?
        };
        let steps = steps.unwrap_or_else(|| vec![1; starts.len()]);
        let n = starts.len();
        if ends.len() != n || axes.len() != n || steps.len() != n {
            return Err(IrError::invalid(
                OP,
                format!("starts {starts:?}, ends {ends:?}, axes {axes:?} and steps {steps:?} differ in length"),
            ));
        }
        let axes = distinct_axes(OP, &axes, shape.len())?;
        let mut out: Vec<AxisSlice> = shape
            .iter()
            .map(|&d| AxisSlice {
                start: 0,
                step: 1,
                len: d,
            })
            .collect();
        for (i, &a) in axes.iter().enumerate() {
            out[a] = AxisSlice::new(starts[i], ends[i], steps[i], shape[a])?;
        }
        Ok(out)
    }
}

impl IndexMapOp for Slice {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        let slices = self.axis_slices(inputs)?;
        let st = strides(shape_of("Slice", inputs, 0)?);
        let base: i64 = slices
            .iter()
            .zip(&st)
            .map(|(s, &stride)| s.start * stride as i64)
            .sum();
        let steps: Vec<i64> = slices
            .iter()
            .zip(&st)
            .map(|(s, &stride)| s.step * stride as i64)
            .collect();
        let shape = slices.iter().map(|s| s.len).collect();
        Ok(vec![IndexMap::build("Slice", shape, |o| {
            let offset: i64 = o.iter().zip(&steps).map(|(&i, &s)| i as i64 * s).sum();
            Ok(Source::Input {
                input: 0,
                flat: (base + offset) as usize,
            })
        })?])
    }
}

impl Op for Slice {
    fn name(&self) -> &'static str {
        "Slice"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        eval_by_index_maps(self, inputs, None)
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[1, 2, 3, 4]
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        x: &Tensor,
        starts: Vec<i64>,
        ends: Vec<i64>,
        axes: Option<Vec<i64>>,
        steps: Option<Vec<i64>>,
    ) -> IrResult<Tensor> {
        let (s, e) = (Tensor::vec_i64(starts), Tensor::vec_i64(ends));
        let a = axes.map(Tensor::vec_i64);
        let st = steps.map(Tensor::vec_i64);
        let slots = [Some(x), Some(&s), Some(&e), a.as_ref(), st.as_ref()];
        Ok(Slice::default()
            .eval(Inputs::new("Slice", &slots))?
            .remove(0))
    }

    #[test]
    fn clamps_out_of_range_ends() {
        let x = Tensor::from_i64(&[5], (0..5).collect()).unwrap();
        assert_eq!(
            run(&x, vec![1], vec![1000], None, None)
                .unwrap()
                .to_i64_vec(),
            vec![1, 2, 3, 4]
        );
        assert_eq!(
            run(&x, vec![-1000], vec![2], None, None)
                .unwrap()
                .to_i64_vec(),
            vec![0, 1]
        );
        assert_eq!(
            run(&x, vec![10], vec![20], None, None)
                .unwrap()
                .to_i64_vec(),
            Vec::<i64>::new()
        );
        assert_eq!(
            run(&x, vec![0], vec![i64::MAX], None, Some(vec![2]))
                .unwrap()
                .to_i64_vec(),
            vec![0, 2, 4]
        );
    }

    #[test]
    fn negative_steps_walk_backwards() {
        let x = Tensor::from_i64(&[5], (0..5).collect()).unwrap();
        assert_eq!(
            run(&x, vec![-1], vec![i64::MIN], None, Some(vec![-1]))
                .unwrap()
                .to_i64_vec(),
            vec![4, 3, 2, 1, 0]
        );
        assert_eq!(
            run(&x, vec![20], vec![0], None, Some(vec![-2]))
                .unwrap()
                .to_i64_vec(),
            vec![4, 2]
        );
        assert_eq!(
            run(&x, vec![1], vec![3], None, Some(vec![-1]))
                .unwrap()
                .to_i64_vec(),
            Vec::<i64>::new()
        );
    }

    #[test]
    fn negative_axes_and_errors() {
        let x = Tensor::from_i64(&[2, 3], (0..6).collect()).unwrap();
        let out = run(&x, vec![1], vec![3], Some(vec![-1]), None).unwrap();
        assert_eq!(out, Tensor::from_i64(&[2, 2], vec![1, 2, 4, 5]).unwrap());
        assert!(run(&x, vec![0], vec![1], Some(vec![2]), None).is_err());
        assert!(run(&x, vec![0], vec![1], None, Some(vec![0])).is_err());
        assert!(run(&x, vec![0, 0], vec![1], None, None).is_err());
        assert!(run(&x, vec![0, 0], vec![1, 1], Some(vec![0, -2]), None).is_err());
        let empty = Tensor::from_i64(&[0], vec![]).unwrap();
        assert!(run(&empty, vec![-1], vec![0], None, Some(vec![-1]))
            .unwrap()
            .is_empty());
    }
}
