//! `TopK` values by a sorting network of compare-exchanges, each one an
//! existing op: the larger of a pair is a two-element [`QOp::MaxOver`] (its
//! gadget proves the maximum), the smaller is `a + b − max` (an exact
//! [`QOp::Affine`], free in the circuit). A final [`QOp::Gather`] reads the
//! first `k` positions of every lane.
//!
//! The network is odd–even transposition sort: `n` rounds of disjoint
//! neighbour comparisons, `n(n−1)/2` compare-exchanges per lane of length `n`.
//! Quadratic, but simple and data-independent (a circuit cannot branch), and
//! the lanes TopK sees in practice are short; longer ones are refused.
//!
//! Only the values are produced: the indices output would need a proven
//! permutation, so a model that reads it is refused.

use zkinfer_ir::ops::reduce::TopK;
use zkinfer_ir::Node;

use super::Builder;
use crate::error::{QuantError, QuantResult};
use crate::model::{
    Affine, Gather, GatherSource, QOp, QTensor, QTensorId, Rescale, Tap, Term, Windows,
};

/// Longest lane sorted in-circuit (`n(n−1)/2` comparisons each).
const MAX_LANE: usize = 128;

fn refuse(node: &Node, reason: impl Into<String>) -> QuantError {
    QuantError::Unsupported {
        node: node.name.clone(),
        op: "TopK".into(),
        reason: reason.into(),
    }
}

/// Where one logical element currently lives: a tensor and a flat index.
type Slot = (QTensorId, usize);

impl Builder<'_> {
    /// Lower `TopK`'s values output; `out_shape` is the float graph's values shape.
    pub(super) fn lower_top_k(
        &mut self,
        node: &Node,
        top_k: &TopK,
        x: QTensorId,
        out_shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let t = self.tensor(x).clone();
        let rank = t.shape.len() as i64;
        let axis = if top_k.axis < 0 {
            top_k.axis + rank
        } else {
            top_k.axis
        };
        if !(0..rank).contains(&axis) || out_shape.len() != t.shape.len() {
            return Err(refuse(node, "axis out of range"));
        }
        let axis = axis as usize;
        let (n, k) = (t.shape[axis], out_shape[axis]);
        if n > MAX_LANE {
            return Err(refuse(
                node,
                format!("lanes of {n} elements: the sorting network is limited to {MAX_LANE}"),
            ));
        }
        let outer: usize = t.shape[..axis].iter().product();
        let inner: usize = t.shape[axis + 1..].iter().product();
        let lanes = outer * inner;
        // positions[lane][e]: where the lane's e-th element (in sorted order so far) is.
        let mut positions: Vec<Vec<Slot>> = (0..lanes)
            .map(|lane| {
                let (o, i) = (lane / inner, lane % inner);
                (0..n).map(|e| (x, (o * n + e) * inner + i)).collect()
            })
            .collect();
        for round in 0..n {
            let pairs: Vec<usize> = (round % 2..n.saturating_sub(1)).step_by(2).collect();
            if pairs.is_empty() || lanes == 0 {
                continue;
            }
            let name = format!("{}/round{round}", node.name);
            // Every comparison of this round, across lanes.
            let comparisons: Vec<(Slot, Slot)> = positions
                .iter()
                .flat_map(|lane| pairs.iter().map(move |&e| (lane[e], lane[e + 1])))
                .collect();
            let (max, min) = self.compare_exchange(&name, &t, &comparisons)?;
            let mut c = 0;
            for lane in positions.iter_mut() {
                for &e in &pairs {
                    // Descending for `largest`, ascending otherwise.
                    let (first, second) = if top_k.largest {
                        (max, min)
                    } else {
                        (min, max)
                    };
                    lane[e] = (first, c);
                    lane[e + 1] = (second, c);
                    c += 1;
                }
            }
        }
        // Gather the first k of every lane into the output layout.
        let mut inputs: Vec<QTensorId> = Vec::new();
        let mut sources = vec![GatherSource::Constant(0); outer * k * inner];
        for (lane, pos) in positions.iter().enumerate() {
            let (o, i) = (lane / inner, lane % inner);
            for (e, &(id, index)) in pos.iter().take(k).enumerate() {
                let input = input_slot(&mut inputs, id);
                sources[(o * k + e) * inner + i] = GatherSource::Input(Tap { input, index });
            }
        }
        let out = QTensor {
            name: node.outputs[0].clone(),
            shape: out_shape,
            calibrated_bound: None,
            ..t
        };
        Ok(self.push_node(
            &node.name,
            QOp::Gather(Gather {
                sources,
                source: "TopK".into(),
            }),
            inputs,
            out,
        ))
    }

    /// One round of compare-exchanges: a `MaxOver` of each pair, then the
    /// other element as `a + b − max`. Returns the two tensors (element `c`
    /// of each belongs to comparison `c`).
    fn compare_exchange(
        &mut self,
        name: &str,
        like: &QTensor,
        comparisons: &[(Slot, Slot)],
    ) -> QuantResult<(QTensorId, QTensorId)> {
        let mut inputs: Vec<QTensorId> = Vec::new();
        let mut slot = |id: QTensorId| input_slot(&mut inputs, id);
        let taps: Vec<(Tap, Tap)> = comparisons
            .iter()
            .map(|&((ia, xa), (ib, xb))| {
                (
                    Tap {
                        input: slot(ia),
                        index: xa,
                    },
                    Tap {
                        input: slot(ib),
                        index: xb,
                    },
                )
            })
            .collect();
        let len = comparisons.len();
        let pair_tensor = |suffix: &str| QTensor {
            name: format!("{name}/{suffix}"),
            shape: vec![len],
            calibrated_bound: None,
            ..like.clone()
        };
        let max = self.push_node(
            &format!("{name}/max"),
            QOp::MaxOver {
                windows: Windows::from_groups(taps.iter().map(|&(a, b)| vec![a, b])),
                min: false,
            },
            inputs.clone(),
            pair_tensor("max"),
        );
        // min = a + b − max, exactly (integer coefficients, no rounding).
        let max_slot = inputs.len();
        let mut terms = Vec::with_capacity(3 * len);
        let mut row_starts = vec![0];
        for (c, &(a, b)) in taps.iter().enumerate() {
            terms.push(Term {
                input: a.input,
                index: a.index,
                coeff: 1,
            });
            terms.push(Term {
                input: b.input,
                index: b.index,
                coeff: 1,
            });
            terms.push(Term {
                input: max_slot,
                index: c,
                coeff: -1,
            });
            row_starts.push(terms.len());
        }
        let mut min_inputs = inputs;
        min_inputs.push(max);
        let min = self.push_node(
            &format!("{name}/min"),
            QOp::Affine(Affine {
                row_starts,
                terms,
                bias: vec![0; len],
                acc_scale: like.scale,
                rescale: Rescale::Shift(0),
                acc_bound: 3i128 << (like.bits - 1),
                source: "TopK".into(),
                sharing: None,
            }),
            min_inputs,
            pair_tensor("min"),
        );
        Ok((max, min))
    }
}

/// The input slot of `id` in a node's input list, appending it on first use.
fn input_slot(inputs: &mut Vec<QTensorId>, id: QTensorId) -> usize {
    inputs.iter().position(|&i| i == id).unwrap_or_else(|| {
        inputs.push(id);
        inputs.len() - 1
    })
}
