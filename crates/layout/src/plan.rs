//! [`Plan`]: per node, the gadget chosen, its bit widths and cost, and the
//! alternatives the optimizer rejected.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cost::Cost;
use crate::cost_model::CostModel;
use crate::error::LayoutError;
use crate::limits::{self, Suggestion, MAX_CONSTRAINTS};
use crate::visibility::Visibility;

/// What the optimizer minimizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimizeMode {
    /// Keep the quantized model's scales; pick the cheapest gadgets for them.
    #[default]
    Accuracy,
    /// Cheapest gadgets, and (with [`crate::search_scale`]) the lowest scale
    /// whose output error stays within tolerance.
    Resources,
}

/// How one quantized node is proven.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum GadgetChoice {
    /// Pure wiring (Gather, Constant) or an exact linear map with constant
    /// coefficients: a linear combination, no constraint. Consumers read it
    /// directly, which merges consecutive linear maps.
    Linear,
    /// Affine map, then the rounding division by `2^k` proven with one
    /// decomposition; the output is range-checked.
    Rescale,
    /// Affine map, then rounding division by a constant (per row or shared).
    DivConst,
    /// Affine map, rounding and ReLU from one decomposition of the rounded value
    /// (the following ReLU node is fused in).
    RescaleRelu,
    /// The affine map's weights are witness variables: one product constraint per
    /// weight × activation term, then the rounding.
    PrivateDot,
    /// Private dot products, rounding and ReLU with one decomposition.
    PrivateDotRelu,
    /// Fused into the preceding node (its cost is counted there).
    Fused,
    /// Elementwise ReLU from a sign decomposition of its input.
    Relu,
    /// Elementwise leaky ReLU / PReLU.
    LeakyRelu,
    /// Elementwise clip.
    Clip,
    /// Elementwise product of two private tensors, then rounding.
    Mul,
    /// Private × private matrix product, then rounding.
    MatMul,
    /// Maximum over windows by a chain of pairwise comparisons.
    MaxChain,
    /// Maximum over windows with a one-hot selector and one range check per element.
    MaxSelect,
    /// Position of the maximum over windows.
    ArgMax,
    /// Piecewise-polynomial approximation of a smooth function.
    Nonlinear,
    /// Integer softmax.
    Softmax,
    /// Division by a private value, square root or floor/ceil/round, each
    /// certified by one remainder range.
    Rounded,
    /// Comparison bit from one decomposition of the difference (or is-zero).
    Compare,
    /// And/Or/Xor of booleans, one product each.
    Logic,
    /// `Where`: one product per element, free between constants.
    Select,
    /// Lookup with private indices through a constrained one-hot.
    Lookup,
    /// Booleanity check of a boolean input.
    Boolean,
}

impl GadgetChoice {
    /// Short name for tables.
    pub fn name(&self) -> &'static str {
        match self {
            GadgetChoice::Linear => "linear",
            GadgetChoice::Rescale => "rescale",
            GadgetChoice::DivConst => "div-const",
            GadgetChoice::RescaleRelu => "rescale+relu",
            GadgetChoice::PrivateDot => "private-dot",
            GadgetChoice::PrivateDotRelu => "private-dot+relu",
            GadgetChoice::Fused => "(fused)",
            GadgetChoice::Relu => "relu",
            GadgetChoice::LeakyRelu => "leaky-relu",
            GadgetChoice::Clip => "clip",
            GadgetChoice::Mul => "mul",
            GadgetChoice::MatMul => "matmul",
            GadgetChoice::MaxChain => "max-chain",
            GadgetChoice::MaxSelect => "max-select",
            GadgetChoice::ArgMax => "argmax",
            GadgetChoice::Nonlinear => "nonlinear",
            GadgetChoice::Softmax => "softmax",
            GadgetChoice::Rounded => "rounded",
            GadgetChoice::Compare => "compare",
            GadgetChoice::Logic => "logic",
            GadgetChoice::Select => "select",
            GadgetChoice::Lookup => "lookup",
            GadgetChoice::Boolean => "boolean",
        }
    }
}

impl fmt::Display for GadgetChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One implementation the optimizer considered for a node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alternative {
    /// The gadget.
    pub gadget: GadgetChoice,
    /// Its exact cost (for fused variants, of the whole fused group).
    pub cost: Cost,
    /// Why it won or lost.
    pub verdict: String,
}

/// The plan for one quantized node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanNode {
    /// Index in [`QuantizedModel::nodes`](zkinfer_quant::QuantizedModel::nodes).
    pub index: usize,
    /// Node name.
    pub name: String,
    /// Quantized op kind ([`QOp::kind_name`](zkinfer_quant::QOp::kind_name)) and its float source.
    pub op: String,
    /// Input shapes.
    pub input_shapes: Vec<Vec<usize>>,
    /// Output shape.
    pub output_shape: Vec<usize>,
    /// The gadget chosen.
    pub gadget: GadgetChoice,
    /// Signed bit width every output value is range-checked to (0 when not checked).
    pub bits: u32,
    /// Scale exponent of the output.
    pub scale: u32,
    /// Exact cost of this node's constraints.
    pub cost: Cost,
    /// Index (in the plan) of the node this one is fused into, or of the node fused into this one.
    pub fused_with: Option<usize>,
    /// Everything considered, the winner first.
    pub alternatives: Vec<Alternative>,
}

/// Costs outside the nodes: public inputs and commitments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanExtra {
    /// What it is (e.g. `"inputs: public"`, `"weights: Poseidon commitment"`).
    pub what: String,
    /// Its cost.
    pub cost: Cost,
}

/// How a quantized model is laid out as one circuit, with predicted costs.
///
/// Made by [`crate::plan`]; followed by [`crate::ModelCircuit`]; printed as a
/// per-node table by its `Display`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// Visibility of inputs, weights, outputs.
    pub visibility: Visibility,
    /// The optimizer's objective.
    pub mode: OptimizeMode,
    /// One entry per quantized node, in model order.
    pub nodes: Vec<PlanNode>,
    /// Public inputs, commitments.
    pub extras: Vec<PlanExtra>,
    /// The prove time and memory model.
    pub cost_model: CostModel,
    /// Memory available when planned (`MemAvailable`), if known.
    pub available_bytes: Option<u64>,
    /// Cheaper alternatives for the whole model, if the limits are exceeded.
    pub suggestions: Vec<Suggestion>,
}

impl Plan {
    /// Total predicted size of the circuit.
    pub fn total(&self) -> Cost {
        self.nodes
            .iter()
            .map(|n| n.cost)
            .chain(self.extras.iter().map(|e| e.cost))
            .sum()
    }

    /// Predicted Groth16 prove time, seconds.
    pub fn predicted_prove_seconds(&self) -> f64 {
        self.cost_model.prove_seconds(&self.total())
    }

    /// Predicted Groth16 setup time, seconds.
    pub fn predicted_setup_seconds(&self) -> f64 {
        self.cost_model.setup_seconds(&self.total())
    }

    /// Predicted peak memory while proving, bytes.
    pub fn predicted_peak_bytes(&self) -> u64 {
        self.cost_model.peak_bytes(&self.total())
    }

    /// Refuse before setup if the circuit is over `2^28` constraints or its
    /// predicted peak memory exceeds `MemAvailable`, saying by how much and
    /// which cheaper settings would fit.
    pub fn check_limits(&self) -> Result<(), LayoutError> {
        self.check_limits_with(self.available_bytes)
    }

    /// [`check_limits`](Self::check_limits) against a given amount of memory.
    pub fn check_limits_with(&self, available_bytes: Option<u64>) -> Result<(), LayoutError> {
        let total = self.total();
        if total.constraints > MAX_CONSTRAINTS {
            return Err(LayoutError::TooManyConstraints {
                predicted: total.constraints,
                limit: MAX_CONSTRAINTS,
                excess: total.constraints - MAX_CONSTRAINTS,
                suggestions: self.suggestions.clone(),
            });
        }
        let peak = self.predicted_peak_bytes();
        if let Some(available) = available_bytes {
            if peak > available {
                return Err(LayoutError::OutOfMemory {
                    predicted_bytes: peak,
                    available_bytes: available,
                    suggestions: self.suggestions.clone(),
                });
            }
        }
        Ok(())
    }

    /// Whether a size fits both limits under this plan's cost model.
    pub(crate) fn fits(&self, cost: &Cost) -> bool {
        cost.constraints <= MAX_CONSTRAINTS
            && self
                .available_bytes
                .is_none_or(|a| self.cost_model.peak_bytes(cost) <= a)
    }

    /// Per node, every alternative considered and why it won or lost.
    pub fn alternatives_report(&self) -> String {
        let mut out = String::new();
        for n in &self.nodes {
            if n.alternatives.len() < 2 {
                continue;
            }
            out.push_str(&format!("{} ({}):\n", n.name, n.op));
            for a in &n.alternatives {
                out.push_str(&format!(
                    "  {:<18} {:>10} constraints {:>10} witnesses  {}\n",
                    a.gadget.name(),
                    a.cost.constraints,
                    a.cost.witnesses,
                    a.verdict
                ));
            }
        }
        out
    }
}

fn shape(s: &[usize]) -> String {
    let parts: Vec<String> = s.iter().map(|d| d.to_string()).collect();
    format!("[{}]", parts.join(","))
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "plan: {} ({:?} mode)", self.visibility, self.mode)?;
        writeln!(
            f,
            "{:>4}  {:<28} {:<22} {:<22} {:<16} {:>4} {:>12} {:>12}",
            "#", "node", "op", "shapes", "gadget", "bits", "constraints", "witnesses"
        )?;
        for n in &self.nodes {
            let ins: Vec<String> = n.input_shapes.iter().map(|s| shape(s)).collect();
            let shapes = format!("{}->{}", ins.join(","), shape(&n.output_shape));
            let mut name = n.name.clone();
            if name.chars().count() > 28 {
                name = format!(
                    "…{}",
                    name.chars()
                        .rev()
                        .take(27)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .rev()
                        .collect::<String>()
                );
            }
            let mut op = n.op.clone();
            op.truncate(22);
            writeln!(
                f,
                "{:>4}  {:<28} {:<22} {:<22} {:<16} {:>4} {:>12} {:>12}",
                n.index,
                name,
                op,
                shapes,
                n.gadget.name(),
                if n.bits == 0 {
                    "-".to_string()
                } else {
                    n.bits.to_string()
                },
                n.cost.constraints,
                n.cost.witnesses
            )?;
        }
        for e in &self.extras {
            writeln!(
                f,
                "      {:<90} {:>12} {:>12}",
                e.what, e.cost.constraints, e.cost.witnesses
            )?;
        }
        let total = self.total();
        writeln!(f, "total: {total}")?;
        write!(
            f,
            "predicted: prove {:.2} s, setup {:.2} s, peak memory {}",
            self.predicted_prove_seconds(),
            self.predicted_setup_seconds(),
            limits::human_bytes(self.predicted_peak_bytes())
        )?;
        if let Some(a) = self.available_bytes {
            write!(f, " (available {})", limits::human_bytes(a))?;
        }
        if total.constraints > MAX_CONSTRAINTS {
            write!(f, "\nover the 2^28 constraint limit")?;
        }
        Ok(())
    }
}
