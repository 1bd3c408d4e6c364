//! The optimizer: for every quantized node, the candidate gadgets and their
//! exact costs, the choice, and the resulting [`Plan`].
//!
//! Choices are local: each node (or fusable pair affine → ReLU) takes the
//! candidate with the lowest predicted prove time; data movement and exact
//! constant-coefficient linear maps are free linear combinations that their
//! consumers read directly, which merges consecutive linear maps.

use zkinfer_gadgets::gadget::Gadget;
use zkinfer_gadgets::range::RangeCheck;
use zkinfer_quant::{GatherSource, QOp, QTensorId, QuantizedModel};

use crate::cost::Cost;
use crate::cost_model::CostModel;
use crate::error::LayoutError;
use crate::family::{self, Activation, AffineGadget, LcShape, Product, Smooth};
use crate::limits::{self, Suggestion};
use crate::plan::{Alternative, GadgetChoice, OptimizeMode, Plan, PlanExtra, PlanNode};
use crate::visibility::{InputVisibility, OutputVisibility, Visibility, WeightVisibility};
use crate::Fr;

/// What [`plan`] optimizes for and under which visibility.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanOptions {
    /// Visibility of inputs, weights, outputs.
    pub visibility: Visibility,
    /// The objective.
    pub mode: OptimizeMode,
    /// Prove time and memory model; the shipped one when `None`.
    pub cost_model: Option<CostModel>,
    /// Memory budget in bytes; `MemAvailable` of `/proc/meminfo` when `None`.
    pub memory_budget: Option<u64>,
    /// Fuse affine + rescale + ReLU into one decomposition where possible.
    pub fuse: bool,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            visibility: Visibility::default(),
            mode: OptimizeMode::default(),
            cost_model: None,
            memory_budget: None,
            fuse: true,
        }
    }
}

/// Plan how to prove `model`: per node the gadget, its bit widths and exact
/// cost, with the rejected alternatives; totals and predicted prove time and
/// memory. Fails with [`LayoutError::Unsupported`] when a node has no gadget.
///
/// The plan is returned even when it exceeds the limits (so it can be
/// printed); call [`Plan::check_limits`] before setup.
pub fn plan(model: &QuantizedModel, options: &PlanOptions) -> Result<Plan, LayoutError> {
    let cost_model = options.cost_model.clone().unwrap_or_default();
    let available = options.memory_budget.or_else(limits::available_memory);
    let mut plan = plan_with(model, options, cost_model, available)?;
    if !plan.fits(&plan.total()) {
        plan.suggestions = suggestions(model, options, &plan);
    }
    Ok(plan)
}

fn plan_with(
    model: &QuantizedModel,
    options: &PlanOptions,
    cost_model: CostModel,
    available_bytes: Option<u64>,
) -> Result<Plan, LayoutError> {
    let vis = options.visibility;
    let nodes = model.nodes();
    let mut uses = vec![0usize; model.tensors().len()];
    for n in nodes {
        for i in &n.inputs {
            uses[i.0] += 1;
        }
    }
    for o in model.outputs() {
        uses[o.0] += 2;
    }
    let consumer = |t: QTensorId| nodes.iter().position(|n| n.inputs.contains(&t));

    // Shape of every element's linear combination, for exact non-zero counts.
    let mut shapes: Vec<Vec<LcShape>> = model
        .tensors()
        .iter()
        .map(|t| vec![LcShape::VARIABLE; t.len()])
        .collect();
    let mut planned: Vec<Option<PlanNode>> = vec![None; nodes.len()];
    let rank = |c: &Cost| (cost_model.prove_seconds(c), c.constraints);

    for (i, node) in nodes.iter().enumerate() {
        if planned[i].is_some() {
            continue;
        }
        let out = model.tensor(node.output);
        let input_shapes = node
            .inputs
            .iter()
            .map(|&t| model.tensor(t).shape.clone())
            .collect();
        let mut entry = PlanNode {
            index: i,
            name: node.name.clone(),
            op: node.op.kind_name().to_string(),
            input_shapes,
            output_shape: out.shape.clone(),
            gadget: GadgetChoice::Linear,
            bits: 0,
            scale: node.out_scale,
            cost: Cost::ZERO,
            fused_with: None,
            alternatives: Vec::new(),
        };
        let in_shape = |slot: usize, index: usize| shapes[node.inputs[slot].0][index];
        let mut out_shapes: Vec<LcShape> = vec![LcShape::VARIABLE; out.len()];
        let mut fused_output = None;
        match &node.op {
            QOp::Constant(_) => {
                if let QOp::Constant(values) = &node.op {
                    out_shapes = values
                        .iter()
                        .map(|&v| LcShape::constant(v as i128))
                        .collect();
                }
                entry.alternatives.push(Alternative {
                    gadget: GadgetChoice::Linear,
                    cost: Cost::ZERO,
                    verdict: "constants are free".into(),
                });
            }
            QOp::Gather(g) => {
                out_shapes = g
                    .sources
                    .iter()
                    .map(|s| match *s {
                        GatherSource::Input(t) => in_shape(t.input, t.index),
                        GatherSource::Constant(c) => LcShape::constant(c as i128),
                    })
                    .collect();
                entry.op = format!("Gather({})", g.source);
                entry.alternatives.push(Alternative {
                    gadget: GadgetChoice::Linear,
                    cost: Cost::ZERO,
                    verdict: "data movement is free wiring".into(),
                });
            }
            QOp::Affine(a) => {
                entry.op = format!("Affine({})", a.source);
                let private =
                    vis.weights.is_private() && family::is_parameterised(a, node.inputs.len());
                // A ReLU that is this node's only consumer can share the decomposition.
                let relu_next = consumer(node.output).filter(|&j| {
                    options.fuse
                        && uses[node.output.0] == 1
                        && matches!(nodes[j].op, QOp::Relu)
                        && matches!(a.rescale, zkinfer_quant::Rescale::Shift(_))
                });
                let base = if private {
                    GadgetChoice::PrivateDot
                } else if a.rescale == zkinfer_quant::Rescale::Shift(0) {
                    GadgetChoice::Linear
                } else if matches!(a.rescale, zkinfer_quant::Rescale::Shift(_)) {
                    GadgetChoice::Rescale
                } else {
                    GadgetChoice::DivConst
                };
                let g = AffineGadget::new(node, a, &base);
                let (base_cost, base_shapes) = g.cost(a, &in_shape);
                let mut best = (base.clone(), base_cost, g.out_bits());
                out_shapes = base_shapes.clone();
                let mut alternatives = vec![(base.clone(), base_cost, String::new())];
                if let Some(j) = relu_next {
                    let relu_in = model.tensor(node.output);
                    let relu = Activation::new(&nodes[j], relu_in.bits, relu_in.len())?;
                    let relu_cost: Cost = base_shapes
                        .iter()
                        .map(|x| family::relu_cost(relu_in.bits, *x))
                        .sum();
                    let separate = base_cost + relu_cost;
                    alternatives[0].1 = separate;
                    alternatives[0].2 = format!(
                        "then a separate relu ({} constraints)",
                        relu_cost.constraints
                    );
                    debug_assert_eq!(relu.cost().constraints, relu_cost.constraints);
                    let fused_choice = if private {
                        GadgetChoice::PrivateDotRelu
                    } else {
                        GadgetChoice::RescaleRelu
                    };
                    let fg = AffineGadget::new(node, a, &fused_choice);
                    let (fused, fused_shapes) = fg.cost(a, &in_shape);
                    alternatives.push((
                        fused_choice.clone(),
                        fused,
                        "one decomposition for rounding and sign".into(),
                    ));
                    best = if rank(&fused) <= rank(&separate) {
                        (fused_choice, fused, fg.out_bits())
                    } else {
                        (base.clone(), base_cost, g.out_bits())
                    };
                    if best.0 != base {
                        fused_output = Some((nodes[j].output, fused_shapes));
                        let mut relu_entry = fused_entry(model, j, i);
                        relu_entry.bits = relu_in.bits;
                        planned[j] = Some(relu_entry);
                        entry.fused_with = Some(j);
                    }
                }
                if private {
                    let fixed = AffineGadget::new(node, a, &GadgetChoice::Rescale)
                        .cost(a, &in_shape)
                        .0;
                    alternatives.push((
                        GadgetChoice::Rescale,
                        fixed,
                        "needs fixed weights (visibility says private)".into(),
                    ));
                }
                entry.gadget = best.0.clone();
                entry.cost = best.1;
                entry.bits = best.2;
                entry.alternatives = verdicts(&best.0, alternatives, &rank);
            }
            QOp::Relu | QOp::LeakyRelu { .. } | QOp::Clip { .. } => {
                let input = model.tensor(node.inputs[0]);
                let g = Activation::new(node, input.bits, out.len())?;
                entry.gadget = g.choice();
                entry.cost = if matches!(node.op, QOp::Relu) {
                    (0..out.len())
                        .map(|k| family::relu_cost(input.bits, in_shape(0, k)))
                        .sum()
                } else {
                    g.cost()
                };
                entry.bits = input.bits;
                entry.alternatives = verdicts(
                    &entry.gadget,
                    vec![(g.choice(), entry.cost, String::new())],
                    &rank,
                );
            }
            QOp::Mul { shift } => {
                let (a, b) = (node.inputs[0], node.inputs[1]);
                let g = Product::new(node, model.tensor(a).bits, model.tensor(b).bits, 1, *shift);
                for e in 0..out.len() {
                    let (cost, shape) = g.cost(&[(in_shape(0, e), in_shape(1, e))]);
                    entry.cost += cost;
                    out_shapes[e] = shape;
                }
                entry.gadget = GadgetChoice::Mul;
                entry.bits = g.out_bits();
                entry.alternatives = verdicts(
                    &entry.gadget,
                    vec![(
                        GadgetChoice::Mul,
                        entry.cost,
                        "one product per element".into(),
                    )],
                    &rank,
                );
            }
            QOp::MatMul {
                batch,
                m,
                k,
                n,
                shift,
            } => {
                let (a, b) = (node.inputs[0], node.inputs[1]);
                let g = Product::new(node, model.tensor(a).bits, model.tensor(b).bits, *k, *shift);
                for (e, taps) in family::matmul_taps(*batch, *m, *k, *n).enumerate() {
                    let pairs: Vec<(LcShape, LcShape)> = taps
                        .map(|(ia, ib)| (in_shape(0, ia), in_shape(1, ib)))
                        .collect();
                    let (cost, shape) = g.cost(&pairs);
                    entry.cost += cost;
                    out_shapes[e] = shape;
                }
                entry.gadget = GadgetChoice::MatMul;
                entry.bits = g.out_bits();
                entry.alternatives = verdicts(
                    &entry.gadget,
                    vec![(
                        GadgetChoice::MatMul,
                        entry.cost,
                        "one product per multiply-accumulate".into(),
                    )],
                    &rank,
                );
            }
            QOp::MaxOver { windows, min } => {
                let bits = model.tensor(node.inputs[0]).bits;
                let mut cost = Cost::ZERO;
                for w in 0..windows.len() {
                    let xs: Vec<LcShape> = windows
                        .window(w)
                        .iter()
                        .map(|t| {
                            let x = in_shape(t.input, t.index);
                            if *min {
                                LcShape {
                                    constant: -x.constant,
                                    ..x
                                }
                            } else {
                                x
                            }
                        })
                        .collect();
                    cost += family::max_cost(bits, &xs);
                    out_shapes[w] = match xs.len() {
                        1 if *min => LcShape {
                            constant: -xs[0].constant,
                            ..xs[0]
                        },
                        1 => xs[0],
                        _ => LcShape::VARIABLE,
                    };
                }
                entry.gadget = GadgetChoice::MaxSelect;
                entry.cost = cost;
                entry.bits = bits;
                entry.alternatives = verdicts(
                    &entry.gadget,
                    vec![(
                        GadgetChoice::MaxSelect,
                        cost,
                        "one range check per element and a product chain".into(),
                    )],
                    &rank,
                );
            }
            QOp::ArgMax { windows, min } => {
                let bits = model.tensor(node.inputs[0]).bits;
                let mut cost = Cost::ZERO;
                for w in 0..windows.len() {
                    let n = windows.window(w).len();
                    let xs: Vec<LcShape> = windows
                        .window(w)
                        .iter()
                        .map(|t| {
                            // ArgMin reads −x.
                            let x = in_shape(t.input, t.index);
                            LcShape {
                                constant: if *min { -x.constant } else { x.constant },
                                ..x
                            }
                        })
                        .collect();
                    cost += family::argmax_cost(bits, &xs);
                    out_shapes[w] = family::argmax_index_shape(n);
                }
                entry.gadget = GadgetChoice::ArgMax;
                entry.cost = cost;
                entry.bits = bits;
                entry.alternatives = verdicts(
                    &entry.gadget,
                    vec![(GadgetChoice::ArgMax, cost, String::new())],
                    &rank,
                );
            }
            QOp::Nonlinear {
                kind,
                in_scale,
                out_scale,
            } => {
                let bits = model.tensor(node.inputs[0]).bits;
                let g = Smooth::new(node, *kind, bits, *in_scale, *out_scale, out.len())?;
                for e in 0..out.len() {
                    let (cost, shape) = g.cost_one(in_shape(0, e));
                    entry.cost += cost;
                    out_shapes[e] = shape;
                }
                entry.op = format!("Nonlinear({kind:?})");
                entry.gadget = GadgetChoice::Nonlinear;
                entry.bits = bits;
                entry.alternatives = verdicts(
                    &entry.gadget,
                    vec![(
                        GadgetChoice::Nonlinear,
                        entry.cost,
                        "sign, exponential polynomial, one private division".into(),
                    )],
                    &rank,
                );
            }
            QOp::Softmax {
                outer,
                group,
                inner,
                in_scale,
                out_scale,
            } => {
                let bits = model.tensor(node.inputs[0]).bits;
                for lane in QOp::softmax_lanes(*outer, *group, *inner) {
                    let xs: Vec<LcShape> = lane.iter().map(|&i| in_shape(0, i)).collect();
                    let (_, cost) = family::softmax_lane(node, bits, *in_scale, *out_scale, &xs)?;
                    entry.cost += cost;
                }
                entry.gadget = GadgetChoice::Softmax;
                entry.bits = bits;
                entry.alternatives = verdicts(
                    &entry.gadget,
                    vec![(
                        GadgetChoice::Softmax,
                        entry.cost,
                        "claimed maximum, exponentials, one private division per element".into(),
                    )],
                    &rank,
                );
            }
            QOp::Rounded(op) => {
                let g = crate::rounded::RoundedGadget::new(model, node, *op)?;
                for e in 0..out.len() {
                    let xs: Vec<LcShape> = (0..node.inputs.len()).map(|k| in_shape(k, e)).collect();
                    let (cost, shape) = g.cost_one(&xs);
                    entry.cost += cost;
                    out_shapes[e] = shape;
                }
                entry.gadget = GadgetChoice::Rounded;
                entry.bits = g.out_bits();
                entry.alternatives = verdicts(
                    &entry.gadget,
                    vec![(
                        GadgetChoice::Rounded,
                        entry.cost,
                        "claimed result certified by a remainder range".into(),
                    )],
                    &rank,
                );
            }
            QOp::Compare { .. }
            | QOp::Logic { .. }
            | QOp::Select
            | QOp::Lookup(_)
            | QOp::Boolean => {
                let p = crate::circuit::logic::plan_node(model, node, &in_shape)?;
                entry.gadget = p.choice.clone();
                entry.cost = p.cost;
                entry.bits = p.bits;
                out_shapes = p.shapes;
                entry.alternatives = verdicts(
                    &p.choice,
                    vec![(p.choice.clone(), p.cost, p.note.into())],
                    &rank,
                );
            }
        }
        shapes[node.output.0] = out_shapes;
        if let Some((tensor, fused)) = fused_output {
            shapes[tensor.0] = fused;
        }
        planned[i] = Some(entry);
    }

    let mut extras = Vec::new();
    for &id in model.inputs() {
        let t = model.tensor(id);
        let check = family::from_gadget(<RangeCheck as Gadget<Fr>>::cost(&RangeCheck {
            bits: t.bits,
            len: t.len(),
        }));
        let (what, public, witnesses) = match vis.input {
            InputVisibility::Public => ("public", t.len() as u64, 0),
            InputVisibility::Private | InputVisibility::Hashed => ("private", 0, t.len() as u64),
        };
        extras.push(PlanExtra {
            what: format!(
                "input `{}` {:?}: {what}, range-checked to {} bits",
                t.name, t.shape, t.bits
            ),
            cost: check
                + Cost {
                    constraints: 0,
                    witnesses,
                    instances: public,
                    nonzeros: 0,
                },
        });
    }
    if vis.input == InputVisibility::Hashed {
        let values: Vec<LcShape> = model
            .inputs()
            .iter()
            .flat_map(|&id| shapes[id.0].clone())
            .collect();
        let bits = model
            .inputs()
            .iter()
            .map(|&id| model.tensor(id).bits)
            .max()
            .unwrap_or(2);
        extras.push(PlanExtra {
            what: format!(
                "inputs: Poseidon commitment of {} values at {bits} bits",
                values.len()
            ),
            cost: family::commitment_cost(bits, &values, false),
        });
    }
    if vis.weights == WeightVisibility::Hashed {
        let (weights, bits) = family::weight_values(model);
        let values = vec![LcShape::VARIABLE; weights.len()];
        extras.push(PlanExtra {
            what: format!(
                "weights: Poseidon commitment of {} values at {bits} bits",
                weights.len()
            ),
            cost: family::commitment_cost(bits, &values, true),
        });
    }
    for &id in model.outputs() {
        let t = model.tensor(id);
        match vis.output {
            OutputVisibility::Public => {
                let nonzeros: u64 = shapes[id.0].iter().map(|v| 2 + v.nonzeros()).sum();
                extras.push(PlanExtra {
                    what: format!(
                        "output `{}` {:?}: public, one equality each",
                        t.name, t.shape
                    ),
                    cost: Cost {
                        constraints: t.len() as u64,
                        witnesses: 0,
                        instances: t.len() as u64,
                        nonzeros,
                    },
                });
            }
            OutputVisibility::Private => extras.push(PlanExtra {
                what: format!("output `{}` {:?}: private", t.name, t.shape),
                cost: Cost::ZERO,
            }),
            OutputVisibility::Hashed => {}
        }
    }
    if vis.output == OutputVisibility::Hashed {
        let values: Vec<LcShape> = model
            .outputs()
            .iter()
            .flat_map(|&id| shapes[id.0].clone())
            .collect();
        let bits = output_bits(model);
        extras.push(PlanExtra {
            what: format!(
                "outputs: Poseidon commitment of {} values at {bits} bits",
                values.len()
            ),
            cost: family::commitment_cost(bits, &values, true),
        });
    }
    Ok(Plan {
        visibility: vis,
        mode: options.mode,
        nodes: planned
            .into_iter()
            .map(|p| p.expect("every node planned"))
            .collect(),
        extras,
        cost_model,
        available_bytes,
        suggestions: Vec::new(),
    })
}

/// The entry of a node fused into the plan node `into`.
fn fused_entry(model: &QuantizedModel, index: usize, into: usize) -> PlanNode {
    let node = &model.nodes()[index];
    PlanNode {
        index,
        name: node.name.clone(),
        op: node.op.kind_name().to_string(),
        input_shapes: node
            .inputs
            .iter()
            .map(|&t| model.tensor(t).shape.clone())
            .collect(),
        output_shape: model.tensor(node.output).shape.clone(),
        gadget: GadgetChoice::Fused,
        bits: 0,
        scale: node.out_scale,
        cost: Cost::ZERO,
        fused_with: Some(into),
        alternatives: vec![Alternative {
            gadget: GadgetChoice::Fused,
            cost: Cost::ZERO,
            verdict: format!("fused into node {into}"),
        }],
    }
}

/// Alternatives with verdicts, the winner first.
fn verdicts(
    winner: &GadgetChoice,
    candidates: Vec<(GadgetChoice, Cost, String)>,
    rank: &dyn Fn(&Cost) -> (f64, u64),
) -> Vec<Alternative> {
    let best = candidates
        .iter()
        .find(|c| &c.0 == winner)
        .map(|c| c.1)
        .unwrap_or_default();
    let mut out: Vec<Alternative> = candidates
        .into_iter()
        .map(|(gadget, cost, note)| {
            let verdict = if &gadget == winner {
                if note.is_empty() {
                    "chosen".to_string()
                } else {
                    format!("chosen: {note}")
                }
            } else if note.starts_with("needs") {
                format!("not allowed: {note}")
            } else {
                let (t, _) = rank(&cost);
                let (tb, _) = rank(&best);
                format!(
                    "rejected: +{} constraints, +{:.3} s ({note})",
                    cost.constraints as i64 - best.constraints as i64,
                    t - tb
                )
            };
            Alternative {
                gadget,
                cost,
                verdict,
            }
        })
        .collect();
    out.sort_by_key(|a| a.gadget != *winner);
    out
}

/// Cheaper settings for a plan over the limits.
fn suggestions(model: &QuantizedModel, options: &PlanOptions, plan: &Plan) -> Vec<Suggestion> {
    let mut out = Vec::new();
    let mut push = |change: String, cost: Cost| {
        let peak = plan.cost_model.peak_bytes(&cost);
        out.push(Suggestion {
            change,
            cost,
            peak_bytes: peak,
            fits: plan.fits(&cost),
        });
    };
    if options.visibility.weights != WeightVisibility::Fixed {
        let mut fixed = options.clone();
        fixed.visibility.weights = WeightVisibility::Fixed;
        if let Ok(p) = plan_with(model, &fixed, plan.cost_model.clone(), plan.available_bytes) {
            push(
                "fixed weights (weights become circuit constants)".into(),
                p.total(),
            );
        }
    }
    // Range checks dominate once weights are fixed: each bit less saves about
    // one constraint per checked bit; estimate from the mean width.
    let total = plan.total();
    let checked: Vec<&PlanNode> = plan.nodes.iter().filter(|n| n.bits > 0).collect();
    if !checked.is_empty() {
        let mean_bits = checked.iter().map(|n| n.bits as f64).sum::<f64>() / checked.len() as f64;
        for lower in [2u32, 4] {
            let factor = ((mean_bits - lower as f64) / mean_bits).max(0.1);
            let estimate = Cost {
                constraints: (total.constraints as f64 * factor) as u64,
                witnesses: (total.witnesses as f64 * factor) as u64,
                instances: total.instances,
                nonzeros: (total.nonzeros as f64 * factor) as u64,
            };
            push(
                format!("scales lower by {lower} (fewer bits per value; estimated)"),
                estimate,
            );
        }
    }
    out
}

/// The common width output values are committed at.
pub(crate) fn output_bits(model: &QuantizedModel) -> u32 {
    model
        .outputs()
        .iter()
        .map(|&id| model.tensor(id).bits)
        .max()
        .unwrap_or(2)
        .max(2)
}
