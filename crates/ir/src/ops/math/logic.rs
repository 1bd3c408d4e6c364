//! Boolean logic: `Not`, `And`, `Or`, `Xor`.

use crate::broadcast::broadcast_map2;
use crate::error::IrResult;
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Elementwise negation of a bool tensor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Not;

impl Op for Not {
    fn name(&self) -> &'static str {
        "Not"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        Ok(vec![Tensor::Bool(
            inputs.get(0)?.as_bool("Not", 0)?.mapv(|x| !x),
        )])
    }

    crate::op_boilerplate!();
}

/// Which connective a [`LogicOp`] applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicKind {
    /// `a ∧ b`
    And,
    /// `a ∨ b`
    Or,
    /// `a ⊕ b`
    Xor,
}

/// A binary connective on two broadcast bool tensors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogicOp {
    /// The connective.
    pub kind: LogicKind,
}

impl LogicOp {
    /// A new op of the given kind.
    pub fn new(kind: LogicKind) -> Self {
        LogicOp { kind }
    }
}

impl Op for LogicOp {
    fn name(&self) -> &'static str {
        match self.kind {
            LogicKind::And => "And",
            LogicKind::Or => "Or",
            LogicKind::Xor => "Xor",
        }
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let a = inputs.get(0)?.as_bool(op, 0)?;
        let b = inputs.get(1)?.as_bool(op, 1)?;
        let f: fn(&bool, &bool) -> bool = match self.kind {
            LogicKind::And => |x, y| *x && *y,
            LogicKind::Or => |x, y| *x || *y,
            LogicKind::Xor => |x, y| x != y,
        };
        Ok(vec![Tensor::Bool(broadcast_map2(op, a, b, f)?)])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tensor::DType;

    #[test]
    fn truth_tables_with_broadcasting() {
        let a = Tensor::vec_i64(vec![0, 0, 1, 1])
            .reshape(&[2, 2])
            .unwrap()
            .cast(DType::Bool);
        let b = Tensor::vec_i64(vec![0, 1]).cast(DType::Bool);
        let slots = [Some(&a), Some(&b)];
        let eval = |kind| {
            LogicOp::new(kind)
                .eval(Inputs::new("logic", &slots))
                .unwrap()
                .remove(0)
                .to_i64_vec()
        };
        assert_eq!(eval(LogicKind::And), vec![0, 0, 0, 1]);
        assert_eq!(eval(LogicKind::Or), vec![0, 1, 1, 1]);
        assert_eq!(eval(LogicKind::Xor), vec![0, 1, 1, 0]);
        let not = Not.eval(Inputs::new("Not", &slots[..1])).unwrap().remove(0);
        assert_eq!(not.to_i64_vec(), vec![1, 1, 0, 0]);
    }

    #[test]
    fn non_bool_inputs_are_errors() {
        let a = Tensor::vec_i64(vec![1]);
        let slots = [Some(&a), Some(&a)];
        assert!(LogicOp::new(LogicKind::And)
            .eval(Inputs::new("And", &slots))
            .is_err());
        assert!(Not.eval(Inputs::new("Not", &slots)).is_err());
    }
}
