//! `TensorProto` to IR [`Tensor`] conversion (initializers, `Constant` values, test data).

use onnx_protobuf::tensor_proto::{DataLocation, DataType};
use onnx_protobuf::{Message, TensorProto};
use protobuf::Enum;
use zkinfer_ir::{DType, Tensor};

use crate::error::{OnnxError, OnnxResult};

/// Map an ONNX element-type code to the IR type that represents it, if any.
pub fn dtype_of(code: i32) -> Option<DType> {
    let dt = DataType::from_i32(code)?;
    Some(match dt {
        DataType::FLOAT | DataType::DOUBLE | DataType::FLOAT16 | DataType::BFLOAT16 => DType::F32,
        DataType::INT8
        | DataType::UINT8
        | DataType::INT16
        | DataType::UINT16
        | DataType::INT32
        | DataType::UINT32
        | DataType::INT64
        | DataType::UINT64 => DType::I64,
        DataType::BOOL => DType::Bool,
        _ => return None,
    })
}

/// Decode a serialized `TensorProto` (the `.pb` files of ONNX's test suites).
pub fn tensor_from_bytes(bytes: &[u8]) -> OnnxResult<Tensor> {
    let proto = TensorProto::parse_from_bytes(bytes).map_err(|source| OnnxError::Decode {
        what: "TensorProto",
        source,
    })?;
    tensor_from_proto(&proto)
}

/// Convert a `TensorProto`, reading `raw_data` or the typed fields.
pub fn tensor_from_proto(t: &TensorProto) -> OnnxResult<Tensor> {
    let name = t.name.clone();
    if t.data_location.enum_value() == Ok(DataLocation::EXTERNAL) || !t.external_data.is_empty() {
        return Err(OnnxError::ExternalData { tensor: name });
    }
    let bad = |reason: String| OnnxError::BadTensor {
        tensor: t.name.clone(),
        reason,
    };
    let mut shape = Vec::with_capacity(t.dims.len());
    for &d in &t.dims {
        if d < 0 {
            return Err(bad(format!("negative dimension {d}")));
        }
        shape.push(d as usize);
    }
    let len = shape
        .iter()
        .try_fold(1usize, |acc, &d| acc.checked_mul(d))
        .ok_or_else(|| bad("dimensions overflow".into()))?;
    let code = t.data_type;
    let dt = DataType::from_i32(code).ok_or(OnnxError::UnsupportedDType {
        tensor: name.clone(),
        data_type: code,
    })?;
    let raw = &t.raw_data;
    let has_raw = !raw.is_empty() || len == 0;

    // Reads fixed-width little-endian elements from raw_data.
    /// Decodes `raw_data` as `len` little-endian elements of `N` bytes, each mapped by `decode`.
    fn decode_le<const N: usize, T>(
        raw: &[u8],
        len: usize,
        decode: impl Fn([u8; N]) -> T,
    ) -> Result<Vec<T>, String> {
        if raw.len() != len * N {
            return Err(format!(
                "raw_data holds {} bytes, expected {} ({} elements of {} bytes)",
                raw.len(),
                len * N,
                len,
                N
            ));
        }
        Ok(raw
            .chunks_exact(N)
            .map(|c| decode(c.try_into().expect("exact chunk")))
            .collect())
    }
    let check_len = |n: usize| -> OnnxResult<()> {
        if n == len {
            Ok(())
        } else {
            Err(bad(format!(
                "holds {n} values, shape {shape:?} needs {len}"
            )))
        }
    };

    let tensor = match dt {
        DataType::FLOAT | DataType::DOUBLE | DataType::FLOAT16 | DataType::BFLOAT16 => {
            let data: Vec<f32> = if has_raw && !raw.is_empty() {
                match dt {
                    DataType::FLOAT => {
                        decode_le::<4, _>(raw, len, f32::from_le_bytes).map_err(bad)?
                    }
                    DataType::DOUBLE => {
                        decode_le::<8, _>(raw, len, |b| f64::from_le_bytes(b) as f32)
                            .map_err(bad)?
                    }
                    DataType::FLOAT16 => {
                        decode_le::<2, _>(raw, len, |b| f16_to_f32(u16::from_le_bytes(b)))
                            .map_err(bad)?
                    }
                    _ => decode_le::<2, _>(raw, len, |b| {
                        f32::from_bits((u16::from_le_bytes(b) as u32) << 16)
                    })
                    .map_err(bad)?,
                }
            } else {
                match dt {
                    DataType::FLOAT => t.float_data.clone(),
                    DataType::DOUBLE => t.double_data.iter().map(|&x| x as f32).collect(),
                    // float16/bfloat16 typed data is stored as raw bits in int32_data.
                    DataType::FLOAT16 => {
                        t.int32_data.iter().map(|&x| f16_to_f32(x as u16)).collect()
                    }
                    _ => t
                        .int32_data
                        .iter()
                        .map(|&x| f32::from_bits((x as u32) << 16))
                        .collect(),
                }
            };
            check_len(data.len())?;
            Tensor::from_f32(&shape, data)?
        }
        DataType::BOOL => {
            let data: Vec<i64> = if !raw.is_empty() {
                decode_le::<1, _>(raw, len, |b| (b[0] != 0) as i64).map_err(bad)?
            } else {
                t.int32_data.iter().map(|&x| (x != 0) as i64).collect()
            };
            check_len(data.len())?;
            Tensor::from_i64(&shape, data)?.cast(DType::Bool)
        }
        DataType::INT8
        | DataType::UINT8
        | DataType::INT16
        | DataType::UINT16
        | DataType::INT32
        | DataType::UINT32
        | DataType::INT64
        | DataType::UINT64 => {
            let data: Vec<i64> = if !raw.is_empty() {
                match dt {
                    DataType::INT8 => {
                        decode_le::<1, _>(raw, len, |b| b[0] as i8 as i64).map_err(bad)?
                    }
                    DataType::UINT8 => decode_le::<1, _>(raw, len, |b| b[0] as i64).map_err(bad)?,
                    DataType::INT16 => {
                        decode_le::<2, _>(raw, len, |b| i16::from_le_bytes(b) as i64)
                            .map_err(bad)?
                    }
                    DataType::UINT16 => {
                        decode_le::<2, _>(raw, len, |b| u16::from_le_bytes(b) as i64)
                            .map_err(bad)?
                    }
                    DataType::INT32 => {
                        decode_le::<4, _>(raw, len, |b| i32::from_le_bytes(b) as i64)
                            .map_err(bad)?
                    }
                    DataType::UINT32 => {
                        decode_le::<4, _>(raw, len, |b| u32::from_le_bytes(b) as i64)
                            .map_err(bad)?
                    }
                    DataType::INT64 => {
                        decode_le::<8, _>(raw, len, i64::from_le_bytes).map_err(bad)?
                    }
                    _ => decode_le::<8, _>(raw, len, |b| u64::from_le_bytes(b) as i64)
                        .map_err(bad)?,
                }
            } else {
                match dt {
                    DataType::INT64 => t.int64_data.clone(),
                    DataType::UINT32 | DataType::UINT64 => {
                        t.uint64_data.iter().map(|&x| x as i64).collect()
                    }
                    _ => t.int32_data.iter().map(|&x| x as i64).collect(),
                }
            };
            check_len(data.len())?;
            Tensor::from_i64(&shape, data)?
        }
        _ => {
            return Err(OnnxError::UnsupportedDType {
                tensor: name,
                data_type: code,
            })
        }
    };
    Ok(tensor)
}

/// IEEE half to single precision.
fn f16_to_f32(h: u16) -> f32 {
    let sign = ((h >> 15) & 1) as u32;
    let exp = ((h >> 10) & 0x1f) as u32;
    let frac = (h & 0x3ff) as u32;
    let bits = match (exp, frac) {
        (0, 0) => sign << 31,
        (0, f) => {
            // Subnormal: value = f * 2^-24.
            let v = f as f32 * 2f32.powi(-24);
            return if sign == 1 { -v } else { v };
        }
        (0x1f, f) => (sign << 31) | (0xff << 23) | (f << 13),
        (e, f) => (sign << 31) | ((e + 112) << 23) | (f << 13),
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_and_typed_fields_agree() {
        let mut a = TensorProto::new();
        a.dims = vec![2];
        a.data_type = DataType::FLOAT as i32;
        a.float_data = vec![1.5, -2.0];
        let mut b = a.clone();
        b.float_data.clear();
        b.raw_data = [1.5f32.to_le_bytes(), (-2.0f32).to_le_bytes()].concat();
        assert_eq!(
            tensor_from_proto(&a).unwrap(),
            tensor_from_proto(&b).unwrap()
        );
    }

    #[test]
    fn short_raw_data_is_an_error() {
        let mut a = TensorProto::new();
        a.name = "w".into();
        a.dims = vec![3];
        a.data_type = DataType::FLOAT as i32;
        a.raw_data = vec![0; 8];
        let err = tensor_from_proto(&a).unwrap_err();
        assert!(matches!(err, OnnxError::BadTensor { .. }), "{err}");
    }

    #[test]
    fn external_data_is_refused() {
        let mut a = TensorProto::new();
        a.name = "big".into();
        a.data_location = DataLocation::EXTERNAL.into();
        let err = tensor_from_proto(&a).unwrap_err();
        assert!(matches!(err, OnnxError::ExternalData { .. }));
        assert!(err.to_string().contains("big"));
    }

    #[test]
    fn half_precision_converts() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x0000), 0.0);
    }
}
