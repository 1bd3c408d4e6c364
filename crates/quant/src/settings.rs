//! Quantization settings: scales, safety margin, limits. Serialized as JSON.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::QuantResult;

/// How a float model is turned into a fixed-point one.
///
/// Scales are exponents: a tensor at scale `s` holds `round(x·2^s)`. Defaults:
/// inputs, weights and activations at `2^7`, nonlinear outputs (sigmoid, softmax...)
/// at `2^10` because they live in `[-1, 1]`, calibrated bounds doubled (one bit of
/// headroom), at most 48 bits per value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QuantSettings {
    /// Scale exponent of the model's runtime inputs.
    pub input_scale: u32,
    /// Scale exponent of non-integer constant coefficients (weights, batch-norm
    /// factors, constant multipliers). Coefficients that are exact integers
    /// (`1`, `-1`, `2`...) are kept at scale 0 whatever this says.
    pub weight_scale: u32,
    /// Scale exponent of every computed tensor (affine outputs, products).
    pub activation_scale: u32,
    /// Scale exponent of the outputs of nonlinear approximations and softmax.
    pub nonlinear_scale: u32,
    /// Output scale per node name, overriding the two above.
    pub node_scales: BTreeMap<String, u32>,
    /// Calibrated bounds are multiplied by this before bit widths are derived (≥ 1).
    pub margin: f64,
    /// Largest bit width any tensor may need; quantization is refused beyond it.
    pub max_bits: u32,
    /// Fold elementwise constant affine ops (BatchNormalization, `+ bias`, `× c`)
    /// into the preceding affine node, so that they cost no extra rescale.
    pub fold_affine: bool,
    /// Keep affine terms whose coefficient quantizes to zero instead of
    /// dropping them. Dropping is free accuracy-wise and saves a product per
    /// term, but when the weights are circuit witnesses (private or hashed)
    /// the circuit's structure, hence the verifying key, would show *which*
    /// weights are (near) zero. `zkinfer::CompiledModel::compile` turns this
    /// on for private and hashed weights; with fixed weights everything is
    /// public anyway and zero terms cost nothing to drop.
    pub keep_zero_weights: bool,
}

impl Default for QuantSettings {
    fn default() -> Self {
        QuantSettings {
            input_scale: 7,
            weight_scale: 7,
            activation_scale: 7,
            nonlinear_scale: 10,
            node_scales: BTreeMap::new(),
            margin: 2.0,
            max_bits: 48,
            fold_affine: true,
            keep_zero_weights: false,
        }
    }
}

impl QuantSettings {
    /// Read settings from JSON; absent fields take their defaults.
    pub fn from_json(json: &str) -> QuantResult<Self> {
        Ok(serde_json::from_str(json)?)
    }

    /// Settings as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("settings always serialize")
    }

    /// Read settings from a JSON file.
    pub fn load(path: impl AsRef<Path>) -> QuantResult<Self> {
        let text = std::fs::read_to_string(path.as_ref()).map_err(|e| {
            crate::error::QuantError::BadInput(format!("{}: {e}", path.as_ref().display()))
        })?;
        Self::from_json(&text)
    }

    /// The output scale of a node: its override, else `default`.
    pub fn scale_for(&self, node: &str, default: u32) -> u32 {
        self.node_scales.get(node).copied().unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_defaults() {
        let mut s = QuantSettings::default();
        s.node_scales.insert("fc1".into(), 9);
        let back = QuantSettings::from_json(&s.to_json()).unwrap();
        assert_eq!(back, s);
        let partial = QuantSettings::from_json(r#"{"weight_scale": 10}"#).unwrap();
        assert_eq!(partial.weight_scale, 10);
        assert_eq!(partial.input_scale, 7);
        assert!(QuantSettings::from_json(r#"{"wieght_scale": 10}"#).is_err());
    }
}
