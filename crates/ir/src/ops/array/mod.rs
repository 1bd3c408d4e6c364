//! Shape and data movement: reshape, transpose, slice, gather, pad, resize...
//!
//! None of these ops computes anything: each output element is a copy of an input
//! element or a constant. Most of them therefore implement [`IndexMapOp`], which
//! later stages use to turn them into free re-wirings of circuit variables; their
//! `eval` applies the same map, so the two cannot disagree. The exceptions are the
//! ops that fold to constants at load time (`Shape`, `Size`, `ConstantOfShape`,
//! `EyeLike`, `Range`, `NonZero`) and the scatters, whose colliding writes and
//! reductions are not pure copies.

mod concat;
mod expand;
mod gather;
mod generators;
mod index_map;
mod nonzero;
mod one_hot;
mod pad;
mod reshape;
mod resize;
mod scatter;
mod shape;
mod slice;
mod space_depth;
mod split;
mod squeeze;
mod transpose;
mod trilu;

pub use concat::Concat;
pub use expand::{Expand, Tile};
pub use gather::{Gather, GatherElements, GatherND};
pub use generators::{ConstantOfShape, EyeLike, Range};
pub use index_map::{
    apply_index_map, as_index_map_op, IndexMap, IndexMapOp, Operand, Source, MAX_ELEMENTS,
};
pub use nonzero::NonZero;
pub use one_hot::OneHot;
pub use pad::{Pad, PadMode};
pub use reshape::{Flatten, Reshape};
pub use resize::{AspectRatioPolicy, CoordinateTransform, NearestMode, Resize, ResizeInputs};
pub use scatter::{ScatterElements, ScatterND, ScatterReduction};
pub use shape::{Shape, Size};
pub use slice::{AxisSlice, Slice};
pub use space_depth::{BlockOrder, DepthToSpace, SpaceToDepth};
pub use split::Split;
pub use squeeze::{Squeeze, Unsqueeze};
pub use transpose::Transpose;
pub use trilu::Trilu;
