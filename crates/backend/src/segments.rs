//! Seams for what comes after single-circuit Groth16: committed witness
//! segments, Fiat–Shamir challenges that circuits take as inputs, batches and
//! models proven in linked pieces. Only the single-segment case is
//! implemented; these types fix the vocabulary so the trait does not change
//! when the rest arrives.
//!
//! # Commit-and-prove Groth16 (planned)
//!
//! Checking a matrix product `Y = W·X` costs `n·m·k` multiplication
//! constraints. Freivalds' check costs `n·k + m·k` instead: pick a random
//! vector `r` and check `rᵀY = (rᵀW)·X`. In a non-interactive proof `r` must
//! be fixed *after* `W`, `X` and `Y` are, so the plan (as in LegoSNARK,
//! Campanelli–Fiore–Querol 2019, and gnark's Groth16 commitment extension) is:
//!
//! 1. The circuit marks a witness segment (the weights, or one layer's
//!    activations) as [`SegmentKind::Committed`]; setup records it in the
//!    key's [`CircuitSegments`] and adds Pedersen bases for it.
//! 2. The prover assigns that segment first and commits to it; the proof
//!    carries the commitment ([`SegmentCommitment`], exposed through
//!    [`ProofArtifact::segment_commitments`](crate::ProofArtifact::segment_commitments))
//!    and a proof of knowledge of its opening.
//! 3. A [`Challenge`] is hashed from the circuit digest and the commitments.
//!    The circuit receives it as a public input (so the constraints are fixed
//!    at setup while the value is not) and uses it for Freivalds checks.
//! 4. The verifier recomputes the challenge from the commitments, so the
//!    prover never chooses it.
//!
//! Circuits are already written against this: a circuit that takes a
//! `Challenge<F>` allocates it with
//! `cs.new_input_variable(|| challenge.value())`, which yields
//! `AssignmentMissing` in setup exactly like any other witness closure.
//! Today the caller supplies the value (tests, or a challenge agreed out of
//! band); the commit-and-prove backend will supply it during synthesis.
//!
//! # Batches
//!
//! A batch of `N` inputs to one model is one circuit: the weights segment is
//! committed once and one challenge checks `W·[x₁ … x_N]` for all columns, so
//! the Freivalds saving grows with `N`. The backend sees an ordinary, larger
//! circuit; [`PublicInputs`](crate::PublicInputs) labels carry the batch
//! index.
//!
//! # Models proven in segments
//!
//! A model too big for one proving key is cut into circuits `S₁ … S_k`. The
//! output activations of `S_i` and the input activations of `S_{i+1}` are
//! both committed segments under one shared commitment key; a chain verifies
//! when every proof verifies and adjacent commitments are equal. Keys will
//! then carry the commitment key's digest next to the circuit digest.

use ark_ff::Field;
use ark_relations::gr1cs::SynthesisError;

/// How a circuit's witness is divided into segments.
///
/// Every circuit today is [`CircuitSegments::single`]: one uncommitted
/// segment holding the whole witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CircuitSegments {
    /// Segments in allocation order.
    pub segments: Vec<SegmentSpec>,
}

impl CircuitSegments {
    /// The whole witness as one uncommitted segment: plain Groth16.
    pub fn single() -> Self {
        Self {
            segments: vec![SegmentSpec {
                label: "witness".to_owned(),
                kind: SegmentKind::Plain,
            }],
        }
    }

    /// True when no segment is committed, i.e. the circuit needs nothing
    /// beyond plain Groth16.
    pub fn is_plain(&self) -> bool {
        self.segments
            .iter()
            .all(|segment| segment.kind == SegmentKind::Plain)
    }
}

impl Default for CircuitSegments {
    fn default() -> Self {
        Self::single()
    }
}

/// One segment of a circuit's witness.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentSpec {
    /// Name used in errors and commitments, e.g. `"weights"` or
    /// `"activations/layer3"`.
    pub label: String,
    /// Whether the proof commits to the segment.
    pub kind: SegmentKind,
}

/// Whether a witness segment is committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    /// Ordinary private witness.
    Plain,
    /// Committed with a Pedersen commitment carried next to the proof;
    /// challenges derived from it may drive checks inside the circuit.
    Committed,
}

/// A commitment to one committed segment, as carried next to a proof.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentCommitment {
    /// Label of the committed segment.
    pub label: String,
    /// The commitment's canonical encoding (a compressed G1 point for
    /// Groth16 over BN254).
    pub bytes: Vec<u8>,
}

/// A Fiat–Shamir challenge that a circuit takes as an input.
///
/// `None` while the value is not known (setup, or before the committed
/// segments are assigned); [`value`](Self::value) then returns
/// `AssignmentMissing`, which is what witness closures return in setup mode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge<F: Field> {
    /// Name of the challenge, e.g. `"freivalds/layer3"`.
    pub label: String,
    /// The challenge value, once derived.
    pub value: Option<F>,
}

impl<F: Field> Challenge<F> {
    /// A challenge whose value is not known yet (setup mode).
    pub fn unknown(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value: None,
        }
    }

    /// A challenge with a known value.
    pub fn known(label: impl Into<String>, value: F) -> Self {
        Self {
            label: label.into(),
            value: Some(value),
        }
    }

    /// The value, for a witness or input closure.
    pub fn value(&self) -> Result<F, SynthesisError> {
        self.value.ok_or(SynthesisError::AssignmentMissing)
    }
}
