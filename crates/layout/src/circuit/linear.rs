//! Constants, data movement and affine maps (fixed or private weights), with
//! their rounding and an optional fused ReLU.

use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_gadgets::activation::Relu;
use zkinfer_gadgets::gadget::Gadget;
use zkinfer_gadgets::linear::dot_private;
use zkinfer_gadgets::rescale::{DivConst, FusedRescaleRelu, Rescale};
use zkinfer_gadgets::wire::Wire;
use zkinfer_quant::{Affine, Gather, GatherSource, QNode};

use super::{at, Synthesis};
use crate::error::LayoutError;
use crate::family::{AffineGadget, Division};
use crate::Fr;

/// A constant tensor: constant linear combinations, no constraint.
pub(crate) fn constant(
    s: &mut Synthesis<'_>,
    node: &QNode,
    values: &[i64],
) -> Result<(), LayoutError> {
    let wires = values.iter().map(|&v| Wire::constant(v as i128)).collect();
    s.wires[node.output.0] = Some(wires);
    Ok(())
}

/// Data movement: every output is an input wire or a constant; no constraint.
pub(crate) fn gather(s: &mut Synthesis<'_>, node: &QNode, g: &Gather) -> Result<(), LayoutError> {
    let mut out = Vec::with_capacity(g.sources.len());
    for src in &g.sources {
        out.push(match *src {
            GatherSource::Input(tap) => s.wires(node.inputs[tap.input])?[tap.index].clone(),
            GatherSource::Constant(c) => Wire::constant(c as i128),
        });
    }
    s.set_output(node.output, out);
    Ok(())
}

/// `rescale(Σ coeff·x + bias)` per row, weights fixed or private, ReLU fused when planned.
pub(crate) fn affine(
    s: &mut Synthesis<'_>,
    cs: &ConstraintSystemRef<Fr>,
    index: usize,
    a: &Affine,
) -> Result<(), LayoutError> {
    let node = &s.model.nodes()[index];
    let entry = &s.plan.nodes[index];
    let gadget = AffineGadget::new(node, a, &entry.gadget);
    let inputs: Vec<Vec<Wire<Fr>>> = node
        .inputs
        .iter()
        .map(|&id| s.wires(id).map(<[_]>::to_vec))
        .collect::<Result<_, _>>()?;
    let fail = at(&node.name);
    let mut acc = Vec::with_capacity(a.rows());
    if gadget.private {
        // Weights and biases are witnesses from the model (the prover knows them;
        // they are absent at setup like every other value).
        let known = s.values.trace.is_some();
        let ns = ark_relations::ns!(cs, "private_dot");
        let cs = ns.cs();
        let witness = |what: &'static str, v: i64| {
            Wire::witness(&cs, what, known.then_some(v as i128)).map_err(&fail)
        };
        if let Some(sharing) = &a.sharing {
            // One witness per table slot, reused by every row that reads it:
            // the circuit applies the same kernel at every position. Pushed
            // to the commitment in `family::weight_values`' order.
            let (bias_values, weight_values) = sharing.tables(a);
            let biases: Vec<Wire<Fr>> = bias_values
                .iter()
                .map(|&v| witness("bias", v))
                .collect::<Result<_, _>>()?;
            let weights: Vec<Wire<Fr>> = weight_values
                .iter()
                .map(|&v| witness("weight", v))
                .collect::<Result<_, _>>()?;
            s.weights.extend(biases.iter().chain(&weights).cloned());
            for r in 0..a.rows() {
                let (start, end) = (a.row_starts[r], a.row_starts[r + 1]);
                let pairs: Vec<(&Wire<Fr>, &Wire<Fr>)> = (start..end)
                    .map(|t| {
                        let term = &a.terms[t];
                        (
                            &weights[sharing.term_slots[t] as usize],
                            &inputs[term.input][term.index],
                        )
                    })
                    .collect();
                let dot = dot_private(&cs, &pairs).map_err(&fail)?;
                acc.push(dot.add(&biases[sharing.bias_slots[r] as usize]));
            }
        } else {
            for r in 0..a.rows() {
                let bias = witness("bias", a.bias[r])?;
                s.weights.push(bias.clone());
                let mut weights = Vec::with_capacity(a.row(r).len());
                for t in a.row(r) {
                    let w = witness("weight", t.coeff)?;
                    s.weights.push(w.clone());
                    weights.push(w);
                }
                let pairs: Vec<(&Wire<Fr>, &Wire<Fr>)> = weights
                    .iter()
                    .zip(a.row(r))
                    .map(|(w, t)| (w, &inputs[t.input][t.index]))
                    .collect();
                let dot = dot_private(&cs, &pairs).map_err(&fail)?;
                acc.push(dot.add(&bias));
            }
        }
    } else {
        for r in 0..a.rows() {
            let refs: Vec<(i128, &Wire<Fr>)> = a
                .row(r)
                .iter()
                .map(|t| (t.coeff as i128, &inputs[t.input][t.index]))
                .collect();
            acc.push(Wire::linear(&refs, a.bias[r] as i128));
        }
    }
    let (out, target) = match &gadget.division {
        Division::None => (acc, node.output),
        Division::Rows {
            divisors,
            in_bits,
            relu,
        } => {
            let target = match entry.fused_with {
                Some(j) if *relu => s.model.nodes()[j].output,
                _ => node.output,
            };
            let uniform = divisors.iter().all(|&d| d == divisors[0])
                && in_bits.iter().all(|&b| b == in_bits[0]);
            let groups: Vec<(usize, usize)> = if uniform {
                vec![(0, a.rows())]
            } else {
                (0..a.rows()).map(|r| (r, r + 1)).collect()
            };
            let mut out = Vec::with_capacity(a.rows());
            for (start, end) in groups {
                let (d, bits, len) = (divisors[start], in_bits[start], end - start);
                let rows = &acc[start..end];
                let part = if *relu {
                    let shift = d.trailing_zeros();
                    if shift == 0 {
                        Relu { bits, len }.apply(cs.clone(), rows)
                    } else {
                        FusedRescaleRelu {
                            in_bits: bits,
                            shift,
                            len,
                        }
                        .apply(cs.clone(), rows)
                    }
                } else if d == 1 {
                    Ok(rows.to_vec())
                } else if d.count_ones() == 1 {
                    Rescale {
                        in_bits: bits,
                        shift: d.trailing_zeros(),
                        len,
                    }
                    .apply(cs.clone(), rows)
                } else {
                    DivConst {
                        in_bits: bits,
                        divisor: d,
                        len,
                    }
                    .apply(cs.clone(), rows)
                };
                out.extend(part.map_err(&fail)?);
            }
            (out, target)
        }
    };
    s.set_output(target, out);
    Ok(())
}
