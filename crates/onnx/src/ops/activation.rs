//! Parsers of activations: the ReLU and ELU families, sigmoid-like functions,
//! `Clip` and the softmax family.

use zkinfer_ir::ops::activation::{
    Activation, ActivationKind, Celu, Clip, Elu, GeluApproximation, LeakyRelu, PRelu, Relu, Selu, Softmax,
    SoftmaxKind, ThresholdedRelu,
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
    Ok(Box::new(LeakyRelu { alpha: ctx.float("alpha", 0.01)? }))
}

fn thresholded_relu(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(ThresholdedRelu { alpha: ctx.float("alpha", 1.0)? }))
}

fn elu(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(Elu { alpha: ctx.float("alpha", 1.0)? }))
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
    activation(ActivationKind::HardSigmoid { alpha: ctx.float("alpha", 0.2)?, beta: ctx.float("beta", 0.5)? })
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
    let (min, max) = if ctx.opset < 11 { (ctx.float_opt("min")?, ctx.float_opt("max")?) } else { (None, None) };
    Ok(Box::new(Clip { min, max }))
}

/// Opset 13 changed both the grouping (2-D coercion → one axis) and the default axis.
fn softmax(ctx: &NodeContext<'_>, kind: SoftmaxKind) -> OnnxResult<Box<dyn Op>> {
    let legacy = ctx.opset < 13;
    let axis = ctx.int("axis", if legacy { 1 } else { -1 })?;
    Ok(Box::new(Softmax::new(kind, axis, legacy)))
}
