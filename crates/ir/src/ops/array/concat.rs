//! `Concat`: join tensors along one axis.

use crate::error::{IrError, IrResult};
use crate::op::{normalize_axis, Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    eval_by_index_maps, flat_index, strides, IndexMap, IndexMapOp, Operand, Source,
};

/// `Concat`: every input has the same shape except along `axis`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concat {
    /// The axis to join along (negative counts from the end).
    pub axis: i64,
}

impl IndexMapOp for Concat {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "Concat";
        let present: Vec<(usize, &[usize])> = inputs
            .iter()
            .enumerate()
            .filter_map(|(i, o)| o.map(|o| (i, o.shape)))
            .collect();
        let Some(&(_, first)) = present.first() else {
            return Err(IrError::MissingInput { op: OP, index: 0 });
        };
        let axis = normalize_axis(OP, self.axis, first.len())?;
        if first.is_empty() {
            return Err(IrError::invalid(OP, "cannot concatenate scalars"));
        }
        // (input slot, first output position along the axis, its strides)
        let mut parts = Vec::with_capacity(present.len());
        let mut shape = first.to_vec();
        shape[axis] = 0;
        for &(slot, s) in &present {
            let compatible = s.len() == first.len()
                && s.iter()
                    .zip(first)
                    .enumerate()
                    .all(|(i, (a, b))| i == axis || a == b);
            if !compatible {
                return Err(IrError::shape(
                    OP,
                    format!("input {slot} has shape {s:?}, input 0 {first:?} (axis {axis})"),
                ));
            }
            parts.push((slot, shape[axis], s[axis], strides(s)));
            shape[axis] += s[axis];
        }
        let mut local = vec![0; shape.len()];
        Ok(vec![IndexMap::build(OP, shape, |o| {
            let pos = o[axis];
            let &(slot, start, _, ref st) = parts
                .iter()
                .find(|(_, start, len, _)| pos < start + len)
                .expect("position lies within the concatenated length");
            local.copy_from_slice(o);
            local[axis] = pos - start;
            Ok(Source::Input {
                input: slot,
                flat: flat_index(&local, st),
            })
        })?])
    }
}

impl Op for Concat {
    fn name(&self) -> &'static str {
        "Concat"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let dtype = inputs.get(0)?.dtype();
        for i in 0..inputs.len() {
            if let Some(t) = inputs.opt(i) {
                crate::op::expect_dtype("Concat", i, t, dtype)?;
            }
        }
        eval_by_index_maps(self, inputs, None)
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concatenates_along_negative_axis() {
        let a = Tensor::from_i64(&[2, 1], vec![1, 2]).unwrap();
        let b = Tensor::from_i64(&[2, 2], vec![3, 4, 5, 6]).unwrap();
        let out = Concat { axis: -1 }
            .eval(Inputs::new("Concat", &[Some(&a), Some(&b)]))
            .unwrap();
        assert_eq!(
            out[0],
            Tensor::from_i64(&[2, 3], vec![1, 3, 4, 2, 5, 6]).unwrap()
        );
    }

    #[test]
    fn mismatches_are_errors() {
        let a = Tensor::from_i64(&[2, 1], vec![1, 2]).unwrap();
        let b = Tensor::from_i64(&[3, 1], vec![3, 4, 5]).unwrap();
        assert!(Concat { axis: 1 }
            .eval(Inputs::new("Concat", &[Some(&a), Some(&b)]))
            .is_err());
        assert!(Concat { axis: 2 }
            .eval(Inputs::new("Concat", &[Some(&a), Some(&a)]))
            .is_err());
        let f = Tensor::from_f32(&[2, 1], vec![1.0, 2.0]).unwrap();
        assert!(Concat { axis: 0 }
            .eval(Inputs::new("Concat", &[Some(&a), Some(&f)]))
            .is_err());
    }
}
