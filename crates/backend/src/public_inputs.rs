//! The public statement of a proof: field elements plus human-readable
//! metadata, serialized as JSON.

use ark_ff::PrimeField;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::{digest::CircuitDigest, error::BackendError};

/// The public inputs of one proof, bound to the circuit they belong to.
///
/// `prove` returns these next to the proof; `verify` takes them back. They
/// name their circuit's digest so that checking them against another model's
/// verifying key is a [`BackendError::CircuitMismatch`] rather than a silent
/// `false`.
///
/// As JSON, field elements are canonical decimal strings (`"0"` ..
/// `"p-1"`; a negative quantized value `-3` appears as `p-3`):
///
/// ```json
/// { "circuit": "3f9a…64 hex digits…",
///   "values": [ { "value": "12", "label": "output[0]", "scale": 0.0078125, "dequantized": 0.09375 } ] }
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct PublicInputs<F: PrimeField> {
    /// Digest of the circuit these inputs belong to.
    pub circuit: CircuitDigest,
    /// The public inputs in allocation order (the constant `1` excluded).
    pub values: Vec<PublicValue<F>>,
}

/// One public input: its field element and optional description.
#[derive(Clone, Debug, PartialEq)]
pub struct PublicValue<F: PrimeField> {
    /// The field element the proof is checked against.
    pub value: F,
    /// Description for humans; ignored by verification.
    pub meta: ValueMeta,
}

/// What a public field element means in model terms. Verification ignores
/// it; the model crates fill it so a JSON reader sees "output[3] = 0.41"
/// rather than a 77-digit number.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ValueMeta {
    /// Name of the value, e.g. `"input[0,3,14,14]"` or `"logits[7]"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Quantization scale: `dequantized = integer × scale`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// The value as a float, after dequantization.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dequantized: Option<f64>,
}

impl<F: PrimeField> PublicInputs<F> {
    /// Public inputs of circuit `circuit` with no metadata.
    pub fn new(circuit: CircuitDigest, values: impl IntoIterator<Item = F>) -> Self {
        Self {
            circuit,
            values: values
                .into_iter()
                .map(|value| PublicValue {
                    value,
                    meta: ValueMeta::default(),
                })
                .collect(),
        }
    }

    /// Number of public inputs.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True when the circuit has no public inputs.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The bare field elements, in order, as a verifier consumes them.
    pub fn field_elements(&self) -> Vec<F> {
        self.values.iter().map(|value| value.value).collect()
    }

    /// Attaches metadata to the value at `index`; out-of-range indices are
    /// ignored and reported as `false`.
    pub fn set_meta(&mut self, index: usize, meta: ValueMeta) -> bool {
        match self.values.get_mut(index) {
            Some(value) => {
                value.meta = meta;
                true
            }
            None => false,
        }
    }

    /// Pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("public inputs always serialize")
    }

    /// Parses JSON written by [`to_json`](Self::to_json). Field elements must
    /// be canonical decimals below the modulus.
    pub fn from_json(json: &str) -> Result<Self, BackendError> {
        Ok(serde_json::from_str(json)?)
    }
}

/// JSON mirror of [`PublicValue`], with the field element as a string.
#[derive(Serialize, Deserialize)]
struct PublicValueJson {
    value: String,
    #[serde(flatten)]
    meta: ValueMeta,
}

impl<F: PrimeField> Serialize for PublicValue<F> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PublicValueJson {
            value: self.value.to_string(),
            meta: self.meta.clone(),
        }
        .serialize(serializer)
    }
}

impl<'de, F: PrimeField> Deserialize<'de> for PublicValue<F> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let json = PublicValueJson::deserialize(deserializer)?;
        let value = parse_canonical_decimal(&json.value).ok_or_else(|| {
            de::Error::custom(format!(
                "{:?} is not a canonical decimal field element",
                json.value
            ))
        })?;
        Ok(Self {
            value,
            meta: json.meta,
        })
    }
}

/// Parses a decimal field element, accepting only the canonical spelling:
/// no sign, no leading zeros, strictly below the modulus. ark-ff's `FromStr`
/// reduces modulo p, so two different strings would otherwise name one
/// element and a JSON diff could hide a changed input.
fn parse_canonical_decimal<F: PrimeField>(text: &str) -> Option<F> {
    if text.is_empty() || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let value = F::from_str(text).ok()?;
    (value.to_string() == text).then_some(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fr;

    fn digest() -> CircuitDigest {
        CircuitDigest([7; 32])
    }

    #[test]
    fn json_round_trip_keeps_values_and_metadata() {
        let mut inputs = PublicInputs::new(digest(), [Fr::from(12u64), -Fr::from(3u64)]);
        inputs.set_meta(
            0,
            ValueMeta {
                label: Some("output[0]".into()),
                scale: Some(0.0078125),
                dequantized: Some(0.09375),
            },
        );
        let json = inputs.to_json();
        assert!(json.contains("\"12\""), "{json}");
        assert!(json.contains("output[0]"), "{json}");
        assert_eq!(PublicInputs::<Fr>::from_json(&json).unwrap(), inputs);
    }

    #[test]
    fn non_canonical_decimals_are_rejected() {
        let modulus = Fr::MODULUS.to_string();
        for bad in ["", "-3", "+3", "012", "1e3", " 1", modulus.as_str()] {
            let json = format!(
                r#"{{"circuit":"{}","values":[{{"value":"{bad}"}}]}}"#,
                digest()
            );
            assert!(
                matches!(
                    PublicInputs::<Fr>::from_json(&json),
                    Err(BackendError::PublicInputsJson(_))
                ),
                "accepted {bad:?}"
            );
        }
    }

    #[test]
    fn bad_digest_is_rejected() {
        let json = r#"{"circuit":"abc","values":[]}"#;
        assert!(PublicInputs::<Fr>::from_json(json).is_err());
    }
}
