//! Nearest-neighbour `Resize` (and `Upsample`, which is its older form).
//!
//! Only `mode = nearest` is implemented: every output element is a copy of one
//! input element (or the extrapolation value), so the op is an index map and costs
//! nothing in a circuit. Linear and cubic modes would need real arithmetic and are
//! rejected by the importer.

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    checked_len, distinct_axes, eval_by_index_maps, param_f32, param_i64, shape_of, strides,
    IndexMap, IndexMapOp, Operand, Source,
};

/// How an output coordinate maps back to an input coordinate (ONNX's
/// `coordinate_transformation_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoordinateTransform {
    /// `(x + 0.5) / scale - 0.5` (ONNX's default from opset 11).
    HalfPixel,
    /// Half-pixel, centred when the output length was rounded (opset 19).
    HalfPixelSymmetric,
    /// Half-pixel, but 0 when the output has length 1 (what PyTorch computes).
    PytorchHalfPixel,
    /// Corner pixels of input and output coincide.
    AlignCorners,
    /// `x / scale` (opset 10 `Resize` and `Upsample`).
    Asymmetric,
    /// Crop to the region of interest (input `roi`) and resize it; outside → extrapolation value.
    TfCropAndResize,
}

/// How a fractional input coordinate picks a pixel (ONNX's `nearest_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NearestMode {
    /// Round, halves down (ONNX's default).
    RoundPreferFloor,
    /// Round, halves up.
    RoundPreferCeil,
    /// Round down.
    Floor,
    /// Round up.
    Ceil,
}

/// How `sizes` is honoured (ONNX's `keep_aspect_ratio_policy`, opset 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AspectRatioPolicy {
    /// Each axis gets exactly its requested size.
    Stretch,
    /// One scale for all axes, the largest that fits inside the requested sizes.
    NotLarger,
    /// One scale for all axes, the smallest that covers the requested sizes.
    NotSmaller,
}

/// Where a [`Resize`] finds its scales or sizes; this differs between op versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResizeInputs {
    /// `Resize` from opset 11: `X, roi, scales, sizes`.
    RoiScalesSizes,
    /// `Resize` opset 10 and `Upsample` from opset 9: `X, scales`.
    Scales,
    /// `Upsample` before opset 9: the scales are the [`Resize::scales`] attribute.
    Attribute,
}

/// Nearest-neighbour `Resize`/`Upsample`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resize {
    /// Input layout of the source op.
    pub inputs: ResizeInputs,
    /// Scales given as an attribute (`Upsample` before opset 9).
    pub scales: Option<Vec<f32>>,
    /// Axes that `scales`/`sizes`/`roi` refer to (opset 18); `None` for all.
    pub axes: Option<Vec<i64>>,
    /// Output → input coordinate mapping.
    pub coordinate_transform: CoordinateTransform,
    /// Rounding of fractional coordinates.
    pub nearest_mode: NearestMode,
    /// How `sizes` is honoured.
    pub aspect_ratio_policy: AspectRatioPolicy,
    /// Value of outputs that fall outside the region of interest (`TfCropAndResize` only).
    pub extrapolation_value: f32,
}

impl Resize {
    /// The older form, `Upsample` or opset-10 `Resize`: integer-style repetition with
    /// `floor(x / scale)`, which is what these ops compute for nearest mode.
    pub fn legacy(inputs: ResizeInputs, scales: Option<Vec<f32>>) -> Self {
        Resize {
            inputs,
            scales,
            axes: None,
            coordinate_transform: CoordinateTransform::Asymmetric,
            nearest_mode: NearestMode::Floor,
            aspect_ratio_policy: AspectRatioPolicy::Stretch,
            extrapolation_value: 0.0,
        }
    }

    /// For every axis, the input position each output position reads (`None`:
    /// extrapolation value).
    pub fn axis_sources(
        &self,
        inputs: &[Option<Operand<'_>>],
    ) -> IrResult<Vec<Vec<Option<usize>>>> {
        const OP: &str = "Resize";
        let input = shape_of(OP, inputs, 0)?;
        let rank = input.len();
        let nonempty_f32 = |v: Option<Vec<f32>>| v.filter(|v| !v.is_empty());
        let (roi, scales, sizes) = match self.inputs {
            ResizeInputs::RoiScalesSizes => {
                let roi = if self.coordinate_transform == CoordinateTransform::TfCropAndResize {
                    nonempty_f32(param_f32(OP, inputs, 1)?)
                } else {
                    None
                };
                (
                    roi,
                    nonempty_f32(param_f32(OP, inputs, 2)?),
                    param_i64(OP, inputs, 3)?.filter(|v| !v.is_empty()),
                )
            }
            ResizeInputs::Scales => (None, nonempty_f32(param_f32(OP, inputs, 1)?), None),
            ResizeInputs::Attribute => (None, self.scales.clone(), None),
        };
        let axes = match &self.axes {
            Some(axes) => distinct_axes(OP, axes, rank)?,
            None => (0..rank).collect(),
        };
        let mut scale = vec![1.0f64; rank];
        let mut out = input.to_vec();
        if let Some(sizes) = sizes {
            if sizes.len() != axes.len() {
                return Err(IrError::invalid(
                    OP,
                    format!("sizes {sizes:?} for {} axes", axes.len()),
                ));
            }
            for (&a, &s) in axes.iter().zip(&sizes) {
                out[a] = usize::try_from(s)
                    .map_err(|_| IrError::invalid(OP, format!("negative size in {sizes:?}")))?;
                if input[a] == 0 {
                    return Err(IrError::invalid(OP, "cannot resize an empty axis"));
                }
                scale[a] = out[a] as f64 / input[a] as f64;
            }
            let pick =
                |f: fn(f64, f64) -> f64| axes.iter().map(|&a| scale[a]).reduce(f).unwrap_or(1.0);
            let common = match self.aspect_ratio_policy {
                AspectRatioPolicy::Stretch => None,
                AspectRatioPolicy::NotLarger => Some(pick(f64::min)),
                AspectRatioPolicy::NotSmaller => Some(pick(f64::max)),
            };
            if let Some(common) = common {
                for &a in &axes {
                    scale[a] = common;
                    out[a] = (common * input[a] as f64 + 0.5) as usize;
                }
            }
        } else if let Some(scales) = scales {
            if scales.len() != axes.len() {
                return Err(IrError::invalid(
                    OP,
                    format!("scales {scales:?} for {} axes", axes.len()),
                ));
            }
            for (&a, &s) in axes.iter().zip(&scales) {
                if !(s.is_finite() && s > 0.0) {
                    return Err(IrError::invalid(OP, format!("scale {s} is not positive")));
                }
                scale[a] = s as f64;
                let len = s as f64 * input[a] as f64;
                if len > crate::size::size_limits().max_elements as f64 {
                    return Err(IrError::invalid(OP, format!("scales {scales:?} too large")));
                }
                out[a] = len as usize;
            }
        } else {
            return Err(IrError::invalid(OP, "neither scales nor sizes given"));
        }
        // The per-axis tables below are as long as the output dimensions.
        checked_len(OP, &out)?;
        let mut region = vec![(0.0f64, 1.0f64); rank];
        if let Some(roi) = roi {
            if roi.len() != 2 * axes.len() {
                return Err(IrError::invalid(
                    OP,
                    format!("roi {roi:?} for {} axes", axes.len()),
                ));
            }
            for (i, &a) in axes.iter().enumerate() {
                region[a] = (roi[i] as f64, roi[i + axes.len()] as f64);
            }
        }
        (0..rank)
            .map(|a| {
                if input[a] == 0 && out[a] > 0 {
                    return Err(IrError::invalid(OP, "cannot resize an empty axis"));
                }
                Ok((0..out[a])
                    .map(|x| self.nearest(x, input[a], out[a], scale[a], region[a]))
                    .collect())
            })
            .collect()
    }

    /// The input position read by output position `x` along one axis, following
    /// ONNX's reference implementation (which uses `scale * in_len`, not the rounded
    /// output length, as the resized length).
    fn nearest(
        &self,
        x: usize,
        in_len: usize,
        out_len: usize,
        scale: f64,
        roi: (f64, f64),
    ) -> Option<usize> {
        let (x, n) = (x as f64, in_len as f64);
        let resized = scale * n;
        let x_ori = match self.coordinate_transform {
            CoordinateTransform::HalfPixel => (x + 0.5) / scale - 0.5,
            CoordinateTransform::HalfPixelSymmetric => {
                let adjustment = out_len as f64 / resized;
                let offset = n / 2.0 * (1.0 - adjustment);
                offset + (x + 0.5) / scale - 0.5
            }
            CoordinateTransform::PytorchHalfPixel if resized == 1.0 => -0.5,
            CoordinateTransform::PytorchHalfPixel => (x + 0.5) / scale - 0.5,
            CoordinateTransform::AlignCorners if resized == 1.0 => 0.0,
            CoordinateTransform::AlignCorners => x * (n - 1.0) / (resized - 1.0),
            CoordinateTransform::Asymmetric => x / scale,
            CoordinateTransform::TfCropAndResize => {
                let (start, end) = roi;
                let x_ori = if resized == 1.0 {
                    (end - start) * (n - 1.0) / 2.0
                } else {
                    x * (end - start) * (n - 1.0) / (resized - 1.0)
                } + start * (n - 1.0);
                if x_ori < 0.0 || x_ori > n - 1.0 {
                    return None;
                }
                x_ori
            }
        };
        let floor = x_ori.floor();
        let ratio = x_ori - floor;
        let picked = if ratio == 0.0 {
            floor
        } else {
            match self.nearest_mode {
                NearestMode::RoundPreferFloor if ratio <= 0.5 => floor,
                NearestMode::RoundPreferCeil if ratio < 0.5 => floor,
                NearestMode::Floor => floor,
                _ => floor + 1.0,
            }
        };
        Some(picked.clamp(0.0, n - 1.0) as usize)
    }
}

impl IndexMapOp for Resize {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        let axes = self.axis_sources(inputs)?;
        let st = strides(shape_of("Resize", inputs, 0)?);
        let shape = axes.iter().map(Vec::len).collect();
        Ok(vec![IndexMap::build("Resize", shape, |o| {
            let mut flat = 0;
            for (a, &i) in o.iter().enumerate() {
                match axes[a][i] {
                    Some(p) => flat += p * st[a],
                    None => return Ok(Source::Fill),
                }
            }
            Ok(Source::Input { input: 0, flat })
        })?])
    }
}

impl Op for Resize {
    fn name(&self) -> &'static str {
        "Resize"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        eval_by_index_maps(
            self,
            inputs,
            Some(&Tensor::scalar_f32(self.extrapolation_value)),
        )
    }

    fn shape_inputs(&self) -> &'static [usize] {
        match (self.inputs, self.coordinate_transform) {
            (ResizeInputs::RoiScalesSizes, CoordinateTransform::TfCropAndResize) => &[1, 2, 3],
            (ResizeInputs::RoiScalesSizes, _) => &[2, 3],
            (ResizeInputs::Scales, _) => &[1],
            (ResizeInputs::Attribute, _) => &[],
        }
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resize(transform: CoordinateTransform, mode: NearestMode) -> Resize {
        Resize {
            coordinate_transform: transform,
            nearest_mode: mode,
            ..Resize::legacy(ResizeInputs::RoiScalesSizes, None)
        }
    }

    fn run(
        op: &Resize,
        x: &Tensor,
        scales: Option<Vec<f32>>,
        sizes: Option<Vec<i64>>,
    ) -> IrResult<Tensor> {
        let scales = scales.map(|s| Tensor::from_f32(&[s.len()], s).unwrap());
        let sizes = sizes.map(Tensor::vec_i64);
        Ok(op
            .eval(Inputs::new(
                "Resize",
                &[Some(x), None, scales.as_ref(), sizes.as_ref()],
            ))?
            .remove(0))
    }

    #[test]
    fn upsample_repeats() {
        let x = Tensor::from_i64(&[1, 2], vec![1, 2]).unwrap();
        let up = Resize::legacy(ResizeInputs::Attribute, Some(vec![1.0, 2.0]));
        let out = up.eval(Inputs::new("Upsample", &[Some(&x)])).unwrap();
        assert_eq!(out[0].to_i64_vec(), vec![1, 1, 2, 2]);
    }

    #[test]
    fn half_pixel_round_prefer_floor_downsample() {
        // ONNX's test_resize_downsample_scales_nearest: [[1 2 3 4], [5 6 7 8]] by 0.6 → [[1 3]].
        let x = Tensor::from_f32(&[1, 1, 2, 4], (1..=8).map(|v| v as f32).collect()).unwrap();
        let op = resize(
            CoordinateTransform::HalfPixel,
            NearestMode::RoundPreferFloor,
        );
        let out = run(&op, &x, Some(vec![1.0, 1.0, 0.6, 0.6]), None).unwrap();
        assert_eq!(
            out,
            Tensor::from_f32(&[1, 1, 1, 2], vec![1.0, 3.0]).unwrap()
        );
    }

    #[test]
    fn align_corners_floor_with_sizes() {
        let x = Tensor::from_f32(&[4], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let op = resize(CoordinateTransform::AlignCorners, NearestMode::Floor);
        let out = run(&op, &x, None, Some(vec![7])).unwrap();
        assert_eq!(out.to_f32_vec(), vec![1.0, 1.0, 2.0, 2.0, 3.0, 3.0, 4.0]);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let x = Tensor::from_f32(&[4], vec![1.0, 2.0, 3.0, 4.0]).unwrap();
        let op = resize(CoordinateTransform::HalfPixel, NearestMode::Floor);
        assert!(run(&op, &x, None, None).is_err());
        assert!(run(&op, &x, Some(vec![0.0]), None).is_err());
        assert!(run(&op, &x, Some(vec![1.0, 2.0]), None).is_err());
        assert!(run(&op, &x, Some(vec![1e30]), None).is_err());
        assert!(run(&op, &x, None, Some(vec![-1])).is_err());
        assert!(run(&op, &x, None, Some(vec![1 << 50])).is_err());
    }
}
