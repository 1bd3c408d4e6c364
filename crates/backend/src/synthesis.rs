//! Running a circuit's one synthesis function in the three modes a backend
//! needs: setup (constraints, no values), witness-only (values, no
//! constraints) and checked (both, with namespace tracing, then a
//! satisfaction check that names the first broken constraint).

use std::collections::BTreeMap;

use ark_ff::PrimeField;
use ark_relations::gr1cs::{
    ConstraintLayer, ConstraintSynthesizer, ConstraintSystem, ConstraintSystemRef, Label, Matrix,
    OptimizationGoal, SynthesisMode, TracingMode, R1CS_PREDICATE_LABEL,
};
use tracing_subscriber::layer::SubscriberExt;

use crate::{digest::CircuitShape, error::BackendError};

/// A circuit synthesized in setup mode: its finalized constraint matrices
/// (per predicate label) and shape.
pub struct SetupSynthesis<F: PrimeField> {
    /// Matrices of every predicate, keyed by predicate label.
    pub matrices: BTreeMap<Label, Vec<Matrix<F>>>,
    /// Digest and counts.
    pub shape: CircuitShape,
}

/// Variable assignment of a circuit, as witness-only synthesis produces it.
#[derive(Clone, Debug)]
pub struct Assignment<F> {
    /// Public inputs, starting with the constant `1`.
    pub instance: Vec<F>,
    /// Private witness variables.
    pub witness: Vec<F>,
}

impl<F: Copy> Assignment<F> {
    /// The public inputs without the constant `1`.
    pub fn public_inputs(&self) -> &[F] {
        &self.instance[1..]
    }

    /// `instance ‖ witness`, the full variable vector `z` that constraint
    /// matrices multiply.
    pub fn full(&self) -> Vec<F> {
        let mut full = Vec::with_capacity(self.instance.len() + self.witness.len());
        full.extend_from_slice(&self.instance);
        full.extend_from_slice(&self.witness);
        full
    }
}

/// Both backends synthesize with the same optimization goal so that setup
/// and proving agree on the variable layout and the digest: `Constraints`
/// inlines linear combinations (free in Groth16) and, unlike `Weight`, never
/// adds witness variables during finalization.
const OPTIMIZATION_GOAL: OptimizationGoal = OptimizationGoal::Constraints;

fn new_constraint_system<F: PrimeField>(mode: SynthesisMode) -> ConstraintSystemRef<F> {
    let cs = ConstraintSystem::new_ref();
    cs.set_optimization_goal(OPTIMIZATION_GOAL);
    cs.set_mode(mode);
    cs
}

fn into_inner<F: PrimeField>(cs: ConstraintSystemRef<F>) -> ConstraintSystem<F> {
    cs.into_inner()
        .expect("the circuit dropped every other reference to the constraint system")
}

/// Runs `circuit` in setup mode and returns its finalized matrices and shape.
pub fn synthesize_setup<F, C>(circuit: C) -> Result<SetupSynthesis<F>, BackendError>
where
    F: PrimeField,
    C: ConstraintSynthesizer<F>,
{
    let cs = new_constraint_system(SynthesisMode::Setup);
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    let cs = into_inner(cs);
    let matrices = cs.to_matrices()?;
    let shape = CircuitShape::of_constraint_system(&cs, &matrices);
    Ok(SetupSynthesis { matrices, shape })
}

/// Runs `circuit` for its variable values only.
///
/// Constraint closures are never called and no matrix is built, so this is
/// the cheap way to get a witness when the matrices are cached in a proving
/// key. Nothing is checked: a wrong witness surfaces later.
pub fn synthesize_witness<F, C>(circuit: C) -> Result<Assignment<F>, BackendError>
where
    F: PrimeField,
    C: ConstraintSynthesizer<F>,
{
    let cs = new_constraint_system(SynthesisMode::Prove {
        construct_matrices: false,
        generate_lc_assignments: false,
    });
    circuit.generate_constraints(cs.clone())?;
    let cs = into_inner(cs);
    Ok(Assignment {
        instance: cs.assignments.instance_assignment,
        witness: cs.assignments.witness_assignment,
    })
}

/// A circuit synthesized with both constraints and values.
pub struct FullSynthesis<F: PrimeField> {
    /// Digest and counts, equal to those of [`synthesize_setup`].
    pub shape: CircuitShape,
    /// The variable values.
    pub assignment: Assignment<F>,
    /// Matrices of every predicate, keyed by predicate label.
    pub matrices: BTreeMap<Label, Vec<Matrix<F>>>,
}

/// Runs `circuit` with constraints and values, as ark-groth16's own prover
/// does, without checking satisfaction.
pub fn synthesize_full<F, C>(circuit: C) -> Result<FullSynthesis<F>, BackendError>
where
    F: PrimeField,
    C: ConstraintSynthesizer<F>,
{
    into_full_synthesis(synthesize_with_matrices(circuit)?)
}

/// Runs `circuit` with constraints and values, recording each constraint's
/// namespace path (`ns!(cs, "layer3")` spans and ark-r1cs-std's instrumented
/// gadgets), and checks that every constraint holds.
///
/// An unsatisfied constraint is reported as [`BackendError::Unsatisfied`]
/// with its path, e.g. `layer3/relu/enforce_equal`. Tracing is installed for
/// this call only (thread-local), so it costs nothing elsewhere.
pub fn synthesize_checked<F, C>(circuit: C) -> Result<FullSynthesis<F>, BackendError>
where
    F: PrimeField,
    C: ConstraintSynthesizer<F>,
{
    let subscriber =
        tracing_subscriber::registry().with(ConstraintLayer::new(TracingMode::OnlyConstraints));
    tracing::subscriber::with_default(subscriber, || {
        let cs = synthesize_with_matrices(circuit)?;
        first_unsatisfied(&cs)?;
        into_full_synthesis(cs)
    })
}

fn synthesize_with_matrices<F, C>(circuit: C) -> Result<ConstraintSystem<F>, BackendError>
where
    F: PrimeField,
    C: ConstraintSynthesizer<F>,
{
    let cs = new_constraint_system(SynthesisMode::Prove {
        construct_matrices: true,
        generate_lc_assignments: false,
    });
    circuit.generate_constraints(cs.clone())?;
    cs.finalize();
    Ok(into_inner(cs))
}

fn into_full_synthesis<F: PrimeField>(
    cs: ConstraintSystem<F>,
) -> Result<FullSynthesis<F>, BackendError> {
    let matrices = cs.to_matrices()?;
    let shape = CircuitShape::of_constraint_system(&cs, &matrices);
    Ok(FullSynthesis {
        shape,
        assignment: Assignment {
            instance: cs.assignments.instance_assignment,
            witness: cs.assignments.witness_assignment,
        },
        matrices,
    })
}

/// `Err(Unsatisfied)` naming the first unsatisfied constraint, if any.
///
/// Walks the predicates itself rather than calling `which_is_unsatisfied`,
/// which returns a preformatted multi-line string: this keeps predicate,
/// index and path as separate fields.
fn first_unsatisfied<F: PrimeField>(cs: &ConstraintSystem<F>) -> Result<(), BackendError> {
    for (label, predicate) in &cs.predicate_constraint_systems {
        if let Some(index) = predicate.which_constraint_is_unsatisfied(cs) {
            let path = cs
                .predicate_traces
                .get(label)
                .and_then(|traces| traces.get(index))
                .and_then(|trace| trace.as_ref())
                .map(|trace| {
                    trace
                        .path()
                        .iter()
                        .map(|step| step.name)
                        .collect::<Vec<_>>()
                        .join("/")
                });
            return Err(BackendError::Unsatisfied {
                predicate: label.clone(),
                index,
                path,
            });
        }
    }
    Ok(())
}

/// The A, B, C matrices of a circuit that uses only rank-1 constraints.
///
/// Fails with [`BackendError::Unsupported`] if the circuit enforced
/// constraints of any other generalized-R1CS predicate.
pub fn r1cs_matrices<F: PrimeField>(
    mut matrices: BTreeMap<Label, Vec<Matrix<F>>>,
) -> Result<Vec<Matrix<F>>, BackendError> {
    let r1cs = matrices
        .remove(R1CS_PREDICATE_LABEL)
        .unwrap_or_else(|| vec![Vec::new(); 3]);
    if let Some((label, _)) = matrices
        .iter()
        .find(|(_, predicate)| predicate.iter().any(|matrix| !matrix.is_empty()))
    {
        return Err(BackendError::Unsupported(format!(
            "constraints of predicate {label:?}; only R1CS is supported"
        )));
    }
    Ok(r1cs)
}
