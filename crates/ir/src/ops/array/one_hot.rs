//! `OneHot`: expand indices into one-hot vectors.

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    axis_in, flat_index, param_i64, strides, IndexMap, IndexMapOp, Operand, Source,
};

/// `OneHot`: inputs `indices`, `depth` (scalar) and `values = [off, on]`. The output
/// inserts an axis of length `depth` at `axis`, holding `on` at each index and `off`
/// elsewhere (an out-of-range index gives an all-`off` vector, as ONNX specifies).
/// Each output element copies one of the two `values`, so with constant indices
/// this is an index map into input 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneHot {
    /// Position of the new axis in the output (default -1: last).
    pub axis: i64,
}

impl IndexMapOp for OneHot {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "OneHot";
        let indices = inputs
            .first()
            .copied()
            .flatten()
            .ok_or(IrError::MissingInput { op: OP, index: 0 })?;
        let values = indices
            .value
            .ok_or(IrError::NotConstant { op: OP, index: 0 })?
            .to_i64_vec();
        let depth = param_i64(OP, inputs, 1)?.ok_or(IrError::MissingInput { op: OP, index: 1 })?;
        let &[depth] = depth.as_slice() else {
            return Err(IrError::invalid(
                OP,
                format!("depth must be a single value, got {depth:?}"),
            ));
        };
        let depth = usize::try_from(depth)
            .map_err(|_| IrError::invalid(OP, format!("negative depth {depth}")))?;
        let on_off = inputs
            .get(2)
            .copied()
            .flatten()
            .ok_or(IrError::MissingInput { op: OP, index: 2 })?;
        if on_off.shape.iter().product::<usize>() != 2 {
            return Err(IrError::invalid(
                OP,
                format!("values must hold [off, on], has shape {:?}", on_off.shape),
            ));
        }
        let axis = axis_in(OP, self.axis, indices.shape.len() + 1)?;
        let mut shape = indices.shape.to_vec();
        shape.insert(axis, depth);
        let ist = strides(indices.shape);
        let mut outer = Vec::with_capacity(indices.shape.len());
        Ok(vec![IndexMap::build(OP, shape, |o| {
            outer.clear();
            outer.extend(
                o.iter()
                    .enumerate()
                    .filter(|&(a, _)| a != axis)
                    .map(|(_, &i)| i),
            );
            let index = values[flat_index(&outer, &ist)];
            let index = if index < 0 {
                index + depth as i64
            } else {
                index
            };
            let hot = index == o[axis] as i64;
            Ok(Source::Input {
                input: 2,
                flat: usize::from(hot),
            })
        })?])
    }
}

impl Op for OneHot {
    fn name(&self) -> &'static str {
        "OneHot"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        // The output takes the element type of `values`, which the generic evaluator
        // reads from input 0: evaluate the map directly instead.
        let slots: Vec<Option<&Tensor>> = (0..inputs.len()).map(|i| inputs.opt(i)).collect();
        let operands: Vec<Option<Operand<'_>>> =
            slots.iter().map(|s| s.map(Operand::from)).collect();
        let maps = self.index_maps(&operands)?;
        let dtype = inputs.get(2)?.dtype();
        maps.iter()
            .map(|m| super::index_map::apply_index_map("OneHot", m, &slots, dtype, None))
            .collect()
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
    fn one_hot_with_negative_and_out_of_range_indices() {
        let idx = Tensor::vec_i64(vec![0, -1, 5]);
        let depth = Tensor::from_i64(&[], vec![3]).unwrap();
        let values = Tensor::from_f32(&[2], vec![0.0, 1.0]).unwrap();
        let out = OneHot { axis: -1 }
            .eval(Inputs::new(
                "OneHot",
                &[Some(&idx), Some(&depth), Some(&values)],
            ))
            .unwrap();
        assert_eq!(out[0].shape(), &[3, 3]);
        assert_eq!(
            out[0].to_f32_vec(),
            vec![1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]
        );
        let out = OneHot { axis: 0 }
            .eval(Inputs::new(
                "OneHot",
                &[Some(&idx), Some(&depth), Some(&values)],
            ))
            .unwrap();
        assert_eq!(
            out[0].to_f32_vec(),
            vec![1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        );
        assert!(OneHot { axis: 2 }
            .eval(Inputs::new(
                "OneHot",
                &[Some(&idx), Some(&depth), Some(&values)]
            ))
            .is_err());
    }
}
