//! Poseidon commitments to the weights (and, in circuit, to inputs and outputs).

use zkinfer_gadgets::poseidon::commit_native;
use zkinfer_quant::QuantizedModel;

use crate::plan::Plan;
use crate::visibility::WeightVisibility;
use crate::Fr;

/// The public commitment to the model's weights, computable without a proof:
/// the CLI prints it and stores it beside the verifying key, and verification
/// checks the proof's weight-commitment public input against it.
///
/// `Some` when the plan's weights are hashed.
///
/// The weights are every coefficient and bias of the parameterised affine
/// nodes, in node order: for a node that shares weights across rows its bias
/// table then its weight table ([`zkinfer_quant::WeightSharing::tables`]),
/// otherwise per row the bias then the row's coefficients; packed
/// at their common signed width and hashed with the gadget crate's Poseidon
/// ([`commit_native`]), exactly as the circuit does.
pub fn model_commitment(model: &QuantizedModel, plan: &Plan) -> Option<Fr> {
    if plan.visibility.weights != WeightVisibility::Hashed {
        return None;
    }
    let (values, bits) = crate::family::weight_values(model);
    Some(commit_native::<Fr>(&values, bits))
}
