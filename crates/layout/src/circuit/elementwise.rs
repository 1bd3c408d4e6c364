//! Elementwise activations: ReLU, leaky ReLU / PReLU, clip.

use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::QNode;

use super::{at, Synthesis};
use crate::error::LayoutError;
use crate::family::Activation;
use crate::Fr;

/// An activation node through its gadget.
pub(crate) fn activation(
    s: &mut Synthesis<'_>,
    cs: &ConstraintSystemRef<Fr>,
    node: &QNode,
) -> Result<(), LayoutError> {
    let input = s.model.tensor(node.inputs[0]);
    let gadget = Activation::new(node, input.bits, input.len())?;
    let inputs = s.wires(node.inputs[0])?.to_vec();
    let out = gadget
        .gadget()
        .apply(cs.clone(), &inputs)
        .map_err(at(&node.name))?;
    s.set_output(node.output, out);
    Ok(())
}
