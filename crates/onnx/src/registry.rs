//! The op registry: ONNX op type → parser producing an IR op.

use std::collections::HashMap;

use zkinfer_ir::Op;

use crate::context::NodeContext;
use crate::error::OnnxResult;

/// Turns one ONNX node into an IR op. Inputs are wired by the loader in the
/// node's own order; the parser only reads attributes (and the opset).
pub type ParseFn = fn(&NodeContext<'_>) -> OnnxResult<Box<dyn Op>>;

/// Maps ONNX op types of the default domain to their parsers.
#[derive(Clone, Default)]
pub struct OpRegistry {
    parsers: HashMap<&'static str, ParseFn>,
}

impl OpRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The registry with every op zkinfer supports.
    pub fn with_all_ops() -> Self {
        let mut reg = Self::new();
        crate::ops::register_all_ops(&mut reg);
        reg
    }

    /// Register (or replace) the parser of `op_type`.
    pub fn insert(&mut self, op_type: &'static str, parse: ParseFn) {
        self.parsers.insert(op_type, parse);
    }

    /// The parser of `op_type`, if supported.
    pub fn get(&self, op_type: &str) -> Option<ParseFn> {
        self.parsers.get(op_type).copied()
    }

    /// Supported op types, sorted (for docs and error messages).
    pub fn op_types(&self) -> Vec<&'static str> {
        let mut v: Vec<_> = self.parsers.keys().copied().collect();
        v.sort_unstable();
        v
    }
}
