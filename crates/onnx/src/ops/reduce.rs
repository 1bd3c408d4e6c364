//! Parsers of reductions, arg-max/min and top-k.

use zkinfer_ir::ops::reduce::{ArgKind, ArgReduce, Reduce, ReduceKind, TopK};
use zkinfer_ir::Op;

use crate::context::NodeContext;
use crate::error::OnnxResult;
use crate::registry::OpRegistry;

/// Register this family's ops.
pub fn register(reg: &mut OpRegistry) {
    reg.insert("ReduceSum", |ctx| reduce(ctx, ReduceKind::Sum));
    reg.insert("ReduceMean", |ctx| reduce(ctx, ReduceKind::Mean));
    reg.insert("ReduceMax", |ctx| reduce(ctx, ReduceKind::Max));
    reg.insert("ReduceMin", |ctx| reduce(ctx, ReduceKind::Min));
    reg.insert("ReduceProd", |ctx| reduce(ctx, ReduceKind::Prod));
    reg.insert("ReduceL1", |ctx| reduce(ctx, ReduceKind::L1));
    reg.insert("ReduceL2", |ctx| reduce(ctx, ReduceKind::L2));
    reg.insert("ReduceSumSquare", |ctx| reduce(ctx, ReduceKind::SumSquare));
    reg.insert("ReduceLogSum", |ctx| reduce(ctx, ReduceKind::LogSum));
    reg.insert("ReduceLogSumExp", |ctx| reduce(ctx, ReduceKind::LogSumExp));
    reg.insert("ArgMax", |ctx| arg_reduce(ctx, ArgKind::Max));
    reg.insert("ArgMin", |ctx| arg_reduce(ctx, ArgKind::Min));
    reg.insert("TopK", top_k);
}

/// `axes` moved from an attribute to input 1 in opset 13 for `ReduceSum` and in
/// opset 18 for the others, together with the new `noop_with_empty_axes`
/// attribute. The IR op prefers the input when the node has one, so both
/// attributes can be read at every opset: each is simply absent where the
/// specification does not define it.
fn reduce(ctx: &NodeContext<'_>, kind: ReduceKind) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(Reduce {
        kind,
        axes: ctx.ints("axes")?,
        keepdims: ctx.int("keepdims", 1)? != 0,
        noop_with_empty_axes: ctx.int("noop_with_empty_axes", 0)? != 0,
    }))
}

fn arg_reduce(ctx: &NodeContext<'_>, kind: ArgKind) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(ArgReduce {
        kind,
        axis: ctx.int("axis", 0)?,
        keepdims: ctx.int("keepdims", 1)? != 0,
        // Added in opset 12; older models always pick the first index.
        select_last_index: ctx.int("select_last_index", 0)? != 0,
    }))
}

/// `k` is an attribute before opset 10 and input 1 from then on; `largest` and
/// `sorted` arrived in opset 11 with defaults matching the older behaviour.
fn top_k(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let k = if ctx.opset < 10 {
        Some(ctx.int("k", -1)?).filter(|&k| k >= 0)
    } else {
        None
    };
    if ctx.opset < 10 && k.is_none() {
        return Err(ctx.attr_error("k", "required before opset 10"));
    }
    Ok(Box::new(TopK {
        axis: ctx.int("axis", -1)?,
        largest: ctx.int("largest", 1)? != 0,
        sorted: ctx.int("sorted", 1)? != 0,
        k,
    }))
}

#[cfg(test)]
mod tests {
    use onnx_protobuf::attribute_proto::AttributeType;
    use onnx_protobuf::{AttributeProto, NodeProto};
    use zkinfer_ir::OpExt;

    use super::*;

    fn node(op_type: &str, ints: &[(&str, i64)], axes: Option<Vec<i64>>) -> NodeProto {
        let mut node = NodeProto::new();
        node.op_type = op_type.into();
        for &(name, value) in ints {
            let mut a = AttributeProto::new();
            a.name = name.into();
            a.type_ = AttributeType::INT.into();
            a.i = value;
            node.attribute.push(a);
        }
        if let Some(axes) = axes {
            let mut a = AttributeProto::new();
            a.name = "axes".into();
            a.type_ = AttributeType::INTS.into();
            a.ints = axes;
            node.attribute.push(a);
        }
        node
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
    fn reduce_reads_axes_attribute_and_defaults() {
        let op = parse(&node("ReduceMean", &[("keepdims", 0)], Some(vec![-1])), 13).unwrap();
        assert_eq!(
            op.downcast_ref::<Reduce>().unwrap(),
            &Reduce::new(ReduceKind::Mean, Some(vec![-1]), false)
        );
        let op = parse(&node("ReduceSum", &[("noop_with_empty_axes", 1)], None), 13).unwrap();
        let reduce = op.downcast_ref::<Reduce>().unwrap();
        assert!(reduce.keepdims && reduce.noop_with_empty_axes && reduce.axes.is_none());
    }

    #[test]
    fn arg_and_top_k_defaults() {
        let op = parse(&node("ArgMin", &[], None), 13).unwrap();
        let arg = op.downcast_ref::<ArgReduce>().unwrap();
        assert_eq!(
            (arg.kind, arg.axis, arg.keepdims, arg.select_last_index),
            (ArgKind::Min, 0, true, false)
        );
        let op = parse(&node("TopK", &[], None), 11).unwrap();
        assert_eq!(
            op.downcast_ref::<TopK>().unwrap(),
            &TopK {
                axis: -1,
                largest: true,
                sorted: true,
                k: None
            }
        );
        let op = parse(&node("TopK", &[("k", 3)], None), 1).unwrap();
        assert_eq!(op.downcast_ref::<TopK>().unwrap().k, Some(3));
        assert!(parse(&node("TopK", &[], None), 1).is_err());
    }
}
