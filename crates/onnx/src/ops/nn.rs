//! Parsers of neural-network layers: matrix products, convolutions, pools, normalizations.

use zkinfer_ir::ops::nn::{
    Activation, AutoPad, AveragePool, BatchNormalization, Conv, ConvTranspose, Direction, Einsum,
    Gemm, GlobalPool, GlobalPoolKind, Gru, InstanceNormalization, LayerNormalization, LpPool, Lstm,
    MatMul, MaxPool, Recurrence, Rnn, Window,
};
use zkinfer_ir::Op;

use crate::context::NodeContext;
use crate::error::OnnxResult;
use crate::registry::OpRegistry;

/// Register this family's ops.
pub fn register(reg: &mut OpRegistry) {
    reg.insert("MatMul", |_| Ok(Box::new(MatMul)));
    reg.insert("Gemm", gemm);
    reg.insert("Conv", conv);
    reg.insert("ConvTranspose", conv_transpose);
    reg.insert("MaxPool", max_pool);
    reg.insert("AveragePool", average_pool);
    reg.insert("LpPool", lp_pool);
    reg.insert("GlobalAveragePool", |_| global(GlobalPoolKind::Average));
    reg.insert("GlobalMaxPool", |_| global(GlobalPoolKind::Max));
    reg.insert("GlobalLpPool", global_lp_pool);
    reg.insert("BatchNormalization", batch_normalization);
    reg.insert("InstanceNormalization", instance_normalization);
    reg.insert("LayerNormalization", layer_normalization);
    reg.insert("RNN", |ctx| {
        Ok(Box::new(Rnn {
            recurrence: recurrence(ctx, &[Activation::Tanh])?,
        }))
    });
    reg.insert("GRU", gru);
    reg.insert("Einsum", einsum);
    reg.insert("LSTM", lstm);
}

fn gemm(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(Gemm {
        alpha: ctx.float("alpha", 1.0)?,
        beta: ctx.float("beta", 1.0)?,
        trans_a: flag(ctx, "transA", 0)?,
        trans_b: flag(ctx, "transB", 0)?,
    }))
}

/// A 0/1 attribute.
fn flag(ctx: &NodeContext<'_>, name: &str, default: i64) -> OnnxResult<bool> {
    match ctx.int(name, default)? {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(ctx.attr_error(name, format!("must be 0 or 1, found {other}"))),
    }
}

/// A non-negative `ints` attribute; empty when absent.
fn sizes(ctx: &NodeContext<'_>, name: &str) -> OnnxResult<Vec<usize>> {
    let values = ctx.ints(name)?.unwrap_or_default();
    values
        .iter()
        .map(|&v| {
            usize::try_from(v)
                .map_err(|_| ctx.attr_error(name, format!("negative value in {values:?}")))
        })
        .collect()
}

/// Expand an attribute to one value per axis when the spatial rank is known,
/// checking its length; `per` is the number of entries per axis (2 for pads).
fn per_axis(
    ctx: &NodeContext<'_>,
    name: &str,
    values: Vec<usize>,
    rank: Option<usize>,
    per: usize,
    default: usize,
) -> OnnxResult<Vec<usize>> {
    match rank {
        None => Ok(values),
        Some(rank) if values.is_empty() => Ok(vec![default; rank * per]),
        Some(rank) if values.len() == rank * per => Ok(values),
        Some(rank) => Err(ctx.attr_error(
            name,
            format!("{} entries for {rank} spatial axes", values.len()),
        )),
    }
}

/// Strides, dilations, pads and auto_pad of a window op whose spatial rank may be known.
fn window(ctx: &NodeContext<'_>, rank: Option<usize>, ceil_mode: bool) -> OnnxResult<Window> {
    let auto_pad = match ctx.string("auto_pad", "NOTSET")?.as_str() {
        "NOTSET" | "" => AutoPad::NotSet,
        "SAME_UPPER" => AutoPad::SameUpper,
        "SAME_LOWER" => AutoPad::SameLower,
        "VALID" => AutoPad::Valid,
        other => return Err(ctx.attr_error("auto_pad", format!("unknown mode {other:?}"))),
    };
    let strides = per_axis(ctx, "strides", sizes(ctx, "strides")?, rank, 1, 1)?;
    let dilations = per_axis(ctx, "dilations", sizes(ctx, "dilations")?, rank, 1, 1)?;
    if strides.contains(&0) || dilations.contains(&0) {
        return Err(ctx.attr_error("strides", "strides and dilations must be positive"));
    }
    // Explicit pads only count without auto_pad; VALID means none at all.
    let pads = match auto_pad {
        AutoPad::NotSet => per_axis(ctx, "pads", sizes(ctx, "pads")?, rank, 2, 0)?,
        _ => per_axis(ctx, "pads", Vec::new(), rank, 2, 0)?,
    };
    Ok(Window {
        strides,
        dilations,
        pads,
        auto_pad,
        ceil_mode,
    })
}

fn group(ctx: &NodeContext<'_>) -> OnnxResult<usize> {
    match ctx.int("group", 1)? {
        g if g >= 1 => Ok(g as usize),
        g => Err(ctx.attr_error("group", format!("must be positive, found {g}"))),
    }
}

/// The kernel size if the node states it (Conv and ConvTranspose may leave it to the weights).
fn kernel_shape_opt(ctx: &NodeContext<'_>) -> OnnxResult<Option<Vec<usize>>> {
    Ok(if ctx.has_attr("kernel_shape") {
        Some(sizes(ctx, "kernel_shape")?)
    } else {
        None
    })
}

fn conv(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let kernel_shape = kernel_shape_opt(ctx)?;
    let rank = kernel_shape.as_ref().map(Vec::len);
    Ok(Box::new(Conv {
        window: window(ctx, rank, false)?,
        kernel_shape,
        group: group(ctx)?,
    }))
}

fn conv_transpose(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let kernel_shape = kernel_shape_opt(ctx)?;
    let rank = kernel_shape.as_ref().map(Vec::len);
    let output_shape = if ctx.has_attr("output_shape") {
        Some(sizes(ctx, "output_shape")?)
    } else {
        None
    };
    Ok(Box::new(ConvTranspose {
        window: window(ctx, rank, false)?,
        kernel_shape,
        group: group(ctx)?,
        output_padding: per_axis(
            ctx,
            "output_padding",
            sizes(ctx, "output_padding")?,
            rank,
            1,
            0,
        )?,
        output_shape,
    }))
}

/// The required kernel size of a pool, with its window attributes.
fn pool_window(ctx: &NodeContext<'_>) -> OnnxResult<(Vec<usize>, Window)> {
    let kernel_shape = sizes(ctx, "kernel_shape")?;
    if kernel_shape.is_empty() || kernel_shape.contains(&0) {
        return Err(ctx.attr_error("kernel_shape", "required, with positive sizes"));
    }
    // ceil_mode exists from opset 10; before that it is absent and reads as 0.
    let ceil_mode = flag(ctx, "ceil_mode", 0)?;
    let window = window(ctx, Some(kernel_shape.len()), ceil_mode)?;
    Ok((kernel_shape, window))
}

fn max_pool(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let (kernel_shape, window) = pool_window(ctx)?;
    let storage_order = ctx.int("storage_order", 0)?;
    if !(0..=1).contains(&storage_order) {
        return Err(ctx.attr_error(
            "storage_order",
            format!("must be 0 or 1, found {storage_order}"),
        ));
    }
    Ok(Box::new(MaxPool {
        kernel_shape,
        window,
        storage_order,
    }))
}

fn average_pool(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let (kernel_shape, window) = pool_window(ctx)?;
    Ok(Box::new(AveragePool {
        kernel_shape,
        window,
        count_include_pad: flag(ctx, "count_include_pad", 0)?,
    }))
}

/// `p` of the Lp pools: a float in opset 1, an int since opset 2.
fn lp_exponent(ctx: &NodeContext<'_>) -> OnnxResult<f32> {
    let p = if ctx.opset < 2 {
        ctx.float("p", 2.0)?
    } else {
        ctx.int("p", 2)? as f32
    };
    if p > 0.0 {
        Ok(p)
    } else {
        Err(ctx.attr_error("p", format!("must be positive, found {p}")))
    }
}

fn lp_pool(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let (kernel_shape, window) = pool_window(ctx)?;
    Ok(Box::new(LpPool {
        kernel_shape,
        window,
        p: lp_exponent(ctx)?,
    }))
}

fn global(kind: GlobalPoolKind) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(GlobalPool { kind }))
}

fn global_lp_pool(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    global(GlobalPoolKind::Lp {
        p: lp_exponent(ctx)?,
    })
}

fn batch_normalization(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    if ctx.int("training_mode", 0)? != 0 {
        return Err(
            ctx.unsupported("training_mode = 1 (batch statistics); only inference is supported")
        );
    }
    // Before opset 9, `spatial = 0` kept statistics per element rather than per channel.
    if ctx.opset < 9 && ctx.int("spatial", 1)? == 0 {
        return Err(ctx.unsupported("spatial = 0 (per-element statistics)"));
    }
    if ctx.node.output.iter().skip(1).any(|o| !o.is_empty()) {
        return Err(ctx.unsupported("running mean/variance outputs (training only)"));
    }
    Ok(Box::new(BatchNormalization {
        epsilon: ctx.float("epsilon", 1e-5)?,
    }))
}

fn instance_normalization(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(InstanceNormalization {
        epsilon: ctx.float("epsilon", 1e-5)?,
    }))
}

fn layer_normalization(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(LayerNormalization {
        axis: ctx.int("axis", -1)?,
        epsilon: ctx.float("epsilon", 1e-5)?,
        stash_type: ctx.int("stash_type", 1)?,
    }))
}

/// Attributes shared by RNN, GRU and LSTM; `defaults` are one direction's activations.
fn recurrence(ctx: &NodeContext<'_>, defaults: &[Activation]) -> OnnxResult<Recurrence> {
    if ctx.int("layout", 0)? != 0 {
        return Err(ctx.unsupported("layout = 1 (batch-first); only layout 0 is supported"));
    }
    let hidden_size = match ctx.int_opt("hidden_size")? {
        Some(h) if h > 0 => h as usize,
        _ => return Err(ctx.attr_error("hidden_size", "required and positive")),
    };
    let direction = match ctx.string("direction", "forward")?.as_str() {
        "forward" => Direction::Forward,
        "reverse" => Direction::Reverse,
        "bidirectional" => Direction::Bidirectional,
        other => return Err(ctx.attr_error("direction", format!("unknown direction {other:?}"))),
    };
    // NodeContext has no `strings` getter; read the attribute's raw byte strings.
    let named: Option<Vec<String>> = ctx
        .node
        .attribute
        .iter()
        .find(|a| a.name == "activations")
        .map(|a| {
            a.strings
                .iter()
                .map(|s| String::from_utf8_lossy(s).into_owned())
                .collect()
        });
    let activations = match named {
        None => defaults.repeat(direction.count()),
        Some(names) => {
            if names.len() != defaults.len() * direction.count() {
                return Err(ctx.attr_error(
                    "activations",
                    format!(
                        "{} names for {} direction(s) of {}",
                        names.len(),
                        direction.count(),
                        defaults.len()
                    ),
                ));
            }
            names
                .iter()
                .map(|name| match name.to_ascii_lowercase().as_str() {
                    "sigmoid" => Ok(Activation::Sigmoid),
                    "tanh" => Ok(Activation::Tanh),
                    "relu" => Ok(Activation::Relu),
                    _ => Err(ctx.unsupported(format!(
                        "activation {name:?} (supported: Sigmoid, Tanh, Relu)"
                    ))),
                })
                .collect::<OnnxResult<Vec<_>>>()?
        }
    };
    let clip = ctx.float_opt("clip")?;
    if clip.is_some_and(|c| c <= 0.0) {
        return Err(ctx.attr_error("clip", "must be positive"));
    }
    Ok(Recurrence {
        hidden_size,
        direction,
        activations,
        clip,
    })
}

fn gru(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(Gru {
        recurrence: recurrence(ctx, &[Activation::Sigmoid, Activation::Tanh])?,
        linear_before_reset: ctx.int("linear_before_reset", 0)? != 0,
    }))
}

fn lstm(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    if ctx.int("input_forget", 0)? != 0 {
        return Err(ctx.unsupported("input_forget = 1 (coupled input and forget gates)"));
    }
    let defaults = [Activation::Sigmoid, Activation::Tanh, Activation::Tanh];
    Ok(Box::new(Lstm {
        recurrence: recurrence(ctx, &defaults)?,
    }))
}

fn einsum(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let equation = ctx.string("equation", "")?;
    let op = Einsum::parse(&equation).map_err(|e| {
        if equation.contains("...") {
            ctx.unsupported(e.to_string())
        } else {
            ctx.attr_error("equation", e.to_string())
        }
    })?;
    Ok(Box::new(op))
}
