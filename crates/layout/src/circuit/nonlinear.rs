//! Smooth functions through the `arith` approximations: sigmoid, tanh
//! (elementwise) and softmax (per lane).

use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_gadgets::gadget::Gadget;
use zkinfer_gadgets::wire::Wire;
use zkinfer_quant::{NonlinearKind, QNode, QOp};

use super::{at, Synthesis};
use crate::error::LayoutError;
use crate::family::{self, LcShape, Smooth};
use crate::Fr;

/// A sigmoid or tanh node through its gadget.
pub(crate) fn smooth(
    s: &mut Synthesis<'_>,
    cs: &ConstraintSystemRef<Fr>,
    node: &QNode,
    kind: NonlinearKind,
    in_scale: u32,
    out_scale: u32,
) -> Result<(), LayoutError> {
    let input = s.model.tensor(node.inputs[0]);
    let g = Smooth::new(node, kind, input.bits, in_scale, out_scale, input.len())?;
    let inputs = s.wires(node.inputs[0])?.to_vec();
    let out = g
        .gadget()
        .apply(cs.clone(), &inputs)
        .map_err(at(&node.name))?;
    s.set_output(node.output, out);
    Ok(())
}

/// Softmax of every lane `[outer, group, inner]` along the group axis.
pub(crate) fn softmax(
    s: &mut Synthesis<'_>,
    cs: &ConstraintSystemRef<Fr>,
    node: &QNode,
    (outer, group, inner): (usize, usize, usize),
    in_scale: u32,
    out_scale: u32,
) -> Result<(), LayoutError> {
    let input = s.model.tensor(node.inputs[0]);
    let bits = input.bits;
    let xs = s.wires(node.inputs[0])?.to_vec();
    let mut out: Vec<Option<Wire<Fr>>> = vec![None; xs.len()];
    for lane in QOp::softmax_lanes(outer, group, inner) {
        // Shapes only choose the cost; synthesis does not depend on them.
        let shapes = vec![LcShape::VARIABLE; lane.len()];
        let (gadget, _) = family::softmax_lane(node, bits, in_scale, out_scale, &shapes)?;
        let wires: Vec<Wire<Fr>> = lane.iter().map(|&i| xs[i].clone()).collect();
        let ys = gadget.apply(cs.clone(), &wires).map_err(at(&node.name))?;
        for (&i, y) in lane.iter().zip(ys) {
            out[i] = Some(y);
        }
    }
    let out = out.into_iter().collect::<Option<Vec<_>>>().ok_or_else(|| {
        LayoutError::PlanMismatch(format!(
            "softmax `{}`: lanes do not cover the tensor",
            node.name
        ))
    })?;
    s.set_output(node.output, out);
    Ok(())
}
