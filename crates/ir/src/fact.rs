//! Facts: what is known about a tensor before running the model.

use std::sync::Arc;

use crate::tensor::{DType, Tensor};

/// Static knowledge about one tensor: its type and shape, and its value when it
/// is a load-time constant (an initializer or the result of constant folding).
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    /// Element type.
    pub dtype: DType,
    /// Concrete shape: after loading, no dimension is symbolic.
    pub shape: Vec<usize>,
    /// The value, when known without running the model.
    pub value: Option<Arc<Tensor>>,
}

impl Fact {
    /// A runtime tensor of known type and shape.
    pub fn new(dtype: DType, shape: Vec<usize>) -> Self {
        Fact {
            dtype,
            shape,
            value: None,
        }
    }

    /// A constant.
    pub fn constant(t: Tensor) -> Self {
        Fact {
            dtype: t.dtype(),
            shape: t.shape().to_vec(),
            value: Some(Arc::new(t)),
        }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// True when the tensor holds no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when the value is known at load time.
    pub fn is_const(&self) -> bool {
        self.value.is_some()
    }
}
