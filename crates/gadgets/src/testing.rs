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
