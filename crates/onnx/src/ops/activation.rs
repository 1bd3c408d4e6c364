//! Parsers of activations: the ReLU and ELU families, sigmoid-like functions,
//! `Clip` and the softmax family.

use zkinfer_ir::ops::activation::{
    Activation, ActivationKind, Celu, Clip, Elu, GeluApproximation, LeakyRelu, PRelu, Relu, Selu,
    Softmax, SoftmaxKind, ThresholdedRelu,
};
use zkinfer_ir::Op;

use crate::context::NodeContext;
use crate::error::OnnxResult;
use crate::registry::OpRegistry;

/// Register this family's ops.
pub fn register(reg: &mut OpRegistry) {
    reg.insert("Relu", |_| Ok(Box::new(Relu)));
    reg.insert("LeakyRelu", leaky_relu);
    reg.insert("PRelu", |_| Ok(Box::new(PRelu)));
    reg.insert("ThresholdedRelu", thresholded_relu);
    reg.insert("Elu", elu);
    reg.insert("Selu", selu);
    reg.insert("Celu", celu);
    reg.insert("Sigmoid", |_| activation(ActivationKind::Sigmoid));
    reg.insert("HardSigmoid", hard_sigmoid);
    reg.insert("HardSwish", |_| activation(ActivationKind::HardSwish));
    reg.insert("Tanh", |_| activation(ActivationKind::Tanh));
    reg.insert("Softplus", |_| activation(ActivationKind::Softplus));
    reg.insert("Softsign", |_| activation(ActivationKind::Softsign));
    reg.insert("Mish", |_| activation(ActivationKind::Mish));
    reg.insert("Gelu", gelu);
    reg.insert("Clip", clip);
    reg.insert("Softmax", |ctx| softmax(ctx, SoftmaxKind::Softmax));
    reg.insert("LogSoftmax", |ctx| softmax(ctx, SoftmaxKind::LogSoftmax));
    reg.insert("Hardmax", |ctx| softmax(ctx, SoftmaxKind::Hardmax));
}

fn activation(kind: ActivationKind) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(Activation::new(kind)))
}

fn leaky_relu(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(LeakyRelu {
        alpha: ctx.float("alpha", 0.01)?,
    }))
}

fn thresholded_relu(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(ThresholdedRelu {
        alpha: ctx.float("alpha", 1.0)?,
    }))
}

fn elu(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(Elu {
        alpha: ctx.float("alpha", 1.0)?,
    }))
}

fn selu(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(Selu {
        alpha: ctx.float("alpha", Selu::DEFAULT_ALPHA)?,
        gamma: ctx.float("gamma", Selu::DEFAULT_GAMMA)?,
    }))
}

fn celu(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let alpha = ctx.float("alpha", 1.0)?;
    if alpha == 0.0 {
        return Err(ctx.attr_error("alpha", "must be nonzero"));
    }
    Ok(Box::new(Celu { alpha }))
}

fn hard_sigmoid(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    activation(ActivationKind::HardSigmoid {
        alpha: ctx.float("alpha", 0.2)?,
        beta: ctx.float("beta", 0.5)?,
    })
}

fn gelu(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let approximate = match ctx.string("approximate", "none")?.as_str() {
        "none" => GeluApproximation::None,
        "tanh" => GeluApproximation::Tanh,
        other => return Err(ctx.unsupported(format!("Gelu approximate = \"{other}\""))),
    };
    activation(ActivationKind::Gelu { approximate })
}

/// Bounds are attributes before opset 11 and optional inputs from then on; the IR
/// op reads whichever the node has.
fn clip(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    // The attribute defaults are the float extremes, i.e. "no bound".
    let (min, max) = if ctx.opset < 11 {
        (ctx.float_opt("min")?, ctx.float_opt("max")?)
    } else {
        (None, None)
    };
    Ok(Box::new(Clip { min, max }))
}

/// Opset 13 changed both the grouping (2-D coercion → one axis) and the default axis.
fn softmax(ctx: &NodeContext<'_>, kind: SoftmaxKind) -> OnnxResult<Box<dyn Op>> {
    let legacy = ctx.opset < 13;
    let axis = ctx.int("axis", if legacy { 1 } else { -1 })?;
    Ok(Box::new(Softmax::new(kind, axis, legacy)))
}

#[cfg(test)]
mod tests {
    use onnx_protobuf::attribute_proto::AttributeType;
    use onnx_protobuf::{AttributeProto, NodeProto};
    use zkinfer_ir::OpExt;

    use super::*;

    fn node(op_type: &str, attributes: Vec<AttributeProto>) -> NodeProto {
        let mut node = NodeProto::new();
        node.op_type = op_type.into();
        node.attribute = attributes;
        node
    }

    fn float(name: &str, value: f32) -> AttributeProto {
        let mut a = AttributeProto::new();
        a.name = name.into();
        a.type_ = AttributeType::FLOAT.into();
        a.f = value;
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
        let ctx = NodeContext {
            node,
            name: "n",
            opset,
        };
        let mut reg = OpRegistry::new();
        register(&mut reg);
        reg.get(&node.op_type).expect("registered")(&ctx)
    }

    #[test]
    fn softmax_semantics_follow_the_opset() {
        let old = parse(&node("Softmax", vec![]), 11).unwrap();
        assert_eq!(
            old.downcast_ref::<Softmax>().unwrap(),
            &Softmax::new(SoftmaxKind::Softmax, 1, true)
        );
        let new = parse(&node("LogSoftmax", vec![]), 13).unwrap();
        assert_eq!(
            new.downcast_ref::<Softmax>().unwrap(),
            &Softmax::new(SoftmaxKind::LogSoftmax, -1, false)
        );
    }

    #[test]
    fn clip_bounds_are_attributes_only_before_opset_11() {
        let n = node("Clip", vec![float("min", 0.0), float("max", 6.0)]);
        let old = parse(&n, 6).unwrap();
        let clip = old.downcast_ref::<Clip>().unwrap();
        assert_eq!((clip.min, clip.max), (Some(0.0), Some(6.0)));
        let open = parse(&node("Clip", vec![float("max", 6.0)]), 6).unwrap();
        assert_eq!(open.downcast_ref::<Clip>().unwrap().min, None);
        let new = parse(&n, 13).unwrap();
        assert_eq!(new.downcast_ref::<Clip>().unwrap(), &Clip::default());
    }

    #[test]
    fn gelu_and_defaults() {
        let op = parse(&node("Gelu", vec![string("approximate", "tanh")]), 20).unwrap();
        assert_eq!(
            op.downcast_ref::<Activation>().unwrap().kind,
            ActivationKind::Gelu {
                approximate: GeluApproximation::Tanh
            }
        );
        assert!(parse(&node("Gelu", vec![string("approximate", "erf")]), 20).is_err());
        let op = parse(&node("LeakyRelu", vec![]), 16).unwrap();
        assert_eq!(op.downcast_ref::<LeakyRelu>().unwrap().alpha, 0.01);
        let op = parse(&node("HardSigmoid", vec![float("alpha", 0.5)]), 6).unwrap();
        assert_eq!(
            op.downcast_ref::<Activation>().unwrap().kind,
            ActivationKind::HardSigmoid {
                alpha: 0.5,
                beta: 0.5
            }
        );
        assert!(parse(&node("Celu", vec![float("alpha", 0.0)]), 12).is_err());
    }
}
