//! Comparisons, boolean logic, `Where` and booleanity.
//!
//! * [`Compare`]: an ordered comparison is one sign, `[d ≥ 0]` with
//!   `d = x − y − δ` (`arith::CompareKind::sign_operands`). The prover claims
//!   the bit `s` (booleanity-checked) and `r = d + h·(1 − s)` with
//!   `h = 2^bits` is decomposed in `bits` bits, `0 ≤ r < h`. For `d ≥ 0` only
//!   `s = 1` keeps `r` in range, for `d < 0` only `s = 0`; and when `d` is
//!   outside `[−h, h)` neither does, so the gadget also bounds its operands.
//!   Equality is the inverse trick: `d·inv = 1 − s` and `d·s = 0`.
//! * [`Logic`]: And `a·b`, Or `a·b = a + b − out`, Xor `2a·b = a + b − out`,
//!   one constraint each (Not `1 − a` is a free linear map).
//! * [`Select`]: `c·(x − y) = out − y`, one constraint; free when `x` and `y`
//!   are constants (`out = y + (x − y)·c` is then linear in `c`).
//! * [`AssertBoolean`]: `b·b = b` where a boolean enters the circuit.
//!
//! Logic and select gadgets assume 0/1 inputs: every boolean is proven 0/1
//! where it is created (a comparison bit, a logic output, [`AssertBoolean`]).
//!
//! The `*_cost` functions take each operand's shape `(variable terms,
//! constant)` so the layout can cost gadgets reading free linear combinations;
//! operands are assumed to share no variable.

use crate::cost::Cost;
use crate::error::Result;
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::range::{decompose, decompose_cost, enforce, mul};
use crate::wire::{alloc_field_witness, field_of, Wire};
use ark_ff::PrimeField;
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination, Variable};
use zkinfer_quant::arith::{compare, logic, select, Bits, CompareKind, LogicKind};

/// The shape of an operand's linear combination: `(variable terms, constant)`.
pub type Shape = (usize, i128);

/// A single variable.
const VAR: Shape = (1, 0);

/// Non-zeros of a linear combination of shape `s`.
fn nz(s: Shape) -> usize {
    s.0 + usize::from(s.1 != 0)
}

/// Exact cost of one [`Compare`] of `bits`-bit operands of shapes `a`, `b`.
pub fn compare_cost(kind: CompareKind, bits: u32, a: Shape, b: Shape) -> Cost {
    match kind.sign_operands() {
        Some((swap, delta)) => {
            let (x, y) = if swap { (b, a) } else { (a, b) };
            // r = x − y − δ + h − h·s: both operands' variables, s, and the constant.
            let r = decompose_cost(bits, x.0 + y.0 + 1, x.1 - y.1 - delta + (1i128 << bits));
            Cost::new(1, 1, 3) + r
        }
        None => {
            let d = nz((a.0 + b.0, a.1 - b.1));
            Cost::new(2, 2, 2 * d + 4)
        }
    }
}

/// `[a ⋈ b]` for `bits`-bit signed `a`, `b` (single-variable output).
///
/// Cost: [`compare_cost`]; for single-variable operands an ordered comparison
/// is `bits + 1` constraints, `bits` witnesses and `5·bits + 5` non-zeros
/// (plus one unless `bits = 1`, `δ = 1`); equality is `(2, 2, 8)`.
pub fn compare_wires<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    kind: CompareKind,
    bits: u32,
    a: &Wire<F>,
    b: &Wire<F>,
) -> Result<Wire<F>> {
    let value = a.value.zip(b.value).map(|(a, b)| compare(kind, a, b));
    match kind.sign_operands() {
        Some((swap, delta)) => {
            let (x, y) = if swap { (b, a) } else { (a, b) };
            let s = Wire::witness(cs, "out", value)?;
            enforce(cs, s.lc.clone(), s.lc.clone(), s.lc.clone())?;
            let h = 1i128 << bits;
            let r = Wire::linear(&[(1, x), (-1, y), (-h, &s)], h - delta);
            decompose(cs, &r.lc, r.value, bits, "compare")?;
            Ok(s)
        }
        None => {
            let d = a.sub(b);
            let inverse = d
                .value
                .map(|v| ark_ff::Field::inverse(&field_of::<F>(v)).unwrap_or_else(F::zero));
            let inv = alloc_field_witness(cs, "inverse", inverse)?;
            let s = Wire::witness(cs, "out", value)?;
            let one_minus_s = Wire::linear(&[(-1, &s)], 1);
            enforce(cs, d.lc.clone(), inv.into(), one_minus_s.lc)?;
            enforce(cs, d.lc, s.lc.clone(), LinearCombination::zero())?;
            Ok(s)
        }
    }
}

/// Elementwise `arith::compare(kind, a_i, b_i)`: inputs are `a ++ b`, each
/// `bits`-bit signed; outputs are 0/1 single variables.
#[derive(Clone, Debug)]
pub struct Compare {
    /// The comparison.
    pub kind: CompareKind,
    /// Signed width of the operands.
    pub bits: u32,
    /// Number of elements of each operand.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for Compare {
    fn name(&self) -> &'static str {
        "compare"
    }
    fn input_len(&self) -> usize {
        2 * self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        (0..self.len)
            .map(|i| compare(self.kind, inputs[i], inputs[self.len + i]))
            .collect()
    }
    fn cost(&self) -> Cost {
        compare_cost(self.kind, self.bits, VAR, VAR) * self.len
    }
    fn boundary_inputs(&self) -> Vec<Vec<i128>> {
        // Equal operands and neighbours one apart, at zero and at both extremes.
        let (lo, hi) = Bits(self.bits).signed_range();
        let mut cases = Vec::new();
        for base in [0, lo, hi, lo + 1, hi - 1] {
            for d in -1..=1 {
                let other = (base + d).clamp(lo, hi);
                let mut case = vec![base; self.len];
                case.extend(vec![other; self.len]);
                cases.push(case);
            }
        }
        cases
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "compare");
        check_arity("compare", 2 * self.len, inputs.len())?;
        let (a, b) = inputs.split_at(self.len);
        a.iter()
            .zip(b)
            .map(|(a, b)| compare_wires(&cs, self.kind, self.bits, a, b))
            .collect()
    }
}

/// Exact cost of one [`Logic`] on operands of shapes `a`, `b`.
pub fn logic_cost(kind: LogicKind, a: Shape, b: Shape) -> Cost {
    match kind {
        LogicKind::And => Cost::new(1, 1, nz(a) + nz(b) + 1),
        // A = a (or 2a), B = b, C = a + b − out.
        LogicKind::Or | LogicKind::Xor => Cost::new(
            1,
            1,
            nz(a) + nz(b) + a.0 + b.0 + 1 + usize::from(a.1 + b.1 != 0),
        ),
    }
}

/// `arith::logic(kind, a, b)` on 0/1 wires, one constraint.
pub fn logic_wires<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    kind: LogicKind,
    a: &Wire<F>,
    b: &Wire<F>,
) -> Result<Wire<F>> {
    match kind {
        LogicKind::And => mul(cs, a, b, "out"),
        LogicKind::Or | LogicKind::Xor => {
            let value = a.value.zip(b.value).map(|(a, b)| logic(kind, a, b));
            let out = Wire::witness(cs, "out", value)?;
            let factor = if kind == LogicKind::Xor { 2 } else { 1 };
            enforce(
                cs,
                a.scale(factor).lc,
                b.lc.clone(),
                Wire::linear(&[(1, a), (1, b), (-1, &out)], 0).lc,
            )?;
            Ok(out)
        }
    }
}

/// Elementwise And/Or/Xor of 0/1 inputs `a ++ b`.
///
/// Cost per element: And `(1, 1, 3)`, Or and Xor `(1, 1, 5)`.
#[derive(Clone, Debug)]
pub struct Logic {
    /// The operation.
    pub kind: LogicKind,
    /// Number of elements of each operand.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for Logic {
    fn name(&self) -> &'static str {
        "logic"
    }
    fn input_len(&self) -> usize {
        2 * self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        (0, 1)
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        (0..self.len)
            .map(|i| logic(self.kind, inputs[i], inputs[self.len + i]))
            .collect()
    }
    fn cost(&self) -> Cost {
        logic_cost(self.kind, VAR, VAR) * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "logic");
        check_arity("logic", 2 * self.len, inputs.len())?;
        let (a, b) = inputs.split_at(self.len);
        a.iter()
            .zip(b)
            .map(|(a, b)| logic_wires(&cs, self.kind, a, b))
            .collect()
    }
}

/// Exact cost of one [`Select`] with condition, `x` and `y` of the given
/// shapes; zero when `x` and `y` are constants.
pub fn select_cost(c: Shape, x: Shape, y: Shape) -> Cost {
    if x.0 + y.0 == 0 {
        return Cost::ZERO;
    }
    let diff = nz((x.0 + y.0, x.1 - y.1));
    Cost::new(1, 1, nz(c) + diff + 1 + nz(y))
}

/// The output shape of [`select_wires`] (a single variable unless free).
pub fn select_shape(c: Shape, x: Shape, y: Shape) -> Shape {
    if x.0 + y.0 != 0 {
        return VAR;
    }
    let dx = x.1 - y.1;
    (if dx == 0 { 0 } else { c.0 }, y.1 + dx * c.1)
}

/// `y + c·(x − y)` for a 0/1 `c`: one constraint, or free for constant `x`, `y`.
pub fn select_wires<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    c: &Wire<F>,
    x: &Wire<F>,
    y: &Wire<F>,
) -> Result<Wire<F>> {
    if x.num_variable_terms() == 0 && y.num_variable_terms() == 0 {
        let (Some(xv), Some(yv)) = (constant_of(x), constant_of(y)) else {
            unreachable!("a linear combination without variables is a constant");
        };
        return Ok(Wire::linear(&[(xv - yv, c)], yv));
    }
    let value = c
        .value
        .zip(x.value)
        .zip(y.value)
        .map(|((c, x), y)| select(c, x, y));
    let out = Wire::witness(cs, "out", value)?;
    enforce(cs, c.lc.clone(), x.sub(y).lc, out.sub(y).lc)?;
    Ok(out)
}

/// The integer of a constant wire (its value, known in every mode).
fn constant_of<F: PrimeField>(w: &Wire<F>) -> Option<i128> {
    w.value.or_else(|| {
        // A constant built without a value: read the coefficient of ONE.
        let c =
            w.lc.0
                .iter()
                .find(|(_, v)| *v == Variable::One)
                .map(|(c, _)| *c)
                .unwrap_or_else(F::zero);
        if c.is_zero() {
            Some(0)
        } else {
            let small = c.into_bigint();
            let limbs: &[u64] = small.as_ref();
            if limbs[1..].iter().all(|&l| l == 0) {
                Some(limbs[0] as i128)
            } else {
                let neg = (-c).into_bigint();
                let limbs: &[u64] = neg.as_ref();
                Some(-(limbs[0] as i128))
            }
        }
    })
}

/// Elementwise `arith::select(c, x, y)`: inputs `c ++ x ++ y`, `c` 0/1, `x`,
/// `y` `bits`-bit signed.
///
/// Cost per element: `(1, 1, 5)` for single-variable inputs.
#[derive(Clone, Debug)]
pub struct Select {
    /// Signed width of `x` and `y`.
    pub bits: u32,
    /// Number of elements.
    pub len: usize,
}

impl<F: PrimeField> Gadget<F> for Select {
    fn name(&self) -> &'static str {
        "select"
    }
    fn input_len(&self) -> usize {
        3 * self.len
    }
    fn input_range(&self, index: usize) -> (i128, i128) {
        if index < self.len {
            (0, 1)
        } else {
            Bits(self.bits).signed_range()
        }
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        let n = self.len;
        (0..n)
            .map(|i| select(inputs[i], inputs[n + i], inputs[2 * n + i]))
            .collect()
    }
    fn cost(&self) -> Cost {
        select_cost(VAR, VAR, VAR) * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "select");
        check_arity("select", 3 * self.len, inputs.len())?;
        let n = self.len;
        (0..n)
            .map(|i| select_wires(&cs, &inputs[i], &inputs[n + i], &inputs[2 * n + i]))
            .collect()
    }
}

/// Proves every input is 0 or 1 (`b·b = b`) and passes it through.
///
/// Cost per element: `(1, 0, 3)` for single-variable inputs.
#[derive(Clone, Debug)]
pub struct AssertBoolean {
    /// Number of elements.
    pub len: usize,
}

/// Exact cost of one booleanity check on an operand of shape `x`.
pub fn boolean_cost(x: Shape) -> Cost {
    Cost::new(1, 0, 3 * nz(x))
}

impl<F: PrimeField> Gadget<F> for AssertBoolean {
    fn name(&self) -> &'static str {
        "assert_boolean"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        (0, 1)
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        inputs.to_vec()
    }
    fn cost(&self) -> Cost {
        boolean_cost(VAR) * self.len
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "assert_boolean");
        check_arity("assert_boolean", self.len, inputs.len())?;
        for b in inputs {
            enforce(&cs, b.lc.clone(), b.lc.clone(), b.lc.clone())?;
        }
        Ok(inputs.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing::{self, assert_adversaries_ran};
    use crate::Fr;
    use ark_relations::gr1cs::ConstraintSystem;

    const ORDERED: [CompareKind; 4] = [
        CompareKind::Less,
        CompareKind::LessOrEqual,
        CompareKind::Greater,
        CompareKind::GreaterOrEqual,
    ];

    /// Flips the comparison bit and rewrites the decomposition of `r` with the
    /// wrapped value `d + h·(1 − s')` (the low bits of a value out of range).
    fn flipped_bit(kind: CompareKind, bits: u32) -> Adversary<Fr> {
        Adversary::new("flipped comparison bit, wrapped decomposition", move |t| {
            let (a, b) = (t.inputs()[0], t.inputs()[1]);
            let (swap, delta) = kind.sign_operands().expect("ordered");
            let (x, y) = if swap { (b, a) } else { (a, b) };
            let s = t.find("compare/out")[0];
            let flipped = 1 - t.honest_outputs()[0];
            t.set_int(s, flipped);
            let h = 1i128 << bits;
            let r = x - y - delta + h * (1 - flipped);
            // One bit (bits = 1) is all derived: nothing to rewrite.
            if let Some(group) = t.bit_groups("compare").first() {
                t.set_bits(group, r);
            }
            true
        })
    }

    #[test]
    fn ordered_comparisons_match_arith_and_are_sound() {
        for kind in ORDERED {
            for bits in [1, 2, 8, 17] {
                let g = Compare { kind, bits, len: 1 };
                let report = testing::run(&g, &[flipped_bit(kind, bits)]);
                assert_adversaries_ran(&report, 100);
            }
        }
        assert_cost::<Fr, _>(&Compare {
            kind: CompareKind::Less,
            bits: 32,
            len: 5,
        });
    }

    /// Claims the other answer, with the inverse of the difference when it exists.
    fn other_answer() -> Adversary<Fr> {
        Adversary::new("claims the other answer, any inverse", |t| {
            let s = t.find("compare/out")[0];
            let inv = t.find("compare/inverse")[0];
            t.set_int(s, 1 - t.honest_outputs()[0]);
            let (a, b) = (t.inputs()[0], t.inputs()[1]);
            let d = Fr::from(a - b);
            t.set(inv, ark_ff::Field::inverse(&d).unwrap_or(Fr::from(1u64)));
            true
        })
    }

    #[test]
    fn equality_matches_arith_and_is_sound() {
        for bits in [1, 8, 30] {
            let g = Compare {
                kind: CompareKind::Equal,
                bits,
                len: 1,
            };
            let report = testing::run(&g, &[other_answer()]);
            assert_adversaries_ran(&report, 100);
        }
    }

    #[test]
    fn logic_truth_tables_and_soundness() {
        for kind in [LogicKind::And, LogicKind::Or, LogicKind::Xor] {
            let wrong = Adversary::new("negated output", |t| {
                let out = t.find("logic/out")[0];
                t.set_int(out, 1 - t.honest_outputs()[0]);
                true
            });
            let report = testing::run(&Logic { kind, len: 1 }, &[wrong]);
            assert_adversaries_ran(&report, 100);
            assert_cost::<Fr, _>(&Logic { kind, len: 7 });
        }
    }

    #[test]
    fn select_and_booleanity() {
        let other_branch = Adversary::new("the other branch", |t| {
            let out = t.find("select/out")[0];
            let (c, x, y) = (t.inputs()[0], t.inputs()[1], t.inputs()[2]);
            if x == y {
                return false;
            }
            t.set_int(out, if c == 1 { y } else { x });
            true
        });
        testing::run(&Select { bits: 8, len: 1 }, &[other_branch]);
        assert_cost::<Fr, _>(&Select { bits: 8, len: 4 });
        testing::run(&AssertBoolean { len: 2 }, &[]);
        // A non-boolean value does not pass.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let x = Wire::witness(&cs, "x", Some(2)).unwrap();
        AssertBoolean { len: 1 }.apply(cs.clone(), &[x]).unwrap();
        assert!(!cs.is_satisfied().unwrap());
    }

    #[test]
    fn select_of_constants_is_free_in_every_mode() {
        let cs = ConstraintSystem::<Fr>::new_ref();
        let c = Wire::witness(&cs, "c", Some(1)).unwrap();
        let out = select_wires(&cs, &c, &Wire::constant(5), &Wire::constant(-3)).unwrap();
        assert_eq!(cs.num_constraints(), 0);
        assert_eq!(out.value, Some(5));
        assert_eq!(select_shape((1, 0), (0, 5), (0, -3)), (1, -3));
        // In setup mode (no values) the constants are read from the linear combinations.
        let setup = ConstraintSystem::<Fr>::new_ref();
        setup.set_mode(ark_relations::gr1cs::SynthesisMode::Setup);
        let c = Wire::witness(&setup, "c", None).unwrap();
        let x = Wire::<Fr> {
            lc: Wire::<Fr>::constant(-7).lc,
            value: None,
        };
        let out = select_wires(&setup, &c, &x, &Wire::constant(2)).unwrap();
        assert_eq!(out.num_variable_terms(), 1);
        assert_eq!(setup.num_constraints(), 0);
    }

    #[test]
    fn compare_rejects_operands_outside_its_width() {
        // d = 2^9 does not fit a 9-bit signed difference: no honest witness exists.
        let cs = ConstraintSystem::<Fr>::new_ref();
        let a = Wire::witness(&cs, "a", Some(256)).unwrap();
        let b = Wire::witness(&cs, "b", Some(-256)).unwrap();
        assert!(compare_wires(&cs, CompareKind::GreaterOrEqual, 9, &a, &b).is_err());
    }
}
