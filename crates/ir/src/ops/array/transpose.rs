//! `Transpose`: permute the axes.

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    eval_by_index_maps, flat_index, shape_of, strides, IndexMap, IndexMapOp, Operand, Source,
};

/// `Transpose`: output axis `i` is input axis `perm[i]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transpose {
    /// The permutation; ONNX's default (`None`) reverses the axes.
    pub perm: Option<Vec<i64>>,
}

impl Transpose {
    /// The permutation for an input of rank `rank`, checked.
    pub fn permutation(&self, rank: usize) -> IrResult<Vec<usize>> {
        let Some(perm) = &self.perm else {
            return Ok((0..rank).rev().collect());
        };
        let mut seen = vec![false; rank];
        let mut out = Vec::with_capacity(rank);
        for &p in perm {
            let a = usize::try_from(p).ok().filter(|&a| a < rank && !seen[a]);
            let a = a.ok_or_else(|| {
                IrError::invalid(
                    "Transpose",
                    format!("perm {perm:?} is not a permutation of {rank} axes"),
                )
            })?;
            seen[a] = true;
            out.push(a);
        }
        if out.len() != rank {
            return Err(IrError::invalid(
                "Transpose",
                format!("perm {perm:?} is not a permutation of {rank} axes"),
            ));
        }
        Ok(out)
    }
}

impl IndexMapOp for Transpose {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        let input = shape_of("Transpose", inputs, 0)?;
        let perm = self.permutation(input.len())?;
        let in_strides = strides(input);
        // Stride of input axis perm[i] for each output axis i.
        let moved: Vec<usize> = perm.iter().map(|&p| in_strides[p]).collect();
        let shape = perm.iter().map(|&p| input[p]).collect();
        Ok(vec![IndexMap::build("Transpose", shape, |o| {
            Ok(Source::Input {
                input: 0,
                flat: flat_index(o, &moved),
            })
        })?])
    }
}

impl Op for Transpose {
    fn name(&self) -> &'static str {
        "Transpose"
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
    fn transposes_and_rejects_bad_perms() {
        let x = Tensor::from_i64(&[2, 3], (0..6).collect()).unwrap();
        let out = Transpose::default()
            .eval(Inputs::new("Transpose", &[Some(&x)]))
            .unwrap();
        assert_eq!(
            out[0],
            Tensor::from_i64(&[3, 2], vec![0, 3, 1, 4, 2, 5]).unwrap()
        );
        for perm in [vec![0, 0], vec![0], vec![0, 2], vec![-1, 0]] {
            let t = Transpose { perm: Some(perm) };
            assert!(t.eval(Inputs::new("Transpose", &[Some(&x)])).is_err());
        }
    }
}
