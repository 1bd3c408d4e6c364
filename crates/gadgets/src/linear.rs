//! Dot products, MatMul/Gemm and Conv: private×fixed (free) and private×private
//! (one constraint per product).
//!
//! A fixed operand (weights that are circuit constants) makes every output a
//! linear combination of the inputs: no constraint, no witness. With two
//! private operands each product needs one constraint; a length-`n` dot
//! product allocates `t_1..t_{n−1}` and its output, and the last product is
//! checked directly against `out − Σ t_j`, so its cost is exactly `n`
//! constraints and `n` witnesses (`4n − 1` non-zeros). Bias is added as a
//! constant (fixed) or a free linear term (private). Gemm is a MatMul after
//! transposing the constant operand (or permuting private wires, also free);
//! its `alpha`/`beta` are folded into integer weights by the quantizer.

use crate::cost::Cost;
use crate::error::Result;
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::geometry::Conv2dGeometry;
use crate::range::enforce;
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_quant::arith::{dot, Bits};

/// `Σ a_i·b_i` for private `a`, `b` (one constraint per product); returns a single variable.
pub fn dot_private<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    pairs: &[(&Wire<F>, &Wire<F>)],
) -> Result<Wire<F>> {
    let Some((last, rest)) = pairs.split_last() else {
        return Ok(Wire::constant(0));
    };
    let mut partials = Vec::with_capacity(rest.len());
    for (a, b) in rest {
        partials.push(crate::range::mul(cs, a, b, "product")?);
    }
    let values: Option<Vec<i128>> = pairs
        .iter()
        .map(|(a, b)| a.value.zip(b.value).map(|(x, y)| x * y))
        .collect();
    let out = Wire::witness(cs, "dot", values.map(|v| v.iter().sum()))?;
    let mut terms: Vec<(i128, &Wire<F>)> = vec![(1, &out)];
    terms.extend(partials.iter().map(|p| (-1, p)));
    enforce(
        cs,
        last.0.lc.clone(),
        last.1.lc.clone(),
        Wire::linear(&terms, 0).lc,
    )?;
    Ok(out)
}

/// Cost of [`dot_private`] on `n ≥ 1` single-variable pairs: `(n, n, 4n − 1)`.
pub fn dot_private_cost(n: usize) -> Cost {
    if n == 0 {
        Cost::ZERO
    } else {
        Cost::new(n, n, 4 * n - 1)
    }
}

/// `Σ w_i·x_i + bias` for constant weights: free.
pub fn dot_fixed<F: PrimeField>(xs: &[&Wire<F>], weights: &[i64], bias: i64) -> Wire<F> {
    let terms: Vec<(i128, &Wire<F>)> = weights
        .iter()
        .map(|&w| w as i128)
        .zip(xs.iter().copied())
        .collect();
    Wire::linear(&terms, bias as i128)
}

/// Dot product of two private vectors: inputs are `a ++ b`.
///
/// Cost: `len` constraints, `len` witnesses, `4·len − 1` non-zeros.
#[derive(Clone, Debug)]
pub struct DotPrivate {
    /// Vector length.
    pub len: usize,
    /// Signed width of both operands.
    pub bits: u32,
}

impl<F: PrimeField> Gadget<F> for DotPrivate {
    fn name(&self) -> &'static str {
        "dot_private"
    }
    fn input_len(&self) -> usize {
        2 * self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        vec![dot(&inputs[..self.len], &inputs[self.len..])]
    }
    fn cost(&self) -> Cost {
        dot_private_cost(self.len)
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "dot_private");
        check_arity("dot_private", 2 * self.len, inputs.len())?;
        let (a, b) = inputs.split_at(self.len);
        let pairs: Vec<_> = a.iter().zip(b).collect();
        Ok(vec![dot_private(&cs, &pairs)?])
    }
}

/// `A·W + bias` with private `A` (`rows × inner`) and constant `W` (`inner × cols`): free.
#[derive(Clone, Debug)]
pub struct MatMulFixed {
    /// Rows of `A`.
    pub rows: usize,
    /// Columns of `A` = rows of `W`.
    pub inner: usize,
    /// Columns of `W`.
    pub cols: usize,
    /// `W`, row-major.
    pub weights: Vec<i64>,
    /// Bias per output column (at the accumulator's scale), or none.
    pub bias: Option<Vec<i64>>,
    /// Signed width of `A`'s elements.
    pub bits: u32,
}

impl MatMulFixed {
    fn column(&self, j: usize) -> Vec<i64> {
        (0..self.inner)
            .map(|k| self.weights[k * self.cols + j])
            .collect()
    }
    fn bias(&self, j: usize) -> i64 {
        self.bias.as_ref().map_or(0, |b| b[j])
    }
}

impl<F: PrimeField> Gadget<F> for MatMulFixed {
    fn name(&self) -> &'static str {
        "matmul_fixed"
    }
    fn input_len(&self) -> usize {
        self.rows * self.inner
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        let mut out = Vec::with_capacity(self.rows * self.cols);
        for i in 0..self.rows {
            let row = &inputs[i * self.inner..(i + 1) * self.inner];
            for j in 0..self.cols {
                let w: Vec<i128> = self.column(j).iter().map(|&w| w as i128).collect();
                out.push(dot(row, &w) + self.bias(j) as i128);
            }
        }
        out
    }
    fn cost(&self) -> Cost {
        Cost::ZERO
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "matmul_fixed");
        check_arity("matmul_fixed", self.rows * self.inner, inputs.len())?;
        let columns: Vec<Vec<i64>> = (0..self.cols).map(|j| self.column(j)).collect();
        let mut out = Vec::with_capacity(self.rows * self.cols);
        for i in 0..self.rows {
            let row: Vec<&Wire<F>> = inputs[i * self.inner..(i + 1) * self.inner]
                .iter()
                .collect();
            for (j, column) in columns.iter().enumerate() {
                out.push(dot_fixed(&row, column, self.bias(j)));
            }
        }
        Ok(out)
    }
}

/// `A·B` with both operands private: inputs are `A` (`rows × inner`) then `B` (`inner × cols`), row-major.
///
/// Cost: `rows·cols` dot products of length `inner`: `rows·cols·inner` constraints.
#[derive(Clone, Debug)]
pub struct MatMulPrivate {
    /// Rows of `A`.
    pub rows: usize,
    /// Columns of `A` = rows of `B`.
    pub inner: usize,
    /// Columns of `B`.
    pub cols: usize,
    /// Signed width of all elements.
    pub bits: u32,
}

impl<F: PrimeField> Gadget<F> for MatMulPrivate {
    fn name(&self) -> &'static str {
        "matmul_private"
    }
    fn input_len(&self) -> usize {
        self.rows * self.inner + self.inner * self.cols
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        let (a, b) = inputs.split_at(self.rows * self.inner);
        let mut out = Vec::new();
        for i in 0..self.rows {
            for j in 0..self.cols {
                let col: Vec<i128> = (0..self.inner).map(|k| b[k * self.cols + j]).collect();
                out.push(dot(&a[i * self.inner..(i + 1) * self.inner], &col));
            }
        }
        out
    }
    fn cost(&self) -> Cost {
        dot_private_cost(self.inner) * (self.rows * self.cols)
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "matmul_private");
        check_arity(
            "matmul_private",
            <Self as Gadget<F>>::input_len(self),
            inputs.len(),
        )?;
        let (a, b) = inputs.split_at(self.rows * self.inner);
        let mut out = Vec::new();
        for i in 0..self.rows {
            for j in 0..self.cols {
                let pairs: Vec<_> = (0..self.inner)
                    .map(|k| (&a[i * self.inner + k], &b[k * self.cols + j]))
                    .collect();
                out.push(dot_private(&cs, &pairs)?);
            }
        }
        Ok(out)
    }
}

/// Convolution with constant weights and bias: free. Input is one CHW image.
#[derive(Clone, Debug)]
pub struct Conv2dFixed {
    /// The geometry.
    pub geometry: Conv2dGeometry,
    /// Weights `[out_channels][in_channels/groups][kh][kw]`.
    pub weights: Vec<i64>,
    /// Bias per output channel, or none.
    pub bias: Option<Vec<i64>>,
    /// Signed width of the inputs.
    pub bits: u32,
}

impl Conv2dFixed {
    fn outputs_per_channel(&self) -> usize {
        self.geometry.window.out_height() * self.geometry.window.out_width()
    }
}

impl<F: PrimeField> Gadget<F> for Conv2dFixed {
    fn name(&self) -> &'static str {
        "conv2d_fixed"
    }
    fn input_len(&self) -> usize {
        self.geometry.input_len()
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        let per_channel = self.outputs_per_channel();
        self.geometry
            .products()
            .iter()
            .enumerate()
            .map(|(o, pairs)| {
                let w: Vec<i128> = pairs
                    .iter()
                    .map(|&(wi, _)| self.weights[wi] as i128)
                    .collect();
                let x: Vec<i128> = pairs.iter().map(|&(_, xi)| inputs[xi]).collect();
                let bias = self.bias.as_ref().map_or(0, |b| b[o / per_channel]) as i128;
                dot(&x, &w) + bias
            })
            .collect()
    }
    fn cost(&self) -> Cost {
        Cost::ZERO
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "conv2d_fixed");
        check_arity("conv2d_fixed", self.geometry.input_len(), inputs.len())?;
        let per_channel = self.outputs_per_channel();
        Ok(self
            .geometry
            .products()
            .iter()
            .enumerate()
            .map(|(o, pairs)| {
                let xs: Vec<&Wire<F>> = pairs.iter().map(|&(_, xi)| &inputs[xi]).collect();
                let ws: Vec<i64> = pairs.iter().map(|&(wi, _)| self.weights[wi]).collect();
                dot_fixed(
                    &xs,
                    &ws,
                    self.bias.as_ref().map_or(0, |b| b[o / per_channel]),
                )
            })
            .collect())
    }
}

/// Convolution with private weights: inputs are the CHW image then the weights.
///
/// Cost: one [`dot_private`] per output over its in-bounds taps.
#[derive(Clone, Debug)]
pub struct Conv2dPrivate {
    /// The geometry.
    pub geometry: Conv2dGeometry,
    /// Signed width of inputs and weights.
    pub bits: u32,
}

impl<F: PrimeField> Gadget<F> for Conv2dPrivate {
    fn name(&self) -> &'static str {
        "conv2d_private"
    }
    fn input_len(&self) -> usize {
        self.geometry.input_len() + self.geometry.weight_len()
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        let (x, w) = inputs.split_at(self.geometry.input_len());
        self.geometry
            .products()
            .iter()
            .map(|pairs| pairs.iter().map(|&(wi, xi)| w[wi] * x[xi]).sum())
            .collect()
    }
    fn cost(&self) -> Cost {
        self.geometry
            .products()
            .iter()
            .map(|pairs| dot_private_cost(pairs.len()))
            .sum()
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "conv2d_private");
        check_arity(
            "conv2d_private",
            <Self as Gadget<F>>::input_len(self),
            inputs.len(),
        )?;
        let (x, w) = inputs.split_at(self.geometry.input_len());
        self.geometry
            .products()
            .iter()
            .map(|pairs| {
                let pairs: Vec<_> = pairs.iter().map(|&(wi, xi)| (&w[wi], &x[xi])).collect();
                dot_private(&cs, &pairs)
            })
            .collect()
    }
}

/// Elementwise addition of a private bias vector: inputs are `x ++ bias`; free.
#[derive(Clone, Debug)]
pub struct BiasAdd {
    /// Number of elements.
    pub len: usize,
    /// Signed width of both operands.
    pub bits: u32,
}

impl<F: PrimeField> Gadget<F> for BiasAdd {
    fn name(&self) -> &'static str {
        "bias_add"
    }
    fn input_len(&self) -> usize {
        2 * self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        (0..self.len)
            .map(|i| inputs[i] + inputs[self.len + i])
            .collect()
    }
    fn cost(&self) -> Cost {
        Cost::ZERO
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "bias_add");
        check_arity("bias_add", 2 * self.len, inputs.len())?;
        let (x, b) = inputs.split_at(self.len);
        Ok(x.iter().zip(b).map(|(x, b)| x.add(b)).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Window2d;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    fn conv_geometry() -> Conv2dGeometry {
        Conv2dGeometry {
            in_channels: 2,
            out_channels: 2,
            groups: 1,
            window: Window2d {
                in_height: 4,
                in_width: 3,
                kernel: (2, 2),
                stride: (2, 1),
                dilation: (1, 1),
                padding: [1, 1, 0, 0],
            },
        }
    }

    #[test]
    fn dot_private_costs_one_constraint_per_product() {
        for len in [1, 2, 7] {
            let g = DotPrivate { len, bits: 8 };
            assert_eq!(<DotPrivate as Gadget<Fr>>::cost(&g).constraints, len);
            let shifted = Adversary::new("partial product moved", |t| {
                let products = t.find("dot_private/product");
                let Some(&first) = products.first() else {
                    return false;
                };
                let out = t.find("dot_private/dot")[0];
                t.set(first, t.get(first) + Fr::from(1u64));
                t.set(out, t.get(out) + Fr::from(1u64));
                true
            });
            testing::run(&g, &[shifted]);
        }
    }

    #[test]
    fn fixed_operands_are_free() {
        let g = MatMulFixed {
            rows: 2,
            inner: 3,
            cols: 2,
            weights: vec![1, -2, 0, 4, 5, -6],
            bias: Some(vec![7, -8]),
            bits: 8,
        };
        assert_eq!(<MatMulFixed as Gadget<Fr>>::cost(&g), Cost::ZERO);
        testing::run(&g, &[]);
        let conv = Conv2dFixed {
            geometry: conv_geometry(),
            weights: (0..16).map(|i| i - 8).collect(),
            bias: Some(vec![3, -3]),
            bits: 8,
        };
        testing::run(&conv, &[]);
        testing::run(&BiasAdd { len: 3, bits: 8 }, &[]);
    }

    #[test]
    fn private_matmul_and_conv() {
        testing::run(
            &MatMulPrivate {
                rows: 2,
                inner: 2,
                cols: 2,
                bits: 6,
            },
            &[],
        );
        let conv = Conv2dPrivate {
            geometry: Conv2dGeometry {
                in_channels: 2,
                out_channels: 2,
                groups: 2,
                window: Window2d::simple(3, 3, 2, 1),
            },
            bits: 5,
        };
        testing::run(&conv, &[]);
        assert_cost::<Fr, _>(&Conv2dPrivate {
            geometry: conv_geometry(),
            bits: 8,
        });
    }
}
