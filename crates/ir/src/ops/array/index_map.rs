//! Index maps: data-movement ops described as "output element ← input element".
//!
//! A circuit never computes a transpose, a slice or a nearest-neighbour resize: it
//! re-wires variables, for free. Every data-movement op of this family therefore
//! describes each of its outputs as an [`IndexMap`] (implementing [`IndexMapOp`]),
//! and its float `eval` *applies* that same map, so the reference semantics and the
//! wiring a circuit uses cannot disagree.

use std::borrow::Cow;

use ndarray::{ArrayD, IxDyn};

use crate::error::{IrError, IrResult};
use crate::fact::Fact;
use crate::op::{Inputs, Op};
use crate::tensor::{DType, Tensor};

pub use crate::size::MAX_ELEMENTS;

/// Where one output element of a data-movement op comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Element `flat` (row-major position) of input slot `input`.
    Input {
        /// Input slot of the op (e.g. which operand of a `Concat`).
        input: usize,
        /// Row-major position inside that input.
        flat: usize,
    },
    /// The op's fill value: `Pad`'s constant value (input 2, or the `value`
    /// attribute before opset 11), `Resize`'s `extrapolation_value`, zero for `Trilu`.
    Fill,
}

/// One output of a data-movement op, element by element in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexMap {
    /// Output shape.
    pub shape: Vec<usize>,
    /// Origin of each output element; `sources.len()` is the product of `shape`.
    pub sources: Vec<Source>,
}

impl IndexMap {
    /// Build a map by asking `source` for the origin of every output index, in row-major order.
    pub fn build(
        op: &'static str,
        shape: Vec<usize>,
        mut source: impl FnMut(&[usize]) -> IrResult<Source>,
    ) -> IrResult<IndexMap> {
        let len = checked_len(op, &shape)?;
        let mut sources = Vec::with_capacity(len);
        for_each_index(&shape, |index| {
            sources.push(source(index)?);
            Ok(())
        })?;
        Ok(IndexMap { shape, sources })
    }

    /// Output element `i` is input element `i` of slot 0: a pure change of shape.
    pub fn identity(op: &'static str, shape: Vec<usize>) -> IrResult<IndexMap> {
        let len = checked_len(op, &shape)?;
        Ok(IndexMap {
            shape,
            sources: (0..len)
                .map(|flat| Source::Input { input: 0, flat })
                .collect(),
        })
    }
}

/// Shape and, when known, value of one input: what an op needs to build its maps.
///
/// Built from a [`Tensor`] while evaluating, or from a [`Fact`] when a later stage
/// lays the op out (the value is then known only for load-time constants).
#[derive(Debug, Clone, Copy)]
pub struct Operand<'a> {
    /// Shape of the input.
    pub shape: &'a [usize],
    /// Value of the input, when known.
    pub value: Option<&'a Tensor>,
}

impl<'a> From<&'a Tensor> for Operand<'a> {
    fn from(t: &'a Tensor) -> Self {
        Operand {
            shape: t.shape(),
            value: Some(t),
        }
    }
}

impl<'a> From<&'a Fact> for Operand<'a> {
    fn from(f: &'a Fact) -> Self {
        Operand {
            shape: &f.shape,
            value: f.value.as_deref(),
        }
    }
}

/// A data-movement op that can state where each output element comes from.
///
/// Only inputs whose *values* the map needs (shapes, axes, pads, constant gather
/// indices...) must carry a value; data inputs are read by shape alone. When such a
/// value is not known (e.g. `Gather` with runtime indices) the map cannot be built
/// and the method returns [`IrError::NotConstant`].
pub trait IndexMapOp: Op {
    /// One map per output of the op.
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>>;

    /// [`IndexMapOp::index_maps`] from the facts a graph holds about the op's inputs.
    fn index_maps_from_facts(&self, inputs: &[Option<&Fact>]) -> IrResult<Vec<IndexMap>> {
        let operands: Vec<Option<Operand<'_>>> =
            inputs.iter().map(|f| f.map(Operand::from)).collect();
        self.index_maps(&operands)
    }
}

/// The op as an [`IndexMapOp`], when it is one of this family's data-movement ops.
pub fn as_index_map_op(op: &dyn Op) -> Option<&dyn IndexMapOp> {
    use super::*;
    let any = op.as_any();
    macro_rules! try_types {
        ($($t:ty),*) => {
            $(if let Some(o) = any.downcast_ref::<$t>() {
                return Some(o);
            })*
        };
    }
    try_types!(
        Reshape,
        Flatten,
        Squeeze,
        Unsqueeze,
        Transpose,
        Concat,
        Slice,
        Split,
        Gather,
        GatherElements,
        GatherND,
        Pad,
        Expand,
        Tile,
        Resize,
        OneHot,
        Trilu,
        DepthToSpace,
        SpaceToDepth
    );
    None
}

/// Evaluate an [`IndexMapOp`]: build its maps from the concrete inputs and apply them
/// to the data. The element type is input 0's; `fill` supplies [`Source::Fill`] (zero when `None`).
pub(crate) fn eval_by_index_maps<O: IndexMapOp>(
    op: &O,
    inputs: Inputs<'_>,
    fill: Option<&Tensor>,
) -> IrResult<Vec<Tensor>> {
    let slots: Vec<Option<&Tensor>> = (0..inputs.len()).map(|i| inputs.opt(i)).collect();
    let operands: Vec<Option<Operand<'_>>> = slots.iter().map(|s| s.map(Operand::from)).collect();
    let maps = op.index_maps(&operands)?;
    let dtype = inputs.get(0)?.dtype();
    maps.iter()
        .map(|m| apply_index_map(op.name(), m, &slots, dtype, fill))
        .collect()
}

/// Apply a map to input slots, producing a tensor of `dtype`. Slots of another
/// element type cannot be read (a map reading one is an error): they are the op's
/// parameters, not its data.
pub fn apply_index_map(
    op: &'static str,
    map: &IndexMap,
    inputs: &[Option<&Tensor>],
    dtype: DType,
    fill: Option<&Tensor>,
) -> IrResult<Tensor> {
    let fill = fill.map(|f| f.cast(dtype));
    Ok(match dtype {
        DType::F32 => Tensor::F32(gather(op, map, inputs, fill.as_ref(), |t| match t {
            Tensor::F32(a) => Some(a),
            _ => None,
        })?),
        DType::I64 => Tensor::I64(gather(op, map, inputs, fill.as_ref(), |t| match t {
            Tensor::I64(a) => Some(a),
            _ => None,
        })?),
        DType::Bool => Tensor::Bool(gather(op, map, inputs, fill.as_ref(), |t| match t {
            Tensor::Bool(a) => Some(a),
            _ => None,
        })?),
    })
}

fn gather<T: Clone + Default>(
    op: &'static str,
    map: &IndexMap,
    inputs: &[Option<&Tensor>],
    fill: Option<&Tensor>,
    view: impl Fn(&Tensor) -> Option<&ArrayD<T>>,
) -> IrResult<ArrayD<T>> {
    let data: Vec<Option<Cow<'_, [T]>>> = inputs
        .iter()
        .map(|t| {
            t.and_then(&view).map(|a| {
                a.as_slice()
                    .map_or_else(|| Cow::Owned(a.iter().cloned().collect()), Cow::Borrowed)
            })
        })
        .collect();
    let fill: T = fill
        .and_then(&view)
        .and_then(|a| a.iter().next().cloned())
        .unwrap_or_default();
    let mut out = Vec::with_capacity(map.sources.len());
    for source in &map.sources {
        out.push(match *source {
            Source::Fill => fill.clone(),
            Source::Input { input, flat } => data
                .get(input)
                .and_then(|d| d.as_ref())
                .and_then(|d| d.get(flat))
                .cloned()
                .ok_or_else(|| {
                    IrError::invalid(
                        op,
                        format!("element {flat} of input {input} is missing or of another type"),
                    )
                })?,
        });
    }
    ArrayD::from_shape_vec(IxDyn(&map.shape), out)
        .map_err(|e| IrError::shape(op, format!("index map of shape {:?}: {e}", map.shape)))
}

/// Row-major strides of a shape.
pub(crate) fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// Row-major flat position of a multi-index.
pub(crate) fn flat_index(index: &[usize], strides: &[usize]) -> usize {
    index.iter().zip(strides).map(|(i, s)| i * s).sum()
}

/// Call `f` on every multi-index of `shape` in row-major order (once for a scalar, never when empty).
pub(crate) fn for_each_index(
    shape: &[usize],
    mut f: impl FnMut(&[usize]) -> IrResult<()>,
) -> IrResult<()> {
    if shape.contains(&0) {
        return Ok(());
    }
    let mut index = vec![0usize; shape.len()];
    loop {
        f(&index)?;
        let mut axis = shape.len();
        loop {
            if axis == 0 {
                return Ok(());
            }
            axis -= 1;
            index[axis] += 1;
            if index[axis] < shape[axis] {
                break;
            }
            index[axis] = 0;
        }
    }
}

/// Number of elements of a shape, refusing overflow and tensors beyond the active [`crate::SizeLimits`].
pub(crate) fn checked_len(op: &'static str, shape: &[usize]) -> IrResult<usize> {
    crate::size::checked_elements(op, shape)
}

/// The values of an integer parameter input (shape, axes, pads...): `None` when the
/// slot is absent, [`IrError::NotConstant`] when its value is unknown.
pub(crate) fn param_i64(
    op: &'static str,
    inputs: &[Option<Operand<'_>>],
    index: usize,
) -> IrResult<Option<Vec<i64>>> {
    match inputs.get(index).copied().flatten() {
        None => Ok(None),
        Some(Operand { value: Some(t), .. }) => Ok(Some(t.to_i64_vec())),
        Some(Operand { value: None, .. }) => Err(IrError::NotConstant { op, index }),
    }
}

/// Like [`param_i64`] for float parameters (`Resize` scales and roi).
pub(crate) fn param_f32(
    op: &'static str,
    inputs: &[Option<Operand<'_>>],
    index: usize,
) -> IrResult<Option<Vec<f32>>> {
    match inputs.get(index).copied().flatten() {
        None => Ok(None),
        Some(Operand { value: Some(t), .. }) => Ok(Some(t.to_f32_vec())),
        Some(Operand { value: None, .. }) => Err(IrError::NotConstant { op, index }),
    }
}

/// The shape of a required input.
pub(crate) fn shape_of<'a>(
    op: &'static str,
    inputs: &[Option<Operand<'a>>],
    index: usize,
) -> IrResult<&'a [usize]> {
    inputs
        .get(index)
        .copied()
        .flatten()
        .map(|o| o.shape)
        .ok_or(IrError::MissingInput { op, index })
}

/// Normalise an axis that may also equal the rank (`Flatten`, `Unsqueeze` on the output rank...).
pub(crate) fn axis_in(op: &'static str, axis: i64, rank: usize) -> IrResult<usize> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    if (0..r).contains(&a) {
        Ok(a as usize)
    } else {
        Err(IrError::invalid(
            op,
            format!("axis {axis} out of range for rank {rank}"),
        ))
    }
}

/// Normalise a list of axes, refusing duplicates.
pub(crate) fn distinct_axes(op: &'static str, axes: &[i64], rank: usize) -> IrResult<Vec<usize>> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let a = axis_in(op, a, rank)?;
        if out.contains(&a) {
            return Err(IrError::invalid(
                op,
                format!("axis {a} repeated in {axes:?}"),
            ));
        }
        out.push(a);
    }
    Ok(out)
}

/// A non-negative dimension from an `i64` (shape and repeat inputs).
pub(crate) fn dim(op: &'static str, d: i64) -> IrResult<usize> {
    usize::try_from(d).map_err(|_| IrError::invalid(op, format!("negative dimension {d}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_major_iteration_and_strides() {
        let mut seen = Vec::new();
        for_each_index(&[2, 3], |i| {
            seen.push(flat_index(i, &strides(&[2, 3])));
            Ok(())
        })
        .unwrap();
        assert_eq!(seen, vec![0, 1, 2, 3, 4, 5]);
        let mut scalar = 0;
        for_each_index(&[], |_| {
            scalar += 1;
            Ok(())
        })
        .unwrap();
        assert_eq!(scalar, 1);
        for_each_index(&[3, 0], |_| panic!("empty shape has no index")).unwrap();
    }

    #[test]
    fn reading_a_parameter_slot_is_an_error() {
        let data = Tensor::from_f32(&[2], vec![1.0, 2.0]).unwrap();
        let pads = Tensor::vec_i64(vec![0, 0]);
        let map = IndexMap {
            shape: vec![1],
            sources: vec![Source::Input { input: 1, flat: 0 }],
        };
        assert!(
            apply_index_map("Test", &map, &[Some(&data), Some(&pads)], DType::F32, None).is_err()
        );
    }

    #[test]
    fn huge_shapes_are_refused() {
        assert!(checked_len("Test", &[1 << 20, 1 << 20]).is_err());
        assert!(checked_len("Test", &[usize::MAX, 2]).is_err());
    }
}
