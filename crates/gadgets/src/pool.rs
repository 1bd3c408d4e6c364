//! Max, max-reduce, pooling and argmax.
//!
//! * [`Max2`]: `s = [a − b ≥ 0]` from a decomposition of `a − b`, then
//!   `out − b = s·(a − b)`.
//! * [`MaxReduce`]: the prover claims `m`; every `m − x_i` is decomposed in
//!   `bits` unsigned bits (so `m ≥ x_i`) and `Π (m − x_i) = 0` (so `m` is one
//!   of them): `n·bits + n − 1` constraints, cheaper than a tree of
//!   [`Max2`]s.
//! * [`ArgMax`]: a one-hot `h` (booleans summing to one), `t_i = h_i·x_i`,
//!   `m = Σ t_i`, and `m − x_i − after_i ≥ 0` where
//!   `after_i = Σ_{j>i} h_j`: every element is at most `m`, and those before
//!   the chosen index are strictly smaller, so ties resolve to the lowest index.

use crate::cost::Cost;
use crate::error::Result;
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::geometry::Pool2dGeometry;
use crate::range::{decompose, decompose_cost, enforce, mul};
use crate::rescale::{divide_by_constant, divide_by_constant_cost};
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination};
use zkinfer_quant::arith::{argmax, div_round, max, max_reduce, Bits};

/// Elementwise `max(a_i, b_i)`: inputs are `a ++ b`.
///
/// Cost per element: `bits + 2` constraints, `bits + 1` witnesses, `6·bits + 10` non-zeros.
#[derive(Clone, Debug)]
pub struct Max2 {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Number of elements of each operand.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for Max2 {
    fn name(&self) -> &'static str {
        "max2"
    }
    fn input_len(&self) -> usize {
        2 * self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        (0..self.len)
            .map(|i| max(inputs[i], inputs[self.len + i]))
            .collect()
    }
    fn cost(&self) -> Cost {
        let b = self.bits as usize;
        (decompose_cost(self.bits + 1, 2, 1 << self.bits) + Cost::new(1, 1, b + 3 + 2 + 2))
            * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "max2");
        check_arity("max2", 2 * self.len, inputs.len())?;
        let (a, b) = inputs.split_at(self.len);
        a.iter()
            .zip(b)
            .map(|(a, b)| {
                let diff = a.sub(b);
                let shifted = diff.offset(1 << self.bits);
                let bits = decompose(&cs, &shifted.lc, shifted.value, self.bits + 1, "max2")?;
                let a_ge_b = bits.last().expect("bits ≥ 1");
                let out = Wire::witness(&cs, "out", a.value.zip(b.value).map(|(x, y)| max(x, y)))?;
                enforce(&cs, a_ge_b.lc.clone(), diff.lc, out.sub(b).lc)?;
                Ok(out)
            })
            .collect()
    }
}

/// Proves `m = max(xs)` for `bits`-bit signed `xs`; returns `m` (a single variable).
pub fn max_of<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    xs: &[&Wire<F>],
    bits: u32,
) -> Result<Wire<F>> {
    if xs.len() == 1 {
        return Ok(xs[0].clone());
    }
    let values: Option<Vec<i128>> = xs.iter().map(|x| x.value).collect();
    let m = Wire::witness(cs, "max", values.map(|v| max_reduce(&v)))?;
    let gaps: Vec<Wire<F>> = xs.iter().map(|x| m.sub(x)).collect();
    for gap in &gaps {
        decompose(cs, &gap.lc, gap.value, bits, "max")?;
    }
    // Π gaps = 0, as a chain of products whose last one is checked against zero.
    let mut product = gaps[0].clone();
    for gap in &gaps[1..gaps.len() - 1] {
        product = mul(cs, &product, gap, "gap_product")?;
    }
    enforce(
        cs,
        product.lc,
        gaps[gaps.len() - 1].lc.clone(),
        LinearCombination::zero(),
    )?;
    Ok(m)
}

/// Cost of [`max_of`] on `n` single-variable inputs.
pub fn max_of_cost(n: usize, bits: u32) -> Cost {
    match n {
        0 | 1 => Cost::ZERO,
        _ => {
            let chain = if n == 2 {
                Cost::new(1, 0, 4)
            } else {
                Cost::new(1, 1, 5) + Cost::new(1, 1, 4) * (n - 3) + Cost::new(1, 0, 3)
            };
            Cost::new(0, 1, 0) + decompose_cost(bits, 2, 0) * n + chain
        }
    }
}

/// `max(xs)` of one vector.
///
/// Cost (`len ≥ 2`): `len·bits + len − 1` constraints, `len·bits − 1` witnesses.
#[derive(Clone, Debug)]
pub struct MaxReduce {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Number of elements.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for MaxReduce {
    fn name(&self) -> &'static str {
        "max_reduce"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        vec![max_reduce(inputs)]
    }
    fn cost(&self) -> Cost {
        max_of_cost(self.len, self.bits)
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "max_reduce");
        check_arity("max_reduce", self.len, inputs.len())?;
        let xs: Vec<&Wire<F>> = inputs.iter().collect();
        Ok(vec![max_of(&cs, &xs, self.bits)?])
    }
}

/// MaxPool: [`max_of`] over every window.
#[derive(Clone, Debug)]
pub struct MaxPool {
    /// The geometry.
    pub geometry: Pool2dGeometry,
    /// Signed width of the inputs.
    pub bits: u32,
}

impl<F: PrimeField> Gadget<F> for MaxPool {
    fn name(&self) -> &'static str {
        "max_pool"
    }
    fn input_len(&self) -> usize {
        self.geometry.input_len()
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        self.geometry
            .windows()
            .iter()
            .map(|w| max_reduce(&w.iter().map(|&i| inputs[i]).collect::<Vec<_>>()))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.geometry
            .windows()
            .iter()
            .map(|w| max_of_cost(w.len(), self.bits))
            .sum()
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "max_pool");
        check_arity("max_pool", self.geometry.input_len(), inputs.len())?;
        self.geometry
            .windows()
            .iter()
            .map(|w| {
                let xs: Vec<&Wire<F>> = w.iter().map(|&i| &inputs[i]).collect();
                max_of(&cs, &xs, self.bits)
            })
            .collect()
    }
}

/// AveragePool: the window sum (free) then one [`divide_by_constant`] by the
/// window size — all `kh·kw` cells with `count_include_pad`, else the in-bounds ones.
#[derive(Clone, Debug)]
pub struct AveragePool {
    /// The geometry.
    pub geometry: Pool2dGeometry,
    /// Signed width of the inputs.
    pub bits: u32,
    /// Whether padding cells count in the divisor (ONNX `count_include_pad`).
    pub count_include_pad: bool,
}

impl AveragePool {
    fn divisor(&self, window: &[usize]) -> i128 {
        if self.count_include_pad {
            (self.geometry.window.kernel.0 * self.geometry.window.kernel.1) as i128
        } else {
            window.len() as i128
        }
    }

    /// Signed width of a window sum.
    fn sum_bits(&self, cells: usize) -> u32 {
        let (lo, hi) = Bits(self.bits).signed_range();
        Bits::signed_for_range(lo * cells as i128, hi * cells as i128).0
    }
}

impl<F: PrimeField> Gadget<F> for AveragePool {
    fn name(&self) -> &'static str {
        "average_pool"
    }
    fn input_len(&self) -> usize {
        self.geometry.input_len()
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        self.geometry
            .windows()
            .iter()
            .map(|w| div_round(w.iter().map(|&i| inputs[i]).sum(), self.divisor(w)))
            .collect()
    }
    fn cost(&self) -> Cost {
        self.geometry
            .windows()
            .iter()
            .map(|w| divide_by_constant_cost(self.sum_bits(w.len()), self.divisor(w), w.len()))
            .sum()
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "average_pool");
        check_arity("average_pool", self.geometry.input_len(), inputs.len())?;
        self.geometry
            .windows()
            .iter()
            .map(|w| {
                let terms: Vec<(i128, &Wire<F>)> = w.iter().map(|&i| (1, &inputs[i])).collect();
                let sum = Wire::linear(&terms, 0);
                let (q, _) = divide_by_constant(
                    &cs,
                    &sum,
                    self.sum_bits(w.len()),
                    self.divisor(w),
                    "average_pool",
                )?;
                Ok(q)
            })
            .collect()
    }
}

/// ArgMax of one vector: outputs the index then the one-hot vector; ties go to the lowest index.
///
/// Cost (`len ≥ 2`): `len·bits + 2·len` constraints, `len·bits + len − 1` witnesses.
#[derive(Clone, Debug)]
pub struct ArgMax {
    /// Signed width of the inputs.
    pub bits: u32,
    /// Number of elements.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for ArgMax {
    fn name(&self) -> &'static str {
        "argmax"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        let index = argmax(inputs);
        let mut out = vec![index as i128];
        out.extend((0..self.len).map(|i| i128::from(i == index)));
        out
    }
    fn cost(&self) -> Cost {
        let n = self.len;
        if n <= 1 {
            return Cost::ZERO;
        }
        // booleanity: n − 1 allocated bits (3 each) and the derived last one (3n);
        // products t_i = h_i·x_i (3 each, the last has n terms in A);
        let booleans = Cost::new(n - 1, n - 1, 3 * (n - 1)) + Cost::new(1, 0, 3 * n);
        let products = Cost::new(n, n, 3 * (n - 1) + n + 2);
        // gaps d_i = Σ t − x_i − after_i: n + 1 + (i + 1) variables and constant −1
        // for i < n − 1; n + 1 variables and constant 0 for the last.
        let gaps: Cost = (0..n - 1)
            .map(|i| decompose_cost(self.bits, n + 1 + i + 1, -1))
            .sum::<Cost>()
            + decompose_cost(self.bits, n + 1, 0);
        booleans + products + gaps
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "argmax");
        check_arity("argmax", self.len, inputs.len())?;
        let n = self.len;
        let values: Option<Vec<i128>> = inputs.iter().map(|x| x.value).collect();
        let index = values.as_ref().map(|v| argmax(v));
        if n == 1 {
            return Ok(vec![Wire::constant(0), Wire::constant(1)]);
        }
        let mut one_hot = Vec::with_capacity(n);
        for i in 0..n - 1 {
            let h = Wire::witness(&cs, "one_hot", index.map(|k| i128::from(k == i)))?;
            enforce(&cs, h.lc.clone(), h.lc.clone(), h.lc.clone())?;
            one_hot.push(h);
        }
        let rest: Vec<(i128, &Wire<F>)> = one_hot.iter().map(|h| (-1, h)).collect();
        let last = Wire::linear(&rest, 1);
        enforce(&cs, last.lc.clone(), last.lc.clone(), last.lc.clone())?;
        one_hot.push(last);
        let selected: Vec<Wire<F>> = one_hot
            .iter()
            .zip(inputs)
            .map(|(h, x)| mul(&cs, h, x, "selected"))
            .collect::<Result<_>>()?;
        let m = Wire::linear(&selected.iter().map(|t| (1, t)).collect::<Vec<_>>(), 0);
        for i in 0..n {
            let after: Vec<(i128, &Wire<F>)> = one_hot[i + 1..].iter().map(|h| (-1, h)).collect();
            let mut terms = vec![(1, &m), (-1, &inputs[i])];
            terms.extend(after);
            let gap = Wire::linear(&terms, 0);
            decompose(&cs, &gap.lc, gap.value, self.bits, "argmax")?;
        }
        let positions: Vec<(i128, &Wire<F>)> = one_hot
            .iter()
            .enumerate()
            .map(|(i, h)| (i as i128, h))
            .collect();
        let mut out = vec![Wire::linear(&positions, 0)];
        out.extend(one_hot);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Window2d;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    #[test]
    fn max2_cost_and_soundness() {
        for bits in [1, 4, 12] {
            let flip = Adversary::new("smaller claimed", |t| {
                let out = t.find("max2/out")[0];
                let (a, b) = (t.inputs()[0], t.inputs()[1]);
                if a == b {
                    return false;
                }
                t.set_int(out, a.min(b));
                true
            });
            testing::run(&Max2 { bits, len: 1 }, &[flip]);
        }
    }

    /// Claims a non-maximal element as the max, rewriting every gap decomposition (wrapped).
    fn non_max_claimed(path: &'static str) -> Adversary<Fr> {
        Adversary::new("non-max claimed", move |t| {
            let xs = t.inputs().to_vec();
            let top = max_reduce(&xs);
            let Some(&other) = xs.iter().find(|&&x| x != top) else {
                return false;
            };
            let m = t.find(&format!("{path}/max"))[0];
            t.set_int(m, other);
            for (group, x) in t.bit_groups(path).iter().zip(&xs) {
                t.set_bits(group, other - x);
            }
            // the product chain, recomputed
            let mut product = Fr::from(other - xs[0]);
            for (k, p) in t.find("gap_product").into_iter().enumerate() {
                product *= Fr::from(other - xs[k + 1]);
                t.set(p, product);
            }
            true
        })
    }

    #[test]
    fn max_reduce_cost_and_soundness() {
        for (bits, len) in [(8, 2), (8, 4), (3, 5), (12, 1)] {
            let report = testing::run(&MaxReduce { bits, len }, &[non_max_claimed("max_reduce")]);
            if len > 1 {
                assert!(report.adversarial > 50);
            }
        }
    }

    #[test]
    fn pools_cost_and_soundness() {
        let geometry = Pool2dGeometry {
            channels: 1,
            window: Window2d {
                in_height: 3,
                in_width: 3,
                kernel: (2, 2),
                stride: (1, 2),
                dilation: (1, 1),
                padding: [0, 1, 1, 0],
            },
        };
        testing::run(
            &MaxPool {
                geometry: geometry.clone(),
                bits: 6,
            },
            &[],
        );
        for count_include_pad in [false, true] {
            testing::run(
                &AveragePool {
                    geometry: geometry.clone(),
                    bits: 6,
                    count_include_pad,
                },
                &[],
            );
        }
        assert_cost::<Fr, _>(&AveragePool {
            geometry: Pool2dGeometry {
                channels: 2,
                window: Window2d::simple(6, 6, 3, 3),
            },
            bits: 8,
            count_include_pad: false,
        });
    }

    #[test]
    fn argmax_cost_and_soundness() {
        for (bits, len) in [(8, 2), (6, 4), (2, 5), (8, 1)] {
            let second_position = Adversary::new("second one-hot position / later tie", |t| {
                let xs = t.inputs().to_vec();
                let honest = t.honest_outputs()[0] as usize;
                // point at another maximal element (a later tie) or any other element
                let Some(other) = (0..xs.len()).rev().find(|&j| j != honest) else {
                    return false;
                };
                let hs = t.find("argmax/one_hot");
                let ts = t.find("argmax/selected");
                for (j, &h) in hs.iter().enumerate() {
                    t.set_int(h, i128::from(j == other));
                }
                for (j, &s) in ts.iter().enumerate() {
                    t.set_int(s, if j == other { xs[j] } else { 0 });
                }
                let m = xs[other];
                for (i, group) in t.bit_groups("argmax").iter().enumerate() {
                    t.set_bits(group, m - xs[i] - i128::from(i < other));
                }
                true
            });
            let both = Adversary::new("two one-hot positions", |t| {
                let hs = t.find("argmax/one_hot");
                let honest = t.honest_outputs()[0] as usize;
                let Some(&extra) = hs
                    .iter()
                    .enumerate()
                    .find(|(j, _)| *j != honest)
                    .map(|(_, h)| h)
                else {
                    return false;
                };
                t.set_int(extra, 1);
                true
            });
            testing::run(&ArgMax { bits, len }, &[second_position, both]);
        }
        assert_cost::<Fr, _>(&ArgMax { bits: 16, len: 10 });
    }
}
