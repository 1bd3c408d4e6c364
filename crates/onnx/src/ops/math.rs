//! Parsers of elementwise arithmetic, comparison, logic and cast ops.

use zkinfer_ir::ops::math::{BinaryKind, BinaryOp};
use zkinfer_ir::Op;

use crate::context::NodeContext;
use crate::error::OnnxResult;
use crate::registry::OpRegistry;

/// Register this family's ops.
pub fn register(reg: &mut OpRegistry) {
    reg.insert("Add", |_| binary(BinaryKind::Add));
    reg.insert("Sub", |_| binary(BinaryKind::Sub));
    reg.insert("Mul", |_| binary(BinaryKind::Mul));
    reg.insert("Div", |_| binary(BinaryKind::Div));
    reg.insert("Pow", pow);
}

fn binary(kind: BinaryKind) -> OnnxResult<Box<dyn Op>> {
    Ok(Box::new(BinaryOp::new(kind)))
}

fn pow(_ctx: &NodeContext<'_>) -> OnnxResult<Box<dyn Op>> {
    binary(BinaryKind::Pow)
}
