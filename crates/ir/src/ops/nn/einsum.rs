//! `Einsum`: Einstein summation over explicitly lettered axes (no ellipsis).

use ndarray::{ArrayD, IxDyn};

use super::window::row_major;
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Einstein summation: each operand's axes are named by letters; letters absent
/// from the output are summed over, a letter repeated within one operand takes
/// its diagonal. `"bij,bjk->bik"` is a batched matrix product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Einsum {
    /// The equation as written in the model.
    pub equation: String,
    /// Axis letters of each operand.
    pub operands: Vec<Vec<char>>,
    /// Axis letters of the output (for an implicit equation, the letters used
    /// exactly once, in alphabetical order).
    pub output: Vec<char>,
}

impl Einsum {
    /// Parse an equation such as `"ij,jk->ik"` or `"ij,jk"`.
    pub fn parse(equation: &str) -> IrResult<Einsum> {
        let op = "Einsum";
        let compact: String = equation.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.contains("...") {
            return Err(IrError::invalid(
                op,
                format!("ellipsis in {equation:?} is not supported"),
            ));
        }
        let (lhs, rhs) = match compact.split_once("->") {
            Some((l, r)) => (l, Some(r)),
            None => (compact.as_str(), None),
        };
        let letters = |s: &str| -> IrResult<Vec<char>> {
            s.chars()
                .map(|c| {
                    if c.is_ascii_alphabetic() {
                        Ok(c)
                    } else {
                        Err(IrError::invalid(
                            op,
                            format!("unexpected {c:?} in {equation:?}"),
                        ))
                    }
                })
                .collect()
        };
        let operands = lhs.split(',').map(letters).collect::<IrResult<Vec<_>>>()?;
        let output = match rhs {
            Some(r) => {
                let out = letters(r)?;
                for (i, c) in out.iter().enumerate() {
                    if out[..i].contains(c) || !operands.iter().any(|o| o.contains(c)) {
                        return Err(IrError::invalid(
                            op,
                            format!("bad output letter {c:?} in {equation:?}"),
                        ));
                    }
                }
                out
            }
            None => {
                let mut once: Vec<char> = operands
                    .iter()
                    .flatten()
                    .copied()
                    .filter(|c| operands.iter().flatten().filter(|d| *d == c).count() == 1)
                    .collect();
                once.sort_unstable();
                once
            }
        };
        Ok(Einsum {
            equation: equation.to_owned(),
            operands,
            output,
        })
    }
}

impl Op for Einsum {
    fn name(&self) -> &'static str {
        "Einsum"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        if inputs.len() != self.operands.len() {
            return Err(IrError::invalid(
                op,
                format!("{} inputs for {:?}", inputs.len(), self.equation),
            ));
        }
        // Every distinct letter: output letters first, then the summed ones.
        let mut letters = self.output.clone();
        for c in self.operands.iter().flatten() {
            if !letters.contains(c) {
                letters.push(*c);
            }
        }
        let mut dims = vec![None::<usize>; letters.len()];
        let mut arrays = Vec::with_capacity(self.operands.len());
        let mut strides = Vec::with_capacity(self.operands.len());
        for (i, term) in self.operands.iter().enumerate() {
            let a = inputs.f32(i)?;
            if a.ndim() != term.len() {
                return Err(IrError::shape(
                    op,
                    format!(
                        "input {i} {:?} does not match {:?}",
                        a.shape(),
                        self.equation
                    ),
                ));
            }
            // A letter repeated in one operand reads the diagonal: its strides add up.
            let mut per_letter = vec![0usize; letters.len()];
            let mut stride = 1;
            for (axis, c) in term.iter().enumerate().rev() {
                let l = letters
                    .iter()
                    .position(|x| x == c)
                    .expect("collected above");
                let d = a.shape()[axis];
                match dims[l] {
                    Some(known) if known != d => {
                        return Err(IrError::shape(
                            op,
                            format!("letter {c:?} has sizes {known} and {d}"),
                        ));
                    }
                    _ => dims[l] = Some(d),
                }
                per_letter[l] += stride;
                stride *= d;
            }
            arrays.push(row_major(a));
            strides.push(per_letter);
        }
        let dims: Vec<usize> = dims.into_iter().map(|d| d.unwrap_or(1)).collect();
        let out_shape = dims[..self.output.len()].to_vec();
        let out_len = crate::size::checked_elements(op, &out_shape)?;
        let sum_len: usize = dims[self.output.len()..].iter().product();
        let mut out = Vec::with_capacity(out_len);
        let mut coord = vec![0usize; letters.len()];
        for _ in 0..out_len {
            let mut acc = 0f32;
            for _ in 0..sum_len {
                let mut product = 1f32;
                for (a, s) in arrays.iter().zip(&strides) {
                    let offset: usize = coord.iter().zip(s).map(|(c, s)| c * s).sum();
                    product *= a[offset];
                }
                acc += product;
                advance(&mut coord[self.output.len()..], &dims[self.output.len()..]);
            }
            out.push(acc);
            advance(&mut coord[..self.output.len()], &out_shape);
        }
        Ok(vec![Tensor::F32(
            ArrayD::from_shape_vec(IxDyn(&out_shape), out).expect("length matches shape"),
        )])
    }

    crate::op_boilerplate!();
}

/// Step a row-major odometer, wrapping to all zeros after the last position.
fn advance(coord: &mut [usize], dims: &[usize]) {
    for i in (0..coord.len()).rev() {
        coord[i] += 1;
        if coord[i] < dims[i] {
            return;
        }
        coord[i] = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(eq: &str, inputs: &[Tensor]) -> IrResult<Tensor> {
        let slots: Vec<Option<&Tensor>> = inputs.iter().map(Some).collect();
        Ok(Einsum::parse(eq)?
            .eval(Inputs::new("Einsum", &slots))?
            .remove(0))
    }

    fn ramp(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        Tensor::from_f32(shape, (0..n).map(|i| i as f32).collect()).unwrap()
    }

    #[test]
    fn matmul_transpose_trace_and_implicit_output() {
        let (a, b) = (ramp(&[2, 3]), ramp(&[3, 2]));
        assert_eq!(
            run("ij,jk->ik", &[a.clone(), b.clone()])
                .unwrap()
                .to_f32_vec(),
            vec![10., 13., 28., 40.]
        );
        assert_eq!(run("ij,jk", &[a.clone(), b]).unwrap().shape(), &[2, 2]);
        assert_eq!(
            run("ij->ji", std::slice::from_ref(&a))
                .unwrap()
                .to_f32_vec(),
            vec![0., 3., 1., 4., 2., 5.]
        );
        assert_eq!(run("ii", &[ramp(&[3, 3])]).unwrap().to_f32_vec(), vec![12.]);
        let batched = run("bij, bjk -> bik", &[ramp(&[2, 1, 3]), ramp(&[2, 3, 1])]).unwrap();
        assert_eq!(batched.to_f32_vec(), vec![5., 50.]);
    }

    #[test]
    fn bad_equations_and_shapes_are_errors() {
        assert!(Einsum::parse("...ij,jk").is_err());
        assert!(Einsum::parse("ij->iz").is_err());
        assert!(Einsum::parse("i1").is_err());
        assert!(run("ij,jk->ik", &[ramp(&[2, 3]), ramp(&[2, 2])]).is_err());
        assert!(run("ij,jk->ik", &[ramp(&[2, 3])]).is_err());
        assert!(run("ijk->i", &[ramp(&[2, 3])]).is_err());
    }
}
