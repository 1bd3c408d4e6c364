//! Private × private products: elementwise Mul and batched MatMul, one
//! constraint per product, then the rounding.

use ark_relations::gr1cs::ConstraintSystemRef;
use zkinfer_gadgets::gadget::Gadget;
use zkinfer_gadgets::linear::dot_private;
use zkinfer_gadgets::range::RangeCheck;
use zkinfer_gadgets::rescale::Rescale;
use zkinfer_gadgets::wire::Wire;
use zkinfer_quant::QNode;

use super::{at, Synthesis};
use crate::error::LayoutError;
use crate::family::Product;
use crate::Fr;

/// `rescale(Σ a·b, shift)` per output, each output's operand pairs given by flat index.
pub(crate) fn product(
    s: &mut Synthesis<'_>,
    cs: &ConstraintSystemRef<Fr>,
    node: &QNode,
    terms: usize,
    shift: u32,
    taps: impl Iterator<Item = Vec<(usize, usize)>>,
) -> Result<(), LayoutError> {
    let (a_id, b_id) = (node.inputs[0], node.inputs[1]);
    let g = Product::new(
        node,
        s.model.tensor(a_id).bits,
        s.model.tensor(b_id).bits,
        terms,
        shift,
    );
    let (a, b) = (s.wires(a_id)?, s.wires(b_id)?);
    let fail = at(&node.name);
    let ns = ark_relations::ns!(cs, "product");
    let cs = ns.cs();
    let mut acc = Vec::new();
    for pairs in taps {
        let pairs: Vec<(&Wire<Fr>, &Wire<Fr>)> =
            pairs.iter().map(|&(i, j)| (&a[i], &b[j])).collect();
        acc.push(dot_private(&cs, &pairs).map_err(&fail)?);
    }
    let len = acc.len();
    let out = if shift > 0 {
        Rescale {
            in_bits: g.in_bits,
            shift,
            len,
        }
        .apply(cs.clone(), &acc)
        .map_err(&fail)?
    } else if let Some(bits) = g.check_bits {
        RangeCheck { bits, len }
            .apply(cs.clone(), &acc)
            .map_err(&fail)?
    } else {
        acc
    };
    s.set_output(node.output, out);
    Ok(())
}
