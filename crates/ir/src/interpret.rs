//! The float reference interpreter.

use std::collections::HashMap;

use crate::error::{IrError, IrResult};
use crate::graph::{wrap, Graph};
use crate::op::Inputs;
use crate::tensor::Tensor;

/// Every tensor's value during one inference, by name (inputs, constants, intermediates).
pub type FloatTrace = HashMap<String, Tensor>;

impl Graph {
    /// Check runtime inputs against the declared ones: count, type, shape and,
    /// for floats, finiteness (a proof about NaN would be meaningless).
    pub fn check_inputs(&self, inputs: &[Tensor]) -> IrResult<()> {
        if inputs.len() != self.inputs.len() {
            return Err(IrError::InputCount {
                expected: self.inputs.len(),
                found: inputs.len(),
            });
        }
        for (decl, t) in self.inputs.iter().zip(inputs) {
            if decl.dtype != t.dtype() || decl.shape != t.shape() {
                return Err(IrError::InputMismatch {
                    name: decl.name.clone(),
                    expected: decl.shape.clone(),
                    expected_dtype: decl.dtype,
                    found: t.shape().to_vec(),
                    found_dtype: t.dtype(),
                });
            }
            if let Tensor::F32(a) = t {
                if let Some((index, &value)) = a.iter().enumerate().find(|(_, x)| !x.is_finite()) {
                    return Err(IrError::NonFinite {
                        name: decl.name.clone(),
                        index,
                        value,
                    });
                }
            }
        }
        Ok(())
    }

    /// Run the model on checked inputs and return its outputs.
    pub fn run(&self, inputs: &[Tensor]) -> IrResult<Vec<Tensor>> {
        self.check_inputs(inputs)?;
        let trace = self.run_unchecked(inputs)?;
        Ok(self.collect_outputs(&trace))
    }

    /// Run and keep every intermediate tensor (calibration records their ranges).
    pub fn run_traced(&self, inputs: &[Tensor]) -> IrResult<FloatTrace> {
        self.check_inputs(inputs)?;
        self.run_unchecked(inputs)
    }

    /// Run without checking finiteness or declared shapes (conformance tests feed
    /// NaN on purpose). Returns the full trace.
    pub fn run_unchecked(&self, inputs: &[Tensor]) -> IrResult<FloatTrace> {
        if inputs.len() != self.inputs.len() {
            return Err(IrError::InputCount {
                expected: self.inputs.len(),
                found: inputs.len(),
            });
        }
        let mut values: FloatTrace = HashMap::new();
        for (decl, t) in self.inputs.iter().zip(inputs) {
            values.insert(decl.name.clone(), t.clone());
        }
        for (name, t) in &self.constants {
            values.insert(name.clone(), t.clone());
        }
        for node in &self.nodes {
            let slots: Vec<Option<&Tensor>> = node
                .inputs
                .iter()
                .map(|i| i.as_ref().and_then(|name| values.get(name)))
                .collect();
            let outputs = node
                .op
                .eval(Inputs::new(node.op.name(), &slots))
                .map_err(|e| wrap(node, e))?;
            for (name, t) in node.outputs.iter().zip(outputs) {
                values.insert(name.clone(), t);
            }
        }
        Ok(values)
    }

    /// The graph's outputs, in order, from a trace.
    pub fn collect_outputs(&self, trace: &FloatTrace) -> Vec<Tensor> {
        self.outputs.iter().map(|o| trace[o].clone()).collect()
    }
}
