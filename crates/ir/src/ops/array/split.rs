//! `Split`: cut a tensor into consecutive pieces along one axis.

use crate::error::{IrError, IrResult};
use crate::op::{normalize_axis, Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    eval_by_index_maps, flat_index, param_i64, shape_of, strides, IndexMap, IndexMapOp, Operand,
    Source,
};

/// `Split`. Piece lengths come from the `split` attribute (before opset 13) or
/// input 1; without either, the axis is cut into `outputs` pieces of
/// `ceil(dim / outputs)` with a shorter last piece (opset 18's rule, which agrees with
/// the older "equal parts" rule whenever that one applies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// Axis to cut.
    pub axis: i64,
    /// `split` attribute (opset < 13). `None`: read input 1 if present.
    pub split: Option<Vec<i64>>,
    /// Number of outputs (the node's output count, or opset 18's `num_outputs`).
    pub outputs: usize,
}

impl Split {
    /// Length of each piece along the axis.
    pub fn piece_lengths(&self, dim: usize, split_input: Option<&[i64]>) -> IrResult<Vec<usize>> {
        const OP: &str = "Split";
        if let Some(split) = self.split.as_deref().or(split_input) {
            let lengths = split
                .iter()
                .map(|&s| {
                    usize::try_from(s)
                        .map_err(|_| IrError::invalid(OP, format!("negative piece in {split:?}")))
                })
                .collect::<IrResult<Vec<usize>>>()?;
            if lengths.iter().sum::<usize>() != dim || lengths.len() != self.outputs {
                return Err(IrError::invalid(
                    OP,
                    format!(
                        "split {split:?} does not cut a dimension of {dim} into {} outputs",
                        self.outputs
                    ),
                ));
            }
            return Ok(lengths);
        }
        if self.outputs == 0 {
            return Err(IrError::invalid(OP, "no outputs"));
        }
        let piece = dim.div_ceil(self.outputs);
        let last = dim.checked_sub(piece * (self.outputs - 1)).ok_or_else(|| {
            IrError::invalid(
                OP,
                format!(
                    "cannot cut a dimension of {dim} into {} pieces",
                    self.outputs
                ),
            )
        })?;
        let mut lengths = vec![piece; self.outputs - 1];
        lengths.push(last);
        Ok(lengths)
    }
}

impl IndexMapOp for Split {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        let input = shape_of("Split", inputs, 0)?;
        let axis = normalize_axis("Split", self.axis, input.len())?;
        if input.is_empty() {
            return Err(IrError::invalid("Split", "cannot split a scalar"));
        }
        let lengths = self.piece_lengths(input[axis], param_i64("Split", inputs, 1)?.as_deref())?;
        let st = strides(input);
        let mut start = 0;
        let mut maps = Vec::with_capacity(lengths.len());
        for len in lengths {
            let mut shape = input.to_vec();
            shape[axis] = len;
            let base = start * st[axis];
            maps.push(IndexMap::build("Split", shape, |o| {
                Ok(Source::Input {
                    input: 0,
                    flat: base + flat_index(o, &st),
                })
            })?);
            start += len;
        }
        Ok(maps)
    }
}

impl Op for Split {
    fn name(&self) -> &'static str {
        "Split"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        eval_by_index_maps(self, inputs, None)
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
    fn uneven_and_explicit_pieces() {
        let s = |outputs, split: Option<Vec<i64>>| Split {
            axis: 0,
            split,
            outputs,
        };
        assert_eq!(s(4, None).piece_lengths(7, None).unwrap(), vec![2, 2, 2, 1]);
        assert_eq!(s(3, None).piece_lengths(6, None).unwrap(), vec![2, 2, 2]);
        assert_eq!(
            s(2, None).piece_lengths(6, Some(&[0, 6])).unwrap(),
            vec![0, 6]
        );
        assert!(s(4, None).piece_lengths(5, None).is_err());
        assert!(s(2, None).piece_lengths(6, Some(&[2, 2])).is_err());
        assert!(s(2, Some(vec![-1, 7])).piece_lengths(6, None).is_err());
    }

    #[test]
    fn splits_along_last_axis() {
        let x = Tensor::from_i64(&[2, 3], (0..6).collect()).unwrap();
        let out = Split {
            axis: -1,
            split: Some(vec![1, 2]),
            outputs: 2,
        }
        .eval(Inputs::new("Split", &[Some(&x)]))
        .unwrap();
        assert_eq!(out[0], Tensor::from_i64(&[2, 1], vec![0, 3]).unwrap());
        assert_eq!(out[1], Tensor::from_i64(&[2, 2], vec![1, 2, 4, 5]).unwrap());
    }
}
