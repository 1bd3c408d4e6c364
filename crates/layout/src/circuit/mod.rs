//! [`ModelCircuit`]: the whole model as one `ConstraintSynthesizer<Fr>`,
//! built node by node following a [`Plan`].
//!
//! Each plan node is synthesized by the function of its op family
//! ([`linear`], [`product`], [`elementwise`], [`nonlinear`], [`reduce`], [`rounded`]); the node boundary is the unit a later
//! segmented prover will cut at. Every value crossing a node boundary is read
//! from the quantized [`Trace`] ([`TraceValues`]) and nowhere else; gadgets
//! derive their auxiliary witnesses (bits, remainders) from those values.
//! Without a trace (setup) values are absent and witness closures report
//! `AssignmentMissing`, as arkworks expects.

/// Elementwise activations.
pub mod elementwise;
/// Affine maps, data movement and constants.
pub mod linear;
/// Comparisons, logic, `Where`, booleanity and private-index lookups.
pub mod logic;
/// Sigmoid, tanh and softmax.
pub mod nonlinear;
/// Private × private products (Mul, MatMul).
pub mod product;
/// Maxima and arg-maxima over windows.
pub mod reduce;
/// Private division, square root, floor/ceil/round.
pub mod rounded;

use ark_relations::gr1cs::{ConstraintSynthesizer, ConstraintSystemRef, SynthesisError};
use ndarray::ArrayD;
use zkinfer_gadgets::error::GadgetError;
use zkinfer_gadgets::gadget::Gadget;
use zkinfer_gadgets::poseidon::commit;
use zkinfer_gadgets::range::{enforce, RangeCheck};
use zkinfer_gadgets::wire::Wire;
use zkinfer_quant::{QOp, QTensorId, QuantizedModel, Trace};

use crate::error::LayoutError;
use crate::plan::{GadgetChoice, Plan};
use crate::visibility::{InputVisibility, OutputVisibility, WeightVisibility};
use crate::Fr;

/// The whole-model circuit.
///
/// ```ignore
/// let (pk, vk) = MockBackend::setup(ModelCircuit::for_setup(&model, &plan), &mut rng)?;
/// let (proof, public) = MockBackend::prove(&pk, ModelCircuit::for_proving(&model, &plan, &trace), &mut rng)?;
/// ```
#[derive(Clone, Copy)]
pub struct ModelCircuit<'a> {
    model: &'a QuantizedModel,
    plan: &'a Plan,
    values: Option<&'a [ArrayD<i64>]>,
}

impl<'a> ModelCircuit<'a> {
    /// The circuit without values, for key generation.
    pub fn for_setup(model: &'a QuantizedModel, plan: &'a Plan) -> Self {
        ModelCircuit {
            model,
            plan,
            values: None,
        }
    }

    /// The circuit with the witness of one inference.
    pub fn for_proving(model: &'a QuantizedModel, plan: &'a Plan, trace: &'a Trace) -> Self {
        ModelCircuit {
            model,
            plan,
            values: Some(trace.values()),
        }
    }

    /// The circuit with explicit tensor values, indexed by tensor id like
    /// [`Trace::values`]. For tests that tamper with a trace.
    pub fn for_values(
        model: &'a QuantizedModel,
        plan: &'a Plan,
        values: &'a [ArrayD<i64>],
    ) -> Self {
        ModelCircuit {
            model,
            plan,
            values: Some(values),
        }
    }

    /// Synthesize into `cs`, with errors naming the node that failed.
    pub fn synthesize(self, cs: ConstraintSystemRef<Fr>) -> Result<(), LayoutError> {
        if self.plan.nodes.len() != self.model.nodes().len() {
            return Err(LayoutError::PlanMismatch(format!(
                "{} plan nodes for {} model nodes",
                self.plan.nodes.len(),
                self.model.nodes().len()
            )));
        }
        let mut s = Synthesis {
            model: self.model,
            plan: self.plan,
            values: TraceValues { trace: self.values },
            wires: vec![None; self.model.tensors().len()],
            weights: Vec::new(),
        };
        s.inputs(&cs)?;
        if self.plan.visibility.input == InputVisibility::Hashed {
            let mut values = Vec::new();
            for &id in self.model.inputs() {
                values.extend(s.wires(id)?.iter().cloned());
            }
            let bits = self
                .model
                .inputs()
                .iter()
                .map(|&id| self.model.tensor(id).bits)
                .max()
                .unwrap_or(2);
            s.commit_public(&cs, "inputs", &values, bits, false)?;
        }
        for index in 0..self.model.nodes().len() {
            s.node(&cs, index)?;
        }
        if self.plan.visibility.weights == WeightVisibility::Hashed {
            let (_, bits) = crate::family::weight_values(self.model);
            let weights = std::mem::take(&mut s.weights);
            s.commit_public(&cs, "weights", &weights, bits, true)?;
        }
        s.outputs(&cs)
    }
}

impl ConstraintSynthesizer<Fr> for ModelCircuit<'_> {
    fn generate_constraints(self, cs: ConstraintSystemRef<Fr>) -> Result<(), SynthesisError> {
        self.synthesize(cs).map_err(|e| match e {
            LayoutError::Synthesis(e) => e,
            _ => SynthesisError::Unsatisfiable,
        })
    }
}

/// The trace → witness mapping, in one place: the integer of a tensor
/// element, absent in setup mode.
#[derive(Clone, Copy)]
pub(crate) struct TraceValues<'a> {
    pub trace: Option<&'a [ArrayD<i64>]>,
}

impl TraceValues<'_> {
    /// All values of a tensor (`None`s without a trace).
    pub fn tensor(&self, id: QTensorId, len: usize) -> Vec<Option<i128>> {
        match self.trace {
            Some(t) => {
                let Some(v) = t.get(id.0) else {
                    return vec![None; len];
                };
                let mut out: Vec<Option<i128>> = v.iter().map(|&x| Some(x as i128)).collect();
                // A trace of another shape leaves the rest missing (synthesis then fails).
                out.resize(len, None);
                out
            }
            None => vec![None; len],
        }
    }
}

/// State of one synthesis: the wires of every tensor computed so far.
pub(crate) struct Synthesis<'a> {
    pub model: &'a QuantizedModel,
    pub plan: &'a Plan,
    pub values: TraceValues<'a>,
    pub wires: Vec<Option<Vec<Wire<Fr>>>>,
    /// Private weight wires, in allocation order (what a weight commitment hashes).
    pub weights: Vec<Wire<Fr>>,
}

/// Attach the node name to a gadget failure.
pub(crate) fn at(node: &str) -> impl Fn(GadgetError) -> LayoutError + '_ {
    move |e| match e {
        GadgetError::Synthesis(s) => LayoutError::Synthesis(s),
        other => LayoutError::Gadget {
            node: node.to_owned(),
            message: other.to_string(),
        },
    }
}

impl Synthesis<'_> {
    /// The wires of a tensor (computed earlier in topological order).
    pub fn wires(&self, id: QTensorId) -> Result<&[Wire<Fr>], LayoutError> {
        self.wires[id.0].as_deref().ok_or_else(|| {
            LayoutError::PlanMismatch(format!("tensor {id} used before it is computed"))
        })
    }

    /// Store a node's output wires, carrying the trace's values across the node boundary.
    pub fn set_output(&mut self, id: QTensorId, mut wires: Vec<Wire<Fr>>) {
        let values = self.values.tensor(id, wires.len());
        for (w, v) in wires.iter_mut().zip(values) {
            w.value = v;
        }
        self.wires[id.0] = Some(wires);
    }

    /// Poseidon commitment to `values`, exposed as one public input.
    fn commit_public(
        &mut self,
        cs: &ConstraintSystemRef<Fr>,
        what: &str,
        values: &[Wire<Fr>],
        bits: u32,
        range_check: bool,
    ) -> Result<(), LayoutError> {
        let ns = ark_relations::ns!(cs, "commitment");
        let cs = ns.cs();
        let (hash, value) = commit(&cs, values, bits, range_check).map_err(at(what))?;
        let known = self.values.trace.is_some();
        let public = cs.new_input_variable(|| {
            value
                .filter(|_| known)
                .ok_or(SynthesisError::AssignmentMissing)
        })?;
        enforce(&cs, Wire::<Fr>::constant(1).lc, hash.lc, public.into()).map_err(at(what))?;
        Ok(())
    }

    fn inputs(&mut self, cs: &ConstraintSystemRef<Fr>) -> Result<(), LayoutError> {
        let visibility = self.plan.visibility.input;
        for &id in self.model.inputs() {
            let t = self.model.tensor(id);
            let values = self.values.tensor(id, t.len());
            let wires = values
                .into_iter()
                .map(|v| match visibility {
                    InputVisibility::Public => Wire::public_input(cs, v),
                    InputVisibility::Private | InputVisibility::Hashed => {
                        Wire::witness(cs, "input", v)
                    }
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(at(&t.name))?;
            RangeCheck {
                bits: t.bits,
                len: t.len(),
            }
            .apply(cs.clone(), &wires)
            .map_err(at(&t.name))?;
            self.wires[id.0] = Some(wires);
        }
        Ok(())
    }

    fn node(&mut self, cs: &ConstraintSystemRef<Fr>, index: usize) -> Result<(), LayoutError> {
        let node = &self.model.nodes()[index];
        let choice = &self.plan.nodes[index].gadget;
        if self.plan.nodes[index].name != node.name {
            return Err(LayoutError::PlanMismatch(format!(
                "plan node {index} is `{}`, model node is `{}`",
                self.plan.nodes[index].name, node.name
            )));
        }
        if *choice == GadgetChoice::Fused {
            // The producer already computed this node's output.
            return Ok(());
        }
        match &node.op {
            QOp::Constant(values) => linear::constant(self, node, values),
            QOp::Gather(g) => linear::gather(self, node, g),
            QOp::Affine(a) => linear::affine(self, cs, index, a),
            QOp::Relu | QOp::LeakyRelu { .. } | QOp::Clip { .. } => {
                elementwise::activation(self, cs, node)
            }
            QOp::MaxOver { windows, min } => reduce::max_over(self, cs, node, windows, *min),
            QOp::ArgMax { windows, min } => reduce::argmax(self, cs, node, windows, *min),
            QOp::Mul { shift } => {
                let taps = (0..self.model.tensor(node.output).len()).map(|e| vec![(e, e)]);
                product::product(self, cs, node, 1, *shift, taps)
            }
            QOp::MatMul {
                batch,
                m,
                k,
                n,
                shift,
            } => {
                let taps = crate::family::matmul_taps(*batch, *m, *k, *n).map(|t| t.collect());
                product::product(self, cs, node, *k, *shift, taps)
            }
            QOp::Nonlinear {
                kind,
                in_scale,
                out_scale,
            } => nonlinear::smooth(self, cs, node, *kind, *in_scale, *out_scale),
            QOp::Compare { .. }
            | QOp::Logic { .. }
            | QOp::Select
            | QOp::Lookup(_)
            | QOp::Boolean => logic::synthesize(self, cs, node),
            QOp::Softmax {
                outer,
                group,
                inner,
                in_scale,
                out_scale,
            } => nonlinear::softmax(
                self,
                cs,
                node,
                (*outer, *group, *inner),
                *in_scale,
                *out_scale,
            ),
            QOp::Rounded(op) => rounded::rounded(self, cs, node, *op),
        }
    }

    fn outputs(&mut self, cs: &ConstraintSystemRef<Fr>) -> Result<(), LayoutError> {
        match self.plan.visibility.output {
            OutputVisibility::Private => Ok(()),
            OutputVisibility::Public => {
                for &id in self.model.outputs() {
                    let name = &self.model.tensor(id).name;
                    let computed = self.wires(id)?.to_vec();
                    let claimed = self.values.tensor(id, computed.len());
                    for (w, v) in computed.iter().zip(claimed) {
                        let public = Wire::public_input(cs, v).map_err(at(name))?;
                        enforce(cs, Wire::<Fr>::constant(1).lc, w.lc.clone(), public.lc)
                            .map_err(at(name))?;
                    }
                }
                Ok(())
            }
            OutputVisibility::Hashed => {
                let mut values = Vec::new();
                for &id in self.model.outputs() {
                    values.extend(self.wires(id)?.iter().cloned());
                }
                let bits = crate::optimizer::output_bits(self.model);
                self.commit_public(cs, "outputs", &values, bits, true)
            }
        }
    }
}
