//! `ConvTranspose`: the gradient of `Conv` with respect to its input, used as a
//! learned upsampling (decoders, GAN generators).

use ndarray::{ArrayD, IxDyn};

use super::window::{row_major, split_nc, AutoPad, Window};
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Transposed convolution of an `(N, C, spatial...)` input with
/// `(C, M / group, kernel...)` weights and an optional `(M)` bias: every input
/// element scatters `x · kernel` into the output around `i · stride - pad_begin`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConvTranspose {
    /// Kernel size from the `kernel_shape` attribute; the weights' shape decides when absent.
    pub kernel_shape: Option<Vec<usize>>,
    /// Strides, dilations, explicit pads and `auto_pad` (`ceil_mode` unused).
    pub window: Window,
    /// Number of channel groups.
    pub group: usize,
    /// Extra output elements at the end of each axis (empty = none); they
    /// receive no contribution but the bias.
    pub output_padding: Vec<usize>,
    /// Requested spatial output size; when set, the padding is derived from it.
    pub output_shape: Option<Vec<usize>>,
}

/// Resolved geometry of one `ConvTranspose` invocation.
///
/// Input coordinate `i` along axis `a` and kernel tap `k` write output
/// coordinate `i * strides[a] + k * dilations[a] - pads_begin[a]`; writes outside
/// `0..output[a]` are dropped. Padding can be negative when `output_shape` asks
/// for more than the kernel reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransposedGeometry {
    /// Spatial input size.
    pub input: Vec<usize>,
    /// Kernel size (undilated).
    pub kernel: Vec<usize>,
    /// Strides.
    pub strides: Vec<usize>,
    /// Dilations.
    pub dilations: Vec<usize>,
    /// Output coordinates cropped at the beginning of each axis.
    pub pads_begin: Vec<i64>,
    /// Spatial output size.
    pub output: Vec<usize>,
}

impl TransposedGeometry {
    /// Input coordinates along `axis` whose tap `tap` lands inside the output.
    pub fn valid_inputs(&self, axis: usize, tap: usize) -> std::ops::Range<usize> {
        let s = self.strides[axis] as i64;
        let offset = (tap * self.dilations[axis]) as i64 - self.pads_begin[axis];
        let out = self.output[axis] as i64;
        // i * s + offset in 0..out
        let lo = if offset >= 0 {
            0
        } else {
            (-offset + s - 1) / s
        };
        let hi = if offset >= out {
            0
        } else {
            (out - offset + s - 1) / s
        };
        let (lo, hi) = (
            lo.min(self.input[axis] as i64),
            hi.min(self.input[axis] as i64),
        );
        lo as usize..hi.max(lo) as usize
    }

    /// The output coordinate that input `i` reaches through tap `tap` along `axis`.
    pub fn output_index(&self, axis: usize, i: usize, tap: usize) -> i64 {
        (i * self.strides[axis] + tap * self.dilations[axis]) as i64 - self.pads_begin[axis]
    }
}

impl ConvTranspose {
    /// Check shapes and resolve the geometry; returns it with `(N, C, M)`.
    pub fn geometry(
        &self,
        input: &[usize],
        weight: &[usize],
    ) -> IrResult<(TransposedGeometry, [usize; 3])> {
        let op = self.name();
        let (batch, in_channels, spatial) = split_nc(op, input)?;
        let (w_in, group_out, kernel) = split_nc(op, weight).map_err(|_| {
            IrError::shape(
                op,
                format!("weights {weight:?} need (C, M/group, kernel...)"),
            )
        })?;
        let rank = spatial.len();
        if kernel.len() != rank {
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
        if self.group == 0 || w_in != in_channels || in_channels % self.group != 0 {
            return Err(IrError::shape(
                op,
                format!(
                    "input {input:?} and weights {weight:?} do not fit group = {}",
                    self.group
                ),
            ));
        }
        let per_axis =
            |what: &str, v: &[usize], default: usize, len: usize| -> IrResult<Vec<usize>> {
                match v.len() {
                    0 => Ok(vec![default; len]),
                    n if n == len => Ok(v.to_vec()),
                    n => Err(IrError::invalid(
                        op,
                        format!("{what} has {n} entries for {rank} spatial axes"),
                    )),
                }
            };
        let strides = per_axis("strides", &self.window.strides, 1, rank)?;
        let dilations = per_axis("dilations", &self.window.dilations, 1, rank)?;
        let output_padding = per_axis("output_padding", &self.output_padding, 0, rank)?;
        let explicit = per_axis("pads", &self.window.pads, 0, 2 * rank)?;
        if strides.contains(&0) || dilations.contains(&0) || kernel.contains(&0) {
            return Err(IrError::invalid(
                op,
                "strides, dilations and kernel must be positive",
            ));
        }
        let requested = match &self.output_shape {
            // Some exporters give the full (N, M, spatial...) shape.
            Some(s) if s.len() == rank + 2 => Some(s[2..].to_vec()),
            Some(s) => Some(per_axis("output_shape", s, 0, rank)?),
            None => None,
        };
        let explicit_pads = self.window.auto_pad == AutoPad::NotSet && !self.window.pads.is_empty();
        let mut pads_begin = vec![0i64; rank];
        let mut output = vec![0usize; rank];
        for a in 0..rank {
            let extent = ((kernel[a] - 1) * dilations[a] + 1) as i64;
            let full = (strides[a] * spatial[a].saturating_sub(1)) as i64
                + output_padding[a] as i64
                + extent;
            let same = matches!(
                self.window.auto_pad,
                AutoPad::SameUpper | AutoPad::SameLower
            );
            let target = match &requested {
                Some(r) => Some(r[a] as i64),
                None if same => Some((spatial[a] * strides[a]) as i64),
                None => None,
            };
            let (begin, out) = match target {
                Some(out) if !explicit_pads => {
                    let total = full - out;
                    let begin = if self.window.auto_pad == AutoPad::SameUpper {
                        total.div_euclid(2)
                    } else {
                        total - total.div_euclid(2)
                    };
                    (begin, out)
                }
                Some(out) => (explicit[a] as i64, out),
                None if self.window.auto_pad == AutoPad::Valid => (0, full),
                None => (
                    explicit[a] as i64,
                    full - explicit[a] as i64 - explicit[rank + a] as i64,
                ),
            };
            if out < 0 {
                return Err(IrError::shape(
                    op,
                    format!("axis {a}: padding leaves a negative output size {out}"),
                ));
            }
            pads_begin[a] = begin;
            output[a] = out as usize;
        }
        let geometry = TransposedGeometry {
            input: spatial.to_vec(),
            kernel: kernel.to_vec(),
            strides,
            dilations,
            pads_begin,
            output,
        };
        Ok((geometry, [batch, in_channels, group_out * self.group]))
    }
}

impl Op for ConvTranspose {
    fn name(&self) -> &'static str {
        "ConvTranspose"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let (x, w) = (inputs.f32(0)?, inputs.f32(1)?);
        let (geometry, [batch, channels, out_channels]) = self.geometry(x.shape(), w.shape())?;
        let rank = geometry.input.len();
        if rank > 3 {
            return Err(IrError::invalid(
                op,
                format!("{rank} spatial axes are not supported (at most 3)"),
            ));
        }
        let bias = match inputs.opt(2) {
            Some(b) => {
                let b = b.as_f32(op, 2)?;
                if b.len() != out_channels {
                    return Err(IrError::shape(
                        op,
                        format!("bias {:?} for {out_channels} channels", b.shape()),
                    ));
                }
                Some(row_major(b))
            }
            None => None,
        };
        // Lift to three spatial axes so one loop nest serves 1-, 2- and 3-D.
        let lift = |v: &[usize], fill: usize| -> Vec<usize> {
            std::iter::repeat_n(fill, 3 - rank)
                .chain(v.iter().copied())
                .collect()
        };
        let g = TransposedGeometry {
            input: lift(&geometry.input, 1),
            kernel: lift(&geometry.kernel, 1),
            strides: lift(&geometry.strides, 1),
            dilations: lift(&geometry.dilations, 1),
            pads_begin: std::iter::repeat_n(0, 3 - rank)
                .chain(geometry.pads_begin.iter().copied())
                .collect(),
            output: lift(&geometry.output, 1),
        };
        let (x, w) = (row_major(x), row_major(w));
        let (cg, mg) = (channels / self.group, out_channels / self.group);
        let in_plane: usize = g.input.iter().product();
        let out_plane: usize = g.output.iter().product();
        let taps: usize = g.kernel.iter().product();
        crate::size::checked_elements(op, &[batch, out_channels, out_plane])?;
        let mut out = vec![0f32; batch * out_channels * out_plane];
        for n in 0..batch {
            for m in 0..out_channels {
                let (group, mo) = (m / mg, m % mg);
                let dst = &mut out[(n * out_channels + m) * out_plane..][..out_plane];
                if let Some(b) = &bias {
                    dst.fill(b[m]);
                }
                for ci in 0..cg {
                    let c = group * cg + ci;
                    let src = &x[(n * channels + c) * in_plane..][..in_plane];
                    let kernel = &w[(c * mg + mo) * taps..][..taps];
                    scatter_plane(&g, src, kernel, dst);
                }
            }
        }
        let shape: Vec<usize> = [batch, out_channels]
            .into_iter()
            .chain(geometry.output.iter().copied())
            .collect();
        Ok(vec![Tensor::F32(
            ArrayD::from_shape_vec(IxDyn(&shape), out).expect("length matches shape"),
        )])
    }

    crate::op_boilerplate!();
}

/// `dst += scatter(src, kernel)` for one input and one output plane of a 3-D geometry.
fn scatter_plane(g: &TransposedGeometry, src: &[f32], kernel: &[f32], dst: &mut [f32]) {
    let (ih, iw) = (g.input[1], g.input[2]);
    let (oh, ow) = (g.output[1], g.output[2]);
    let (kh, kw) = (g.kernel[1], g.kernel[2]);
    let sx = g.strides[2];
    for kz in 0..g.kernel[0] {
        for ky in 0..kh {
            for kx in 0..kw {
                let weight = kernel[(kz * kh + ky) * kw + kx];
                let xs = g.valid_inputs(2, kx);
                if xs.is_empty() {
                    continue;
                }
                let o0 = g.output_index(2, xs.start, kx) as usize;
                for iz in g.valid_inputs(0, kz) {
                    let oz = g.output_index(0, iz, kz) as usize;
                    for iy in g.valid_inputs(1, ky) {
                        let oy = g.output_index(1, iy, ky) as usize;
                        let row = &src[(iz * ih + iy) * iw..][..iw];
                        let out_row = &mut dst[(oz * oh + oy) * ow..][..ow];
                        for (o, i) in out_row[o0..].iter_mut().step_by(sx).zip(&row[xs.clone()]) {
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

    fn run(op: &ConvTranspose, x: Tensor, w: Tensor, b: Option<Tensor>) -> IrResult<Tensor> {
        let slots = [Some(&x), Some(&w), b.as_ref()];
        Ok(op.eval(Inputs::new("ConvTranspose", &slots))?.remove(0))
    }

    fn ones(shape: &[usize]) -> Tensor {
        Tensor::from_f32(shape, vec![1.0; shape.iter().product()]).unwrap()
    }

    fn ct() -> ConvTranspose {
        ConvTranspose {
            group: 1,
            ..ConvTranspose::default()
        }
    }

    #[test]
    fn one_d_overlapping_scatter() {
        let x = Tensor::from_f32(&[1, 1, 3], vec![1., 2., 3.]).unwrap();
        let y = run(
            &ct(),
            x,
            ones(&[1, 2, 3]),
            Some(Tensor::from_f32(&[2], vec![0., 10.]).unwrap()),
        )
        .unwrap();
        assert_eq!(y.shape(), &[1, 2, 5]);
        assert_eq!(
            y.to_f32_vec(),
            vec![1., 3., 6., 5., 3., 11., 13., 16., 15., 13.]
        );
    }

    #[test]
    fn strides_pads_output_padding_and_output_shape() {
        let x = ones(&[1, 1, 2, 2]);
        let mut op = ct();
        op.window.strides = vec![2, 2];
        let y = run(&op, x.clone(), ones(&[1, 1, 3, 3]), None).unwrap();
        assert_eq!(y.shape(), &[1, 1, 5, 5]);
        assert_eq!(y.to_f32_vec()[..5].to_vec(), vec![1., 1., 2., 1., 1.]);
        op.window.pads = vec![1, 1, 1, 1];
        op.output_padding = vec![1, 0];
        let y = run(&op, x.clone(), ones(&[1, 1, 3, 3]), None).unwrap();
        assert_eq!(y.shape(), &[1, 1, 4, 3]);
        assert_eq!(y.to_f32_vec()[9..].to_vec(), vec![1., 2., 1.]);
        let op = ConvTranspose {
            output_shape: Some(vec![6, 6]),
            window: Window {
                strides: vec![2, 2],
                ..Window::default()
            },
            ..ct()
        };
        let y = run(&op, x, ones(&[1, 1, 3, 3]), None).unwrap();
        assert_eq!(y.shape(), &[1, 1, 6, 6]);
        // total padding -1: nothing cropped at the start, one extra row and column.
        assert_eq!(y.to_f32_vec()[30..].to_vec(), vec![0.; 6]);
    }

    #[test]
    fn groups_and_dilations() {
        let x = Tensor::from_f32(&[1, 2, 2], vec![1., 2., 3., 4.]).unwrap();
        let w = Tensor::from_f32(&[2, 1, 2], vec![1., 1., 1., -1.]).unwrap();
        let op = ConvTranspose {
            group: 2,
            window: Window {
                dilations: vec![2],
                ..Window::default()
            },
            ..ct()
        };
        let y = run(&op, x, w, None).unwrap();
        assert_eq!(y.shape(), &[1, 2, 4]);
        assert_eq!(y.to_f32_vec(), vec![1., 2., 1., 2., 3., 4., -3., -4.]);
    }

    #[test]
    fn same_upper_doubles_with_stride() {
        let op = ConvTranspose {
            window: Window {
                strides: vec![2],
                auto_pad: AutoPad::SameUpper,
                ..Window::default()
            },
            ..ct()
        };
        let y = run(&op, ones(&[1, 1, 3]), ones(&[1, 1, 3]), None).unwrap();
        assert_eq!(y.shape(), &[1, 1, 6]);
    }

    #[test]
    fn bad_shapes_are_errors() {
        assert!(run(&ct(), ones(&[1, 2, 3]), ones(&[1, 1, 3]), None).is_err());
        assert!(run(&ct(), ones(&[1, 1, 3]), ones(&[1, 1, 3, 3]), None).is_err());
        assert!(run(&ct(), ones(&[1, 1, 3]), ones(&[1, 2, 3]), Some(ones(&[1]))).is_err());
        let op = ConvTranspose {
            window: Window {
                pads: vec![5, 5],
                ..Window::default()
            },
            ..ct()
        };
        assert!(run(&op, ones(&[1, 1, 3]), ones(&[1, 1, 3]), None).is_err());
        assert!(run(
            &ConvTranspose::default(),
            ones(&[1, 1, 3]),
            ones(&[1, 1, 3]),
            None
        )
        .is_err());
    }
}
