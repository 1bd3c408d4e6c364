//! Indexed reads: `Gather`, `GatherElements`, `GatherND`.
//!
//! With constant indices (embedding tables excepted, the usual case: exporters
//! gather a fixed position) these are index maps like any other data movement;
//! with runtime indices they are real lookups and [`IndexMapOp`] refuses them.

use crate::error::{IrError, IrResult};
use crate::op::{normalize_axis, Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    eval_by_index_maps, flat_index, shape_of, strides, IndexMap, IndexMapOp, Operand, Source,
};

/// An index into a dimension of length `dim`, negative counting from the end;
/// out of range is an error (ONNX leaves it undefined; a proof must not read garbage).
pub(crate) fn index_in(op: &'static str, index: i64, dim: usize) -> IrResult<usize> {
    let d = dim as i64;
    let i = if index < 0 { index + d } else { index };
    if (0..d).contains(&i) {
        Ok(i as usize)
    } else {
        Err(IrError::invalid(
            op,
            format!("index {index} out of range for a dimension of {dim}"),
        ))
    }
}

/// The shape and values of the indices input (slot 1), which must be known.
fn indices<'a>(
    op: &'static str,
    inputs: &[Option<Operand<'a>>],
) -> IrResult<(&'a [usize], Vec<i64>)> {
    let operand = inputs
        .get(1)
        .copied()
        .flatten()
        .ok_or(IrError::MissingInput { op, index: 1 })?;
    let value = operand.value.ok_or(IrError::NotConstant { op, index: 1 })?;
    Ok((operand.shape, value.to_i64_vec()))
}

/// `Gather`: pick slices of the data along `axis` at the given indices; the output
/// shape is `data[..axis] ++ indices ++ data[axis + 1..]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gather {
    /// Axis of the data that the indices address.
    pub axis: i64,
}

impl IndexMapOp for Gather {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "Gather";
        let data = shape_of(OP, inputs, 0)?;
        if data.is_empty() {
            return Err(IrError::invalid(OP, "cannot gather from a scalar"));
        }
        let axis = normalize_axis(OP, self.axis, data.len())?;
        let (ishape, ivalues) = indices(OP, inputs)?;
        let ivalues = ivalues
            .iter()
            .map(|&i| index_in(OP, i, data[axis]))
            .collect::<IrResult<Vec<_>>>()?;
        let shape: Vec<usize> = data[..axis]
            .iter()
            .chain(ishape)
            .chain(&data[axis + 1..])
            .copied()
            .collect();
        let (dst, ist) = (strides(data), strides(ishape));
        let q = ishape.len();
        Ok(vec![IndexMap::build(OP, shape, |o| {
            let picked = ivalues[flat_index(&o[axis..axis + q], &ist)];
            let flat = flat_index(&o[..axis], &dst[..axis])
                + picked * dst[axis]
                + flat_index(&o[axis + q..], &dst[axis + 1..]);
            Ok(Source::Input { input: 0, flat })
        })?])
    }
}

impl Op for Gather {
    fn name(&self) -> &'static str {
        "Gather"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        eval_by_index_maps(self, inputs, None)
    }

    crate::op_boilerplate!();
}

/// `GatherElements`: the output has the indices' shape, and element `i` reads the
/// data at `i` with coordinate `axis` replaced by `indices[i]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatherElements {
    /// Axis that the indices address.
    pub axis: i64,
}

impl IndexMapOp for GatherElements {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "GatherElements";
        let data = shape_of(OP, inputs, 0)?;
        let axis = normalize_axis(OP, self.axis, data.len())?;
        let (ishape, ivalues) = indices(OP, inputs)?;
        if ishape.len() != data.len() || data.is_empty() {
            return Err(IrError::shape(
                OP,
                format!("indices {ishape:?} and data {data:?} differ in rank"),
            ));
        }
        let dst = strides(data);
        let mut k = 0;
        Ok(vec![IndexMap::build(OP, ishape.to_vec(), |o| {
            let mut flat = 0;
            for (a, (&i, &d)) in o.iter().zip(data).enumerate() {
                let i = if a == axis {
                    index_in(OP, ivalues[k], d)?
                } else {
                    i
                };
                if i >= d {
                    return Err(IrError::shape(
                        OP,
                        format!("indices {ishape:?} exceed data {data:?} on axis {a}"),
                    ));
                }
                flat += i * dst[a];
            }
            k += 1;
            Ok(Source::Input { input: 0, flat })
        })?])
    }
}

impl Op for GatherElements {
    fn name(&self) -> &'static str {
        "GatherElements"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        eval_by_index_maps(self, inputs, None)
    }

    crate::op_boilerplate!();
}

/// `GatherND`: the last dimension of the indices holds coordinates into the data
/// (after `batch_dims` shared leading dimensions); each picks an element or slice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatherND {
    /// Leading dimensions that data and indices share.
    pub batch_dims: usize,
}

impl IndexMapOp for GatherND {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "GatherND";
        let data = shape_of(OP, inputs, 0)?;
        let (ishape, ivalues) = indices(OP, inputs)?;
        let b = self.batch_dims;
        let q = ishape.len();
        let depth = ishape.last().copied().unwrap_or(0);
        if q == 0 || b >= q || b + depth > data.len() || ishape[..b] != data[..b.min(data.len())] {
            return Err(IrError::shape(
                OP,
                format!("indices {ishape:?} do not fit data {data:?} with batch_dims {b}"),
            ));
        }
        let shape: Vec<usize> = ishape[..q - 1]
            .iter()
            .chain(&data[b + depth..])
            .copied()
            .collect();
        let (dst, ist) = (strides(data), strides(&ishape[..q - 1]));
        Ok(vec![IndexMap::build(OP, shape, |o| {
            let tuple = flat_index(&o[..q - 1], &ist) * depth;
            let mut flat = flat_index(&o[..b], &dst[..b]);
            for j in 0..depth {
                flat += index_in(OP, ivalues[tuple + j], data[b + j])? * dst[b + j];
            }
            flat += flat_index(&o[q - 1..], &dst[b + depth..]);
            Ok(Source::Input { input: 0, flat })
        })?])
    }
}

impl Op for GatherND {
    fn name(&self) -> &'static str {
        "GatherND"
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
    fn gather_with_negative_and_bad_indices() {
        let x = Tensor::from_i64(&[3, 2], (0..6).collect()).unwrap();
        let idx = Tensor::from_i64(&[2], vec![-1, 0]).unwrap();
        let out = Gather { axis: 0 }
            .eval(Inputs::new("Gather", &[Some(&x), Some(&idx)]))
            .unwrap();
        assert_eq!(out[0], Tensor::from_i64(&[2, 2], vec![4, 5, 0, 1]).unwrap());
        let scalar = Tensor::from_i64(&[], vec![1]).unwrap();
        let out = Gather { axis: 1 }
            .eval(Inputs::new("Gather", &[Some(&x), Some(&scalar)]))
            .unwrap();
        assert_eq!(out[0], Tensor::from_i64(&[3], vec![1, 3, 5]).unwrap());
        let bad = Tensor::from_i64(&[1], vec![3]).unwrap();
        assert!(Gather { axis: 0 }
            .eval(Inputs::new("Gather", &[Some(&x), Some(&bad)]))
            .is_err());
        assert!(Gather { axis: 2 }
            .eval(Inputs::new("Gather", &[Some(&x), Some(&idx)]))
            .is_err());
    }

    #[test]
    fn gather_elements_and_nd() {
        let x = Tensor::from_i64(&[2, 2], vec![1, 2, 3, 4]).unwrap();
        let idx = Tensor::from_i64(&[2, 2], vec![0, 0, 1, 0]).unwrap();
        let out = GatherElements { axis: 1 }
            .eval(Inputs::new("GatherElements", &[Some(&x), Some(&idx)]))
            .unwrap();
        assert_eq!(out[0], Tensor::from_i64(&[2, 2], vec![1, 1, 4, 3]).unwrap());
        let nd = Tensor::from_i64(&[2, 1], vec![1, 0]).unwrap();
        let out = GatherND { batch_dims: 0 }
            .eval(Inputs::new("GatherND", &[Some(&x), Some(&nd)]))
            .unwrap();
        assert_eq!(out[0], Tensor::from_i64(&[2, 2], vec![3, 4, 1, 2]).unwrap());
        let batched = Tensor::from_i64(&[2, 1], vec![1, 0]).unwrap();
        let out = GatherND { batch_dims: 1 }
            .eval(Inputs::new("GatherND", &[Some(&x), Some(&batched)]))
            .unwrap();
        assert_eq!(out[0], Tensor::from_i64(&[2], vec![2, 3]).unwrap());
    }
}
