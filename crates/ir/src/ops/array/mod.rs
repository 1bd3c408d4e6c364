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

/// `eval` runs on whatever a model file holds (shape inference evaluates every op),
/// so hostile parameters must give errors, never panics.
#[cfg(test)]
mod robustness_tests {
    use std::panic::{catch_unwind, AssertUnwindSafe};

    use super::*;
    use crate::op::{Inputs, Op};
    use crate::tensor::{DType, Tensor};

    fn ops() -> Vec<Box<dyn Op>> {
        vec![
            Box::new(Reshape::default()),
            Box::new(Reshape { allowzero: true }),
            Box::new(Flatten { axis: -7 }),
            Box::new(Squeeze::default()),
            Box::new(Unsqueeze::default()),
            Box::new(Transpose::default()),
            Box::new(Transpose {
                perm: Some(vec![1, 0]),
            }),
            Box::new(Concat { axis: i64::MIN }),
            Box::new(Slice::default()),
            Box::new(Split {
                axis: 0,
                split: None,
                outputs: 3,
            }),
            Box::new(Split {
                axis: -1,
                split: None,
                outputs: 0,
            }),
            Box::new(Gather { axis: 0 }),
            Box::new(GatherElements { axis: -1 }),
            Box::new(GatherND { batch_dims: 1 }),
            Box::new(Pad {
                mode: PadMode::Reflect,
                pads: None,
                value: 0.0,
            }),
            Box::new(Pad {
                mode: PadMode::Wrap,
                pads: None,
                value: 0.0,
            }),
            Box::new(Expand),
            Box::new(Tile),
            Box::new(ConstantOfShape::default()),
            Box::new(Shape {
                start: i64::MIN,
                end: Some(i64::MIN),
            }),
            Box::new(Size),
            Box::new(Range),
            Box::new(EyeLike {
                dtype: None,
                k: i64::MIN,
            }),
            Box::new(Resize::legacy(ResizeInputs::Scales, None)),
            Box::new(Resize {
                coordinate_transform: CoordinateTransform::TfCropAndResize,
                aspect_ratio_policy: AspectRatioPolicy::NotSmaller,
                ..Resize::legacy(ResizeInputs::RoiScalesSizes, None)
            }),
            Box::new(OneHot { axis: 1 }),
            Box::new(Trilu { upper: false }),
            Box::new(DepthToSpace {
                blocksize: 2,
                mode: BlockOrder::Crd,
            }),
            Box::new(SpaceToDepth {
                blocksize: 3,
                mode: BlockOrder::Dcr,
            }),
            Box::new(ScatterElements {
                axis: 0,
                reduction: ScatterReduction::Max,
            }),
            Box::new(ScatterND {
                reduction: ScatterReduction::Mul,
            }),
            Box::new(NonZero),
        ]
    }

    #[test]
    fn hostile_parameters_never_panic() {
        let shapes: [&[usize]; 6] = [&[], &[0], &[3], &[2, 3], &[1, 0, 2], &[1, 4, 2, 2]];
        let params: Vec<Tensor> = [
            vec![],
            vec![0],
            vec![-1],
            vec![i64::MIN],
            vec![i64::MAX],
            vec![1, -1],
            vec![0, 0, 0, 0],
            vec![2, -3, 1, 1],
            vec![i64::MAX, i64::MIN, 0, 5],
        ]
        .into_iter()
        .map(Tensor::vec_i64)
        .chain([
            Tensor::from_f32(&[2], vec![f32::NAN, 1e30]).unwrap(),
            Tensor::scalar_f32(-0.5),
        ])
        .collect();
        for op in ops() {
            for shape in shapes {
                for dtype in [DType::F32, DType::I64] {
                    let data = Tensor::zeros(dtype, shape);
                    for p in &params {
                        for q in [None, Some(p), params.get(5)] {
                            let slots = [Some(&data), Some(p), q, Some(p), q];
                            for n in 1..=slots.len() {
                                let run = catch_unwind(AssertUnwindSafe(|| {
                                    let _ = op.eval(Inputs::new(op.name(), &slots[..n]));
                                }));
                                assert!(
                                    run.is_ok(),
                                    "{op:?} panicked on {shape:?} {dtype} with {:?}",
                                    &slots[1..n]
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
