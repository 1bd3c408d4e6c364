//! `MatMul` (NumPy `matmul` semantics) and `Gemm` (2-D `alpha·A·B + beta·C`).

use ndarray::{
    linalg::general_mat_mul, Array2, Array3, ArrayD, ArrayView2, Axis, Ix2, IxDyn, LinalgScalar,
};

use crate::broadcast::broadcast_shapes;
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Matrix product with NumPy `matmul` semantics: the last two axes multiply,
/// leading (batch) axes broadcast, and a 1-D operand is a row (left) or column
/// (right) vector whose unit axis is removed from the result.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MatMul;

/// How the two operands of a [`MatMul`] line up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatMulShapes {
    /// Broadcast batch shape.
    pub batch: Vec<usize>,
    /// Rows of the left operand (1 for a 1-D left operand).
    pub m: usize,
    /// The contracted dimension.
    pub k: usize,
    /// Columns of the right operand (1 for a 1-D right operand).
    pub n: usize,
    /// Output shape (unit axes of 1-D operands removed).
    pub output: Vec<usize>,
}

impl MatMul {
    /// Check that `a` and `b` multiply and describe the product.
    pub fn shapes(a: &[usize], b: &[usize]) -> IrResult<MatMulShapes> {
        let op = "MatMul";
        if a.is_empty() || b.is_empty() {
            return Err(IrError::shape(
                op,
                format!("scalar operand in {a:?} x {b:?}"),
            ));
        }
        let a2: Vec<usize> = if a.len() == 1 {
            vec![1, a[0]]
        } else {
            a.to_vec()
        };
        let b2: Vec<usize> = if b.len() == 1 {
            vec![b[0], 1]
        } else {
            b.to_vec()
        };
        let (a_batch, a_mat) = a2.split_at(a2.len() - 2);
        let (b_batch, b_mat) = b2.split_at(b2.len() - 2);
        if a_mat[1] != b_mat[0] {
            return Err(IrError::shape(
                op,
                format!("inner dimensions differ in {a:?} x {b:?}"),
            ));
        }
        let batch = broadcast_shapes(op, &[a_batch, b_batch])?;
        let mut output = batch.clone();
        if a.len() > 1 {
            output.push(a_mat[0]);
        }
        if b.len() > 1 {
            output.push(b_mat[1]);
        }
        crate::size::checked_elements(op, &output)?;
        Ok(MatMulShapes {
            batch,
            m: a_mat[0],
            k: a_mat[1],
            n: b_mat[1],
            output,
        })
    }
}

/// An operand as a stack of matrices `(batch, rows, cols)`.
fn as_stack<T: Clone>(a: &ArrayD<T>, rows: usize, cols: usize) -> Array3<T> {
    let batch = a.shape().iter().rev().skip(2).product();
    let data: Vec<T> = a.iter().cloned().collect();
    Array3::from_shape_vec((batch, rows, cols), data).expect("length matches shape")
}

/// NumPy `matmul` of two arrays.
pub fn matmul<T: LinalgScalar>(a: &ArrayD<T>, b: &ArrayD<T>) -> IrResult<ArrayD<T>> {
    let s = MatMul::shapes(a.shape(), b.shape())?;
    let (a_stack, b_stack) = (as_stack(a, s.m, s.k), as_stack(b, s.k, s.n));
    let batch_len: usize = s.batch.iter().product();
    // Each batch axis of an operand either matches the broadcast shape or is 1
    // (stride 0): compute the operand's stacked index from the output's.
    let strides = |operand: &[usize]| -> Vec<usize> {
        let batch_axes = operand.len().saturating_sub(2);
        let own = &operand[..batch_axes];
        let offset = s.batch.len() - own.len();
        let mut strides = vec![0; s.batch.len()];
        let mut acc = 1;
        for i in (0..own.len()).rev() {
            if own[i] != 1 {
                strides[offset + i] = acc;
            }
            acc *= own[i];
        }
        strides
    };
    let (a_strides, b_strides) = (strides(a.shape()), strides(b.shape()));
    let mut out = Array3::<T>::zeros((batch_len, s.m, s.n));
    for (index, mut dst) in out.axis_iter_mut(Axis(0)).enumerate() {
        let (mut ia, mut ib, mut rest) = (0, 0, index);
        for axis in (0..s.batch.len()).rev() {
            let coord = rest % s.batch[axis];
            rest /= s.batch[axis];
            ia += coord * a_strides[axis];
            ib += coord * b_strides[axis];
        }
        general_mat_mul(
            T::one(),
            &a_stack.index_axis(Axis(0), ia),
            &b_stack.index_axis(Axis(0), ib),
            T::zero(),
            &mut dst,
        );
    }
    Ok(out
        .into_shape_with_order(IxDyn(&s.output))
        .expect("length matches shape"))
}

impl Op for MatMul {
    fn name(&self) -> &'static str {
        "MatMul"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let out = match (inputs.get(0)?, inputs.get(1)?) {
            (Tensor::F32(a), Tensor::F32(b)) => Tensor::F32(matmul(a, b)?),
            (Tensor::I64(a), Tensor::I64(b)) => Tensor::I64(matmul(a, b)?),
            (a, b) => {
                return Err(IrError::invalid(
                    op,
                    format!("unsupported element types {} and {}", a.dtype(), b.dtype()),
                ))
            }
        };
        Ok(vec![out])
    }

    crate::op_boilerplate!();
}

/// General matrix multiply `Y = alpha · A' · B' + beta · C`, where `A'` and
/// `B'` are `A` and `B` optionally transposed and `C` broadcasts to `(M, N)`.
/// Exporters emit it for fully connected layers (`transB = 1`, `C` the bias).
#[derive(Debug, Clone, PartialEq)]
pub struct Gemm {
    /// Scale of the product.
    pub alpha: f32,
    /// Scale of `C`.
    pub beta: f32,
    /// Transpose `A` (given as `(K, M)`).
    pub trans_a: bool,
    /// Transpose `B` (given as `(N, K)`).
    pub trans_b: bool,
}

impl Default for Gemm {
    fn default() -> Self {
        Gemm {
            alpha: 1.0,
            beta: 1.0,
            trans_a: false,
            trans_b: false,
        }
    }
}

impl Gemm {
    /// `(M, K, N)` of the product, checking `A` and `B`.
    pub fn dims(&self, a: &[usize], b: &[usize]) -> IrResult<(usize, usize, usize)> {
        let op = "Gemm";
        let (&[a0, a1], &[b0, b1]) = (a, b) else {
            return Err(IrError::shape(
                op,
                format!("A {a:?} and B {b:?} must be matrices"),
            ));
        };
        let (m, k) = if self.trans_a { (a1, a0) } else { (a0, a1) };
        let (kb, n) = if self.trans_b { (b1, b0) } else { (b0, b1) };
        if k != kb {
            return Err(IrError::shape(
                op,
                format!("inner dimensions differ: A {a:?}, B {b:?}"),
            ));
        }
        Ok((m, k, n))
    }
}

fn matrix<'a>(
    op: &'static str,
    a: &'a ArrayD<f32>,
    transpose: bool,
) -> IrResult<ArrayView2<'a, f32>> {
    let view = a
        .view()
        .into_dimensionality::<Ix2>()
        .map_err(|_| IrError::shape(op, "operand is not a matrix"))?;
    Ok(if transpose {
        view.reversed_axes()
    } else {
        view
    })
}

impl Op for Gemm {
    fn name(&self) -> &'static str {
        "Gemm"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let (a, b) = (inputs.f32(0)?, inputs.f32(1)?);
        let (m, _, n) = self.dims(a.shape(), b.shape())?;
        crate::size::checked_elements(op, &[m, n])?;
        let mut y = match inputs.opt(2) {
            Some(c) => {
                let c = c.as_f32(op, 2)?;
                if c.ndim() > 2 {
                    return Err(IrError::shape(
                        op,
                        format!("C {:?} does not broadcast to [{m}, {n}]", c.shape()),
                    ));
                }
                let view = c.broadcast(IxDyn(&[m, n])).ok_or_else(|| {
                    IrError::shape(
                        op,
                        format!("C {:?} does not broadcast to [{m}, {n}]", c.shape()),
                    )
                })?;
                let view = view.into_dimensionality::<Ix2>().expect("two axes");
                view.mapv(|v| self.beta * v)
            }
            None => Array2::zeros((m, n)),
        };
        general_mat_mul(
            self.alpha,
            &matrix(op, a, self.trans_a)?,
            &matrix(op, b, self.trans_b)?,
            1.0,
            &mut y,
        );
        Ok(vec![Tensor::F32(y.into_dyn())])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp(shape: &[usize]) -> ArrayD<f32> {
        let n: usize = shape.iter().product();
        ArrayD::from_shape_vec(IxDyn(shape), (0..n).map(|i| i as f32).collect()).unwrap()
    }

    #[test]
    fn shapes_follow_numpy() {
        let out = |a: &[usize], b: &[usize]| MatMul::shapes(a, b).map(|s| s.output);
        assert_eq!(out(&[3], &[3]).unwrap(), Vec::<usize>::new());
        assert_eq!(out(&[3], &[2, 3, 4]).unwrap(), vec![2, 4]);
        assert_eq!(out(&[2, 1, 3, 4], &[4]).unwrap(), vec![2, 1, 3]);
        assert_eq!(out(&[2, 1, 3, 4], &[5, 4, 6]).unwrap(), vec![2, 5, 3, 6]);
        assert!(out(&[2, 3], &[4, 2]).is_err());
        assert!(out(&[2, 2, 3], &[3, 3, 1]).is_err());
        assert!(out(&[], &[3]).is_err());
    }

    #[test]
    fn batch_broadcasting_matches_per_batch_products() {
        let a = ramp(&[2, 1, 2, 3]);
        let b = ramp(&[3, 3, 2]);
        let y = matmul(&a, &b).unwrap();
        assert_eq!(y.shape(), &[2, 3, 2, 2]);
        for i in 0..2 {
            for j in 0..3 {
                let a2 = a
                    .index_axis(Axis(0), i)
                    .index_axis(Axis(0), 0)
                    .into_dimensionality::<Ix2>()
                    .unwrap()
                    .to_owned();
                let b2 = b
                    .index_axis(Axis(0), j)
                    .into_dimensionality::<Ix2>()
                    .unwrap()
                    .to_owned();
                let expected = a2.dot(&b2);
                let got = y.index_axis(Axis(0), i).index_axis(Axis(0), j).to_owned();
                assert_eq!(got, expected.into_dyn());
            }
        }
    }

    #[test]
    fn vector_operands() {
        let v = ArrayD::from_shape_vec(IxDyn(&[2]), vec![1.0f32, 2.0]).unwrap();
        let m = ramp(&[2, 2]);
        assert_eq!(
            matmul(&v, &m).unwrap().iter().copied().collect::<Vec<_>>(),
            vec![4.0, 7.0]
        );
        assert_eq!(
            matmul(&m, &v).unwrap().iter().copied().collect::<Vec<_>>(),
            vec![2.0, 8.0]
        );
        let dot = matmul(&v, &v).unwrap();
        assert_eq!(dot.shape(), &[] as &[usize]);
        assert_eq!(dot.iter().copied().collect::<Vec<_>>(), vec![5.0]);
    }

    #[test]
    fn integer_matmul() {
        let a = Tensor::from_i64(&[1, 2], vec![1, 2]).unwrap();
        let b = Tensor::from_i64(&[2, 1], vec![3, 4]).unwrap();
        let slots = [Some(&a), Some(&b)];
        assert_eq!(
            MatMul.eval(Inputs::new("MatMul", &slots)).unwrap()[0].to_i64_vec(),
            vec![11]
        );
    }

    #[test]
    fn gemm_transposes_scales_and_broadcasts_c() {
        let a = Tensor::F32(ramp(&[3, 2])); // transposed: (2, 3)
        let b = Tensor::F32(ramp(&[4, 3])); // transposed: (3, 4)
        let c = Tensor::from_f32(&[4], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let gemm = Gemm {
            alpha: 2.0,
            beta: 0.5,
            trans_a: true,
            trans_b: true,
        };
        let slots = [Some(&a), Some(&b), Some(&c)];
        let y = gemm.eval(Inputs::new("Gemm", &slots)).unwrap().remove(0);
        let at = ramp(&[3, 2])
            .into_dimensionality::<Ix2>()
            .unwrap()
            .reversed_axes();
        let bt = ramp(&[4, 3])
            .into_dimensionality::<Ix2>()
            .unwrap()
            .reversed_axes();
        let mut expected = at.dot(&bt) * 2.0;
        for mut row in expected.rows_mut() {
            for (j, v) in row.iter_mut().enumerate() {
                *v += 0.5 * (j as f32 + 1.0);
            }
        }
        assert_eq!(y, Tensor::F32(expected.into_dyn()));
        let bad_c = Tensor::from_f32(&[3], vec![0.0; 3]).unwrap();
        let slots = [Some(&a), Some(&b), Some(&bad_c)];
        assert!(gemm.eval(Inputs::new("Gemm", &slots)).is_err());
        let slots = [Some(&b), Some(&b)];
        assert!(Gemm::default().eval(Inputs::new("Gemm", &slots)).is_err());
    }
}
