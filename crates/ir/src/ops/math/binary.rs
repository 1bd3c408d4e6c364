//! Broadcasting binary arithmetic: `Add`, `Sub`, `Mul`, `Div`, `Pow`.

use crate::broadcast::broadcast_map2;
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Which arithmetic a [`BinaryOp`] performs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryKind {
    /// `a + b`
    Add,
    /// `a - b`
    Sub,
    /// `a * b`
    Mul,
    /// `a / b` (integer division truncates toward zero, as ONNX specifies)
    Div,
    /// `a ^ b`
    Pow,
}

/// Elementwise binary arithmetic with multidirectional broadcasting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryOp {
    /// The arithmetic.
    pub kind: BinaryKind,
}

impl BinaryOp {
    /// A new op of the given kind.
    pub fn new(kind: BinaryKind) -> Self {
        BinaryOp { kind }
    }
}

impl Op for BinaryOp {
    fn name(&self) -> &'static str {
        match self.kind {
            BinaryKind::Add => "Add",
            BinaryKind::Sub => "Sub",
            BinaryKind::Mul => "Mul",
            BinaryKind::Div => "Div",
            BinaryKind::Pow => "Pow",
        }
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let (a, b) = (inputs.get(0)?, inputs.get(1)?);
        let out = match (a, b) {
            (Tensor::F32(a), Tensor::F32(b)) => {
                let f: fn(&f32, &f32) -> f32 = match self.kind {
                    BinaryKind::Add => |x, y| x + y,
                    BinaryKind::Sub => |x, y| x - y,
                    BinaryKind::Mul => |x, y| x * y,
                    BinaryKind::Div => |x, y| x / y,
                    BinaryKind::Pow => |x, y| x.powf(*y),
                };
                Tensor::F32(broadcast_map2(op, a, b, f)?)
            }
            // Pow allows a float base with an integer exponent.
            (Tensor::F32(a), Tensor::I64(b)) if self.kind == BinaryKind::Pow => {
                Tensor::F32(broadcast_map2(op, a, b, |x, y| x.powf(*y as f32))?)
            }
            (Tensor::I64(a), Tensor::I64(b)) => {
                if self.kind == BinaryKind::Div && b.iter().any(|&y| y == 0) {
                    return Err(IrError::invalid(op, "integer division by zero"));
                }
                let f: fn(&i64, &i64) -> i64 = match self.kind {
                    BinaryKind::Add => |x, y| x.wrapping_add(*y),
                    BinaryKind::Sub => |x, y| x.wrapping_sub(*y),
                    BinaryKind::Mul => |x, y| x.wrapping_mul(*y),
                    BinaryKind::Div => |x, y| x / y,
                    BinaryKind::Pow => |x, y| x.wrapping_pow((*y).clamp(0, u32::MAX as i64) as u32),
                };
                Tensor::I64(broadcast_map2(op, a, b, f)?)
            }
            (a, b) => {
                return Err(IrError::invalid(
                    op,
                    format!("unsupported element types {} and {}", a.dtype(), b.dtype()),
                ))
            }
        };
        Ok(vec![out])
    }

    crate::op_boilerplate!();
}
