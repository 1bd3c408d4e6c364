//! Division by a private value, square root and floor/ceil/round, elementwise.

use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::{QNode, RoundedOp};

use super::{at, Synthesis};
use crate::error::LayoutError;
use crate::rounded::RoundedGadget;
use crate::Fr;

/// A [`QOp::Rounded`](zkinfer_quant::QOp::Rounded) node through its gadget.
pub(crate) fn rounded(
    s: &mut Synthesis<'_>,
    cs: &ConstraintSystemRef<Fr>,
    node: &QNode,
    op: RoundedOp,
) -> Result<(), LayoutError> {
    let g = RoundedGadget::new(s.model, node, op)?;
    let mut inputs = Vec::new();
    for &id in &node.inputs {
        inputs.extend(s.wires(id)?.iter().cloned());
    }
    let out = g
        .gadget()
        .apply(cs.clone(), &inputs)
        .map_err(at(&node.name))?;
    s.set_output(node.output, out);
    Ok(())
}
