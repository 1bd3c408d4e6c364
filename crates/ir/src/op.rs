//! The [`Op`] trait: what every IR operation implements.
//!
//! An op is a small struct holding its attributes. It knows how to evaluate
//! itself on float/integer tensors (the reference semantics every later stage
//! must agree with) and, optionally, how to infer output facts without data.
//! Later stages (quantization, layout) recognise ops by downcasting with
//! [`OpExt::downcast_ref`], never by ONNX strings.

use std::any::Any;
use std::fmt::Debug;

use crate::error::{IrError, IrResult};
use crate::fact::Fact;
use crate::tensor::{DType, Tensor};

/// The input slots of one op invocation. ONNX allows optional inputs to be
/// absent (an empty name), so a slot may be empty.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    op: &'static str,
    slots: &'a [Option<&'a Tensor>],
}

impl<'a> Inputs<'a> {
    /// Wrap the slots for op `op`.
    pub fn new(op: &'static str, slots: &'a [Option<&'a Tensor>]) -> Self {
        Inputs { op, slots }
    }

    /// Number of slots, including empty trailing ones.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when there is no slot at all.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// A required input.
    pub fn get(&self, index: usize) -> IrResult<&'a Tensor> {
        self.opt(index)
            .ok_or(IrError::MissingInput { op: self.op, index })
    }

    /// An optional input: `None` when the slot is absent or empty.
    pub fn opt(&self, index: usize) -> Option<&'a Tensor> {
        self.slots.get(index).copied().flatten()
    }

    /// A required float input.
    pub fn f32(&self, index: usize) -> IrResult<&'a ndarray::ArrayD<f32>> {
        self.get(index)?.as_f32(self.op, index)
    }

    /// All present inputs in order (for variadic ops such as `Sum` or `Concat`).
    pub fn present(&self) -> impl Iterator<Item = &'a Tensor> + 'a {
        self.slots.iter().filter_map(|s| *s)
    }
}

/// One operation of the model IR.
pub trait Op: Debug + Send + Sync + 'static {
    /// The op's type name (ONNX's where there is one), e.g. `"Conv"`.
    fn name(&self) -> &'static str;

    /// Evaluate on concrete inputs. This is the float reference semantics.
    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>>;

    /// Input positions whose *values* (not just shapes) decide the output shape,
    /// e.g. `Reshape`'s target shape. Shape inference refuses to continue when such
    /// an input is not a load-time constant, instead of guessing.
    fn shape_inputs(&self) -> &'static [usize] {
        &[]
    }

    /// Infer output facts. The default evaluates the op on its constant inputs
    /// and zero-filled stand-ins for the others: every op's output shape is then
    /// right by construction, and an op whose inputs are all constant is folded.
    /// Ops whose outputs are constant even with runtime inputs (`Shape`) override this.
    fn infer(&self, inputs: &[Option<&Fact>]) -> IrResult<Vec<Fact>> {
        crate::infer::infer_by_abstract_eval(self, inputs)
    }

    /// Upcast for downcasting to the concrete op type.
    fn as_any(&self) -> &dyn Any;

    /// Clone behind a box (ops are immutable attribute bags).
    fn clone_box(&self) -> Box<dyn Op>;
}

impl Clone for Box<dyn Op> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// Convenience methods on trait objects.
pub trait OpExt {
    /// The concrete op, if it is a `T`.
    fn downcast_ref<T: Op>(&self) -> Option<&T>;
}

impl OpExt for dyn Op {
    fn downcast_ref<T: Op>(&self) -> Option<&T> {
        self.as_any().downcast_ref::<T>()
    }
}

/// Implements the boilerplate methods of [`Op`] (`as_any`, `clone_box`) for a `Clone` op.
#[macro_export]
macro_rules! op_boilerplate {
    () => {
        fn as_any(&self) -> &dyn std::any::Any {
            self
        }
        fn clone_box(&self) -> Box<dyn $crate::Op> {
            Box::new(self.clone())
        }
    };
}

/// Check that an input has the expected element type.
pub fn expect_dtype(op: &'static str, index: usize, t: &Tensor, dtype: DType) -> IrResult<()> {
    if t.dtype() == dtype {
        Ok(())
    } else {
        Err(IrError::DType {
            op,
            index,
            expected: dtype.to_string(),
            found: t.dtype(),
        })
    }
}

/// Normalise a possibly negative axis against a rank, as ONNX defines it.
pub fn normalize_axis(op: &'static str, axis: i64, rank: usize) -> IrResult<usize> {
    let r = rank as i64;
    let a = if axis < 0 { axis + r } else { axis };
    if (0..r.max(1)).contains(&a) || (r == 0 && a == 0) {
        Ok(a as usize)
    } else {
        Err(IrError::invalid(
            op,
            format!("axis {axis} out of range for rank {rank}"),
        ))
    }
}
