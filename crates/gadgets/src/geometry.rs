//! Convolution and pooling geometry, passed as explicit parameters.
//!
//! Tensors are one image in CHW layout, flattened row-major. Padding cells
//! are absent rather than zero: a convolution skips their taps and a pooling
//! window does not contain them.

/// A 2-D sliding window: kernel, stride, dilation and padding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window2d {
    /// Input height.
    pub in_height: usize,
    /// Input width.
    pub in_width: usize,
    /// Kernel (height, width).
    pub kernel: (usize, usize),
    /// Stride (vertical, horizontal).
    pub stride: (usize, usize),
    /// Dilation (vertical, horizontal).
    pub dilation: (usize, usize),
    /// Padding (top, left, bottom, right).
    pub padding: [usize; 4],
}

impl Window2d {
    /// A window without padding or dilation.
    pub fn simple(in_height: usize, in_width: usize, kernel: usize, stride: usize) -> Self {
        Window2d {
            in_height,
            in_width,
            kernel: (kernel, kernel),
            stride: (stride, stride),
            dilation: (1, 1),
            padding: [0; 4],
        }
    }

    /// Output height.
    pub fn out_height(&self) -> usize {
        let span = self.dilation.0 * (self.kernel.0 - 1) + 1;
        (self.in_height + self.padding[0] + self.padding[2] - span) / self.stride.0 + 1
    }

    /// Output width.
    pub fn out_width(&self) -> usize {
        let span = self.dilation.1 * (self.kernel.1 - 1) + 1;
        (self.in_width + self.padding[1] + self.padding[3] - span) / self.stride.1 + 1
    }

    /// The in-bounds taps of output position `(oy, ox)`: `(kernel index ky·kw + kx, input index y·W + x)`.
    pub fn taps(&self, oy: usize, ox: usize) -> Vec<(usize, usize)> {
        let mut taps = Vec::with_capacity(self.kernel.0 * self.kernel.1);
        for ky in 0..self.kernel.0 {
            let y = (oy * self.stride.0 + ky * self.dilation.0) as isize - self.padding[0] as isize;
            if y < 0 || y >= self.in_height as isize {
                continue;
            }
            for kx in 0..self.kernel.1 {
                let x =
                    (ox * self.stride.1 + kx * self.dilation.1) as isize - self.padding[1] as isize;
                if x < 0 || x >= self.in_width as isize {
                    continue;
                }
                taps.push((
                    ky * self.kernel.1 + kx,
                    y as usize * self.in_width + x as usize,
                ));
            }
        }
        taps
    }
}

/// A grouped 2-D convolution of one CHW image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conv2dGeometry {
    /// Input channels.
    pub in_channels: usize,
    /// Output channels.
    pub out_channels: usize,
    /// Groups (`in_channels` and `out_channels` are multiples).
    pub groups: usize,
    /// The sliding window.
    pub window: Window2d,
}

impl Conv2dGeometry {
    /// Number of input elements.
    pub fn input_len(&self) -> usize {
        self.in_channels * self.window.in_height * self.window.in_width
    }

    /// Number of output elements.
    pub fn output_len(&self) -> usize {
        self.out_channels * self.window.out_height() * self.window.out_width()
    }

    /// Number of weights, laid out `[out_channels][in_channels/groups][kh][kw]`.
    pub fn weight_len(&self) -> usize {
        self.out_channels
            * (self.in_channels / self.groups)
            * self.window.kernel.0
            * self.window.kernel.1
    }

    /// For every output (row-major over `[oc][oy][ox]`), its `(weight index, input index)` pairs.
    pub fn products(&self) -> Vec<Vec<(usize, usize)>> {
        let w = &self.window;
        let (oh, ow) = (w.out_height(), w.out_width());
        let per_group_in = self.in_channels / self.groups;
        let per_group_out = self.out_channels / self.groups;
        let kernel_area = w.kernel.0 * w.kernel.1;
        let plane = w.in_height * w.in_width;
        let mut out = Vec::with_capacity(self.output_len());
        for oc in 0..self.out_channels {
            let group = oc / per_group_out;
            for oy in 0..oh {
                for ox in 0..ow {
                    let taps = w.taps(oy, ox);
                    let mut pairs = Vec::with_capacity(per_group_in * taps.len());
                    for ic in 0..per_group_in {
                        let channel = group * per_group_in + ic;
                        for &(k, i) in &taps {
                            pairs.push((
                                (oc * per_group_in + ic) * kernel_area + k,
                                channel * plane + i,
                            ));
                        }
                    }
                    out.push(pairs);
                }
            }
        }
        out
    }
}

/// A 2-D pooling of one CHW image (each channel separately).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pool2dGeometry {
    /// Channels.
    pub channels: usize,
    /// The sliding window.
    pub window: Window2d,
}

impl Pool2dGeometry {
    /// Number of input elements.
    pub fn input_len(&self) -> usize {
        self.channels * self.window.in_height * self.window.in_width
    }

    /// The input indices of every window, row-major over `[c][oy][ox]`.
    pub fn windows(&self) -> Vec<Vec<usize>> {
        let w = &self.window;
        let plane = w.in_height * w.in_width;
        let mut out = Vec::new();
        for c in 0..self.channels {
            for oy in 0..w.out_height() {
                for ox in 0..w.out_width() {
                    out.push(
                        w.taps(oy, ox)
                            .into_iter()
                            .map(|(_, i)| c * plane + i)
                            .collect(),
                    );
                }
            }
        }
        out
    }
}
