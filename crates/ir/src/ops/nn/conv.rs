//! `Conv`: grouped, strided, dilated, padded N-D convolution (N = 1, 2, 3).

use ndarray::{ArrayD, IxDyn};

use super::window::{row_major, split_nc, Geometry, Window};
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Convolution of an `(N, C, spatial...)` input with `(M, C / group, kernel...)`
/// weights and an optional `(M)` bias, as ONNX `Conv` defines it (a
/// cross-correlation: the kernel is not flipped).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Conv {
    /// Kernel size from the `kernel_shape` attribute; `None` when the model leaves
    /// it to the weights' shape (which always decides; a mismatch is an error).
    pub kernel_shape: Option<Vec<usize>>,
    /// Strides, dilations, padding (`ceil_mode` is always false for convolutions).
    pub window: Window,
    /// Number of channel groups: input and output channels split into `group`
    /// independent convolutions (`group == C` is a depthwise convolution).
    pub group: usize,
}

/// Shapes of one `Conv` invocation, checked against each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvShapes {
    /// Batch size.
    pub batch: usize,
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Spatial geometry (input size, kernel, strides, dilations, resolved pads, output size).
    pub geometry: Geometry,
}

impl ConvShapes {
    /// The output shape `(N, M, spatial...)`.
    pub fn output_shape(&self) -> Vec<usize> {
        [self.batch, self.out_channels]
            .into_iter()
            .chain(self.geometry.output.iter().copied())
            .collect()
    }
}

impl Conv {
    /// Check input and weight shapes and resolve the geometry.
    pub fn shapes(&self, input: &[usize], weight: &[usize]) -> IrResult<ConvShapes> {
        let op = self.name();
        let (batch, in_channels, spatial) = split_nc(op, input)?;
        let (out_channels, group_channels, kernel) = split_nc(op, weight).map_err(|_| {
            IrError::shape(
                op,
                format!("weights {weight:?} need (M, C/group, kernel...)"),
            )
        })?;
        if kernel.len() != spatial.len() {
            return Err(IrError::shape(
                op,
                format!("weights {weight:?} do not match input {input:?}"),
            ));
        }
        if let Some(k) = &self.kernel_shape {
            if k.as_slice() != kernel {
                return Err(IrError::shape(
                    op,
                    format!("kernel_shape {k:?} differs from weights {weight:?}"),
                ));
            }
        }
        let group = self.group;
        if group == 0 || out_channels % group != 0 || in_channels != group_channels * group {
            return Err(IrError::shape(
                op,
                format!("input {input:?} and weights {weight:?} do not fit group = {group}"),
            ));
        }
        let geometry = self.window.geometry(op, spatial, kernel)?;
        Ok(ConvShapes {
            batch,
            in_channels,
            out_channels,
            geometry,
        })
    }
}

impl Op for Conv {
    fn name(&self) -> &'static str {
        "Conv"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let (x, w) = (inputs.f32(0)?, inputs.f32(1)?);
        let shapes = self.shapes(x.shape(), w.shape())?;
        let bias = match inputs.opt(2) {
            Some(b) => {
                let b = b.as_f32(op, 2)?;
                if b.len() != shapes.out_channels {
                    return Err(IrError::shape(
                        op,
                        format!("bias {:?} for {} channels", b.shape(), shapes.out_channels),
                    ));
                }
                Some(row_major(b))
            }
            None => None,
        };
        let g = shapes.geometry.to_3d(op)?;
        let (x, w) = (row_major(x), row_major(w));
        let (cg, mg) = (
            shapes.in_channels / self.group,
            shapes.out_channels / self.group,
        );
        let in_plane: usize = g.input.iter().product();
        let out_plane: usize = g.output.iter().product();
        let taps: usize = g.kernel.iter().product();
        crate::size::checked_elements(op, &shapes.output_shape())?;
        let mut out = vec![0f32; shapes.batch * shapes.out_channels * out_plane];
        for n in 0..shapes.batch {
            for m in 0..shapes.out_channels {
                let group = m / mg;
                let dst = &mut out[(n * shapes.out_channels + m) * out_plane..][..out_plane];
                if let Some(b) = &bias {
                    dst.fill(b[m]);
                }
                for ci in 0..cg {
                    let c = group * cg + ci;
                    let src = &x[(n * shapes.in_channels + c) * in_plane..][..in_plane];
                    let kernel = &w[(m * cg + ci) * taps..][..taps];
                    accumulate_plane(&g, src, kernel, dst);
                }
            }
        }
        Ok(vec![Tensor::F32(
            ArrayD::from_shape_vec(IxDyn(&shapes.output_shape()), out)
                .expect("length matches shape"),
        )])
    }

    crate::op_boilerplate!();
}

/// `dst += correlate(src, kernel)` for one input plane and one output plane of a
/// 3-D geometry. Looping over taps outermost lets the innermost loop run over a
/// precomputed in-bounds range of a row without per-element bounds logic.
fn accumulate_plane(g: &Geometry, src: &[f32], kernel: &[f32], dst: &mut [f32]) {
    let (ih, iw) = (g.input[1], g.input[2]);
    let (oh, ow) = (g.output[1], g.output[2]);
    let (kh, kw) = (g.kernel[1], g.kernel[2]);
    let sx = g.strides[2];
    for kz in 0..g.kernel[0] {
        for ky in 0..kh {
            for kx in 0..kw {
                let weight = kernel[(kz * kh + ky) * kw + kx];
                let xs = g.valid_outputs(2, kx);
                if xs.is_empty() {
                    continue;
                }
                let x0 = xs.start * sx + kx * g.dilations[2] - g.pads_begin[2];
                for oz in g.valid_outputs(0, kz) {
                    let iz = oz * g.strides[0] + kz * g.dilations[0] - g.pads_begin[0];
                    for oy in g.valid_outputs(1, ky) {
                        let iy = oy * g.strides[1] + ky * g.dilations[1] - g.pads_begin[1];
                        let row = &src[(iz * ih + iy) * iw..][..iw];
                        let out_row = &mut dst[(oz * oh + oy) * ow..][..ow];
                        for (o, i) in out_row[xs.clone()]
                            .iter_mut()
                            .zip(row[x0..].iter().step_by(sx))
                        {
                            *o += weight * *i;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::nn::AutoPad;

    fn run(conv: &Conv, x: Tensor, w: Tensor, b: Option<Tensor>) -> IrResult<Tensor> {
        let slots = [Some(&x), Some(&w), b.as_ref()];
        Ok(conv.eval(Inputs::new("Conv", &slots))?.remove(0))
    }

    fn conv(group: usize) -> Conv {
        Conv {
            group,
            ..Conv::default()
        }
    }

    fn ramp(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        Tensor::from_f32(shape, (0..n).map(|i| i as f32).collect()).unwrap()
    }

    /// Direct definition, for cross-checking 2-D cases.
    #[allow(clippy::too_many_arguments)]
    fn naive_2d(
        x: &ArrayD<f32>,
        w: &ArrayD<f32>,
        s: [usize; 2],
        d: [usize; 2],
        p: [usize; 4],
        group: usize,
    ) -> ArrayD<f32> {
        let (n, c, h, wd) = (x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3]);
        let (m, cg, kh, kw) = (w.shape()[0], w.shape()[1], w.shape()[2], w.shape()[3]);
        let oh = (h + p[0] + p[2] - (kh - 1) * d[0] - 1) / s[0] + 1;
        let ow = (wd + p[1] + p[3] - (kw - 1) * d[1] - 1) / s[1] + 1;
        let mut out = ArrayD::zeros(IxDyn(&[n, m, oh, ow]));
        let mg = m / group;
        for b in 0..n {
            for o in 0..m {
                for y in 0..oh {
                    for xx in 0..ow {
                        let mut acc = 0.0;
                        for ci in 0..cg {
                            let ch = (o / mg) * cg + ci;
                            for ky in 0..kh {
                                for kx in 0..kw {
                                    let iy = (y * s[0] + ky * d[0]) as isize - p[0] as isize;
                                    let ix = (xx * s[1] + kx * d[1]) as isize - p[1] as isize;
                                    if iy >= 0 && ix >= 0 && (iy as usize) < h && (ix as usize) < wd
                                    {
                                        acc += x[[b, ch, iy as usize, ix as usize]]
                                            * w[[o, ci, ky, kx]];
                                    }
                                }
                            }
                        }
                        out[[b, o, y, xx]] = acc;
                    }
                }
            }
        }
        let _ = c;
        out
    }

    #[test]
    fn basic_2d_with_padding() {
        // ONNX's test_basic_conv_with_padding.
        let x = ramp(&[1, 1, 5, 5]);
        let w = Tensor::from_f32(&[1, 1, 3, 3], vec![1.0; 9]).unwrap();
        let mut c = conv(1);
        c.window.pads = vec![1, 1, 1, 1];
        let y = run(&c, x, w, None).unwrap();
        let expected = [
            12., 21., 27., 33., 24., 33., 54., 63., 72., 51., 63., 99., 108., 117., 81., 93., 144.,
            153., 162., 111., 72., 111., 117., 123., 84.,
        ];
        assert_eq!(y.shape(), &[1, 1, 5, 5]);
        assert_eq!(y.to_f32_vec(), expected.to_vec());
    }

    #[test]
    fn groups_strides_dilations_against_naive() {
        let x = ramp(&[2, 4, 7, 6]);
        let w = Tensor::from_f32(
            &[6, 2, 3, 2],
            (0..72).map(|i| (i as f32 * 0.37).sin()).collect(),
        )
        .unwrap();
        let c = Conv {
            group: 2,
            window: Window {
                strides: vec![2, 1],
                dilations: vec![2, 3],
                pads: vec![1, 2, 0, 1],
                ..Window::default()
            },
            ..Conv::default()
        };
        let y = run(&c, x.clone(), w.clone(), None).unwrap();
        let expected = naive_2d(
            x.as_f32("T", 0).unwrap(),
            w.as_f32("T", 1).unwrap(),
            [2, 1],
            [2, 3],
            [1, 2, 0, 1],
            2,
        );
        assert_eq!(y.shape(), expected.shape());
        for (a, b) in y.to_f32_vec().iter().zip(expected.iter()) {
            assert!((a - b).abs() < 1e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn one_d_with_bias_and_same_lower() {
        let x = Tensor::from_f32(&[1, 1, 4], vec![1., 2., 3., 4.]).unwrap();
        let w = Tensor::from_f32(&[2, 1, 2], vec![1., 1., 1., -1.]).unwrap();
        let b = Tensor::from_f32(&[2], vec![10., 20.]).unwrap();
        let c = Conv {
            group: 1,
            window: Window {
                auto_pad: AutoPad::SameLower,
                ..Window::default()
            },
            ..Conv::default()
        };
        let y = run(&c, x, w, Some(b)).unwrap();
        // SAME_LOWER pads one element at the front.
        assert_eq!(y.to_f32_vec(), vec![11., 13., 15., 17., 19., 19., 19., 19.]);
    }

    #[test]
    fn three_d_depthwise() {
        let x = ramp(&[1, 2, 3, 3, 3]);
        let w = Tensor::from_f32(&[2, 1, 2, 2, 2], vec![1.0; 16]).unwrap();
        let y = run(&conv(2), x, w, None).unwrap();
        assert_eq!(y.shape(), &[1, 2, 2, 2, 2]);
        // First window of channel 0: 0+1+3+4+9+10+12+13.
        assert_eq!(y.to_f32_vec()[0], 52.0);
        // First window of channel 1 is offset by 27 per element.
        assert_eq!(y.to_f32_vec()[8], 52.0 + 8.0 * 27.0);
    }

    #[test]
    fn bad_shapes_are_errors() {
        let w = Tensor::from_f32(&[1, 1, 3, 3], vec![1.0; 9]).unwrap();
        assert!(run(&conv(1), ramp(&[1, 2, 5, 5]), w.clone(), None).is_err());
        assert!(run(&conv(1), ramp(&[1, 1, 2, 2]), w.clone(), None).is_err());
        assert!(run(&conv(1), ramp(&[5]), w.clone(), None).is_err());
        assert!(run(&conv(0), ramp(&[1, 1, 5, 5]), w.clone(), None).is_err());
        let b = Tensor::from_f32(&[2], vec![0.0; 2]).unwrap();
        assert!(run(&conv(1), ramp(&[1, 1, 5, 5]), w.clone(), Some(b)).is_err());
        let k = Conv {
            kernel_shape: Some(vec![2, 2]),
            ..conv(1)
        };
        assert!(run(&k, ramp(&[1, 1, 5, 5]), w, None).is_err());
        let w4 = Tensor::from_f32(&[1, 1, 1, 1, 1, 1], vec![1.0]).unwrap();
        assert!(run(&conv(1), ramp(&[1, 1, 2, 2, 2, 2]), w4, None).is_err());
    }
}
