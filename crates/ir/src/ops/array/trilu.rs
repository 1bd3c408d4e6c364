//! `Trilu`: keep the upper or lower triangle of the last two axes.

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    eval_by_index_maps, param_i64, shape_of, IndexMap, IndexMapOp, Operand, Source,
};

/// `Trilu`: elements on or above (`upper`) / on or below diagonal `k` (input 1,
/// default 0) are kept, the others become zero ([`Source::Fill`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trilu {
    /// Keep the upper triangle (ONNX's default) rather than the lower.
    pub upper: bool,
}

impl IndexMapOp for Trilu {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "Trilu";
        let shape = shape_of(OP, inputs, 0)?;
        if shape.len() < 2 {
            return Err(IrError::invalid(
                OP,
                format!("input must have rank 2 or more, has shape {shape:?}"),
            ));
        }
        let k = match param_i64(OP, inputs, 1)?.as_deref() {
            None => 0,
            Some(&[k]) => k,
            Some(k) => {
                return Err(IrError::invalid(
                    OP,
                    format!("k must be a single value, got {k:?}"),
                ))
            }
        };
        let r = shape.len();
        let mut flat = 0;
        Ok(vec![IndexMap::build(OP, shape.to_vec(), |o| {
            let offset = o[r - 1] as i64 - o[r - 2] as i64;
            let keep = if self.upper { offset >= k } else { offset <= k };
            flat += 1;
            Ok(if keep {
                Source::Input {
                    input: 0,
                    flat: flat - 1,
                }
            } else {
                Source::Fill
            })
        })?])
    }
}

impl Op for Trilu {
    fn name(&self) -> &'static str {
        "Trilu"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        eval_by_index_maps(self, inputs, None)
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triangles_with_offsets() {
        let x = Tensor::from_i64(&[2, 3], vec![1, 2, 3, 4, 5, 6]).unwrap();
        let k = Tensor::from_i64(&[], vec![1]).unwrap();
        let up = Trilu { upper: true }
            .eval(Inputs::new("Trilu", &[Some(&x), Some(&k)]))
            .unwrap();
        assert_eq!(up[0].to_i64_vec(), vec![0, 2, 3, 0, 0, 6]);
        let low = Trilu { upper: false }
            .eval(Inputs::new("Trilu", &[Some(&x)]))
            .unwrap();
        assert_eq!(low[0].to_i64_vec(), vec![1, 0, 0, 4, 5, 0]);
        let v = Tensor::vec_i64(vec![1]);
        assert!(Trilu { upper: true }
            .eval(Inputs::new("Trilu", &[Some(&v)]))
            .is_err());
    }
}
