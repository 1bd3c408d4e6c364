//! Comparisons, boolean logic, `Where`, booleanity of boolean inputs and
//! lookups with private indices: their exact costs (for the optimizer) and
//! their synthesis, from the same gadget parameters.
//!
//! Costs follow the input linear combinations' shapes ([`LcShape`]): a lookup
//! into a constant table is a free linear combination of its one-hot, and a
//! `Where` between constants is free, so consumers read wide combinations.

use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_gadgets::gadget::Gadget;
use zkinfer_gadgets::logic::{
    boolean_cost, compare_cost, logic_cost, select_cost, select_shape, AssertBoolean, Compare,
    Logic, Select,
};
use zkinfer_gadgets::lookup::{
    one_hot_cost, select_constant_shape, select_private_cost, Entries, Lookup, LookupRow,
};
use zkinfer_gadgets::wire::Wire;
use zkinfer_quant::{GatherSource, QNode, QOp, QuantizedModel};

use super::{at, Synthesis};
use crate::cost::Cost;
use crate::error::LayoutError;
use crate::family::{from_gadget, LcShape};
use crate::plan::GadgetChoice;
use crate::Fr;

/// A logic-family node's plan: gadget, exact cost, output shapes, width, note.
pub(crate) struct LogicPlan {
    /// The gadget.
    pub choice: GadgetChoice,
    /// Exact cost.
    pub cost: Cost,
    /// Shape of every output element.
    pub shapes: Vec<LcShape>,
    /// Width reported in the plan.
    pub bits: u32,
    /// Why it costs what it costs.
    pub note: &'static str,
}

fn pair(s: LcShape) -> (usize, i128) {
    (s.vars, s.constant)
}

/// Cost and output shapes of a [`QOp::Compare`], [`QOp::Logic`],
/// [`QOp::Select`], [`QOp::Lookup`] or [`QOp::Boolean`] node.
pub(crate) fn plan_node(
    model: &QuantizedModel,
    node: &QNode,
    in_shape: &dyn Fn(usize, usize) -> LcShape,
) -> Result<LogicPlan, LayoutError> {
    let len = model.tensor(node.output).len();
    let bits_of = |slot: usize| model.tensor(node.inputs[slot]).bits;
    let plan = match &node.op {
        QOp::Compare { kind } => {
            let bits = bits_of(0).max(bits_of(1));
            let cost = (0..len)
                .map(|e| {
                    from_gadget(compare_cost(
                        *kind,
                        bits,
                        pair(in_shape(0, e)),
                        pair(in_shape(1, e)),
                    ))
                })
                .sum();
            LogicPlan {
                choice: GadgetChoice::Compare,
                cost,
                shapes: vec![LcShape::VARIABLE; len],
                bits,
                note: "one decomposition of the difference (inverse trick for Equal)",
            }
        }
        QOp::Logic { kind } => LogicPlan {
            choice: GadgetChoice::Logic,
            cost: (0..len)
                .map(|e| {
                    from_gadget(logic_cost(
                        *kind,
                        pair(in_shape(0, e)),
                        pair(in_shape(1, e)),
                    ))
                })
                .sum(),
            shapes: vec![LcShape::VARIABLE; len],
            bits: 2,
            note: "one product per element",
        },
        QOp::Select => {
            let mut cost = Cost::ZERO;
            let mut shapes = Vec::with_capacity(len);
            for e in 0..len {
                let (c, x, y) = (
                    pair(in_shape(0, e)),
                    pair(in_shape(1, e)),
                    pair(in_shape(2, e)),
                );
                cost += from_gadget(select_cost(c, x, y));
                let (vars, constant) = select_shape(c, x, y);
                shapes.push(LcShape { vars, constant });
            }
            LogicPlan {
                choice: GadgetChoice::Select,
                cost,
                shapes,
                bits: node.out_bits,
                note: "one product per element, free between constants",
            }
        }
        QOp::Boolean => LogicPlan {
            choice: GadgetChoice::Boolean,
            cost: (0..len)
                .map(|e| from_gadget(boolean_cost(pair(in_shape(0, e)))))
                .sum(),
            shapes: (0..len).map(|e| in_shape(0, e)).collect(),
            bits: 2,
            note: "b·b = b where a boolean enters",
        },
        QOp::Lookup(_) => {
            let g = LookupGadget::new(model, node)?;
            let mut cost: Cost = g
                .indices
                .iter()
                .map(|&j| from_gadget(one_hot_cost(g.gadget.depth, nonzeros(in_shape(0, j)))))
                .sum();
            let mut shapes = Vec::with_capacity(len);
            for row in &g.gadget.rows {
                match &row.entries {
                    Entries::Constants(c) => {
                        let (vars, constant) = select_constant_shape(c);
                        shapes.push(LcShape { vars, constant });
                    }
                    Entries::Inputs(taps) => {
                        let nz: Vec<usize> =
                            taps.iter().map(|&t| nonzeros(in_shape(1, t))).collect();
                        cost += from_gadget(select_private_cost(&nz));
                        shapes.push(LcShape::VARIABLE);
                    }
                }
            }
            LogicPlan {
                choice: GadgetChoice::Lookup,
                cost,
                shapes,
                bits: node.out_bits,
                note: "one constrained one-hot per index, a product per private entry",
            }
        }
        other => unreachable!("not a logic node: {}", other.kind_name()),
    };
    Ok(plan)
}

fn nonzeros(s: LcShape) -> usize {
    s.nonzeros() as usize
}

/// A [`QOp::Lookup`] node's gadget: one index input per distinct index
/// element (in order of first use), the private table (slot 1) if any.
pub(crate) struct LookupGadget {
    /// The gadget.
    pub gadget: Lookup,
    /// Flat indices into slot 0 of the gadget's index inputs.
    pub indices: Vec<usize>,
}

impl LookupGadget {
    /// The gadget for `node` (a [`QOp::Lookup`]).
    pub fn new(model: &QuantizedModel, node: &QNode) -> Result<LookupGadget, LayoutError> {
        let QOp::Lookup(l) = &node.op else {
            unreachable!("not a lookup: {}", node.op.kind_name());
        };
        let unsupported = |reason: &str| LayoutError::Unsupported {
            node: node.name.clone(),
            op: "Lookup".into(),
            reason: reason.into(),
        };
        if l.depth == 0 {
            return Err(unsupported("an empty table"));
        }
        let mut position = std::collections::HashMap::new();
        let mut indices = Vec::new();
        let mut rows = Vec::with_capacity(l.index.len());
        for (e, &j) in l.index.iter().enumerate() {
            let index = *position.entry(j).or_insert_with(|| {
                indices.push(j);
                indices.len() - 1
            });
            let row = l.row(e);
            let entries = if row.iter().all(|s| matches!(s, GatherSource::Constant(_))) {
                Entries::Constants(
                    row.iter()
                        .map(|s| match *s {
                            GatherSource::Constant(c) => c as i128,
                            GatherSource::Input(_) => unreachable!("checked"),
                        })
                        .collect(),
                )
            } else {
                Entries::Inputs(
                    row.iter()
                        .map(|s| match *s {
                            GatherSource::Input(t) if t.input == 1 => Ok(t.index),
                            _ => Err(unsupported("a row mixing constants and private entries")),
                        })
                        .collect::<Result<_, _>>()?,
                )
            };
            rows.push(LookupRow { index, entries });
        }
        let (table_len, bits) = match node.inputs.get(1) {
            Some(&t) => (model.tensor(t).len(), model.tensor(t).bits),
            None => (0, 2),
        };
        Ok(LookupGadget {
            gadget: Lookup {
                depth: l.depth,
                indices: indices.len(),
                table_len,
                bits,
                rows,
            },
            indices,
        })
    }
}

/// Synthesize a logic-family node.
pub(crate) fn synthesize(
    s: &mut Synthesis<'_>,
    cs: &ConstraintSystemRef<Fr>,
    node: &QNode,
) -> Result<(), LayoutError> {
    let len = s.model.tensor(node.output).len();
    let mut inputs: Vec<Wire<Fr>> = Vec::new();
    let gadget: Box<dyn Gadget<Fr>> = match &node.op {
        QOp::Compare { kind } => {
            let bits = node
                .inputs
                .iter()
                .map(|&t| s.model.tensor(t).bits)
                .max()
                .unwrap_or(2);
            Box::new(Compare {
                kind: *kind,
                bits,
                len,
            })
        }
        QOp::Logic { kind } => Box::new(Logic { kind: *kind, len }),
        QOp::Select => Box::new(Select {
            bits: node.out_bits,
            len,
        }),
        QOp::Boolean => Box::new(AssertBoolean { len }),
        QOp::Lookup(_) => {
            let g = LookupGadget::new(s.model, node)?;
            let idx = s.wires(node.inputs[0])?;
            inputs.extend(g.indices.iter().map(|&j| idx[j].clone()));
            if let Some(&t) = node.inputs.get(1) {
                inputs.extend(s.wires(t)?.iter().cloned());
            }
            Box::new(g.gadget)
        }
        other => unreachable!("not a logic node: {}", other.kind_name()),
    };
    if !matches!(node.op, QOp::Lookup(_)) {
        for &t in &node.inputs {
            inputs.extend(s.wires(t)?.iter().cloned());
        }
    }
    let out = gadget.apply(cs.clone(), &inputs).map_err(at(&node.name))?;
    s.set_output(node.output, out);
    Ok(())
}
