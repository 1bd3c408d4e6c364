//! Reductions along axes (`ReduceSum`, `ReduceMax`, ...), arg-max/min and top-k.
//!
//! All of them split the input into groups of elements that collapse to one
//! output (or `k` outputs); [`group_by_axes`] does that split once for the family.

mod aggregate;
mod arg;
mod top_k;

pub use aggregate::{Reduce, ReduceKind};
pub use arg::{ArgKind, ArgReduce};
pub use top_k::TopK;

use ndarray::{ArrayD, IxDyn};

use crate::error::{IrError, IrResult};
use crate::op::normalize_axis;

/// The input's elements regrouped so that each group is what one output element
/// is computed from: the data is permuted so the reduced axes come last, then
/// cut into `groups` consecutive runs of `group_len` elements.
struct Groups<T> {
    data: Vec<T>,
    groups: usize,
    group_len: usize,
    /// Shape of the kept axes, in order (the output shape without kept-dims ones).
    kept_shape: Vec<usize>,
}

impl<T> Groups<T> {
    /// Apply `f` to every group, in row-major order of the kept axes. Empty groups
    /// (a reduced axis of length 0) are passed as empty slices.
    fn map<U>(&self, f: impl FnMut(&[T]) -> U) -> Vec<U> {
        if self.group_len == 0 {
            let mut f = f;
            (0..self.groups).map(|_| f(&[])).collect()
        } else {
            self.data.chunks_exact(self.group_len).map(f).collect()
        }
    }
}

/// Split `a` into groups along the axes flagged in `reduced` (one flag per axis).
fn group_by_axes<T: Clone>(a: &ArrayD<T>, reduced: &[bool]) -> Groups<T> {
    let rank = a.ndim();
    debug_assert_eq!(reduced.len(), rank);
    let kept: Vec<usize> = (0..rank).filter(|&i| !reduced[i]).collect();
    let dropped: Vec<usize> = (0..rank).filter(|&i| reduced[i]).collect();
    let perm: Vec<usize> = kept.iter().chain(&dropped).copied().collect();
    let data: Vec<T> = a
        .view()
        .permuted_axes(IxDyn(&perm))
        .iter()
        .cloned()
        .collect();
    let kept_shape: Vec<usize> = kept.iter().map(|&i| a.shape()[i]).collect();
    Groups {
        data,
        groups: kept_shape.iter().product(),
        group_len: dropped.iter().map(|&i| a.shape()[i]).product(),
        kept_shape,
    }
}

/// Output shape of a reduction: reduced axes become 1 with `keepdims`, else vanish.
fn reduced_shape(shape: &[usize], reduced: &[bool], keepdims: bool) -> Vec<usize> {
    shape
        .iter()
        .zip(reduced)
        .filter_map(|(&d, &r)| match (r, keepdims) {
            (false, _) => Some(d),
            (true, true) => Some(1),
            (true, false) => None,
        })
        .collect()
}

/// Per-axis flags for a list of possibly negative axes; out-of-range axes are errors,
/// repeated axes are accepted (reducing an axis twice is reducing it once).
fn axis_flags(op: &'static str, axes: &[i64], rank: usize) -> IrResult<Vec<bool>> {
    let mut flags = vec![false; rank];
    for &axis in axes {
        let a = normalize_axis(op, axis, rank)?;
        // normalize_axis lets axis 0 through for a scalar, which has no axis to reduce.
        let flag = flags.get_mut(a).ok_or_else(|| {
            IrError::invalid(op, format!("axis {axis} out of range for rank {rank}"))
        })?;
        *flag = true;
    }
    Ok(flags)
}

/// Build the output array from per-group results.
fn assemble<U>(shape: Vec<usize>, values: Vec<U>) -> ArrayD<U> {
    ArrayD::from_shape_vec(IxDyn(&shape), values).expect("one value per group")
}
