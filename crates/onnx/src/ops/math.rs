//! Parsers of elementwise arithmetic, comparison, logic and cast ops.

use zkinfer_ir::ops::math::{
    BinaryKind, BinaryOp, Cast, CastLike, CompareKind, CompareOp, IsInf, IsNaN, LogicKind, LogicOp,
    Not, UnaryKind, UnaryOp, VariadicKind, VariadicOp, Where,
};
use zkinfer_ir::Op;

use crate::context::NodeContext;
use crate::error::OnnxResult;
use crate::registry::OpRegistry;
use crate::tensor_proto::dtype_of;

/// Register this family's ops.
pub fn register(reg: &mut OpRegistry) {
    reg.insert("Add", |ctx| binary(ctx, BinaryKind::Add));
    reg.insert("Sub", |ctx| binary(ctx, BinaryKind::Sub));
    reg.insert("Mul", |ctx| binary(ctx, BinaryKind::Mul));
    reg.insert("Div", |ctx| binary(ctx, BinaryKind::Div));
    reg.insert("Pow", |ctx| binary(ctx, BinaryKind::Pow));
    reg.insert("Mod", modulo);

    reg.insert("Neg", |_| unary(UnaryKind::Neg));
    reg.insert("Abs", |_| unary(UnaryKind::Abs));
    reg.insert("Sqrt", |_| unary(UnaryKind::Sqrt));
    reg.insert("Exp", |_| unary(UnaryKind::Exp));
    reg.insert("Log", |_| unary(UnaryKind::Log));
    reg.insert("Erf", |_| unary(UnaryKind::Erf));
    reg.insert("Reciprocal", |_| unary(UnaryKind::Reciprocal));
    reg.insert("Floor", |_| unary(UnaryKind::Floor));
    reg.insert("Ceil", |_| unary(UnaryKind::Ceil));
    reg.insert("Round", |_| unary(UnaryKind::Round));
    reg.insert("Sign", |_| unary(UnaryKind::Sign));
    reg.insert("Sin", |_| unary(UnaryKind::Sin));
    reg.insert("Cos", |_| unary(UnaryKind::Cos));
    reg.insert("Tan", |_| unary(UnaryKind::Tan));
    reg.insert("Asin", |_| unary(UnaryKind::Asin));
    reg.insert("Acos", |_| unary(UnaryKind::Acos));
    reg.insert("Atan", |_| unary(UnaryKind::Atan));
    reg.insert("Sinh", |_| unary(UnaryKind::Sinh));
    reg.insert("Cosh", |_| unary(UnaryKind::Cosh));
    reg.insert("Asinh", |_| unary(UnaryKind::Asinh));
    reg.insert("Acosh", |_| unary(UnaryKind::Acosh));
    reg.insert("Atanh", |_| unary(UnaryKind::Atanh));
    reg.insert("IsNaN", |_| Ok(Box::new(IsNaN)));
    reg.insert("IsInf", is_inf);

    reg.insert("Sum", |_| variadic(VariadicKind::Sum));
    reg.insert("Mean", |_| variadic(VariadicKind::Mean));
    reg.insert("Max", |_| variadic(VariadicKind::Max));
    reg.insert("Min", |_| variadic(VariadicKind::Min));

    reg.insert("Less", |ctx| compare(ctx, CompareKind::Less));
    reg.insert("Greater", |ctx| compare(ctx, CompareKind::Greater));
    reg.insert("Equal", |ctx| compare(ctx, CompareKind::Equal));
    reg.insert("LessOrEqual", |ctx| compare(ctx, CompareKind::LessOrEqual));
    reg.insert("GreaterOrEqual", |ctx| {
        compare(ctx, CompareKind::GreaterOrEqual)
    });

    reg.insert("Not", |_| Ok(Box::new(Not)));
    reg.insert("And", |ctx| logic(ctx, LogicKind::And));
    reg.insert("Or", |ctx| logic(ctx, LogicKind::Or));
    reg.insert("Xor", |ctx| logic(ctx, LogicKind::Xor));
    reg.insert("Where", |_| Ok(Box::new(Where)));

    reg.insert("Cast", cast);
    reg.insert("CastLike", |_| Ok(Box::new(CastLike)));
}

/// Before opset 7, binary ops broadcast only one way and, with `axis`, aligned the
/// second operand at that axis instead of at the end: that case differs from NumPy's
/// rules, which the IR ops follow (without `axis` the two agree).
fn check_legacy_broadcast(ctx: &NodeContext<'_>) -> OnnxResult<()> {
    if ctx.has_attr("axis") {
        return Err(ctx.unsupported("legacy (opset < 7) broadcasting along `axis`"));
    }
    Ok(())
}

fn binary(ctx: &NodeContext<'_>, kind: BinaryKind) -> OnnxResult<Box<dyn Op>> {
    check_legacy_broadcast(ctx)?;
    Ok(Box::new(BinaryOp::new(kind)))
}

fn unary(kind: UnaryKind) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(UnaryOp::new(kind)))
}

fn variadic(kind: VariadicKind) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(VariadicOp::new(kind)))
}

fn compare(ctx: &NodeContext<'_>, kind: CompareKind) -> OnnxResult<Box<dyn Op>> {
    check_legacy_broadcast(ctx)?;
    Ok(Box::new(CompareOp::new(kind)))
}

fn logic(ctx: &NodeContext<'_>, kind: LogicKind) -> OnnxResult<Box<dyn Op>> {
    check_legacy_broadcast(ctx)?;
    Ok(Box::new(LogicOp::new(kind)))
}

fn modulo(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let fmod = match ctx.int("fmod", 0)? {
        0 => false,
        1 => true,
        other => return Err(ctx.attr_error("fmod", format!("must be 0 or 1, found {other}"))),
    };
    binary(ctx, BinaryKind::Mod { fmod })
}

fn is_inf(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(IsInf {
        detect_negative: ctx.int("detect_negative", 1)? != 0,
        detect_positive: ctx.int("detect_positive", 1)? != 0,
    }))
}

fn cast(ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    let code = ctx
        .int_opt("to")?
        .ok_or_else(|| ctx.attr_error("to", "required attribute is missing"))?;
    // `saturate` (opset 19) only concerns float8 targets, which dtype_of rejects.
    let to = i32::try_from(code)
        .ok()
        .and_then(dtype_of)
        .ok_or_else(|| ctx.unsupported(format!("casting to ONNX element type {code} (strings, complex, float8, int4 are not supported)")))?;
    Ok(Box::new(Cast::new(to)))
}

#[cfg(test)]
mod tests {
    use onnx_protobuf::attribute_proto::AttributeType;
    use onnx_protobuf::{AttributeProto, NodeProto};
    use zkinfer_ir::{DType, OpExt};

    use super::*;

    fn node(op_type: &str, ints: &[(&str, i64)]) -> NodeProto {
        let mut node = NodeProto::new();
        node.op_type = op_type.into();
        for &(name, value) in ints {
            let mut a = AttributeProto::new();
            a.name = name.into();
            a.type_ = AttributeType::INT.into();
            a.i = value;
            node.attribute.push(a);
        }
        node
    }

    fn parse(node: &NodeProto) -> OnnxResult<Box<dyn Op>> {
        let ctx = NodeContext {
            node,
            name: "n",
            opset: 17,
        };
        let mut reg = OpRegistry::new();
        register(&mut reg);
        reg.get(&node.op_type).expect("registered")(&ctx)
    }

    #[test]
    fn cast_maps_onnx_types_and_rejects_strings() {
        let op = parse(&node("Cast", &[("to", 11)])).unwrap();
        assert_eq!(op.downcast_ref::<Cast>().unwrap().to, DType::F32);
        let op = parse(&node("Cast", &[("to", 6)])).unwrap();
        assert_eq!(op.downcast_ref::<Cast>().unwrap().to, DType::I64);
        assert!(parse(&node("Cast", &[("to", 8)])).is_err());
        assert!(parse(&node("Cast", &[])).is_err());
    }

    #[test]
    fn attributes_take_spec_defaults() {
        let op = parse(&node("Mod", &[])).unwrap();
        assert_eq!(
            op.downcast_ref::<BinaryOp>().unwrap().kind,
            BinaryKind::Mod { fmod: false }
        );
        let op = parse(&node("Mod", &[("fmod", 1)])).unwrap();
        assert_eq!(
            op.downcast_ref::<BinaryOp>().unwrap().kind,
            BinaryKind::Mod { fmod: true }
        );
        assert!(parse(&node("Mod", &[("fmod", 2)])).is_err());
        assert!(parse(&node("Add", &[("broadcast", 1), ("axis", 1)])).is_err());
        let op = parse(&node("IsInf", &[("detect_negative", 0)])).unwrap();
        let is_inf = op.downcast_ref::<IsInf>().unwrap();
        assert!(!is_inf.detect_negative && is_inf.detect_positive);
    }
}
