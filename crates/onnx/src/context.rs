//! [`NodeContext`]: what an op parser sees of one ONNX node, with typed attribute access.

use onnx_protobuf::attribute_proto::AttributeType;
use onnx_protobuf::{AttributeProto, NodeProto};
use zkinfer_ir::Tensor;

use crate::error::{OnnxError, OnnxResult};
use crate::tensor_proto::tensor_from_proto;

/// One ONNX node as an op parser sees it.
///
/// Attribute getters take ONNX's default as an argument, so each parser states the
/// defaults of the operator specification right where it reads them.
pub struct NodeContext<'a> {
    /// The node.
    pub node: &'a NodeProto,
    /// The node's name (generated when the file has none).
    pub name: &'a str,
    /// Opset version of the node's domain: parsers branch on it where the op changed.
    pub opset: i64,
}

impl<'a> NodeContext<'a> {
    /// ONNX op type.
    pub fn op_type(&self) -> &str {
        &self.node.op_type
    }

    /// Number of input slots, including empty optional ones.
    pub fn input_count(&self) -> usize {
        self.node.input.len()
    }

    /// Whether input `index` is present (not absent and not an empty name).
    pub fn has_input(&self, index: usize) -> bool {
        self.node.input.get(index).is_some_and(|s| !s.is_empty())
    }

    fn attr(&self, name: &str) -> Option<&'a AttributeProto> {
        self.node.attribute.iter().find(|a| a.name == name)
    }

    /// Whether the node sets attribute `name`.
    pub fn has_attr(&self, name: &str) -> bool {
        self.attr(name).is_some()
    }

    fn typed(&self, name: &str, expected: AttributeType) -> OnnxResult<Option<&'a AttributeProto>> {
        match self.attr(name) {
            None => Ok(None),
            Some(a) => {
                let found = a.type_.enum_value().unwrap_or(AttributeType::UNDEFINED);
                // Some exporters leave `type` unset; accept when the expected field is populated.
                if found == expected || found == AttributeType::UNDEFINED {
                    Ok(Some(a))
                } else {
                    Err(self.attr_error(name, format!("expected {expected:?}, found {found:?}")))
                }
            }
        }
    }

    /// An `int` attribute, or `default`.
    pub fn int(&self, name: &str, default: i64) -> OnnxResult<i64> {
        Ok(self
            .typed(name, AttributeType::INT)?
            .map_or(default, |a| a.i))
    }

    /// An optional `int` attribute.
    pub fn int_opt(&self, name: &str) -> OnnxResult<Option<i64>> {
        Ok(self.typed(name, AttributeType::INT)?.map(|a| a.i))
    }

    /// An `ints` attribute, if set.
    pub fn ints(&self, name: &str) -> OnnxResult<Option<Vec<i64>>> {
        Ok(self
            .typed(name, AttributeType::INTS)?
            .map(|a| a.ints.clone()))
    }

    /// A `float` attribute, or `default`.
    pub fn float(&self, name: &str, default: f32) -> OnnxResult<f32> {
        Ok(self
            .typed(name, AttributeType::FLOAT)?
            .map_or(default, |a| a.f))
    }

    /// An optional `float` attribute.
    pub fn float_opt(&self, name: &str) -> OnnxResult<Option<f32>> {
        Ok(self.typed(name, AttributeType::FLOAT)?.map(|a| a.f))
    }

    /// A `floats` attribute, if set.
    pub fn floats(&self, name: &str) -> OnnxResult<Option<Vec<f32>>> {
        Ok(self
            .typed(name, AttributeType::FLOATS)?
            .map(|a| a.floats.clone()))
    }

    /// A `string` attribute, or `default`.
    pub fn string(&self, name: &str, default: &str) -> OnnxResult<String> {
        match self.typed(name, AttributeType::STRING)? {
            None => Ok(default.to_owned()),
            Some(a) => {
                String::from_utf8(a.s.clone()).map_err(|_| self.attr_error(name, "not valid UTF-8"))
            }
        }
    }

    /// A `tensor` attribute, if set.
    pub fn tensor(&self, name: &str) -> OnnxResult<Option<Tensor>> {
        match self.typed(name, AttributeType::TENSOR)? {
            None => Ok(None),
            Some(a) => match a.t.as_ref() {
                Some(t) => Ok(Some(tensor_from_proto(t)?)),
                None => Err(self.attr_error(name, "tensor attribute without a tensor")),
            },
        }
    }

    /// An error about attribute `name` of this node.
    pub fn attr_error(&self, name: &str, reason: impl Into<String>) -> OnnxError {
        OnnxError::Attribute {
            node: self.name.to_owned(),
            op_type: self.node.op_type.clone(),
            attribute: name.to_owned(),
            reason: reason.into(),
        }
    }

    /// An error about a feature of this op that zkinfer does not implement.
    pub fn unsupported(&self, reason: impl Into<String>) -> OnnxError {
        OnnxError::UnsupportedFeature {
            node: self.name.to_owned(),
            op_type: self.node.op_type.clone(),
            reason: reason.into(),
        }
    }
}
