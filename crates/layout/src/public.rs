//! The public inputs of a model proof: their layout, human-readable metadata,
//! and decoding the model's outputs from them.

use zkinfer_backend::{dequantize, signed_integer_of, PublicInputs, ValueMeta};
use zkinfer_quant::{QTensorId, QuantizedModel};

use crate::error::LayoutError;
use crate::plan::Plan;
use crate::visibility::{InputVisibility, OutputVisibility, WeightVisibility};
use crate::Fr;

/// A run of consecutive public inputs, in allocation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicSegment {
    /// The elements of a model input (input visibility public).
    Input(QTensorId),
    /// Poseidon commitment to all model inputs (input visibility hashed).
    InputCommitment,
    /// Poseidon commitment to the weights (weights hashed), see [`crate::model_commitment`].
    WeightCommitment,
    /// The elements of a model output (output visibility public).
    Output(QTensorId),
    /// Poseidon commitment to all model outputs (output visibility hashed).
    OutputCommitment,
}

impl PublicSegment {
    /// How many public inputs the segment holds.
    pub fn len(&self, model: &QuantizedModel) -> usize {
        match self {
            PublicSegment::Input(id) | PublicSegment::Output(id) => model.tensor(*id).len(),
            _ => 1,
        }
    }
}

/// The public inputs a [`crate::ModelCircuit`] allocates, in order.
pub fn public_input_layout(model: &QuantizedModel, plan: &Plan) -> Vec<PublicSegment> {
    let v = plan.visibility;
    let mut out = Vec::new();
    match v.input {
        InputVisibility::Public => {
            out.extend(model.inputs().iter().map(|&id| PublicSegment::Input(id)))
        }
        InputVisibility::Hashed => out.push(PublicSegment::InputCommitment),
        InputVisibility::Private => {}
    }
    if v.weights == WeightVisibility::Hashed {
        out.push(PublicSegment::WeightCommitment);
    }
    match v.output {
        OutputVisibility::Public => {
            out.extend(model.outputs().iter().map(|&id| PublicSegment::Output(id)))
        }
        OutputVisibility::Hashed => out.push(PublicSegment::OutputCommitment),
        OutputVisibility::Private => {}
    }
    out
}

/// The signed integer a field element encodes (`p − 3` is `−3`); `None` beyond ±2^126.
pub fn signed_of(x: Fr) -> Option<i128> {
    signed_integer_of(x)
}

fn index_label(shape: &[usize], flat: usize) -> String {
    let mut idx = vec![0; shape.len()];
    let mut rest = flat;
    for (k, &d) in shape.iter().enumerate().rev() {
        if d > 0 {
            idx[k] = rest % d;
            rest /= d;
        }
    }
    let parts: Vec<String> = idx.iter().map(|i| i.to_string()).collect();
    parts.join(",")
}

/// Fill every public input's [`ValueMeta`]: label (`logits[0,7]`), scale and
/// dequantized value for model values, a label for commitments.
pub fn annotate_public_inputs(model: &QuantizedModel, plan: &Plan, public: &mut PublicInputs<Fr>) {
    let mut position = 0;
    for segment in public_input_layout(model, plan) {
        match &segment {
            PublicSegment::Input(id) | PublicSegment::Output(id) => {
                let t = model.tensor(*id);
                let scale = 2f64.powi(-(t.scale as i32));
                for k in 0..t.len() {
                    let dequantized = public
                        .values
                        .get(position + k)
                        .and_then(|v| dequantize(v.value, scale));
                    public.set_meta(
                        position + k,
                        ValueMeta {
                            label: Some(format!("{}[{}]", t.name, index_label(&t.shape, k))),
                            scale: Some(scale),
                            dequantized,
                        },
                    );
                }
            }
            other => {
                let label = match other {
                    PublicSegment::InputCommitment => "poseidon(inputs)",
                    PublicSegment::WeightCommitment => "poseidon(weights)",
                    _ => "poseidon(outputs)",
                };
                public.set_meta(
                    position,
                    ValueMeta {
                        label: Some(label.into()),
                        scale: None,
                        dequantized: None,
                    },
                );
            }
        }
        position += segment.len(model);
    }
}

/// The model's outputs, dequantized, from a proof's public inputs (output
/// visibility public). One flat row-major vector per model output.
pub fn decode_outputs(
    model: &QuantizedModel,
    plan: &Plan,
    public_inputs: &PublicInputs<Fr>,
) -> Result<Vec<Vec<f32>>, LayoutError> {
    if plan.visibility.output != OutputVisibility::Public {
        return Err(LayoutError::PublicInputs(format!(
            "outputs are {:?}, not public",
            plan.visibility.output
        )));
    }
    let layout = public_input_layout(model, plan);
    let expected: usize = layout.iter().map(|s| s.len(model)).sum();
    if public_inputs.len() != expected {
        return Err(LayoutError::PublicInputs(format!(
            "{} public inputs, the plan has {expected}",
            public_inputs.len()
        )));
    }
    let mut outputs = Vec::new();
    let mut position = 0;
    for segment in &layout {
        let len = segment.len(model);
        if let PublicSegment::Output(id) = segment {
            let scale = 2f64.powi(-(model.tensor(*id).scale as i32));
            let mut values = Vec::with_capacity(len);
            for k in 0..len {
                let v = public_inputs.values[position + k].value;
                let n = signed_of(v).ok_or_else(|| {
                    LayoutError::PublicInputs(format!(
                        "public input {} is not a small integer",
                        position + k
                    ))
                })?;
                values.push((n as f64 * scale) as f32);
            }
            outputs.push(values);
        }
        position += len;
    }
    Ok(outputs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_round_trip() {
        for v in [0i128, 1, -1, 12345, -(1 << 100), (1 << 125)] {
            assert_eq!(signed_of(zkinfer_gadgets::wire::field_of::<Fr>(v)), Some(v));
        }
        assert_eq!(index_label(&[1, 10], 7), "0,7");
    }
}
