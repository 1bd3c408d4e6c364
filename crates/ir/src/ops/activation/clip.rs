//! `Clip`: clamp every element into `[min, max]`.

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Clamp into `[min, max]`, on floats or integers; an absent bound does not clip.
///
/// ONNX moved the bounds from attributes to optional scalar inputs 1 and 2 in
/// opset 11. Both forms are kept: the fields hold the attribute bounds (always
/// `None` for models of opset 11 and later), and a present input overrides its
/// field. Later stages that need the bounds as numbers read the fields, or the
/// facts of the inputs, which are constants in practice (ReLU6 is `Clip(0, 6)`).
///
/// As in NumPy, `min > max` sets every element to `max`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Clip {
    /// Lower bound from the `min` attribute (opset < 11).
    pub min: Option<f32>,
    /// Upper bound from the `max` attribute (opset < 11).
    pub max: Option<f32>,
}

impl Clip {
    /// The bound at input `index`, else the attribute, as a value of the input's type.
    fn bound<T: Copy>(
        &self,
        inputs: Inputs<'_>,
        index: usize,
        attribute: Option<f32>,
        read: impl Fn(&Tensor) -> IrResult<Option<T>>,
        from_attribute: impl Fn(f32) -> T,
    ) -> IrResult<Option<T>> {
        match inputs.opt(index) {
            Some(t) => {
                if t.len() != 1 {
                    return Err(IrError::invalid(
                        self.name(),
                        format!(
                            "bound at input {index} must be a scalar, got shape {:?}",
                            t.shape()
                        ),
                    ));
                }
                read(t)
            }
            None => Ok(attribute.map(from_attribute)),
        }
    }
}

/// `min(max(x, lo), hi)` with NaN propagating, as `numpy.clip` does.
fn clamp<T: PartialOrd + Copy>(x: T, lo: Option<T>, hi: Option<T>) -> T {
    let x = match lo {
        Some(lo) if x < lo => lo,
        _ => x,
    };
    match hi {
        Some(hi) if x > hi => hi,
        _ => x,
    }
}

impl Op for Clip {
    fn name(&self) -> &'static str {
        "Clip"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let out = match inputs.get(0)? {
            Tensor::F32(a) => {
                let read = |i: usize| move |t: &Tensor| Ok(t.as_f32(op, i)?.iter().next().copied());
                let lo = self.bound(inputs, 1, self.min, read(1), |v| v)?;
                let hi = self.bound(inputs, 2, self.max, read(2), |v| v)?;
                Tensor::F32(a.mapv(|x| clamp(x, lo, hi)))
            }
            Tensor::I64(a) => {
                let read = |i: usize| move |t: &Tensor| Ok(t.as_i64(op, i)?.iter().next().copied());
                // Attribute bounds predate integer Clip; truncation is exact for the integral
                // values an integer model would use.
                let lo = self.bound(inputs, 1, self.min, read(1), |v| v as i64)?;
                let hi = self.bound(inputs, 2, self.max, read(2), |v| v as i64)?;
                Tensor::I64(a.mapv(|x| clamp(x, lo, hi)))
            }
            other => {
                return Err(IrError::DType {
                    op,
                    index: 0,
                    expected: "f32 or i64".into(),
                    found: other.dtype(),
                })
            }
        };
        Ok(vec![out])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(op: &Clip, slots: &[Option<&Tensor>]) -> IrResult<Vec<Tensor>> {
        op.eval(Inputs::new("Clip", slots))
    }

    #[test]
    fn input_bounds_override_and_absent_bound_is_open() {
        let x = Tensor::from_f32(&[4], vec![-2.0, 0.5, 3.0, 9.0]).unwrap();
        let lo = Tensor::scalar_f32(0.0);
        let out = run(&Clip::default(), &[Some(&x), Some(&lo), None]).unwrap();
        assert_eq!(
            out[0],
            Tensor::from_f32(&[4], vec![0.0, 0.5, 3.0, 9.0]).unwrap()
        );
        let relu6 = Clip {
            min: Some(0.0),
            max: Some(6.0),
        };
        let out = run(&relu6, &[Some(&x)]).unwrap();
        assert_eq!(
            out[0],
            Tensor::from_f32(&[4], vec![0.0, 0.5, 3.0, 6.0]).unwrap()
        );
    }

    #[test]
    fn integers_and_inverted_bounds() {
        let x = Tensor::vec_i64(vec![-5, 1, 7]);
        let lo = Tensor::from_i64(&[], vec![4]).unwrap();
        let hi = Tensor::from_i64(&[], vec![2]).unwrap();
        let out = run(&Clip::default(), &[Some(&x), Some(&lo), Some(&hi)]).unwrap();
        assert_eq!(out[0], Tensor::vec_i64(vec![2, 2, 2]));
    }

    #[test]
    fn bad_bounds_are_errors() {
        let x = Tensor::from_f32(&[2], vec![1.0, 2.0]).unwrap();
        let empty = Tensor::from_f32(&[0], vec![]).unwrap();
        assert!(run(&Clip::default(), &[Some(&x), Some(&empty)]).is_err());
        let int_bound = Tensor::from_i64(&[], vec![1]).unwrap();
        assert!(matches!(
            run(&Clip::default(), &[Some(&x), Some(&int_bound)]),
            Err(IrError::DType { .. })
        ));
    }
}
