//! Parsers of shape and data-movement ops.
//!
//! Many of these ops turned attributes into inputs at some opset (Slice at 10, Pad
//! and Resize at 11, Squeeze/Unsqueeze/Split at 13, Upsample's scales at 9). The IR
//! ops hold the attribute as an `Option` and read the input when it is `None`, so
//! each parser only reads the attribute where the specification still defines it.

use zkinfer_ir::ops::array::{
    AspectRatioPolicy, BlockOrder, Concat, ConstantOfShape, CoordinateTransform, DepthToSpace,
    Expand, EyeLike, Flatten, Gather, GatherElements, GatherND, NearestMode, NonZero, OneHot, Pad,
    PadMode, Range, Reshape, Resize, ResizeInputs, ScatterElements, ScatterND, ScatterReduction,
    Shape, Size, Slice, SpaceToDepth, Split, Squeeze, Tile, Transpose, Trilu, Unsqueeze,
};
use zkinfer_ir::Op;

use crate::context::NodeContext;
use crate::error::OnnxResult;
use crate::registry::OpRegistry;
use crate::tensor_proto::dtype_of;

/// Register this family's ops.
pub fn register(reg: &mut OpRegistry) {
    reg.insert("Flatten", |ctx| {
        Ok(Box::new(Flatten {
            axis: ctx.int("axis", 1)?,
        }))
    });
    reg.insert("Reshape", |ctx| {
        Ok(Box::new(Reshape {
            allowzero: ctx.int("allowzero", 0)? != 0,
        }))
    });
    reg.insert("Transpose", |ctx| {
        Ok(Box::new(Transpose {
            perm: ctx.ints("perm")?,
        }))
    });
    reg.insert("Concat", concat);
    reg.insert("Slice", slice);
    reg.insert("Split", split);
    reg.insert("Gather", |ctx| {
        Ok(Box::new(Gather {
            axis: ctx.int("axis", 0)?,
        }))
    });
    reg.insert("GatherElements", |ctx| {
        Ok(Box::new(GatherElements {
            axis: ctx.int("axis", 0)?,
        }))
    });
    reg.insert("GatherND", gather_nd);
    reg.insert("Squeeze", |ctx| {
        Ok(Box::new(Squeeze {
            axes: attr_before(ctx, 13, "axes")?,
        }))
    });
    reg.insert("Unsqueeze", unsqueeze);
    reg.insert("Pad", pad);
    reg.insert("Expand", |_| Ok(Box::new(Expand)));
    reg.insert("Tile", |_| Ok(Box::new(Tile)));
    reg.insert("ConstantOfShape", constant_of_shape);
    reg.insert("Shape", |ctx| {
        Ok(Box::new(Shape {
            start: ctx.int("start", 0)?,
            end: ctx.int_opt("end")?,
        }))
    });
    reg.insert("Size", |_| Ok(Box::new(Size)));
    reg.insert("Resize", resize);
    reg.insert("Upsample", upsample);
    reg.insert("Range", |_| Ok(Box::new(Range)));
    reg.insert("ScatterElements", scatter_elements);
    // `Scatter` (opsets 9–10) is `ScatterElements` under its old name.
    reg.insert("Scatter", scatter_elements);
    reg.insert("ScatterND", |ctx| {
        Ok(Box::new(ScatterND {
            reduction: reduction(ctx)?,
        }))
    });
    reg.insert("OneHot", |ctx| {
        Ok(Box::new(OneHot {
            axis: ctx.int("axis", -1)?,
        }))
    });
    reg.insert("Trilu", |ctx| {
        Ok(Box::new(Trilu {
            upper: ctx.int("upper", 1)? != 0,
        }))
    });
    reg.insert("EyeLike", eye_like);
    reg.insert("DepthToSpace", depth_to_space);
    reg.insert("SpaceToDepth", space_to_depth);
    reg.insert("NonZero", |_| Ok(Box::new(NonZero)));
}

/// An `ints` attribute that became an input at `opset`: read only before it.
fn attr_before(ctx: &NodeContext<'_>, opset: i64, name: &str) -> OnnxResult<Option<Vec<i64>>> {
    if ctx.opset < opset {
        ctx.ints(name)
    } else {
        Ok(None)
    }
}

fn concat(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let axis = ctx
        .int_opt("axis")?
        .ok_or_else(|| ctx.attr_error("axis", "required"))?;
    Ok(Box::new(Concat { axis }))
}

fn slice(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    if ctx.opset >= 10 {
        return Ok(Box::new(Slice::default()));
    }
    let starts = ctx
        .ints("starts")?
        .ok_or_else(|| ctx.attr_error("starts", "required before opset 10"))?;
    let ends = ctx
        .ints("ends")?
        .ok_or_else(|| ctx.attr_error("ends", "required before opset 10"))?;
    Ok(Box::new(Slice {
        starts: Some(starts),
        ends: Some(ends),
        axes: ctx.ints("axes")?,
    }))
}

fn split(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let outputs = ctx.node.output.len();
    if let Some(n) = ctx.int_opt("num_outputs")? {
        if n != outputs as i64 {
            return Err(ctx.attr_error(
                "num_outputs",
                format!("{n}, but the node has {outputs} outputs"),
            ));
        }
    }
    Ok(Box::new(Split {
        axis: ctx.int("axis", 0)?,
        split: attr_before(ctx, 13, "split")?,
        outputs,
    }))
}

fn gather_nd(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let batch_dims = ctx.int("batch_dims", 0)?;
    let batch_dims =
        usize::try_from(batch_dims).map_err(|_| ctx.attr_error("batch_dims", "negative"))?;
    Ok(Box::new(GatherND { batch_dims }))
}

fn unsqueeze(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let axes = attr_before(ctx, 13, "axes")?;
    if ctx.opset < 13 && axes.is_none() {
        return Err(ctx.attr_error("axes", "required before opset 13"));
    }
    Ok(Box::new(Unsqueeze { axes }))
}

fn pad(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let mode = match ctx.string("mode", "constant")?.as_str() {
        "constant" => PadMode::Constant,
        "reflect" => PadMode::Reflect,
        "edge" => PadMode::Edge,
        "wrap" => PadMode::Wrap,
        other => return Err(ctx.attr_error("mode", format!("unknown mode `{other}`"))),
    };
    if ctx.opset >= 11 {
        return Ok(Box::new(Pad {
            mode,
            pads: None,
            value: 0.0,
        }));
    }
    let pads = ctx
        .ints("pads")?
        .ok_or_else(|| ctx.attr_error("pads", "required before opset 11"))?;
    Ok(Box::new(Pad {
        mode,
        pads: Some(pads),
        value: ctx.float("value", 0.0)?,
    }))
}

fn constant_of_shape(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(match ctx.tensor("value")? {
        Some(value) if value.len() == 1 => ConstantOfShape { value },
        Some(_) => return Err(ctx.attr_error("value", "must hold exactly one element")),
        None => ConstantOfShape::default(),
    }))
}

fn nearest_only(ctx: &NodeContext<'_>) -> OnnxResult<()> {
    match ctx.string("mode", "nearest")?.as_str() {
        "nearest" => Ok(()),
        other => Err(ctx.unsupported(format!(
            "mode `{other}`: only nearest-neighbour resizing is supported (interpolation is not a pure copy)"
        ))),
    }
}

fn resize(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    nearest_only(ctx)?;
    if ctx.opset < 11 {
        return Ok(Box::new(Resize::legacy(ResizeInputs::Scales, None)));
    }
    let coordinate_transform = match ctx
        .string("coordinate_transformation_mode", "half_pixel")?
        .as_str()
    {
        "half_pixel" => CoordinateTransform::HalfPixel,
        "half_pixel_symmetric" => CoordinateTransform::HalfPixelSymmetric,
        "pytorch_half_pixel" => CoordinateTransform::PytorchHalfPixel,
        "align_corners" => CoordinateTransform::AlignCorners,
        "asymmetric" => CoordinateTransform::Asymmetric,
        "tf_crop_and_resize" => CoordinateTransform::TfCropAndResize,
        other => {
            return Err(ctx.attr_error(
                "coordinate_transformation_mode",
                format!("unknown value `{other}`"),
            ))
        }
    };
    let nearest_mode = match ctx.string("nearest_mode", "round_prefer_floor")?.as_str() {
        "round_prefer_floor" => NearestMode::RoundPreferFloor,
        "round_prefer_ceil" => NearestMode::RoundPreferCeil,
        "floor" => NearestMode::Floor,
        "ceil" => NearestMode::Ceil,
        other => return Err(ctx.attr_error("nearest_mode", format!("unknown value `{other}`"))),
    };
    let aspect_ratio_policy = match ctx.string("keep_aspect_ratio_policy", "stretch")?.as_str() {
        "stretch" => AspectRatioPolicy::Stretch,
        "not_larger" => AspectRatioPolicy::NotLarger,
        "not_smaller" => AspectRatioPolicy::NotSmaller,
        other => {
            return Err(ctx.attr_error(
                "keep_aspect_ratio_policy",
                format!("unknown value `{other}`"),
            ))
        }
    };
    // `antialias`, `cubic_coeff_a` and `exclude_outside` only affect interpolating modes.
    Ok(Box::new(Resize {
        inputs: ResizeInputs::RoiScalesSizes,
        scales: None,
        axes: ctx.ints("axes")?,
        coordinate_transform,
        nearest_mode,
        aspect_ratio_policy,
        extrapolation_value: ctx.float("extrapolation_value", 0.0)?,
    }))
}

fn upsample(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    nearest_only(ctx)?;
    if ctx.opset >= 9 {
        return Ok(Box::new(Resize::legacy(ResizeInputs::Scales, None)));
    }
    let scales = ctx
        .floats("scales")?
        .ok_or_else(|| ctx.attr_error("scales", "required before opset 9"))?;
    Ok(Box::new(Resize::legacy(
        ResizeInputs::Attribute,
        Some(scales),
    )))
}

fn reduction(ctx: &NodeContext<'_>) -> OnnxResult<ScatterReduction> {
    Ok(match ctx.string("reduction", "none")?.as_str() {
        "none" => ScatterReduction::None,
        "add" => ScatterReduction::Add,
        "mul" => ScatterReduction::Mul,
        "max" => ScatterReduction::Max,
        "min" => ScatterReduction::Min,
        other => return Err(ctx.attr_error("reduction", format!("unknown value `{other}`"))),
    })
}

fn scatter_elements(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(ScatterElements {
        axis: ctx.int("axis", 0)?,
        reduction: reduction(ctx)?,
    }))
}

fn eye_like(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let dtype = match ctx.int_opt("dtype")? {
        None => None,
        Some(code) => Some(dtype_of(code as i32).ok_or_else(|| {
            ctx.unsupported(format!("output element type {code} is not supported"))
        })?),
    };
    Ok(Box::new(EyeLike {
        dtype,
        k: ctx.int("k", 0)?,
    }))
}

fn block(ctx: &NodeContext<'_>) -> OnnxResult<(usize, BlockOrder)> {
    let blocksize = ctx
        .int_opt("blocksize")?
        .ok_or_else(|| ctx.attr_error("blocksize", "required"))?;
    let blocksize = usize::try_from(blocksize)
        .ok()
        .filter(|&b| b > 0)
        .ok_or_else(|| ctx.attr_error("blocksize", format!("{blocksize} is not positive")))?;
    let mode = match ctx.string("mode", "DCR")?.as_str() {
        "DCR" => BlockOrder::Dcr,
        "CRD" => BlockOrder::Crd,
        other => return Err(ctx.attr_error("mode", format!("unknown value `{other}`"))),
    };
    Ok((blocksize, mode))
}

fn depth_to_space(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let (blocksize, mode) = block(ctx)?;
    Ok(Box::new(DepthToSpace { blocksize, mode }))
}

fn space_to_depth(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let (blocksize, mode) = block(ctx)?;
    Ok(Box::new(SpaceToDepth { blocksize, mode }))
}

#[cfg(test)]
mod tests {
    use onnx_protobuf::attribute_proto::AttributeType;
    use onnx_protobuf::{AttributeProto, NodeProto};
    use zkinfer_ir::OpExt;

    use super::*;

    fn node(op_type: &str, attributes: Vec<AttributeProto>, outputs: usize) -> NodeProto {
        let mut node = NodeProto::new();
        node.op_type = op_type.into();
        node.attribute = attributes;
        node.output = (0..outputs).map(|i| format!("y{i}")).collect();
        node
    }

    fn ints(name: &str, values: &[i64]) -> AttributeProto {
        let mut a = AttributeProto::new();
        a.name = name.into();
        a.type_ = AttributeType::INTS.into();
        a.ints = values.to_vec();
        a
    }

    fn string(name: &str, value: &str) -> AttributeProto {
        let mut a = AttributeProto::new();
        a.name = name.into();
        a.type_ = AttributeType::STRING.into();
        a.s = value.as_bytes().to_vec();
        a
    }

    fn parse(node: &NodeProto, opset: i64) -> OnnxResult<Box<dyn Op>> {
        let mut reg = OpRegistry::new();
        register(&mut reg);
        let ctx = NodeContext {
            node,
            name: "n",
            opset,
        };
        reg.get(&node.op_type).expect("registered")(&ctx)
    }

    #[test]
    fn attributes_that_became_inputs() {
        let squeeze = node("Squeeze", vec![ints("axes", &[0])], 1);
        let old = parse(&squeeze, 11).unwrap();
        assert_eq!(old.downcast_ref::<Squeeze>().unwrap().axes, Some(vec![0]));
        let new = parse(&squeeze, 13).unwrap();
        assert_eq!(new.downcast_ref::<Squeeze>().unwrap().axes, None);
        assert!(parse(&node("Unsqueeze", vec![], 1), 11).is_err());
        assert!(parse(&node("Slice", vec![ints("starts", &[0])], 1), 9).is_err());
        assert!(parse(&node("Pad", vec![], 1), 10).is_err());
        assert!(parse(&node("Pad", vec![], 1), 11).is_ok());
    }

    #[test]
    fn split_counts_outputs() {
        let op = parse(&node("Split", vec![], 3), 18).unwrap();
        assert_eq!(op.downcast_ref::<Split>().unwrap().outputs, 3);
    }

    #[test]
    fn resize_modes() {
        assert!(parse(&node("Resize", vec![string("mode", "linear")], 1), 13).is_err());
        let op = parse(&node("Resize", vec![], 1), 13).unwrap();
        let r = op.downcast_ref::<Resize>().unwrap();
        assert_eq!(r.coordinate_transform, CoordinateTransform::HalfPixel);
        assert_eq!(r.nearest_mode, NearestMode::RoundPreferFloor);
        let op = parse(&node("Resize", vec![], 1), 10).unwrap();
        assert_eq!(
            op.downcast_ref::<Resize>().unwrap().inputs,
            ResizeInputs::Scales
        );
        assert!(parse(&node("Upsample", vec![], 1), 7).is_err());
    }
}
