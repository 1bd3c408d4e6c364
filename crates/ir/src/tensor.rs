//! Tensors: the values that flow along a graph's edges.
//!
//! Models compute on `f32`; shapes, indices and axes are `i64`; comparisons
//! produce `bool`. Other ONNX element types are converted to one of these three
//! at import, which is all a quantized circuit ever needs.

use std::fmt;

use ndarray::{ArrayD, IxDyn};

use crate::error::{IrError, IrResult};

/// Element type of a [`Tensor`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DType {
    /// 32-bit float: activations, weights.
    F32,
    /// 64-bit signed integer: shapes, indices, axes.
    I64,
    /// Boolean: masks and comparison results.
    Bool,
}

impl fmt::Display for DType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DType::F32 => "f32",
            DType::I64 => "i64",
            DType::Bool => "bool",
        })
    }
}

/// A dense n-dimensional value of one of the supported element types.
#[derive(Debug, Clone, PartialEq)]
pub enum Tensor {
    /// Float tensor.
    F32(ArrayD<f32>),
    /// Integer tensor.
    I64(ArrayD<i64>),
    /// Boolean tensor.
    Bool(ArrayD<bool>),
}

impl From<ArrayD<f32>> for Tensor {
    fn from(a: ArrayD<f32>) -> Self {
        Tensor::F32(a)
    }
}

impl From<ArrayD<i64>> for Tensor {
    fn from(a: ArrayD<i64>) -> Self {
        Tensor::I64(a)
    }
}

impl From<ArrayD<bool>> for Tensor {
    fn from(a: ArrayD<bool>) -> Self {
        Tensor::Bool(a)
    }
}

impl Tensor {
    /// Element type.
    pub fn dtype(&self) -> DType {
        match self {
            Tensor::F32(_) => DType::F32,
            Tensor::I64(_) => DType::I64,
            Tensor::Bool(_) => DType::Bool,
        }
    }

    /// Shape (dimensions), empty for a scalar.
    pub fn shape(&self) -> &[usize] {
        match self {
            Tensor::F32(a) => a.shape(),
            Tensor::I64(a) => a.shape(),
            Tensor::Bool(a) => a.shape(),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape().iter().product()
    }

    /// True when the tensor holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A tensor of zeros (false for bool) of the given type and shape.
    pub fn zeros(dtype: DType, shape: &[usize]) -> Tensor {
        match dtype {
            DType::F32 => Tensor::F32(ArrayD::zeros(IxDyn(shape))),
            DType::I64 => Tensor::I64(ArrayD::zeros(IxDyn(shape))),
            DType::Bool => Tensor::Bool(ArrayD::from_elem(IxDyn(shape), false)),
        }
    }

    /// A tensor of ones (`true`) or zeros (`false`) of the given type and shape.
    pub fn filled(dtype: DType, shape: &[usize], one: bool) -> Tensor {
        match dtype {
            DType::F32 => Tensor::F32(ArrayD::from_elem(IxDyn(shape), one as u8 as f32)),
            DType::I64 => Tensor::I64(ArrayD::from_elem(IxDyn(shape), one as i64)),
            DType::Bool => Tensor::Bool(ArrayD::from_elem(IxDyn(shape), one)),
        }
    }

    /// A float tensor from a shape and row-major data.
    pub fn from_f32(shape: &[usize], data: Vec<f32>) -> IrResult<Tensor> {
        ArrayD::from_shape_vec(IxDyn(shape), data)
            .map(Tensor::F32)
            .map_err(|e| IrError::shape("Tensor", format!("{e} for shape {shape:?}")))
    }

    /// An integer tensor from a shape and row-major data.
    pub fn from_i64(shape: &[usize], data: Vec<i64>) -> IrResult<Tensor> {
        ArrayD::from_shape_vec(IxDyn(shape), data)
            .map(Tensor::I64)
            .map_err(|e| IrError::shape("Tensor", format!("{e} for shape {shape:?}")))
    }

    /// A rank-1 integer tensor, handy for shapes and axes.
    pub fn vec_i64(data: Vec<i64>) -> Tensor {
        let n = data.len();
        Tensor::I64(ArrayD::from_shape_vec(IxDyn(&[n]), data).expect("length matches"))
    }

    /// A rank-0 float tensor.
    pub fn scalar_f32(x: f32) -> Tensor {
        Tensor::F32(ArrayD::from_elem(IxDyn(&[]), x))
    }

    /// Borrow as a float array, or fail naming the op.
    pub fn as_f32(&self, op: &'static str, index: usize) -> IrResult<&ArrayD<f32>> {
        match self {
            Tensor::F32(a) => Ok(a),
            other => Err(IrError::DType {
                op,
                index,
                expected: "f32".into(),
                found: other.dtype(),
            }),
        }
    }

    /// Borrow as an integer array, or fail naming the op.
    pub fn as_i64(&self, op: &'static str, index: usize) -> IrResult<&ArrayD<i64>> {
        match self {
            Tensor::I64(a) => Ok(a),
            other => Err(IrError::DType {
                op,
                index,
                expected: "i64".into(),
                found: other.dtype(),
            }),
        }
    }

    /// Borrow as a boolean array, or fail naming the op.
    pub fn as_bool(&self, op: &'static str, index: usize) -> IrResult<&ArrayD<bool>> {
        match self {
            Tensor::Bool(a) => Ok(a),
            other => Err(IrError::DType {
                op,
                index,
                expected: "bool".into(),
                found: other.dtype(),
            }),
        }
    }

    /// Convert to another element type with ONNX `Cast` semantics
    /// (float → int truncates toward zero, saturating; nonzero → true).
    pub fn cast(&self, to: DType) -> Tensor {
        match (self, to) {
            (Tensor::F32(a), DType::F32) => Tensor::F32(a.clone()),
            (Tensor::F32(a), DType::I64) => Tensor::I64(a.mapv(|x| x as i64)),
            (Tensor::F32(a), DType::Bool) => Tensor::Bool(a.mapv(|x| x != 0.0)),
            (Tensor::I64(a), DType::F32) => Tensor::F32(a.mapv(|x| x as f32)),
            (Tensor::I64(a), DType::I64) => Tensor::I64(a.clone()),
            (Tensor::I64(a), DType::Bool) => Tensor::Bool(a.mapv(|x| x != 0)),
            (Tensor::Bool(a), DType::F32) => Tensor::F32(a.mapv(|x| x as u8 as f32)),
            (Tensor::Bool(a), DType::I64) => Tensor::I64(a.mapv(|x| x as i64)),
            (Tensor::Bool(a), DType::Bool) => Tensor::Bool(a.clone()),
        }
    }

    /// Values as `i64`, whatever the element type (floats truncated). Used to read
    /// constant shape, axes and index inputs, which exporters sometimes store as floats.
    pub fn to_i64_vec(&self) -> Vec<i64> {
        match self.cast(DType::I64) {
            Tensor::I64(a) => a.iter().copied().collect(),
            _ => unreachable!("cast to I64 yields I64"),
        }
    }

    /// Values as `f32`, whatever the element type.
    pub fn to_f32_vec(&self) -> Vec<f32> {
        match self.cast(DType::F32) {
            Tensor::F32(a) => a.iter().copied().collect(),
            _ => unreachable!("cast to F32 yields F32"),
        }
    }

    /// Same data, new shape (row-major); fails when element counts differ.
    pub fn reshape(&self, shape: &[usize]) -> IrResult<Tensor> {
        fn go<T: Clone>(a: &ArrayD<T>, shape: &[usize]) -> IrResult<ArrayD<T>> {
            let data: Vec<T> = a.iter().cloned().collect();
            ArrayD::from_shape_vec(IxDyn(shape), data).map_err(|_| {
                IrError::shape(
                    "Reshape",
                    format!("cannot reshape {:?} into {:?}", a.shape(), shape),
                )
            })
        }
        Ok(match self {
            Tensor::F32(a) => Tensor::F32(go(a, shape)?),
            Tensor::I64(a) => Tensor::I64(go(a, shape)?),
            Tensor::Bool(a) => Tensor::Bool(go(a, shape)?),
        })
    }
}

/// Apply the same generic code to whichever array a [`Tensor`] holds, producing a tensor
/// of the same element type. Data-movement ops (transpose, slice, gather...) are written
/// once this way.
#[macro_export]
macro_rules! map_tensor {
    ($t:expr, |$a:ident| $body:expr) => {
        match $t {
            $crate::Tensor::F32($a) => $crate::Tensor::F32($body),
            $crate::Tensor::I64($a) => $crate::Tensor::I64($body),
            $crate::Tensor::Bool($a) => $crate::Tensor::Bool($body),
        }
    };
}
