//! Indexed writes: `ScatterElements` and `ScatterND`.
//!
//! Unlike the gathers these are not pure re-wirings when updates collide or a
//! reduction combines them, so they are evaluated directly and do not implement
//! [`super::IndexMapOp`].

use ndarray::{ArrayD, IxDyn};

use crate::error::{IrError, IrResult};
use crate::op::{normalize_axis, Inputs, Op};
use crate::tensor::Tensor;

use super::gather::index_in;
use super::index_map::{flat_index, for_each_index, strides};

/// How colliding writes combine (ONNX's `reduction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScatterReduction {
    /// The update replaces the value (the last write wins).
    None,
    /// Add the update.
    Add,
    /// Multiply by the update.
    Mul,
    /// Keep the larger.
    Max,
    /// Keep the smaller.
    Min,
}

/// Write `updates[u]` into `data[dest]` for every pair `(dest, u)`, in order.
fn scatter(
    op: &'static str,
    reduction: ScatterReduction,
    data: &Tensor,
    updates: &Tensor,
    writes: &[(usize, usize)],
) -> IrResult<Tensor> {
    fn go<T: Clone>(
        op: &'static str,
        data: &ArrayD<T>,
        updates: &ArrayD<T>,
        writes: &[(usize, usize)],
        combine: impl Fn(&T, &T) -> T,
    ) -> IrResult<ArrayD<T>> {
        let mut out: Vec<T> = data.iter().cloned().collect();
        let updates: Vec<T> = updates.iter().cloned().collect();
        for &(dest, u) in writes {
            let (Some(slot), Some(update)) = (out.get(dest), updates.get(u)) else {
                return Err(IrError::invalid(op, "write out of range"));
            };
            out[dest] = combine(slot, update);
        }
        ArrayD::from_shape_vec(IxDyn(data.shape()), out)
            .map_err(|e| IrError::shape(op, e.to_string()))
    }
    use ScatterReduction as R;
    Ok(match (data, updates) {
        (Tensor::F32(d), Tensor::F32(u)) => {
            Tensor::F32(go(op, d, u, writes, |a: &f32, b: &f32| match reduction {
                R::None => *b,
                R::Add => a + b,
                R::Mul => a * b,
                R::Max => a.max(*b),
                R::Min => a.min(*b),
            })?)
        }
        (Tensor::I64(d), Tensor::I64(u)) => {
            Tensor::I64(go(op, d, u, writes, |a: &i64, b: &i64| match reduction {
                R::None => *b,
                R::Add => a.wrapping_add(*b),
                R::Mul => a.wrapping_mul(*b),
                R::Max => *a.max(b),
                R::Min => *a.min(b),
            })?)
        }
        (Tensor::Bool(d), Tensor::Bool(u)) if reduction == R::None => {
            Tensor::Bool(go(op, d, u, writes, |_, b| *b)?)
        }
        (d, u) => {
            return Err(IrError::invalid(
                op,
                format!(
                    "cannot scatter {} updates into {} data with {reduction:?}",
                    u.dtype(),
                    d.dtype()
                ),
            ))
        }
    })
}

/// `ScatterElements`: `data` with `data[i with axis ← indices[i]] ⊕= updates[i]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScatterElements {
    /// Axis that the indices address.
    pub axis: i64,
    /// How writes combine.
    pub reduction: ScatterReduction,
}

impl Op for ScatterElements {
    fn name(&self) -> &'static str {
        "ScatterElements"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        const OP: &str = "ScatterElements";
        let (data, indices, updates) = (inputs.get(0)?, inputs.get(1)?, inputs.get(2)?);
        let shape = data.shape();
        let axis = normalize_axis(OP, self.axis, shape.len())?;
        let ishape = indices.shape();
        if ishape != updates.shape() || ishape.len() != shape.len() || shape.is_empty() {
            return Err(IrError::shape(
                OP,
                format!(
                    "data {shape:?}, indices {ishape:?}, updates {:?}",
                    updates.shape()
                ),
            ));
        }
        let values = indices.to_i64_vec();
        let st = strides(shape);
        let mut writes = Vec::with_capacity(values.len());
        for_each_index(ishape, |i| {
            let mut dest = 0;
            for (a, (&c, &d)) in i.iter().zip(shape).enumerate() {
                let c = if a == axis {
                    index_in(OP, values[writes.len()], d)?
                } else {
                    c
                };
                if c >= d {
                    return Err(IrError::shape(
                        OP,
                        format!("indices {ishape:?} exceed data {shape:?}"),
                    ));
                }
                dest += c * st[a];
            }
            writes.push((dest, writes.len()));
            Ok(())
        })?;
        Ok(vec![scatter(OP, self.reduction, data, updates, &writes)?])
    }

    crate::op_boilerplate!();
}

/// `ScatterND`: the last axis of `indices` holds coordinates of elements or slices
/// of `data` that the matching `updates` are written to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScatterND {
    /// How writes combine.
    pub reduction: ScatterReduction,
}

impl Op for ScatterND {
    fn name(&self) -> &'static str {
        "ScatterND"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        const OP: &str = "ScatterND";
        let (data, indices, updates) = (inputs.get(0)?, inputs.get(1)?, inputs.get(2)?);
        let (shape, ishape) = (data.shape(), indices.shape());
        let q = ishape.len();
        let depth = ishape.last().copied().unwrap_or(0);
        let expected: Vec<usize> = ishape[..q.saturating_sub(1)]
            .iter()
            .chain(shape.get(depth..).unwrap_or(&[]))
            .copied()
            .collect();
        if q == 0 || depth > shape.len() || updates.shape() != expected {
            return Err(IrError::shape(
                OP,
                format!(
                    "data {shape:?}, indices {ishape:?}, updates {:?}",
                    updates.shape()
                ),
            ));
        }
        let values = indices.to_i64_vec();
        let st = strides(shape);
        let slice: usize = shape[depth..].iter().product();
        let tuples = values
            .len()
            .checked_div(depth)
            .unwrap_or(ishape[..q - 1].iter().product());
        let mut writes = Vec::with_capacity(tuples * slice);
        for t in 0..tuples {
            let mut base = 0;
            for j in 0..depth {
                base += index_in(OP, values[t * depth + j], shape[j])? * st[j];
            }
            let mut k = 0;
            for_each_index(&shape[depth..], |inner| {
                writes.push((base + flat_index(inner, &st[depth..]), t * slice + k));
                k += 1;
                Ok(())
            })?;
        }
        Ok(vec![scatter(OP, self.reduction, data, updates, &writes)?])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scatter_elements_with_reduction_and_bad_index() {
        let data = Tensor::from_f32(&[1, 5], vec![1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let idx = Tensor::from_i64(&[1, 2], vec![1, -4]).unwrap();
        let upd = Tensor::from_f32(&[1, 2], vec![1.1, 2.1]).unwrap();
        let op = ScatterElements {
            axis: 1,
            reduction: ScatterReduction::Add,
        };
        let out = op
            .eval(Inputs::new(
                "ScatterElements",
                &[Some(&data), Some(&idx), Some(&upd)],
            ))
            .unwrap();
        assert_eq!(out[0].to_f32_vec(), vec![1.0, 5.2, 3.0, 4.0, 5.0]);
        let bad = Tensor::from_i64(&[1, 2], vec![1, 5]).unwrap();
        assert!(op
            .eval(Inputs::new(
                "ScatterElements",
                &[Some(&data), Some(&bad), Some(&upd)]
            ))
            .is_err());
    }

    #[test]
    fn scatter_nd_slices() {
        let data = Tensor::from_i64(&[3, 2], vec![0; 6]).unwrap();
        let idx = Tensor::from_i64(&[1, 1], vec![2]).unwrap();
        let upd = Tensor::from_i64(&[1, 2], vec![7, 8]).unwrap();
        let op = ScatterND {
            reduction: ScatterReduction::None,
        };
        let out = op
            .eval(Inputs::new(
                "ScatterND",
                &[Some(&data), Some(&idx), Some(&upd)],
            ))
            .unwrap();
        assert_eq!(out[0].to_i64_vec(), vec![0, 0, 0, 0, 7, 8]);
        let wrong = Tensor::from_i64(&[1], vec![7]).unwrap();
        assert!(op
            .eval(Inputs::new(
                "ScatterND",
                &[Some(&data), Some(&idx), Some(&wrong)]
            ))
            .is_err());
    }
}
