//! Normalization layers: `BatchNormalization` (inference), `InstanceNormalization`,
//! `LayerNormalization`.

use ndarray::{ArrayD, IxDyn};

use super::window::{row_major, split_nc};
use crate::error::{IrError, IrResult};
use crate::op::{normalize_axis, Inputs, Op};
use crate::tensor::Tensor;

/// A per-channel parameter input of length `channels`.
fn channel_param<'a>(
    op: &'static str,
    inputs: &Inputs<'a>,
    index: usize,
    channels: usize,
) -> IrResult<std::borrow::Cow<'a, [f32]>> {
    let p = inputs.f32(index)?;
    if p.len() != channels {
        return Err(IrError::shape(
            op,
            format!(
                "input {index} has shape {:?}, expected [{channels}]",
                p.shape()
            ),
        ));
    }
    Ok(row_major(p))
}

/// Inference-mode batch normalization over axis 1 with stored statistics:
/// `y = (x - mean) / sqrt(var + epsilon) * scale + B`.
/// Inputs: `X (N, C, ...)`, `scale`, `B`, `input_mean`, `input_var` (each `(C)`).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNormalization {
    /// Added to the variance before the square root.
    pub epsilon: f32,
}

impl BatchNormalization {
    /// The equivalent per-channel affine map `y = x · mul + add` (for folding into
    /// a preceding convolution or a quantized rescale).
    pub fn affine(
        &self,
        scale: &[f32],
        bias: &[f32],
        mean: &[f32],
        var: &[f32],
    ) -> (Vec<f32>, Vec<f32>) {
        let mul: Vec<f32> = scale
            .iter()
            .zip(var)
            .map(|(s, v)| s / (v + self.epsilon).sqrt())
            .collect();
        let add = bias
            .iter()
            .zip(mean)
            .zip(&mul)
            .map(|((b, m), k)| b - m * k)
            .collect();
        (mul, add)
    }
}

impl Op for BatchNormalization {
    fn name(&self) -> &'static str {
        "BatchNormalization"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let x = inputs.f32(0)?;
        let (n, c, spatial) = split_nc(op, x.shape())?;
        let scale = channel_param(op, &inputs, 1, c)?;
        let bias = channel_param(op, &inputs, 2, c)?;
        let mean = channel_param(op, &inputs, 3, c)?;
        let var = channel_param(op, &inputs, 4, c)?;
        let plane: usize = spatial.iter().product();
        let data = row_major(x);
        let mut out = Vec::with_capacity(data.len());
        for i in 0..n * c {
            let ch = i % c;
            let inv = scale[ch] / (var[ch] + self.epsilon).sqrt();
            out.extend(
                data[i * plane..][..plane]
                    .iter()
                    .map(|&v| (v - mean[ch]) * inv + bias[ch]),
            );
        }
        Ok(vec![Tensor::F32(
            ArrayD::from_shape_vec(IxDyn(x.shape()), out).expect("same shape"),
        )])
    }

    crate::op_boilerplate!();
}

/// Normalize each `(n, c)` plane by its own mean and variance, then
/// `y = scale[c] · x̂ + B[c]`. Inputs: `X (N, C, ...)`, `scale (C)`, `B (C)`.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceNormalization {
    /// Added to the variance before the square root.
    pub epsilon: f32,
}

/// Mean and population variance of a slice, accumulated in `f64`.
fn mean_var(values: &[f32]) -> (f64, f64) {
    let len = values.len().max(1) as f64;
    let mean = values.iter().map(|&v| v as f64).sum::<f64>() / len;
    let var = values
        .iter()
        .map(|&v| (v as f64 - mean).powi(2))
        .sum::<f64>()
        / len;
    (mean, var)
}

impl Op for InstanceNormalization {
    fn name(&self) -> &'static str {
        "InstanceNormalization"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let x = inputs.f32(0)?;
        let (n, c, spatial) = split_nc(op, x.shape())?;
        let scale = channel_param(op, &inputs, 1, c)?;
        let bias = channel_param(op, &inputs, 2, c)?;
        let plane: usize = spatial.iter().product();
        let data = row_major(x);
        let mut out = Vec::with_capacity(data.len());
        for i in 0..n * c {
            let ch = i % c;
            let src = &data[i * plane..][..plane];
            let (mean, var) = mean_var(src);
            let inv = 1.0 / (var + self.epsilon as f64).sqrt();
            out.extend(
                src.iter()
                    .map(|&v| ((v as f64 - mean) * inv) as f32 * scale[ch] + bias[ch]),
            );
        }
        Ok(vec![Tensor::F32(
            ArrayD::from_shape_vec(IxDyn(x.shape()), out).expect("same shape"),
        )])
    }

    crate::op_boilerplate!();
}

/// Normalize over the trailing axes from `axis` on, then `y = x̂ · Scale + B`
/// (`Scale` and the optional `B` broadcast to `X`). Outputs `Y`, `Mean` and
/// `InvStdDev`, the latter two shaped like `X` with the normalized axes set to 1.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerNormalization {
    /// First normalized axis (negative counts from the end).
    pub axis: i64,
    /// Added to the variance before the square root.
    pub epsilon: f32,
    /// ONNX element type of the statistics (1 = float); statistics are always
    /// accumulated in `f64` here, which only improves on float.
    pub stash_type: i64,
}

impl LayerNormalization {
    /// The normalized axis, resolved against the input rank.
    pub fn resolved_axis(&self, rank: usize) -> IrResult<usize> {
        normalize_axis(self.name(), self.axis, rank)
    }
}

/// Broadcast an affine parameter to `shape`, row-major.
fn broadcast_param<'a>(
    op: &'static str,
    p: &'a ArrayD<f32>,
    shape: &[usize],
) -> IrResult<std::borrow::Cow<'a, [f32]>> {
    let view = p.broadcast(IxDyn(shape)).ok_or_else(|| {
        IrError::shape(
            op,
            format!("parameter {:?} does not broadcast to {shape:?}", p.shape()),
        )
    })?;
    Ok(if p.shape() == shape {
        row_major(p)
    } else {
        std::borrow::Cow::Owned(view.iter().copied().collect())
    })
}

impl Op for LayerNormalization {
    fn name(&self) -> &'static str {
        "LayerNormalization"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let x = inputs.f32(0)?;
        let axis = self.resolved_axis(x.ndim())?;
        let rows: usize = x.shape()[..axis].iter().product();
        let cols: usize = x.shape()[axis..].iter().product();
        let scale = broadcast_param(op, inputs.f32(1)?, x.shape())?;
        let bias = match inputs.opt(2) {
            Some(b) => Some(broadcast_param(op, b.as_f32(op, 2)?, x.shape())?),
            None => None,
        };
        let data = row_major(x);
        let mut y = Vec::with_capacity(data.len());
        let (mut means, mut inv_stds) = (Vec::with_capacity(rows), Vec::with_capacity(rows));
        for r in 0..rows {
            let src = &data[r * cols..][..cols];
            let (mean, var) = mean_var(src);
            let inv = 1.0 / (var + self.epsilon as f64).sqrt();
            means.push(mean as f32);
            inv_stds.push(inv as f32);
            for (j, &v) in src.iter().enumerate() {
                let at = r * cols + j;
                let normalized = ((v as f64 - mean) * inv) as f32 * scale[at];
                y.push(bias.as_ref().map_or(normalized, |b| normalized + b[at]));
            }
        }
        let stat_shape: Vec<usize> = x
            .shape()
            .iter()
            .enumerate()
            .map(|(i, &d)| if i < axis { d } else { 1 })
            .collect();
        let stats = |v: Vec<f32>| {
            Tensor::F32(ArrayD::from_shape_vec(IxDyn(&stat_shape), v).expect("one per row"))
        };
        Ok(vec![
            Tensor::F32(ArrayD::from_shape_vec(IxDyn(x.shape()), y).expect("same shape")),
            stats(means),
            stats(inv_stds),
        ])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(op: &dyn Op, inputs: &[Option<Tensor>]) -> IrResult<Vec<Tensor>> {
        let slots: Vec<Option<&Tensor>> = inputs.iter().map(Option::as_ref).collect();
        op.eval(Inputs::new(op.name(), &slots))
    }

    fn t(shape: &[usize], v: &[f32]) -> Option<Tensor> {
        Some(Tensor::from_f32(shape, v.to_vec()).unwrap())
    }

    #[test]
    fn batch_norm_per_channel() {
        let bn = BatchNormalization { epsilon: 0.0 };
        let x = t(&[1, 2, 1, 2], &[1., 2., 3., 4.]);
        let out = eval(
            &bn,
            &[
                x,
                t(&[2], &[1., 2.]),
                t(&[2], &[0., 1.]),
                t(&[2], &[1., 3.]),
                t(&[2], &[4., 1.]),
            ],
        )
        .unwrap();
        assert_eq!(out[0].to_f32_vec(), vec![0.0, 0.5, 1.0, 3.0]);
        let (mul, add) = bn.affine(&[1., 2.], &[0., 1.], &[1., 3.], &[4., 1.]);
        assert_eq!((mul, add), (vec![0.5, 2.0], vec![-0.5, -5.0]));
        let bad = eval(
            &bn,
            &[
                t(&[1, 3], &[0.; 3]),
                t(&[2], &[1.; 2]),
                t(&[2], &[0.; 2]),
                t(&[2], &[0.; 2]),
                t(&[2], &[1.; 2]),
            ],
        );
        assert!(bad.is_err());
    }

    #[test]
    fn instance_norm_per_plane() {
        let op = InstanceNormalization { epsilon: 1e-12 };
        let x = t(&[1, 2, 2], &[1., 3., 5., 5.]);
        let out = eval(&op, &[x, t(&[2], &[2., 1.]), t(&[2], &[0., 7.])]).unwrap();
        assert_eq!(out[0].to_f32_vec(), vec![-2.0, 2.0, 7.0, 7.0]);
        assert!(eval(
            &op,
            &[t(&[4], &[0.; 4]), t(&[2], &[1.; 2]), t(&[2], &[0.; 2])]
        )
        .is_err());
    }

    #[test]
    fn layer_norm_outputs_and_axis() {
        let op = LayerNormalization {
            axis: -1,
            epsilon: 1e-12,
            stash_type: 1,
        };
        let x = t(&[2, 2], &[1., 3., 2., 2.]);
        let out = eval(&op, &[x.clone(), t(&[2], &[1., 2.]), None]).unwrap();
        assert_eq!(out[0].to_f32_vec(), vec![-1.0, 2.0, 0.0, 0.0]);
        assert_eq!(out[1].shape(), &[2, 1]);
        assert_eq!(out[1].to_f32_vec(), vec![2.0, 2.0]);
        assert_eq!(out[2].to_f32_vec()[0], 1.0);
        let whole = LayerNormalization {
            axis: 0,
            epsilon: 1e-12,
            stash_type: 1,
        };
        let out = eval(
            &whole,
            &[x.clone(), t(&[], &[1.]), t(&[2, 2], &[0., 0., 0., 1.])],
        )
        .unwrap();
        assert_eq!(out[1].shape(), &[1, 1]);
        assert_eq!(out[0].to_f32_vec()[3], 1.0);
        assert!(eval(&op, &[x.clone(), t(&[3], &[1.; 3]), None]).is_err());
        let far = LayerNormalization {
            axis: 2,
            epsilon: 0.0,
            stash_type: 1,
        };
        assert!(eval(&far, &[x, t(&[2], &[1.; 2]), None]).is_err());
    }
}
