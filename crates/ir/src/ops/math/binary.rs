//! Broadcasting binary arithmetic: `Add`, `Sub`, `Mul`, `Div`, `Pow`, `Mod`.

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
    /// `a ^ b`. Float or integer base with float or integer exponent; the result
    /// has the base's type (an integer base with a float exponent truncates).
    Pow,
    /// Remainder of `a / b`.
    Mod {
        /// `true`: C `fmod`, the remainder takes the dividend's sign (truncated
        /// division). `false`: Python/NumPy `mod`, it takes the divisor's sign
        /// (floored division). ONNX's default is `false`, allowed for integers only
        /// by the spec, but evaluated here for floats too as NumPy does.
        fmod: bool,
    },
}

/// Elementwise binary arithmetic with multidirectional broadcasting.
///
/// Both operands have the same element type (f32 or i64), except that `Pow`
/// mixes them freely. Integer arithmetic wraps on overflow; integer division
/// or remainder by zero and integer powers with a negative exponent are errors.
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

/// Python's `%`: the remainder takes the divisor's sign.
fn floored_rem_i64(x: i64, y: i64) -> i64 {
    let r = x.wrapping_rem(y);
    if r != 0 && (r < 0) != (y < 0) {
        r + y
    } else {
        r
    }
}

/// NumPy's `mod` on floats: the remainder takes the divisor's sign.
fn floored_rem_f32(x: f32, y: f32) -> f32 {
    let r = x % y;
    if r != 0.0 && (r < 0.0) != (y < 0.0) {
        r + y
    } else {
        r
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
            BinaryKind::Mod { .. } => "Mod",
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
                    BinaryKind::Pow => |x, y| f64::from(*x).powf(f64::from(*y)) as f32,
                    BinaryKind::Mod { fmod: true } => |x, y| x % y,
                    BinaryKind::Mod { fmod: false } => |x, y| floored_rem_f32(*x, *y),
                };
                Tensor::F32(broadcast_map2(op, a, b, f)?)
            }
            (Tensor::F32(a), Tensor::I64(b)) if self.kind == BinaryKind::Pow => {
                Tensor::F32(broadcast_map2(op, a, b, |x, y| {
                    f64::from(*x).powf(*y as f64) as f32
                })?)
            }
            (Tensor::I64(a), Tensor::F32(b)) if self.kind == BinaryKind::Pow => {
                // NumPy computes in float and ONNX casts back to the base's type.
                Tensor::I64(broadcast_map2(op, a, b, |x, y| {
                    (*x as f64).powf(f64::from(*y)) as i64
                })?)
            }
            (Tensor::I64(a), Tensor::I64(b)) => {
                let divides = matches!(self.kind, BinaryKind::Div | BinaryKind::Mod { .. });
                if divides && b.iter().any(|&y| y == 0) {
                    return Err(IrError::invalid(op, "integer division by zero"));
                }
                if self.kind == BinaryKind::Pow && b.iter().any(|&y| y < 0) {
                    return Err(IrError::invalid(
                        op,
                        "integer base raised to a negative integer exponent",
                    ));
                }
                let f: fn(&i64, &i64) -> i64 = match self.kind {
                    BinaryKind::Add => |x, y| x.wrapping_add(*y),
                    BinaryKind::Sub => |x, y| x.wrapping_sub(*y),
                    BinaryKind::Mul => |x, y| x.wrapping_mul(*y),
                    // Wrapping: i64::MIN / -1 overflows, and eval must not panic.
                    BinaryKind::Div => |x, y| x.wrapping_div(*y),
                    BinaryKind::Pow => |x, y| x.wrapping_pow((*y).min(u32::MAX as i64) as u32),
                    BinaryKind::Mod { fmod: true } => |x, y| x.wrapping_rem(*y),
                    BinaryKind::Mod { fmod: false } => |x, y| floored_rem_i64(*x, *y),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fact::Fact;
    use crate::tensor::DType;

    fn run(kind: BinaryKind, a: Tensor, b: Tensor) -> IrResult<Tensor> {
        let slots = [Some(&a), Some(&b)];
        let op = BinaryOp::new(kind);
        Ok(op.eval(Inputs::new(op.name(), &slots))?.remove(0))
    }

    #[test]
    fn broadcasts_row_against_column() {
        let a = Tensor::from_f32(&[2, 1], vec![1.0, 2.0]).unwrap();
        let b = Tensor::from_f32(&[3], vec![10.0, 20.0, 30.0]).unwrap();
        let out = run(BinaryKind::Add, a, b).unwrap();
        assert_eq!(out.shape(), &[2, 3]);
        assert_eq!(out.to_f32_vec(), vec![11.0, 21.0, 31.0, 12.0, 22.0, 32.0]);
    }

    #[test]
    fn integer_division_truncates_and_does_not_overflow() {
        let a = Tensor::vec_i64(vec![7, -7, i64::MIN]);
        let b = Tensor::vec_i64(vec![2, 2, -1]);
        assert_eq!(
            run(BinaryKind::Div, a, b).unwrap().to_i64_vec(),
            vec![3, -3, i64::MIN]
        );
    }

    #[test]
    fn integer_division_by_zero_is_an_error() {
        let a = Tensor::vec_i64(vec![1, 2]);
        let b = Tensor::vec_i64(vec![1, 0]);
        assert!(matches!(
            run(BinaryKind::Div, a.clone(), b.clone()),
            Err(IrError::InvalidArgument { .. })
        ));
        assert!(run(BinaryKind::Mod { fmod: false }, a, b).is_err());
    }

    #[test]
    fn mod_follows_divisor_sign_unless_fmod() {
        let a = Tensor::vec_i64(vec![-4, 7, 5, -7]);
        let b = Tensor::vec_i64(vec![3, -3, 2, -3]);
        assert_eq!(
            run(BinaryKind::Mod { fmod: false }, a.clone(), b.clone())
                .unwrap()
                .to_i64_vec(),
            vec![2, -2, 1, -1]
        );
        assert_eq!(
            run(BinaryKind::Mod { fmod: true }, a, b)
                .unwrap()
                .to_i64_vec(),
            vec![-1, 1, 1, -1]
        );
        let x = Tensor::from_f32(&[2], vec![-4.5, 7.5]).unwrap();
        let y = Tensor::from_f32(&[2], vec![2.0, -2.0]).unwrap();
        assert_eq!(
            run(BinaryKind::Mod { fmod: true }, x.clone(), y.clone())
                .unwrap()
                .to_f32_vec(),
            vec![-0.5, 1.5]
        );
        assert_eq!(
            run(BinaryKind::Mod { fmod: false }, x, y)
                .unwrap()
                .to_f32_vec(),
            vec![1.5, -0.5]
        );
    }

    #[test]
    fn pow_mixes_types_and_keeps_the_base_type() {
        let int_base = Tensor::vec_i64(vec![1, 2, 3]);
        let float_exp = Tensor::from_f32(&[3], vec![4.0, 5.0, 0.5]).unwrap();
        let out = run(BinaryKind::Pow, int_base.clone(), float_exp).unwrap();
        assert_eq!(out.to_i64_vec(), vec![1, 32, 1]);
        let float_base = Tensor::from_f32(&[3], vec![1.0, 2.0, 3.0]).unwrap();
        let out = run(BinaryKind::Pow, float_base, Tensor::vec_i64(vec![4, 5, 6])).unwrap();
        assert_eq!(out.dtype(), DType::F32);
        assert_eq!(out.to_f32_vec(), vec![1.0, 32.0, 729.0]);
        assert!(run(BinaryKind::Pow, int_base, Tensor::vec_i64(vec![1, -1, 2])).is_err());
    }

    #[test]
    fn mismatched_types_are_errors() {
        let a = Tensor::vec_i64(vec![1]);
        let b = Tensor::scalar_f32(1.0);
        assert!(run(BinaryKind::Add, a, b).is_err());
    }

    #[test]
    fn runtime_integer_divisor_does_not_break_inference() {
        let a = Fact::new(DType::I64, vec![2, 3]);
        let b = Fact::new(DType::I64, vec![3]);
        let facts = BinaryOp::new(BinaryKind::Div)
            .infer(&[Some(&a), Some(&b)])
            .unwrap();
        assert_eq!(facts, vec![Fact::new(DType::I64, vec![2, 3])]);
        let zero = Fact::constant(Tensor::vec_i64(vec![0]));
        assert!(BinaryOp::new(BinaryKind::Div)
            .infer(&[Some(&a), Some(&zero)])
            .is_err());
    }
}
