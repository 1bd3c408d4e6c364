//! Who sees what: the visibility of the model's inputs, weights and outputs.

use serde::{Deserialize, Serialize};

/// Visibility of the model's runtime inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputVisibility {
    /// Witness variables; the verifier learns nothing about them.
    #[default]
    Private,
    /// Public inputs of the proof, one per element.
    Public,
    /// Witness variables plus their Poseidon commitment as one public input.
    Hashed,
}

/// Visibility of the model's weights (the coefficients of parameterised affine ops).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WeightVisibility {
    /// Witness variables: each weight × activation product costs one constraint,
    /// and the verifying key does not depend on the weights' values.
    #[default]
    Private,
    /// Circuit constants: affine maps cost no constraints, but the verifying key
    /// (and its digest) pins the weights.
    Fixed,
    /// Private, plus a Poseidon commitment to all weights as one public input, so
    /// the verifier knows *which* private model was run ([`crate::model_commitment`]).
    Hashed,
}

impl WeightVisibility {
    /// Whether weights are witness variables.
    pub fn is_private(self) -> bool {
        !matches!(self, WeightVisibility::Fixed)
    }
}

/// Visibility of the model's outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputVisibility {
    /// Public inputs of the proof, one per element (decoded by [`crate::decode_outputs`]).
    #[default]
    Public,
    /// Witness variables only.
    Private,
    /// Witness variables plus their Poseidon commitment as one public input.
    Hashed,
}

/// Visibility of inputs, weights and outputs.
///
/// The default (input private, weights private, output public) is EZKL's
/// default comparison setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Visibility {
    /// Runtime inputs.
    pub input: InputVisibility,
    /// Weights.
    pub weights: WeightVisibility,
    /// Outputs.
    pub output: OutputVisibility,
}

impl Visibility {
    /// Every combination, for tests and sweeps.
    pub fn all() -> Vec<Visibility> {
        let mut out = Vec::new();
        for input in [
            InputVisibility::Private,
            InputVisibility::Public,
            InputVisibility::Hashed,
        ] {
            for weights in [
                WeightVisibility::Private,
                WeightVisibility::Fixed,
                WeightVisibility::Hashed,
            ] {
                for output in [
                    OutputVisibility::Public,
                    OutputVisibility::Private,
                    OutputVisibility::Hashed,
                ] {
                    out.push(Visibility {
                        input,
                        weights,
                        output,
                    });
                }
            }
        }
        out
    }
}

impl std::fmt::Display for Visibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = |s: &dyn std::fmt::Debug| format!("{s:?}").to_lowercase();
        write!(
            f,
            "input {}, weights {}, output {}",
            name(&self.input),
            name(&self.weights),
            name(&self.output)
        )
    }
}
