//! Maxima (and minima) over windows: elementwise Max/Min, MaxPool,
//! ReduceMax; and ArgMax/ArgMin.

use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_gadgets::gadget::Gadget;
use zkinfer_gadgets::pool::{max_of, ArgMax};
use zkinfer_gadgets::wire::Wire;
use zkinfer_quant::{QNode, Windows};

use super::{at, Synthesis};
use crate::error::LayoutError;
use crate::Fr;

/// The window's input wires, negated for a minimum (`min x = −max(−x)`).
fn window_wires(
    s: &Synthesis<'_>,
    node: &QNode,
    windows: &Windows,
    w: usize,
    min: bool,
) -> Result<Vec<Wire<Fr>>, LayoutError> {
    windows
        .window(w)
        .iter()
        .map(|t| {
            let x = &s.wires(node.inputs[t.input])?[t.index];
            Ok(if min { x.scale(-1) } else { x.clone() })
        })
        .collect()
}

/// `max` (or `min`) over every window.
pub(crate) fn max_over(
    s: &mut Synthesis<'_>,
    cs: &ConstraintSystemRef<Fr>,
    node: &QNode,
    windows: &Windows,
    min: bool,
) -> Result<(), LayoutError> {
    let bits = s.model.tensor(node.inputs[0]).bits;
    let ns = ark_relations::ns!(cs, "max_over");
    let cs = ns.cs();
    let mut out = Vec::with_capacity(windows.len());
    for w in 0..windows.len() {
        let xs = window_wires(s, node, windows, w, min)?;
        let refs: Vec<&Wire<Fr>> = xs.iter().collect();
        let m = max_of(&cs, &refs, bits).map_err(at(&node.name))?;
        out.push(if min { m.scale(-1) } else { m });
    }
    s.set_output(node.output, out);
    Ok(())
}

/// Position of the first maximum (or minimum) of every window.
pub(crate) fn argmax(
    s: &mut Synthesis<'_>,
    cs: &ConstraintSystemRef<Fr>,
    node: &QNode,
    windows: &Windows,
    min: bool,
) -> Result<(), LayoutError> {
    let bits = s.model.tensor(node.inputs[0]).bits;
    let mut out = Vec::with_capacity(windows.len());
    for w in 0..windows.len() {
        let xs = window_wires(s, node, windows, w, min)?;
        let result = ArgMax {
            bits,
            len: xs.len(),
        }
        .apply(cs.clone(), &xs)
        .map_err(at(&node.name))?;
        out.push(result[0].clone());
    }
    s.set_output(node.output, out);
    Ok(())
}
