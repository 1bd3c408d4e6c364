//! The soundness harness: checks a gadget's three faces agree and that no
//! witness can change its outputs.
//!
//! For every case (generic boundary cases, the gadget's own boundary cases
//! and seeded random inputs from [`Gadget::input_range`]) the harness
//!
//! 1. synthesizes the gadget on fresh private inputs with the honest
//!    witness, checks the system is satisfied and the outputs equal
//!    [`Gadget::reference`];
//! 2. mutates every witness variable the gadget allocated, in turn, to
//!    `v + 1`, `v − 1`, a random field element and `p − v`, and records a
//!    [`Finding`] whenever the system stays satisfied — a *violation* when the
//!    outputs changed, harmless otherwise;
//! 3. runs the gadget-specific [`Adversary`] witnesses (wrong quotient with a
//!    compensating remainder, a flipped sign with a wrapped decomposition, a
//!    non-maximal claimed maximum, …) the same way.
//!
//! Mutation works on the real `ConstraintSystem`: after synthesis it is
//! finalized, its cached linear-combination values are dropped, and each
//! candidate assignment is written into `assignments.witness_assignment`.
//! Candidates are screened by re-evaluating only the constraints that use the
//! mutated variable; any candidate that passes is confirmed with ark's own
//! `is_satisfied()`. Findings carry the witness label recorded by
//! [`gadget_scope!`](crate::gadget_scope) (`relu/bit[3]`), i.e. the gadget path.
//!
//! [`assert_cost`] synthesizes in prove and in setup mode and checks
//! [`Gadget::cost`] against the actual counts.

use crate::cost::Cost;
use crate::gadget::{Challenge, Gadget};
use crate::scope;
use crate::wire::{field_of, Wire};
use ark_ff::PrimeField;
use ark_relations::gr1cs::{
    ConstraintSystem, ConstraintSystemRef, LinearCombination, SynthesisMode, Variable,
};
use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};
use std::fmt;

/// How many cases to run.
#[derive(Clone, Debug)]
pub struct HarnessConfig {
    /// Random cases on top of the boundary cases.
    pub random_cases: usize,
    /// Seed of the case generator and the random mutations.
    pub seed: u64,
}

impl Default for HarnessConfig {
    fn default() -> Self {
        HarnessConfig {
            random_cases: 100,
            seed: 0x5eed,
        }
    }
}

/// A change to the honest witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// `v + 1`.
    PlusOne,
    /// `v − 1`.
    MinusOne,
    /// A uniformly random field element.
    Random,
    /// `p − v`.
    Negated,
    /// A named gadget-specific adversarial witness.
    Adversary(&'static str),
}

/// An assignment that kept the system satisfied.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The gadget inputs of the case.
    pub inputs: Vec<i128>,
    /// The mutated witness label (gadget path), or the adversary's name.
    pub label: String,
    /// What was changed.
    pub mutation: Mutation,
    /// Whether the outputs differ from the honest ones (a soundness violation).
    pub outputs_changed: bool,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} under {:?} on inputs {:?}: {}",
            self.label,
            self.mutation,
            self.inputs,
            if self.outputs_changed {
                "SATISFIED WITH DIFFERENT OUTPUTS"
            } else {
                "satisfied, outputs unchanged"
            }
        )
    }
}

/// What the harness did and found.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Input cases synthesized.
    pub cases: usize,
    /// Mutated assignments checked.
    pub mutations: usize,
    /// Adversarial assignments checked.
    pub adversarial: usize,
    /// Every assignment that kept the system satisfied.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Findings whose outputs changed: soundness violations.
    pub fn violations(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.outputs_changed)
    }

    /// Panics listing every violation (with its gadget path) if there is one.
    pub fn assert_sound(&self) {
        let violations: Vec<String> = self.violations().map(|f| f.to_string()).collect();
        assert!(
            violations.is_empty(),
            "{} soundness violations:\n{}",
            violations.len(),
            violations.join("\n")
        );
    }
}

/// An attack: rewrites the honest assignment, returns `false` when not applicable.
pub type Attack<F> = Box<dyn Fn(&mut Tamper<'_, F>) -> bool>;

/// A gadget-specific malicious witness.
pub struct Adversary<F: PrimeField> {
    /// Its name in findings.
    pub name: &'static str,
    /// Rewrites the honest assignment; returns `false` when not applicable to this case.
    pub attack: Attack<F>,
}

impl<F: PrimeField> Adversary<F> {
    /// An adversary from a name and an attack.
    pub fn new(name: &'static str, attack: impl Fn(&mut Tamper<'_, F>) -> bool + 'static) -> Self {
        Adversary {
            name,
            attack: Box::new(attack),
        }
    }
}

/// The assignment an [`Adversary`] rewrites, addressed by witness label.
pub struct Tamper<'a, F: PrimeField> {
    inputs: &'a [i128],
    honest: &'a [i128],
    labels: &'a [String],
    witness: Vec<F>,
}

impl<F: PrimeField> Tamper<'_, F> {
    /// The case's inputs.
    pub fn inputs(&self) -> &[i128] {
        self.inputs
    }

    /// The honest outputs.
    pub fn honest_outputs(&self) -> &[i128] {
        self.honest
    }

    /// Witness indices whose label ends with `suffix`, in allocation order.
    pub fn find(&self, suffix: &str) -> Vec<usize> {
        self.labels
            .iter()
            .enumerate()
            .filter(|(_, l)| l.ends_with(suffix))
            .map(|(i, _)| i)
            .collect()
    }

    /// Runs of consecutive witnesses labelled `{path}/bit[0]`, `{path}/bit[1]`, … (one per decomposition).
    pub fn bit_groups(&self, path: &str) -> Vec<Vec<usize>> {
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for (i, label) in self.labels.iter().enumerate() {
            if let Some(rest) = label
                .strip_prefix(path)
                .and_then(|r| r.strip_prefix("/bit["))
            {
                if rest == "0]" {
                    groups.push(vec![i]);
                } else if let Some(group) = groups.last_mut() {
                    if *group.last().expect("non-empty") + 1 == i {
                        group.push(i);
                    }
                }
            }
        }
        groups
    }

    /// The current value of witness `index`.
    pub fn get(&self, index: usize) -> F {
        self.witness[index]
    }

    /// Sets witness `index` to a field element.
    pub fn set(&mut self, index: usize, value: F) {
        self.witness[index] = value;
    }

    /// Sets witness `index` to an integer.
    pub fn set_int(&mut self, index: usize, value: i128) {
        self.witness[index] = field_of(value);
    }

    /// Writes the low bits of `value` (two's complement, i.e. wrapped) into a bit group.
    pub fn set_bits(&mut self, group: &[usize], value: i128) {
        for (i, &index) in group.iter().enumerate() {
            self.set_int(index, (value >> i) & 1);
        }
    }
}

/// A synthesized, finalized case ready for mutation.
pub struct Instance<F: PrimeField> {
    /// The constraint system (finalized, cached LC values dropped).
    pub cs: ConstraintSystemRef<F>,
    /// Witness variables `0..input_count` are the gadget's inputs.
    pub input_count: usize,
    /// Witness labels (gadget paths).
    pub labels: Vec<String>,
    /// The honest integer outputs (empty for gadgets with field outputs).
    pub honest: Vec<i128>,
    honest_field: Vec<F>,
    outputs: Vec<Vec<(F, usize)>>,
    rows: Vec<[Vec<(F, usize)>; 3]>,
    uses: Vec<Vec<usize>>,
    instance: Vec<F>,
    witness: Vec<F>,
}

fn column(var: Variable, num_instance: usize) -> usize {
    var.get_variable_index(num_instance)
        .expect("raw variable after finalize")
}

fn expand<F: PrimeField>(cs: &ConstraintSystem<F>, lc: &LinearCombination<F>) -> Vec<(F, usize)> {
    let n = cs.num_instance_variables();
    let mut out = Vec::new();
    for (c, v) in lc.iter() {
        if v.is_zero() {
            continue;
        }
        if v.is_lc() {
            for (c2, v2) in cs.get_lc(*v).iter() {
                if !v2.is_zero() {
                    out.push((*c * c2, column(*v2, n)));
                }
            }
        } else {
            out.push((*c, column(*v, n)));
        }
    }
    out
}

fn dot<F: PrimeField>(row: &[(F, usize)], instance: &[F], witness: &[F]) -> F {
    row.iter()
        .map(|(c, i)| {
            let v = if *i < instance.len() {
                instance[*i]
            } else {
                witness[*i - instance.len()]
            };
            *c * v
        })
        .sum()
}

/// Allocates the inputs and challenges, then synthesizes `gadget`.
fn synthesize_into<F: PrimeField, G: Gadget<F> + ?Sized>(
    gadget: &G,
    cs: &ConstraintSystemRef<F>,
    inputs: Option<&[i128]>,
    rng: &mut StdRng,
) -> Vec<Wire<F>> {
    let wires: Vec<Wire<F>> = (0..gadget.input_len())
        .map(|i| {
            Wire::witness(cs, &format!("input[{i}]"), inputs.map(|v| v[i]))
                .expect("allocating an input")
        })
        .collect();
    let challenges: Vec<Challenge<F>> = (0..gadget.num_challenges())
        .map(|_| {
            let value = inputs.map(|_| F::rand(rng));
            let var = cs
                .new_input_variable(|| {
                    value.ok_or(ark_relations::gr1cs::SynthesisError::AssignmentMissing)
                })
                .expect("allocating a challenge");
            Challenge { var, value }
        })
        .collect();
    gadget
        .synthesize(cs.clone(), &wires, &challenges)
        .unwrap_or_else(|e| panic!("{}: synthesis failed on {inputs:?}: {e}", gadget.name()))
}

impl<F: PrimeField> Instance<F> {
    /// Synthesizes `gadget` on `inputs` with the honest witness, checking
    /// satisfaction and the outputs against the reference.
    ///
    /// # Panics
    /// If the honest system is unsatisfied or an output differs from the reference.
    pub fn honest<G: Gadget<F> + ?Sized>(gadget: &G, inputs: &[i128], rng: &mut StdRng) -> Self {
        let cs = ConstraintSystem::<F>::new_ref();
        scope::record_labels(&cs);
        let outputs = synthesize_into(gadget, &cs, Some(inputs), rng);
        let honest = gadget.reference(inputs);
        let honest_field = gadget.reference_field(inputs);
        let labels = scope::recorded_labels(&cs)
            .map(|l| l.all().to_vec())
            .unwrap_or_default();
        assert_eq!(
            outputs.len(),
            honest_field.len(),
            "{}: output count",
            gadget.name()
        );
        for (i, (w, h)) in outputs.iter().zip(&honest_field).enumerate() {
            if let Some(v) = w.value {
                assert_eq!(
                    field_of::<F>(v),
                    *h,
                    "{}: output {i} value differs from the reference on {inputs:?}",
                    gadget.name()
                );
            }
        }
        if let Some(unsat) = cs.which_is_unsatisfied().expect("prove mode") {
            panic!(
                "{}: honest witness unsatisfied on {inputs:?} at {unsat}",
                gadget.name()
            );
        }
        cs.finalize();
        let mut inner = cs.borrow_mut().expect("a constraint system");
        inner.assignments.lc_assignment.clear();
        let instance = inner.assignments.instance_assignment.clone();
        let witness = inner.assignments.witness_assignment.clone();
        let outputs: Vec<Vec<(F, usize)>> = outputs.iter().map(|w| expand(&inner, &w.lc)).collect();
        let matrices = inner.to_matrices().expect("matrices");
        let mut rows = Vec::new();
        for mats in matrices.values() {
            assert_eq!(mats.len(), 3, "only R1CS predicates are supported");
            for ((a, b), c) in mats[0].iter().zip(&mats[1]).zip(&mats[2]) {
                rows.push([a.clone(), b.clone(), c.clone()]);
            }
        }
        let mut uses = vec![Vec::new(); instance.len() + witness.len()];
        for (k, row) in rows.iter().enumerate() {
            for m in row {
                for (_, col) in m {
                    if uses[*col].last() != Some(&k) {
                        uses[*col].push(k);
                    }
                }
            }
        }
        drop(inner);
        let instance_ = Instance {
            cs,
            honest_field,
            input_count: gadget.input_len(),
            labels,
            honest,
            outputs,
            rows,
            uses,
            instance,
            witness,
        };
        let evaluated = instance_.outputs_at(&instance_.witness);
        for (i, (o, h)) in evaluated.iter().zip(&instance_.honest_field).enumerate() {
            assert_eq!(o, h, "{}: output {i} linear combination", gadget.name());
        }
        instance_
    }

    /// Output values under a witness assignment.
    pub fn outputs_at(&self, witness: &[F]) -> Vec<F> {
        self.outputs
            .iter()
            .map(|o| dot(o, &self.instance, witness))
            .collect()
    }

    fn row_holds(&self, k: usize, witness: &[F]) -> bool {
        let [a, b, c] = &self.rows[k];
        dot(a, &self.instance, witness) * dot(b, &self.instance, witness)
            == dot(c, &self.instance, witness)
    }

    /// ark's own verdict on a witness assignment.
    pub fn ark_satisfied(&self, witness: &[F]) -> bool {
        let mut inner = self.cs.borrow_mut().expect("a constraint system");
        let saved = std::mem::replace(&mut inner.assignments.witness_assignment, witness.to_vec());
        let verdict = inner.is_satisfied().expect("prove mode");
        inner.assignments.witness_assignment = saved;
        verdict
    }

    fn label(&self, index: usize) -> String {
        self.labels
            .get(index)
            .cloned()
            .unwrap_or_else(|| format!("witness[{index}]"))
    }
}

fn clamp(x: i128, (lo, hi): (i128, i128)) -> i128 {
    x.max(lo).min(hi)
}

/// The generic boundary cases for `gadget`, plus its own.
pub fn boundary_cases<F: PrimeField, G: Gadget<F> + ?Sized>(
    gadget: &G,
    rng: &mut StdRng,
) -> Vec<Vec<i128>> {
    let n = gadget.input_len();
    let ranges: Vec<(i128, i128)> = (0..n).map(|i| gadget.input_range(i)).collect();
    let fill = |f: &dyn Fn(usize, (i128, i128)) -> i128| -> Vec<i128> {
        ranges
            .iter()
            .enumerate()
            .map(|(i, &r)| clamp(f(i, r), r))
            .collect()
    };
    let mut cases = vec![
        fill(&|_, _| 0),
        fill(&|_, _| 1),
        fill(&|_, _| -1),
        fill(&|_, (lo, _)| lo),
        fill(&|_, (_, hi)| hi),
        fill(&|_, (lo, _)| lo + 1),
        fill(&|_, (_, hi)| hi - 1),
        fill(&|i, (lo, hi)| if i % 2 == 0 { lo } else { hi }),
        fill(&|i, (lo, hi)| if i % 2 == 0 { hi } else { lo }),
    ];
    let tie = rng.gen_range(-1000i128..=1000);
    cases.push(fill(&|_, _| tie));
    if n <= 8 {
        for j in 0..n {
            cases.push(fill(&|i, (lo, hi)| if i == j { hi } else { lo }));
            cases.push(fill(&|i, (lo, hi)| if i == j { lo } else { hi }));
        }
    }
    cases.extend(gadget.boundary_inputs());
    cases.sort();
    cases.dedup();
    cases
}

/// A random valid input: mostly uniform, with boundary values and ties mixed in.
pub fn random_case<F: PrimeField, G: Gadget<F> + ?Sized>(
    gadget: &G,
    rng: &mut StdRng,
) -> Vec<i128> {
    let mut out: Vec<i128> = Vec::with_capacity(gadget.input_len());
    for i in 0..gadget.input_len() {
        let r @ (lo, hi) = gadget.input_range(i);
        let v = match rng.gen_range(0..8) {
            0 => lo,
            1 => hi,
            2 => clamp(rng.gen_range(-2..=2), r),
            3 if i > 0 => clamp(out[rng.gen_range(0..i)], r),
            _ => rng.gen_range(lo..=hi),
        };
        out.push(v);
    }
    out
}

/// Mutates every gadget witness of one synthesized case; appends findings to `report`.
pub fn mutate_all<F: PrimeField>(
    inst: &Instance<F>,
    inputs: &[i128],
    rng: &mut StdRng,
    report: &mut Report,
) {
    let honest_out = inst.outputs_at(&inst.witness);
    let mut witness = inst.witness.clone();
    for index in inst.input_count..witness.len() {
        let original = witness[index];
        let candidates = [
            (Mutation::PlusOne, original + F::one()),
            (Mutation::MinusOne, original - F::one()),
            (Mutation::Random, F::rand(rng)),
            (Mutation::Negated, -original),
        ];
        for (mutation, value) in candidates {
            if value == original {
                continue;
            }
            report.mutations += 1;
            witness[index] = value;
            let col = inst.instance.len() + index;
            let screened = inst.uses[col].iter().all(|&k| inst.row_holds(k, &witness));
            if screened && inst.ark_satisfied(&witness) {
                report.findings.push(Finding {
                    inputs: inputs.to_vec(),
                    label: inst.label(index),
                    mutation,
                    outputs_changed: inst.outputs_at(&witness) != honest_out,
                });
            }
        }
        witness[index] = original;
    }
}

/// Runs the adversaries on one synthesized case; appends findings to `report`.
pub fn run_adversaries<F: PrimeField>(
    inst: &Instance<F>,
    inputs: &[i128],
    adversaries: &[Adversary<F>],
    report: &mut Report,
) {
    let honest_out = inst.outputs_at(&inst.witness);
    for adversary in adversaries {
        let mut tamper = Tamper {
            inputs,
            honest: &inst.honest,
            labels: &inst.labels,
            witness: inst.witness.clone(),
        };
        if !(adversary.attack)(&mut tamper) || tamper.witness == inst.witness {
            continue;
        }
        report.adversarial += 1;
        for i in 0..inst.input_count {
            assert_eq!(
                tamper.witness[i], inst.witness[i],
                "adversary {} must not change the gadget's inputs",
                adversary.name
            );
        }
        if inst.ark_satisfied(&tamper.witness) {
            report.findings.push(Finding {
                inputs: inputs.to_vec(),
                label: adversary.name.to_string(),
                mutation: Mutation::Adversary(adversary.name),
                outputs_changed: inst.outputs_at(&tamper.witness) != honest_out,
            });
        }
    }
}

/// Runs the whole harness on `gadget`: boundary and random cases, honest
/// synthesis against the reference, every single-variable mutation and every adversary.
pub fn check<F: PrimeField, G: Gadget<F> + ?Sized>(
    gadget: &G,
    config: &HarnessConfig,
    adversaries: &[Adversary<F>],
) -> Report {
    let mut rng = StdRng::seed_from_u64(config.seed);
    let mut cases = boundary_cases(gadget, &mut rng);
    for _ in 0..config.random_cases {
        cases.push(random_case(gadget, &mut rng));
    }
    let mut report = Report::default();
    for inputs in &cases {
        let inst = Instance::honest(gadget, inputs, &mut rng);
        report.cases += 1;
        mutate_all(&inst, inputs, &mut rng, &mut report);
        run_adversaries(&inst, inputs, adversaries, &mut report);
    }
    report
}

/// The counts of one synthesis of `gadget` (prove mode on `inputs`, or setup mode when `None`).
pub fn measure_cost<F: PrimeField, G: Gadget<F> + ?Sized>(
    gadget: &G,
    inputs: Option<&[i128]>,
) -> Cost {
    let cs = ConstraintSystem::<F>::new_ref();
    if inputs.is_none() {
        cs.set_mode(SynthesisMode::Setup);
    }
    let mut rng = StdRng::seed_from_u64(0);
    synthesize_into(gadget, &cs, inputs, &mut rng);
    cs.finalize();
    let nonzeros = cs
        .to_matrices()
        .expect("matrices")
        .values()
        .flat_map(|mats| mats.iter())
        .flat_map(|m| m.iter())
        .map(Vec::len)
        .sum();
    Cost::new(
        cs.num_constraints(),
        cs.num_witness_variables() - gadget.input_len(),
        nonzeros,
    )
}

/// Asserts [`Gadget::cost`] equals the measured counts, in prove mode on a
/// random valid input and in setup mode (which must also synthesize without values).
pub fn assert_cost<F: PrimeField, G: Gadget<F> + ?Sized>(gadget: &G) {
    let mut rng = StdRng::seed_from_u64(1);
    let inputs = random_case(gadget, &mut rng);
    let formula = gadget.cost();
    let proved = measure_cost(gadget, Some(&inputs));
    let setup = measure_cost(gadget, None);
    assert_eq!(
        formula,
        proved,
        "{}: cost formula vs prove-mode synthesis",
        gadget.name()
    );
    assert_eq!(
        proved,
        setup,
        "{}: setup and prove mode differ",
        gadget.name()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Result;
    use crate::range::enforce;
    use crate::Fr;
    use zkinfer_quant::arith::rescale;

    /// Rescale by 2^4 without range checks: `x + 8 = 16·q + r` only.
    struct UncheckedRescale;

    impl Gadget<Fr> for UncheckedRescale {
        fn name(&self) -> &'static str {
            "unchecked_rescale"
        }
        fn input_len(&self) -> usize {
            1
        }
        fn input_range(&self, _: usize) -> (i128, i128) {
            (-1000, 1000)
        }
        fn reference(&self, inputs: &[i128]) -> Vec<i128> {
            vec![rescale(inputs[0], 4)]
        }
        fn cost(&self) -> Cost {
            Cost::new(1, 2, 4)
        }
        fn synthesize(
            &self,
            cs: ConstraintSystemRef<Fr>,
            inputs: &[Wire<Fr>],
            _: &[Challenge<Fr>],
        ) -> Result<Vec<Wire<Fr>>> {
            crate::gadget_scope!(cs, "unchecked_rescale");
            let x = &inputs[0];
            let q = Wire::witness(&cs, "quotient", x.value.map(|v| rescale(v, 4)))?;
            let r = Wire::witness(
                &cs,
                "remainder",
                x.value.map(|v| v + 8 - 16 * rescale(v, 4)),
            )?;
            let lhs = Wire::linear(&[(16, &q), (1, &r)], -8);
            enforce(&cs, lhs.lc, Wire::<Fr>::constant(1).lc, x.lc.clone())?;
            Ok(vec![q])
        }
    }

    /// An output nobody constrains.
    struct Unconstrained;

    impl Gadget<Fr> for Unconstrained {
        fn name(&self) -> &'static str {
            "unconstrained"
        }
        fn input_len(&self) -> usize {
            1
        }
        fn input_range(&self, _: usize) -> (i128, i128) {
            (0, 10)
        }
        fn reference(&self, inputs: &[i128]) -> Vec<i128> {
            inputs.to_vec()
        }
        fn cost(&self) -> Cost {
            Cost::new(0, 1, 0)
        }
        fn synthesize(
            &self,
            cs: ConstraintSystemRef<Fr>,
            inputs: &[Wire<Fr>],
            _: &[Challenge<Fr>],
        ) -> Result<Vec<Wire<Fr>>> {
            crate::gadget_scope!(cs, "unconstrained");
            Ok(vec![Wire::witness(&cs, "copy", inputs[0].value)?])
        }
    }

    #[test]
    fn the_harness_finds_an_unconstrained_output_by_its_path() {
        assert_cost::<Fr, _>(&Unconstrained);
        let report = check(&Unconstrained, &HarnessConfig::default(), &[]);
        let violation = report.violations().next().expect("a violation");
        assert_eq!(violation.label, "unconstrained/copy");
    }

    #[test]
    fn the_harness_finds_a_missing_remainder_range_check() {
        let attack = Adversary::new("quotient+1, remainder-16", |t: &mut Tamper<'_, Fr>| {
            let q = t.find("quotient")[0];
            let r = t.find("remainder")[0];
            t.set(q, t.get(q) + Fr::from(1u64));
            t.set(r, t.get(r) - Fr::from(16u64));
            true
        });
        let report = check(&UncheckedRescale, &HarnessConfig::default(), &[attack]);
        // single-variable mutations cannot break a two-variable relation…
        assert!(report
            .violations()
            .all(|f| f.mutation == Mutation::Adversary("quotient+1, remainder-16")));
        // …but the adversary does, on every case
        assert_eq!(report.violations().count(), report.cases);
        assert!(report.mutations > 0);
    }
}
