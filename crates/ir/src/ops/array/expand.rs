//! Repetition: `Expand` (broadcast to a shape) and `Tile` (repeat whole copies).

use crate::broadcast::broadcast_shapes;
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    dim, eval_by_index_maps, param_i64, shape_of, strides, IndexMap, IndexMapOp, Operand, Source,
};

/// `Expand`: broadcast the input against the shape in input 1 (both ways, as
/// NumPy does: a 1 in the target keeps the input's dimension).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expand;

impl IndexMapOp for Expand {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "Expand";
        let input = shape_of(OP, inputs, 0)?;
        let target = param_i64(OP, inputs, 1)?.ok_or(IrError::MissingInput { op: OP, index: 1 })?;
        let target = target
            .iter()
            .map(|&d| dim(OP, d))
            .collect::<IrResult<Vec<_>>>()?;
        let shape = broadcast_shapes(OP, &[input, &target])?;
        let offset = shape.len() - input.len();
        // A stretched dimension contributes nothing to the input position.
        let st: Vec<usize> = strides(input)
            .iter()
            .zip(input)
            .map(|(&s, &d)| if d == 1 { 0 } else { s })
            .collect();
        Ok(vec![IndexMap::build(OP, shape, |o| {
            Ok(Source::Input {
                input: 0,
                flat: o[offset..].iter().zip(&st).map(|(i, s)| i * s).sum(),
            })
        })?])
    }
}

impl Op for Expand {
    fn name(&self) -> &'static str {
        "Expand"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        eval_by_index_maps(self, inputs, None)
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[1]
    }

    crate::op_boilerplate!();
}

/// `Tile`: repeat the input `repeats[i]` times along axis `i` (input 1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tile;

impl IndexMapOp for Tile {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "Tile";
        let input = shape_of(OP, inputs, 0)?;
        let repeats =
            param_i64(OP, inputs, 1)?.ok_or(IrError::MissingInput { op: OP, index: 1 })?;
        if repeats.len() != input.len() {
            return Err(IrError::invalid(
                OP,
                format!("repeats {repeats:?} for an input of shape {input:?}"),
            ));
        }
        let mut shape = Vec::with_capacity(input.len());
        for (&d, &r) in input.iter().zip(&repeats) {
            shape.push(
                d.checked_mul(dim(OP, r)?)
                    .ok_or_else(|| IrError::invalid(OP, "output too large"))?,
            );
        }
        let st = strides(input);
        Ok(vec![IndexMap::build(OP, shape, |o| {
            Ok(Source::Input {
                input: 0,
                flat: o
                    .iter()
                    .zip(input)
                    .zip(&st)
                    .map(|((i, d), s)| (i % d) * s)
                    .sum(),
            })
        })?])
    }
}

impl Op for Tile {
    fn name(&self) -> &'static str {
        "Tile"
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
    fn expand_broadcasts_both_ways() {
        let x = Tensor::from_i64(&[3, 1], vec![1, 2, 3]).unwrap();
        let shape = Tensor::vec_i64(vec![2, 1, 2]);
        let out = Expand
            .eval(Inputs::new("Expand", &[Some(&x), Some(&shape)]))
            .unwrap();
        assert_eq!(
            out[0],
            Tensor::from_i64(&[2, 3, 2], vec![1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]).unwrap()
        );
        let bad = Tensor::vec_i64(vec![2, 2]);
        assert!(Expand
            .eval(Inputs::new("Expand", &[Some(&x), Some(&bad)]))
            .is_err());
        let negative = Tensor::vec_i64(vec![-1]);
        assert!(Expand
            .eval(Inputs::new("Expand", &[Some(&x), Some(&negative)]))
            .is_err());
    }

    #[test]
    fn tile_repeats_copies() {
        let x = Tensor::from_i64(&[1, 2], vec![1, 2]).unwrap();
        let reps = Tensor::vec_i64(vec![2, 2]);
        let out = Tile
            .eval(Inputs::new("Tile", &[Some(&x), Some(&reps)]))
            .unwrap();
        assert_eq!(
            out[0],
            Tensor::from_i64(&[2, 4], vec![1, 2, 1, 2, 1, 2, 1, 2]).unwrap()
        );
        let bad = Tensor::vec_i64(vec![2]);
        assert!(Tile
            .eval(Inputs::new("Tile", &[Some(&x), Some(&bad)]))
            .is_err());
    }
}
