//! Poseidon commitments to the weights (and, in circuit, to inputs and outputs).

use zkinfer_quant::QuantizedModel;

use crate::plan::Plan;
use crate::visibility::WeightVisibility;
use crate::Fr;

/// The public commitment to the model's weights, computable without a proof:
/// the CLI prints it and stores it beside the verifying key, and verification
/// checks the proof's weight-commitment public input against it.
///
/// `Some` when the plan's weights are hashed.
pub fn model_commitment(_model: &QuantizedModel, plan: &Plan) -> Option<Fr> {
    if plan.visibility.weights != WeightVisibility::Hashed {
        return None;
    }
    // Planning refuses hashed weights until the gadget crate's Poseidon lands.
    None
}
