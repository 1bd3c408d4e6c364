//! Broadcasting comparisons with a boolean result: `Less`, `Greater`, `Equal`, ...

use crate::broadcast::broadcast_map2;
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Which comparison a [`CompareOp`] makes (`a ⋄ b`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareKind {
    /// `a < b`
    Less,
    /// `a > b`
    Greater,
    /// `a == b` (also on booleans)
    Equal,
    /// `a <= b`
    LessOrEqual,
    /// `a >= b`
    GreaterOrEqual,
}

impl CompareKind {
    fn holds<T: PartialOrd>(self, a: &T, b: &T) -> bool {
        match self {
            CompareKind::Less => a < b,
            CompareKind::Greater => a > b,
            CompareKind::Equal => a == b,
            CompareKind::LessOrEqual => a <= b,
            CompareKind::GreaterOrEqual => a >= b,
        }
    }
}

/// Elementwise comparison of two broadcast tensors of the same type, giving a
/// bool tensor. Comparisons with NaN are false (except that nothing is `Equal` to NaN).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompareOp {
    /// The comparison.
    pub kind: CompareKind,
}

impl CompareOp {
    /// A new op of the given kind.
    pub fn new(kind: CompareKind) -> Self {
        CompareOp { kind }
    }
}

impl Op for CompareOp {
    fn name(&self) -> &'static str {
        match self.kind {
            CompareKind::Less => "Less",
            CompareKind::Greater => "Greater",
            CompareKind::Equal => "Equal",
            CompareKind::LessOrEqual => "LessOrEqual",
            CompareKind::GreaterOrEqual => "GreaterOrEqual",
        }
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let kind = self.kind;
        let mask = match (inputs.get(0)?, inputs.get(1)?) {
            (Tensor::F32(a), Tensor::F32(b)) => broadcast_map2(op, a, b, |x, y| kind.holds(x, y))?,
            (Tensor::I64(a), Tensor::I64(b)) => broadcast_map2(op, a, b, |x, y| kind.holds(x, y))?,
            (Tensor::Bool(a), Tensor::Bool(b)) if kind == CompareKind::Equal => {
                broadcast_map2(op, a, b, |x, y| x == y)?
            }
            (a, b) => {
                return Err(IrError::invalid(
                    op,
                    format!(
                        "cannot compare element types {} and {}",
                        a.dtype(),
                        b.dtype()
                    ),
                ))
            }
        };
        Ok(vec![Tensor::Bool(mask)])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: CompareKind, a: Tensor, b: Tensor) -> IrResult<Tensor> {
        let slots = [Some(&a), Some(&b)];
        let op = CompareOp::new(kind);
        Ok(op.eval(Inputs::new(op.name(), &slots))?.remove(0))
    }

    #[test]
    fn broadcasts_and_returns_bool() {
        let a = Tensor::from_f32(&[2, 2], vec![1.0, 2.0, 3.0, f32::NAN]).unwrap();
        let b = Tensor::from_f32(&[2], vec![2.0, 2.0]).unwrap();
        let out = run(CompareKind::GreaterOrEqual, a.clone(), b.clone()).unwrap();
        assert_eq!(out.to_i64_vec(), vec![0, 1, 1, 0]);
        assert_eq!(
            run(CompareKind::Less, a, b).unwrap().to_i64_vec(),
            vec![1, 0, 0, 0]
        );
    }

    #[test]
    fn integers_booleans_and_type_errors() {
        let a = Tensor::vec_i64(vec![1, 5]);
        let b = Tensor::vec_i64(vec![1, 4]);
        assert_eq!(
            run(CompareKind::Equal, a.clone(), b).unwrap().to_i64_vec(),
            vec![1, 0]
        );
        let t = a.cast(crate::tensor::DType::Bool);
        assert_eq!(
            run(CompareKind::Equal, t.clone(), t.clone())
                .unwrap()
                .to_i64_vec(),
            vec![1, 1]
        );
        assert!(run(CompareKind::Less, t.clone(), t).is_err());
        assert!(run(CompareKind::Less, a, Tensor::scalar_f32(1.0)).is_err());
    }
}
