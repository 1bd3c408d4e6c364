//! The public statement of a proof: field elements plus human-readable
//! metadata, serialized as JSON.

use ark_ff::{BigInteger, PrimeField};
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
#[serde(bound = "", deny_unknown_fields)]
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

/// What a public field element means in model terms. The model crates fill
/// it so a JSON reader sees "output[3] = 0.41" rather than a 77-digit number.
///
/// The proof does not cover it, so verification checks what the field
/// element determines ([`PublicInputs::check_metadata`]): a `dequantized`
/// float must be exactly `integer × scale`. Which label and scale a value
/// has is the model's business: `zkinfer::CompiledModel` checks those.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

    /// Checks that every value's metadata agrees with its field element:
    /// a scale is positive and finite, and `dequantized` is present exactly
    /// when the value has a scale and is a signed integer below 2^126 in
    /// magnitude, and then equals `integer × scale` (computed as
    /// [`dequantize`] does, so equality is exact). Every backend's `verify`
    /// calls this before any cryptography.
    pub fn check_metadata(&self) -> Result<(), BackendError> {
        for (index, value) in self.values.iter().enumerate() {
            let fail = |reason: String| BackendError::PublicMetadata {
                index,
                label: value
                    .meta
                    .label
                    .clone()
                    .unwrap_or_else(|| "unlabelled".into()),
                reason,
            };
            let meta = &value.meta;
            let Some(scale) = meta.scale else {
                if let Some(found) = meta.dequantized {
                    return Err(fail(format!(
                        "a dequantized value ({found}) without a scale"
                    )));
                }
                continue;
            };
            if !(scale.is_finite() && scale > 0.0) {
                return Err(fail(format!(
                    "scale {scale} is not a positive finite number"
                )));
            }
            let expected = dequantize(value.value, scale);
            if meta.dequantized != expected {
                return Err(fail(match (meta.dequantized, expected) {
                    (Some(found), Some(expected)) => format!(
                        "dequantized {found} but the proven integer times {scale} is {expected}"
                    ),
                    (None, Some(expected)) => {
                        format!("dequantized value missing (the proven integer gives {expected})")
                    }
                    _ => "dequantized value given for a field element that is no small integer"
                        .into(),
                }));
            }
        }
        Ok(())
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

/// The signed integer a field element encodes when it is small: `x` for
/// `x < 2^126`, `−y` for `p − y` with `y < 2^126`; `None` otherwise. This is
/// how quantized values (negative ones wrap to `p − |v|`) are read back.
pub fn signed_integer_of<F: PrimeField>(x: F) -> Option<i128> {
    let small = |f: F| -> Option<i128> {
        let bytes = f.into_bigint().to_bytes_le();
        if bytes.iter().skip(16).any(|&b| b != 0) {
            return None;
        }
        let mut low = [0u8; 16];
        for (dst, src) in low.iter_mut().zip(&bytes) {
            *dst = *src;
        }
        let v = u128::from_le_bytes(low);
        (v < 1 << 126).then_some(v as i128)
    };
    small(x).or_else(|| small(-x).map(|v| -v))
}

/// The float a quantized public value stands for: `integer × scale`, or
/// `None` when the element is no small signed integer
/// ([`signed_integer_of`]). The one definition both the writer of
/// `public.json` and [`PublicInputs::check_metadata`] use.
pub fn dequantize<F: PrimeField>(x: F, scale: f64) -> Option<f64> {
    signed_integer_of(x).map(|n| n as f64 * scale)
}

/// JSON mirror of [`PublicValue`], with the field element as a string. The
/// metadata fields are spelled out rather than `#[serde(flatten)]`ed, because
/// serde cannot refuse unknown keys through a flattened struct: a misspelt
/// `"labei"` must be an error, not silently dropped.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicValueJson {
    value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scale: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dequantized: Option<f64>,
}

impl<F: PrimeField> Serialize for PublicValue<F> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        PublicValueJson {
            value: self.value.to_string(),
            label: self.meta.label.clone(),
            scale: self.meta.scale,
            dequantized: self.meta.dequantized,
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
            meta: ValueMeta {
                label: json.label,
                scale: json.scale,
                dequantized: json.dequantized,
            },
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

    fn annotated(values: &[i64], scale: f64) -> PublicInputs<Fr> {
        let field = |v: i64| {
            if v < 0 {
                -Fr::from(v.unsigned_abs())
            } else {
                Fr::from(v as u64)
            }
        };
        let mut inputs = PublicInputs::new(digest(), values.iter().map(|&v| field(v)));
        for (index, value) in inputs.values.iter_mut().enumerate() {
            value.meta = ValueMeta {
                label: Some(format!("output[{index}]")),
                scale: Some(scale),
                dequantized: dequantize(value.value, scale),
            };
        }
        inputs
    }

    #[test]
    fn consistent_metadata_passes_and_survives_json() {
        let inputs = annotated(&[0, 1, -1, 12345, -(1 << 40), i64::MAX], 2f64.powi(-7));
        inputs.check_metadata().unwrap();
        let back = PublicInputs::<Fr>::from_json(&inputs.to_json()).unwrap();
        assert_eq!(back, inputs);
        back.check_metadata().unwrap();
        assert_eq!(inputs.values[2].meta.dequantized, Some(-0.0078125));
    }

    #[test]
    fn edited_dequantized_values_and_scales_are_refused() {
        let inputs = annotated(&[12, -3], 0.0078125);
        let refused = |edit: &dyn Fn(&mut ValueMeta)| {
            let mut edited = inputs.clone();
            edit(&mut edited.values[1].meta);
            match edited.check_metadata() {
                Err(BackendError::PublicMetadata {
                    index: 1, label, ..
                }) => {
                    assert_eq!(label, "output[1]")
                }
                other => panic!("accepted or wrong error: {other:?}"),
            }
        };
        refused(&|m| m.dequantized = Some(0.5));
        refused(&|m| m.dequantized = m.dequantized.map(|d| d + f64::EPSILON));
        refused(&|m| m.dequantized = None);
        refused(&|m| m.scale = Some(0.015625));
        refused(&|m| m.scale = Some(-0.0078125));
        refused(&|m| m.scale = Some(f64::NAN));
        refused(&|m| m.scale = Some(f64::INFINITY));
        refused(&|m| m.scale = None);
    }

    #[test]
    fn a_dequantized_value_for_a_large_field_element_is_refused() {
        let mut inputs = PublicInputs::new(digest(), [Fr::from(1u64) + Fr::from(u128::MAX)]);
        inputs.values[0].meta.scale = Some(1.0);
        inputs.check_metadata().unwrap();
        inputs.values[0].meta.dequantized = Some(1.0);
        assert!(matches!(
            inputs.check_metadata(),
            Err(BackendError::PublicMetadata { index: 0, .. })
        ));
    }

    #[test]
    fn unknown_keys_are_refused() {
        let d = digest();
        for bad in [
            format!(r#"{{"circuit":"{d}","values":[{{"value":"1","labei":"x"}}]}}"#),
            format!(r#"{{"circuit":"{d}","values":[],"extra":1}}"#),
        ] {
            assert!(
                matches!(
                    PublicInputs::<Fr>::from_json(&bad),
                    Err(BackendError::PublicInputsJson(_))
                ),
                "accepted {bad}"
            );
        }
    }

    /// Finding 5 of docs/security.md: a long decimal scale read back one ulp
    /// off after a write. serde_json's `float_roundtrip` parses correctly.
    #[test]
    fn long_decimal_scales_round_trip_exactly() {
        let d = digest();
        let json = format!(
            r#"{{"circuit":"{d}","values":[{{"value":"1","scale":0.031244444444444445}}]}}"#
        );
        let once = PublicInputs::<Fr>::from_json(&json).unwrap();
        let twice = PublicInputs::<Fr>::from_json(&once.to_json()).unwrap();
        assert_eq!(once, twice);
        for bits in [
            0x3fa0_0000_0000_0001u64,
            0x3e7a_d7f2_9abc_af48,
            0x7fef_ffff_ffff_ffff,
        ] {
            let scale = f64::from_bits(bits);
            let mut inputs = PublicInputs::new(d, [Fr::from(1u64)]);
            inputs.values[0].meta.scale = Some(scale);
            let back = PublicInputs::<Fr>::from_json(&inputs.to_json()).unwrap();
            assert_eq!(back.values[0].meta.scale.map(f64::to_bits), Some(bits));
        }
    }

    #[test]
    fn bad_digest_is_rejected() {
        let json = r#"{"circuit":"abc","values":[]}"#;
        assert!(PublicInputs::<Fr>::from_json(json).is_err());
    }
}
