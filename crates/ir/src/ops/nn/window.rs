//! Sliding-window geometry shared by convolutions and pools.
//!
//! The interpreter, the quantizer and the circuit layout must agree exactly on
//! which input element each kernel tap reads. They all go through
//! [`Window::geometry`], which turns the attributes as written in the model
//! (`strides`, `dilations`, `pads`, `auto_pad`, `ceil_mode`) into a concrete
//! [`Geometry`] for one input shape.

use std::borrow::Cow;

use ndarray::ArrayD;

use crate::error::{IrError, IrResult};

/// How the padding of a window op is chosen (ONNX `auto_pad`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AutoPad {
    /// Use the explicit `pads` attribute.
    #[default]
    NotSet,
    /// Output size `ceil(input / stride)`; an odd total padding puts the extra element at the end.
    SameUpper,
    /// Output size `ceil(input / stride)`; an odd total padding puts the extra element at the beginning.
    SameLower,
    /// No padding at all.
    Valid,
}

/// Window attributes as written in the model, one entry per spatial axis.
///
/// An empty vector stands for ONNX's default on every axis (stride 1,
/// dilation 1, no padding): a `Conv` learns its spatial rank from its weights,
/// so its parser cannot always expand the defaults.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Window {
    /// Step between consecutive windows.
    pub strides: Vec<usize>,
    /// Step between consecutive kernel taps.
    pub dilations: Vec<usize>,
    /// Explicit padding `[x1_begin, x2_begin, ..., x1_end, x2_end, ...]`;
    /// only used when `auto_pad` is [`AutoPad::NotSet`].
    pub pads: Vec<usize>,
    /// Automatic padding mode.
    pub auto_pad: AutoPad,
    /// Round the output size up instead of down (pools only). A last window that
    /// would start in the end padding is still dropped, as PyTorch and ONNX do.
    pub ceil_mode: bool,
}

/// Concrete geometry of a window sliding over one input: every value resolved.
///
/// Output position `o` along axis `i` reads, through kernel tap `k`, the input
/// coordinate `o * strides[i] + k * dilations[i] - pads_begin[i]`; coordinates
/// outside `0..input[i]` are padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Geometry {
    /// Spatial input size.
    pub input: Vec<usize>,
    /// Kernel size (undilated).
    pub kernel: Vec<usize>,
    /// Strides.
    pub strides: Vec<usize>,
    /// Dilations.
    pub dilations: Vec<usize>,
    /// Padding before each axis.
    pub pads_begin: Vec<usize>,
    /// Padding after each axis (excluding the implicit overhang of `ceil_mode`).
    pub pads_end: Vec<usize>,
    /// Spatial output size.
    pub output: Vec<usize>,
}

/// Expand an attribute that may be empty (meaning `default` everywhere), checking its length.
fn per_axis(
    op: &'static str,
    what: &str,
    values: &[usize],
    rank: usize,
    default: usize,
) -> IrResult<Vec<usize>> {
    if values.is_empty() {
        Ok(vec![default; rank])
    } else if values.len() == rank {
        Ok(values.to_vec())
    } else {
        Err(IrError::invalid(
            op,
            format!(
                "{what} has {} entries for {rank} spatial axes",
                values.len()
            ),
        ))
    }
}

impl Window {
    /// Resolve the window for a spatial input size and kernel size.
    pub fn geometry(
        &self,
        op: &'static str,
        input: &[usize],
        kernel: &[usize],
    ) -> IrResult<Geometry> {
        let rank = input.len();
        if kernel.len() != rank {
            return Err(IrError::shape(
                op,
                format!("kernel {kernel:?} does not match spatial input {input:?}"),
            ));
        }
        let strides = per_axis(op, "strides", &self.strides, rank, 1)?;
        let dilations = per_axis(op, "dilations", &self.dilations, rank, 1)?;
        let pads = per_axis(op, "pads", &self.pads, 2 * rank, 0)?;
        if strides.contains(&0) || dilations.contains(&0) || kernel.contains(&0) {
            return Err(IrError::invalid(
                op,
                format!("strides {strides:?}, dilations {dilations:?} and kernel {kernel:?} must be positive"),
            ));
        }
        let mut geometry = Geometry {
            input: input.to_vec(),
            kernel: kernel.to_vec(),
            strides,
            dilations,
            pads_begin: vec![0; rank],
            pads_end: vec![0; rank],
            output: vec![0; rank],
        };
        for axis in 0..rank {
            let (len, stride) = (input[axis], geometry.strides[axis]);
            let extent = geometry.extent(axis);
            let (begin, end, out) = match self.auto_pad {
                AutoPad::SameUpper | AutoPad::SameLower => {
                    let out = len.div_ceil(stride);
                    let total = ((out.max(1) - 1) * stride + extent).saturating_sub(len);
                    let small = total / 2;
                    if self.auto_pad == AutoPad::SameUpper {
                        (small, total - small, out)
                    } else {
                        (total - small, small, out)
                    }
                }
                AutoPad::NotSet | AutoPad::Valid => {
                    let (begin, end) = if self.auto_pad == AutoPad::Valid {
                        (0, 0)
                    } else {
                        (pads[axis], pads[rank + axis])
                    };
                    let padded = len + begin + end;
                    if padded < extent {
                        return Err(IrError::shape(
                            op,
                            format!(
                                "axis {axis}: padded input {padded} is smaller than the dilated kernel {extent}"
                            ),
                        ));
                    }
                    let span = padded - extent;
                    let mut out = if self.ceil_mode {
                        span.div_ceil(stride) + 1
                    } else {
                        span / stride + 1
                    };
                    // Drop a last window that would start in the end padding.
                    if self.ceil_mode && (out - 1) * stride >= len + begin {
                        out -= 1;
                    }
                    (begin, end, out)
                }
            };
            geometry.pads_begin[axis] = begin;
            geometry.pads_end[axis] = end;
            geometry.output[axis] = out;
        }
        crate::size::checked_elements(op, &geometry.output)?;
        Ok(geometry)
    }
}

impl Geometry {
    /// Number of spatial axes.
    pub fn rank(&self) -> usize {
        self.input.len()
    }

    /// Span of the dilated kernel along `axis`.
    pub fn extent(&self, axis: usize) -> usize {
        (self.kernel[axis] - 1) * self.dilations[axis] + 1
    }

    /// The input coordinate that kernel tap `tap` of output position `out` reads
    /// along `axis`, or `None` when it falls in the padding.
    pub fn input_index(&self, axis: usize, out: usize, tap: usize) -> Option<usize> {
        let pos = (out * self.strides[axis] + tap * self.dilations[axis])
            .checked_sub(self.pads_begin[axis])?;
        (pos < self.input[axis]).then_some(pos)
    }

    /// Taps of output position `out` along `axis` that read real input, as a range
    /// `lo..hi` (the taps of a window are consecutive, padding only trims its ends).
    pub fn valid_taps(&self, axis: usize, out: usize) -> std::ops::Range<usize> {
        self.taps_within(axis, out, 0, self.input[axis])
    }

    /// Taps of output position `out` along `axis` that read input or explicit
    /// padding (not the overhang of `ceil_mode`): what `count_include_pad` counts.
    pub fn padded_taps(&self, axis: usize, out: usize) -> std::ops::Range<usize> {
        let end = self.pads_begin[axis] + self.input[axis] + self.pads_end[axis];
        // Work in padded coordinates: shift by pads_begin.
        let start = out * self.strides[axis];
        let d = self.dilations[axis];
        let k = self.kernel[axis];
        let hi = if start >= end {
            0
        } else {
            ((end - start).div_ceil(d)).min(k)
        };
        0..hi
    }

    /// Taps whose padded coordinate `out * stride + tap * dilation` lies in
    /// `pads_begin + from .. pads_begin + to`.
    fn taps_within(
        &self,
        axis: usize,
        out: usize,
        from: usize,
        to: usize,
    ) -> std::ops::Range<usize> {
        let start = out * self.strides[axis];
        let (lo_pos, hi_pos) = (self.pads_begin[axis] + from, self.pads_begin[axis] + to);
        let d = self.dilations[axis];
        let k = self.kernel[axis];
        let lo = if start >= lo_pos {
            0
        } else {
            (lo_pos - start).div_ceil(d)
        };
        let hi = if start >= hi_pos {
            0
        } else {
            (hi_pos - start).div_ceil(d)
        };
        let (lo, hi) = (lo.min(k), hi.min(k));
        lo..hi.max(lo)
    }

    /// Output positions along `axis` whose tap `tap` reads real input, as a range.
    pub fn valid_outputs(&self, axis: usize, tap: usize) -> std::ops::Range<usize> {
        let offset = tap * self.dilations[axis];
        let (s, pb, len) = (self.strides[axis], self.pads_begin[axis], self.input[axis]);
        // out * s + offset - pb in 0..len
        let lo = if offset >= pb {
            0
        } else {
            (pb - offset).div_ceil(s)
        };
        let hi = if offset >= pb + len {
            0
        } else {
            (pb + len - offset).div_ceil(s)
        };
        let (lo, hi) = (lo.min(self.output[axis]), hi.min(self.output[axis]));
        lo..hi.max(lo)
    }

    /// The same geometry with leading unit axes so that it has exactly three
    /// spatial axes; kernels are written once for 3-D and serve 0- to 3-D inputs.
    pub(crate) fn to_3d(&self, op: &'static str) -> IrResult<Geometry> {
        let rank = self.rank();
        if rank > 3 {
            return Err(IrError::invalid(
                op,
                format!("{rank} spatial axes are not supported (at most 3)"),
            ));
        }
        let lift = |v: &[usize], fill: usize| -> Vec<usize> {
            std::iter::repeat_n(fill, 3 - rank)
                .chain(v.iter().copied())
                .collect()
        };
        Ok(Geometry {
            input: lift(&self.input, 1),
            kernel: lift(&self.kernel, 1),
            strides: lift(&self.strides, 1),
            dilations: lift(&self.dilations, 1),
            pads_begin: lift(&self.pads_begin, 0),
            pads_end: lift(&self.pads_end, 0),
            output: lift(&self.output, 1),
        })
    }
}

/// The elements of an array in row-major order, borrowed when already contiguous.
pub(crate) fn row_major<T: Clone>(a: &ArrayD<T>) -> Cow<'_, [T]> {
    match a.as_slice() {
        Some(s) => Cow::Borrowed(s),
        None => Cow::Owned(a.iter().cloned().collect()),
    }
}

/// Split an `(N, C, spatial...)` shape, checking that it has batch and channel axes.
pub(crate) fn split_nc<'a>(
    op: &'static str,
    shape: &'a [usize],
) -> IrResult<(usize, usize, &'a [usize])> {
    match shape {
        [n, c, spatial @ ..] => Ok((*n, *c, spatial)),
        _ => Err(IrError::shape(
            op,
            format!("input {shape:?} needs batch and channel axes (N, C, ...)"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(strides: &[usize], pads: &[usize], auto_pad: AutoPad, ceil_mode: bool) -> Window {
        Window {
            strides: strides.to_vec(),
            dilations: vec![],
            pads: pads.to_vec(),
            auto_pad,
            ceil_mode,
        }
    }

    #[test]
    fn explicit_padding_floor_and_ceil() {
        let g = window(&[2], &[1, 1], AutoPad::NotSet, false)
            .geometry("T", &[6], &[3])
            .unwrap();
        assert_eq!(g.output, vec![3]);
        let g = window(&[2], &[0, 0], AutoPad::NotSet, true)
            .geometry("T", &[6], &[3])
            .unwrap();
        assert_eq!(g.output, vec![3]);
        let g = window(&[2], &[0, 0], AutoPad::NotSet, false)
            .geometry("T", &[6], &[3])
            .unwrap();
        assert_eq!(g.output, vec![2]);
    }

    #[test]
    fn ceil_mode_drops_window_starting_in_end_padding() {
        // in 4, pads 1/1, kernel 2, stride 2: ceil gives 3 windows, the last would start at 4 >= 4 + 1 - 1.
        let g = window(&[2], &[1, 1], AutoPad::NotSet, true)
            .geometry("T", &[4], &[2])
            .unwrap();
        assert_eq!(g.output, vec![3]);
        let g = window(&[3], &[1, 1], AutoPad::NotSet, true)
            .geometry("T", &[5], &[2])
            .unwrap();
        // span 5, ceil(5/3)+1 = 3, last starts at 6 >= 5 + 1 → 2.
        assert_eq!(g.output, vec![2]);
    }

    #[test]
    fn same_upper_and_lower() {
        let up = window(&[1, 2], &[], AutoPad::SameUpper, false)
            .geometry("T", &[5, 5], &[2, 4])
            .unwrap();
        assert_eq!(up.output, vec![5, 3]);
        assert_eq!(
            (up.pads_begin.clone(), up.pads_end.clone()),
            (vec![0, 1], vec![1, 2])
        );
        let low = window(&[1, 2], &[], AutoPad::SameLower, false)
            .geometry("T", &[5, 5], &[2, 4])
            .unwrap();
        assert_eq!((low.pads_begin, low.pads_end), (vec![1, 2], vec![0, 1]));
    }

    #[test]
    fn valid_ignores_pads() {
        let g = window(&[1], &[3, 3], AutoPad::Valid, false)
            .geometry("T", &[5], &[3])
            .unwrap();
        assert_eq!(g.output, vec![3]);
    }

    #[test]
    fn tap_and_output_ranges_agree_with_input_index() {
        let w = Window {
            strides: vec![2],
            dilations: vec![2],
            pads: vec![3, 2],
            ..Window::default()
        };
        let g = w.geometry("T", &[7], &[3]).unwrap();
        for out in 0..g.output[0] {
            let taps = g.valid_taps(0, out);
            for tap in 0..3 {
                assert_eq!(g.input_index(0, out, tap).is_some(), taps.contains(&tap));
                assert_eq!(g.valid_outputs(0, tap).contains(&out), taps.contains(&tap));
            }
        }
    }

    #[test]
    fn bad_windows_are_errors() {
        let w = Window::default();
        assert!(w.geometry("T", &[2], &[3]).is_err());
        assert!(w.geometry("T", &[2, 2], &[1]).is_err());
        let w = Window {
            strides: vec![0],
            ..Window::default()
        };
        assert!(w.geometry("T", &[4], &[1]).is_err());
        let w = Window {
            pads: vec![1],
            ..Window::default()
        };
        assert!(w.geometry("T", &[4], &[1]).is_err());
    }
}
