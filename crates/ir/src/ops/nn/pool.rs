//! Windowed pools (`MaxPool`, `AveragePool`, `LpPool`) and global pools
//! (`GlobalMaxPool`, `GlobalAveragePool`, `GlobalLpPool`).

use ndarray::{ArrayD, IxDyn};

use super::window::{row_major, split_nc, Geometry, Window};
use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// Resolve a pool's geometry for an `(N, C, spatial...)` input.
fn pool_geometry(
    op: &'static str,
    window: &Window,
    kernel: &[usize],
    input: &[usize],
) -> IrResult<Geometry> {
    let (_, _, spatial) = split_nc(op, input)?;
    if kernel.len() != spatial.len() {
        return Err(IrError::shape(
            op,
            format!("kernel_shape {kernel:?} does not match input {input:?}"),
        ));
    }
    let geometry = window.geometry(op, spatial, kernel)?;
    crate::size::checked_elements(op, &output_shape(input, &geometry))?;
    Ok(geometry)
}

fn output_shape(input: &[usize], g: &Geometry) -> Vec<usize> {
    input[..2].iter().chain(&g.output).copied().collect()
}

/// Call `f(z, y, x)` for every input coordinate (of a 3-D geometry) that window
/// `out` reads, skipping padding, in row-major order.
#[inline]
fn for_each_tap(g: &Geometry, out: [usize; 3], mut f: impl FnMut(usize, usize, usize)) {
    let coord = |axis: usize, tap: usize| {
        out[axis] * g.strides[axis] + tap * g.dilations[axis] - g.pads_begin[axis]
    };
    for kz in g.valid_taps(0, out[0]) {
        let z = coord(0, kz);
        for ky in g.valid_taps(1, out[1]) {
            let y = coord(1, ky);
            for kx in g.valid_taps(2, out[2]) {
                f(z, y, coord(2, kx));
            }
        }
    }
}

/// Run `reduce(plane, window)` for every plane and output position of a 3-D
/// geometry, collecting the results in row-major output order.
fn pool_map<T>(
    g: &Geometry,
    planes: usize,
    mut reduce: impl FnMut(usize, [usize; 3]) -> T,
) -> Vec<T> {
    let mut out = Vec::with_capacity(planes * g.output.iter().product::<usize>());
    for plane in 0..planes {
        for oz in 0..g.output[0] {
            for oy in 0..g.output[1] {
                for ox in 0..g.output[2] {
                    out.push(reduce(plane, [oz, oy, ox]));
                }
            }
        }
    }
    out
}

fn to_tensor<T>(shape: &[usize], data: Vec<T>) -> ArrayD<T> {
    ArrayD::from_shape_vec(IxDyn(shape), data).expect("length matches shape")
}

/// Maximum over each window; padding never wins. With a second output, also the
/// flat index (into the whole input) of each maximum.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MaxPool {
    /// Window size.
    pub kernel_shape: Vec<usize>,
    /// Strides, dilations, padding, `ceil_mode`.
    pub window: Window,
    /// Layout the `Indices` output counts in: 0 row-major, 1 column-major over the spatial axes.
    pub storage_order: i64,
}

impl MaxPool {
    /// Resolve the geometry for an `(N, C, spatial...)` input.
    pub fn geometry(&self, input: &[usize]) -> IrResult<Geometry> {
        pool_geometry(self.name(), &self.window, &self.kernel_shape, input)
    }
}

impl Op for MaxPool {
    fn name(&self) -> &'static str {
        "MaxPool"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let x = inputs.f32(0)?;
        let geometry = self.geometry(x.shape())?;
        let g = geometry.to_3d(op)?;
        let planes = x.shape()[0] * x.shape()[1];
        let in_plane: usize = g.input.iter().product();
        let data = row_major(x);
        let (id, ih, iw) = (g.input[0], g.input[1], g.input[2]);
        let column_major = self.storage_order == 1;
        let results = pool_map(&g, planes, |plane, out| {
            let src = &data[plane * in_plane..][..in_plane];
            // An all-padding window yields 0 and index -1, as ONNX's reference does.
            let mut best: Option<(f32, i64)> = None;
            for_each_tap(&g, out, |z, y, xx| {
                let v = src[(z * ih + y) * iw + xx];
                if best.is_none_or(|(b, _)| v > b) {
                    let spatial = if column_major {
                        z + y * id + xx * id * ih
                    } else {
                        (z * ih + y) * iw + xx
                    };
                    best = Some((v, (plane * in_plane + spatial) as i64));
                }
            });
            best.unwrap_or((0.0, -1))
        });
        let shape = output_shape(x.shape(), &geometry);
        let values = results.iter().map(|r| r.0).collect();
        let indices = results.iter().map(|r| r.1).collect();
        Ok(vec![
            Tensor::F32(to_tensor(&shape, values)),
            Tensor::I64(to_tensor(&shape, indices)),
        ])
    }

    crate::op_boilerplate!();
}

/// Mean over each window.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AveragePool {
    /// Window size.
    pub kernel_shape: Vec<usize>,
    /// Strides, dilations, padding, `ceil_mode`.
    pub window: Window,
    /// Divide by the window size including padded positions (but never the
    /// overhang `ceil_mode` adds) instead of by the number of real inputs.
    pub count_include_pad: bool,
}

impl AveragePool {
    /// Resolve the geometry for an `(N, C, spatial...)` input.
    pub fn geometry(&self, input: &[usize]) -> IrResult<Geometry> {
        pool_geometry(self.name(), &self.window, &self.kernel_shape, input)
    }

    /// The divisor of window `out` (output coordinates along each spatial axis).
    pub fn divisor(&self, g: &Geometry, out: &[usize]) -> usize {
        (0..g.rank())
            .map(|axis| {
                if self.count_include_pad {
                    g.padded_taps(axis, out[axis]).len()
                } else {
                    g.valid_taps(axis, out[axis]).len()
                }
            })
            .product()
    }
}

impl Op for AveragePool {
    fn name(&self) -> &'static str {
        "AveragePool"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let x = inputs.f32(0)?;
        let geometry = self.geometry(x.shape())?;
        let g = geometry.to_3d(op)?;
        let planes = x.shape()[0] * x.shape()[1];
        let in_plane: usize = g.input.iter().product();
        let data = row_major(x);
        let (ih, iw) = (g.input[1], g.input[2]);
        let values = pool_map(&g, planes, |plane, out| {
            let src = &data[plane * in_plane..][..in_plane];
            let mut sum = 0f32;
            for_each_tap(&g, out, |z, y, xx| sum += src[(z * ih + y) * iw + xx]);
            let divisor = self.divisor(&g, &out);
            if divisor == 0 {
                0.0
            } else {
                sum / divisor as f32
            }
        });
        Ok(vec![Tensor::F32(to_tensor(
            &output_shape(x.shape(), &geometry),
            values,
        ))])
    }

    crate::op_boilerplate!();
}

/// `(Σ |x|^p)^(1/p)` over each window; padding contributes nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LpPool {
    /// Window size.
    pub kernel_shape: Vec<usize>,
    /// Strides, dilations, padding, `ceil_mode`.
    pub window: Window,
    /// The norm's exponent.
    pub p: f32,
}

impl LpPool {
    /// Resolve the geometry for an `(N, C, spatial...)` input.
    pub fn geometry(&self, input: &[usize]) -> IrResult<Geometry> {
        pool_geometry(self.name(), &self.window, &self.kernel_shape, input)
    }
}

/// `|x|^p`, exact for the common exponents.
fn abs_pow(x: f32, p: f32) -> f32 {
    match p {
        1.0 => x.abs(),
        2.0 => x * x,
        _ => x.abs().powf(p),
    }
}

/// `s^(1/p)`, exact for the common exponents.
fn root(s: f32, p: f32) -> f32 {
    match p {
        1.0 => s,
        2.0 => s.sqrt(),
        _ => s.powf(1.0 / p),
    }
}

impl Op for LpPool {
    fn name(&self) -> &'static str {
        "LpPool"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let x = inputs.f32(0)?;
        let geometry = self.geometry(x.shape())?;
        let g = geometry.to_3d(op)?;
        let planes = x.shape()[0] * x.shape()[1];
        let in_plane: usize = g.input.iter().product();
        let data = row_major(x);
        let (ih, iw, p) = (g.input[1], g.input[2], self.p);
        let values = pool_map(&g, planes, |plane, out| {
            let src = &data[plane * in_plane..][..in_plane];
            let mut sum = 0f32;
            for_each_tap(&g, out, |z, y, xx| {
                sum += abs_pow(src[(z * ih + y) * iw + xx], p)
            });
            root(sum, p)
        });
        Ok(vec![Tensor::F32(to_tensor(
            &output_shape(x.shape(), &geometry),
            values,
        ))])
    }

    crate::op_boilerplate!();
}

/// What a [`GlobalPool`] computes over each channel's whole spatial extent.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GlobalPoolKind {
    /// Mean (`GlobalAveragePool`).
    Average,
    /// Maximum (`GlobalMaxPool`).
    Max,
    /// `(Σ |x|^p)^(1/p)` (`GlobalLpPool`).
    Lp {
        /// The norm's exponent.
        p: f32,
    },
}

/// Pool over all spatial axes: `(N, C, spatial...)` → `(N, C, 1, ...)`.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalPool {
    /// The reduction.
    pub kind: GlobalPoolKind,
}

impl Op for GlobalPool {
    fn name(&self) -> &'static str {
        match self.kind {
            GlobalPoolKind::Average => "GlobalAveragePool",
            GlobalPoolKind::Max => "GlobalMaxPool",
            GlobalPoolKind::Lp { .. } => "GlobalLpPool",
        }
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let op = self.name();
        let x = inputs.f32(0)?;
        let (n, c, spatial) = split_nc(op, x.shape())?;
        let plane: usize = spatial.iter().product();
        if plane == 0 {
            return Err(IrError::shape(
                op,
                format!("input {:?} has an empty spatial extent", x.shape()),
            ));
        }
        let data = row_major(x);
        let values: Vec<f32> = (0..n * c)
            .map(|i| {
                let src = &data[i * plane..][..plane];
                match self.kind {
                    GlobalPoolKind::Average => src.iter().sum::<f32>() / plane as f32,
                    GlobalPoolKind::Max => src.iter().copied().fold(f32::NEG_INFINITY, f32::max),
                    GlobalPoolKind::Lp { p } => root(src.iter().map(|&v| abs_pow(v, p)).sum(), p),
                }
            })
            .collect();
        let shape: Vec<usize> = [n, c]
            .into_iter()
            .chain(spatial.iter().map(|_| 1))
            .collect();
        Ok(vec![Tensor::F32(to_tensor(&shape, values))])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::nn::AutoPad;

    fn eval(op: &dyn Op, x: Tensor) -> IrResult<Vec<Tensor>> {
        let slots = [Some(&x)];
        op.eval(Inputs::new(op.name(), &slots))
    }

    fn ramp(shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        Tensor::from_f32(shape, (0..n).map(|i| i as f32 + 1.0).collect()).unwrap()
    }

    #[test]
    fn max_pool_2d_with_indices_both_orders() {
        let x = ramp(&[1, 1, 3, 3]);
        let mut pool = MaxPool {
            kernel_shape: vec![2, 2],
            ..MaxPool::default()
        };
        let out = eval(&pool, x.clone()).unwrap();
        assert_eq!(out[0].to_f32_vec(), vec![5., 6., 8., 9.]);
        assert_eq!(out[1].to_i64_vec(), vec![4, 5, 7, 8]);
        pool.storage_order = 1;
        let out = eval(&pool, x).unwrap();
        // (h, w) → h + w * H.
        assert_eq!(out[1].to_i64_vec(), vec![4, 7, 5, 8]);
    }

    #[test]
    fn max_pool_ceil_mode_and_dilations() {
        let x = ramp(&[1, 1, 4, 4]);
        let pool = MaxPool {
            kernel_shape: vec![3, 3],
            window: Window {
                strides: vec![2, 2],
                ceil_mode: true,
                ..Window::default()
            },
            ..MaxPool::default()
        };
        assert_eq!(
            eval(&pool, x.clone()).unwrap()[0].to_f32_vec(),
            vec![11., 12., 15., 16.]
        );
        let pool = MaxPool {
            kernel_shape: vec![2, 2],
            window: Window {
                dilations: vec![2, 2],
                ..Window::default()
            },
            ..MaxPool::default()
        };
        assert_eq!(
            eval(&pool, x).unwrap()[0].to_f32_vec(),
            vec![11., 12., 15., 16.]
        );
    }

    #[test]
    fn average_pool_count_include_pad() {
        let x = ramp(&[1, 1, 2, 2]);
        let window = Window {
            pads: vec![1, 1, 1, 1],
            strides: vec![2, 2],
            ..Window::default()
        };
        let mut pool = AveragePool {
            kernel_shape: vec![2, 2],
            window,
            count_include_pad: false,
        };
        assert_eq!(
            eval(&pool, x.clone()).unwrap()[0].to_f32_vec(),
            vec![1., 2., 3., 4.]
        );
        pool.count_include_pad = true;
        assert_eq!(
            eval(&pool, x).unwrap()[0].to_f32_vec(),
            vec![0.25, 0.5, 0.75, 1.0]
        );
    }

    #[test]
    fn average_pool_1d_same_upper_and_3d() {
        let pool = AveragePool {
            kernel_shape: vec![2],
            window: Window {
                auto_pad: AutoPad::SameUpper,
                ..Window::default()
            },
            count_include_pad: false,
        };
        assert_eq!(
            eval(&pool, ramp(&[1, 1, 3])).unwrap()[0].to_f32_vec(),
            vec![1.5, 2.5, 3.0]
        );
        let pool = AveragePool {
            kernel_shape: vec![2, 2, 2],
            ..AveragePool::default()
        };
        let y = eval(&pool, ramp(&[1, 1, 2, 2, 2])).unwrap().remove(0);
        assert_eq!(y.shape(), &[1, 1, 1, 1, 1]);
        assert_eq!(y.to_f32_vec(), vec![4.5]);
    }

    #[test]
    fn lp_pool_and_globals() {
        let x = Tensor::from_f32(&[1, 1, 2, 2], vec![3., -4., 0., 0.]).unwrap();
        let lp = LpPool {
            kernel_shape: vec![2, 2],
            window: Window::default(),
            p: 2.0,
        };
        assert_eq!(eval(&lp, x.clone()).unwrap()[0].to_f32_vec(), vec![5.0]);
        let avg = GlobalPool {
            kind: GlobalPoolKind::Average,
        };
        let y = eval(&avg, x.clone()).unwrap().remove(0);
        assert_eq!(y.shape(), &[1, 1, 1, 1]);
        assert_eq!(y.to_f32_vec(), vec![-0.25]);
        let max = GlobalPool {
            kind: GlobalPoolKind::Max,
        };
        assert_eq!(eval(&max, x.clone()).unwrap()[0].to_f32_vec(), vec![3.0]);
        let lp = GlobalPool {
            kind: GlobalPoolKind::Lp { p: 1.0 },
        };
        assert_eq!(eval(&lp, x).unwrap()[0].to_f32_vec(), vec![7.0]);
    }

    #[test]
    fn bad_shapes_are_errors() {
        let pool = MaxPool {
            kernel_shape: vec![2, 2],
            ..MaxPool::default()
        };
        assert!(eval(&pool, ramp(&[1, 1, 4])).is_err());
        assert!(eval(&pool, ramp(&[1, 1, 1, 4])).is_err());
        assert!(eval(&pool, ramp(&[4])).is_err());
        assert!(eval(
            &GlobalPool {
                kind: GlobalPoolKind::Max
            },
            ramp(&[3])
        )
        .is_err());
        assert!(eval(&pool, Tensor::vec_i64(vec![1, 2])).is_err());
    }
}
