//! Shared test driver: every gadget test runs the cost check and the full harness.

use crate::gadget::Gadget;
use crate::soundness::{assert_cost, check, Adversary, HarnessConfig, Report};
use crate::Fr;

/// Cost formula against synthesis, then the soundness harness with `adversaries`.
pub(crate) fn run<G: Gadget<Fr>>(gadget: &G, adversaries: &[Adversary<Fr>]) -> Report {
    assert_cost(gadget);
    let report = check(gadget, &HarnessConfig::default(), adversaries);
    report.assert_sound();
    assert!(
        report.cases >= 100,
        "{}: {} cases",
        gadget.name(),
        report.cases
    );
    report
}

/// Asserts every adversary ran at least once and none of them succeeded.
pub(crate) fn assert_adversaries_ran(report: &Report, expected: usize) {
    assert!(
        report.adversarial >= expected,
        "only {} adversarial witnesses ran",
        report.adversarial
    );
}

/// Synthesizes one element of a composite gadget on the input
/// `x_1 + … + x_vars + constant` (the shapes the layout feeds it) and returns
/// the measured counts; panics unless the honest system is satisfied.
pub(crate) fn measure_at(
    vars: usize,
    constant: i128,
    one: impl Fn(
        &ark_relations::gr1cs::ConstraintSystemRef<Fr>,
        &crate::Wire<Fr>,
    ) -> crate::error::Result<crate::Wire<Fr>>,
) -> crate::Cost {
    use ark_relations::gr1cs::ConstraintSystem;
    let cs = ConstraintSystem::<Fr>::new_ref();
    let xs: Vec<crate::Wire<Fr>> = (0..vars)
        .map(|i| crate::Wire::witness(&cs, "x", Some(i as i128 + 1)).expect("witness"))
        .collect();
    let terms: Vec<(i128, &crate::Wire<Fr>)> = xs.iter().map(|w| (1, w)).collect();
    let x = crate::Wire::linear(&terms, constant);
    one(&cs, &x).expect("synthesis");
    cs.finalize();
    assert!(
        cs.is_satisfied().expect("satisfiability"),
        "on {vars} vars + {constant}"
    );
    let nonzeros = cs
        .to_matrices()
        .expect("matrices")
        .values()
        .flat_map(|mats| mats.iter())
        .flat_map(|m| m.iter())
        .map(Vec::len)
        .sum();
    crate::Cost::new(
        cs.num_constraints(),
        cs.num_witness_variables() - vars,
        nonzeros,
    )
}
