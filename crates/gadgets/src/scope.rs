//! Gadget namespaces and witness labels.
//!
//! Every gadget opens its scope with [`gadget_scope!`](crate::gadget_scope),
//! which does two things: an ark namespace (`ns!`), so that
//! `which_is_unsatisfied()` names the gadget path when a tracing
//! `ConstraintLayer` is installed, and an entry on this crate's own path stack,
//! so the soundness harness can name every witness variable (`rescale/bit[3]`)
//! without a tracing subscriber. The label registry lives in the constraint
//! system's `cache_map` and is only filled when [`record_labels`] installed it,
//! so ordinary synthesis pays one map lookup per witness.

use ark_ff::PrimeField;
use ark_relations::gr1cs::ConstraintSystemRef;
use std::any::TypeId;

/// Witness labels, indexed by witness variable, and the current gadget path.
#[derive(Clone, Debug, Default)]
pub struct WitnessLabels {
    stack: Vec<&'static str>,
    labels: Vec<String>,
}

impl WitnessLabels {
    /// The label of witness `index`, if recorded.
    pub fn get(&self, index: usize) -> Option<&str> {
        self.labels.get(index).map(String::as_str)
    }

    /// All labels, indexed by witness variable.
    pub fn all(&self) -> &[String] {
        &self.labels
    }

    fn path(&self) -> String {
        self.stack.join("/")
    }

    /// Labels witnesses allocated behind our back (e.g. by ark-r1cs-std) with the current path.
    fn pad_to(&mut self, count: usize) {
        while self.labels.len() < count {
            let label = format!("{}/(unlabelled)", self.path());
            self.labels.push(label);
        }
    }
}

fn with_labels<F: PrimeField, R>(
    cs: &ConstraintSystemRef<F>,
    f: impl FnOnce(&mut WitnessLabels, usize) -> R,
) -> Option<R> {
    let inner = cs.borrow()?;
    let count = inner.num_witness_variables();
    let mut cache = inner.cache_map.borrow_mut();
    let labels = cache
        .get_mut(&TypeId::of::<WitnessLabels>())?
        .downcast_mut::<WitnessLabels>()?;
    Some(f(labels, count))
}

/// Starts recording witness labels in `cs` (the harness calls this before synthesis).
pub fn record_labels<F: PrimeField>(cs: &ConstraintSystemRef<F>) {
    if let Some(inner) = cs.borrow() {
        inner.cache_map.borrow_mut().insert(
            TypeId::of::<WitnessLabels>(),
            Box::new(WitnessLabels::default()),
        );
    }
}

/// The recorded labels (padded to the current witness count), if recording.
pub fn recorded_labels<F: PrimeField>(cs: &ConstraintSystemRef<F>) -> Option<WitnessLabels> {
    with_labels(cs, |labels, count| {
        labels.pad_to(count);
        labels.clone()
    })
}

/// Records the label of the next witness variable to be allocated.
pub(crate) fn label_next_witness<F: PrimeField>(cs: &ConstraintSystemRef<F>, label: &str) {
    with_labels(cs, |labels, count| {
        labels.pad_to(count);
        let path = labels.path();
        labels.labels.push(format!("{path}/{label}"));
    });
}

/// An entry on the gadget path stack; leaving the scope pops it.
#[must_use = "the scope ends when this guard is dropped"]
pub struct Scope<F: PrimeField> {
    cs: ConstraintSystemRef<F>,
}

impl<F: PrimeField> Scope<F> {
    /// Pushes `name` on the path stack of `cs`.
    pub fn enter(cs: &ConstraintSystemRef<F>, name: &'static str) -> Self {
        with_labels(cs, |labels, count| {
            labels.pad_to(count);
            labels.stack.push(name);
        });
        Scope { cs: cs.clone() }
    }
}

impl<F: PrimeField> Drop for Scope<F> {
    fn drop(&mut self) {
        with_labels(&self.cs, |labels, count| {
            labels.pad_to(count);
            labels.stack.pop();
        });
    }
}

/// Opens a gadget scope: an ark namespace plus a witness-label path entry.
///
/// `gadget_scope!(cs, "relu")` shadows `cs` with the namespaced system until
/// the end of the enclosing block.
#[macro_export]
macro_rules! gadget_scope {
    ($cs:ident, $name:literal) => {
        let __gadget_ns = $crate::reexports::ark_relations::ns!($cs, $name);
        let $cs = __gadget_ns.cs();
        let __gadget_scope = $crate::scope::Scope::enter(&$cs, $name);
    };
}
