//! The gadget of a [`QOp::Rounded`](zkinfer_quant::QOp::Rounded) node, shared by
//! costing ([`crate::optimizer`]) and synthesis ([`crate::circuit::rounded`]).
//!
//! The gadget crate's cost formulas take the shape of each input's linear
//! combination, so a divisor such as `1 + |x|` (a free affine map: one
//! variable and a constant) is costed exactly.

use zkinfer_gadgets::divide::DivideSigned;
use zkinfer_gadgets::floor::FloorAtScale;
use zkinfer_gadgets::gadget::Gadget;
use zkinfer_gadgets::sqrt::Sqrt;
use zkinfer_quant::arith::FloorMode;
use zkinfer_quant::{QNode, QuantizedModel, RoundedOp};

use crate::cost::Cost;
use crate::error::LayoutError;
use crate::family::{from_gadget, LcShape};
use crate::Fr;

/// One of the three rounded-op gadgets, with the node's widths.
#[derive(Debug, Clone)]
pub(crate) enum RoundedGadget {
    Divide(DivideSigned),
    Sqrt(Sqrt),
    Floor(FloorAtScale),
}

impl RoundedGadget {
    /// The gadget for `node` (whose op is `op`).
    pub fn new(
        model: &QuantizedModel,
        node: &QNode,
        op: RoundedOp,
    ) -> Result<RoundedGadget, LayoutError> {
        let unsupported = |reason: String| LayoutError::Unsupported {
            node: node.name.clone(),
            op: op.name().into(),
            reason,
        };
        if node.inputs.len() != op.arity() {
            return Err(unsupported(format!(
                "{} inputs, expected {}",
                node.inputs.len(),
                op.arity()
            )));
        }
        let x = model.tensor(node.inputs[0]);
        let len = model.tensor(node.output).len();
        let gadget = match op {
            RoundedOp::Divide { shift } => RoundedGadget::Divide(DivideSigned {
                n_bits: x.bits,
                d_bits: model.tensor(node.inputs[1]).bits,
                shift,
                out_bits: node.out_bits,
                len,
            }),
            RoundedOp::Sqrt { shift } => {
                let g = Sqrt {
                    bits: x.bits,
                    shift,
                    len,
                };
                // The root is range-checked to its own width; the tensor's budget must hold it.
                if g.out_bits() > node.out_bits {
                    return Err(unsupported(format!(
                        "roots need {} bits, the output budget is {}",
                        g.out_bits(),
                        node.out_bits
                    )));
                }
                RoundedGadget::Sqrt(g)
            }
            RoundedOp::Floor { mode, scale } => RoundedGadget::Floor(FloorAtScale {
                bits: x.bits,
                scale,
                mode,
                len,
            }),
        };
        // The gadgets report a zero cost for parameters they cannot synthesize.
        let degenerate = !matches!(gadget, RoundedGadget::Floor(_))
            && gadget.gadget().cost() == zkinfer_gadgets::Cost::ZERO
            && len > 0;
        if degenerate {
            return Err(unsupported(format!(
                "{}-bit inputs with these scales are outside the gadget's range",
                x.bits
            )));
        }
        Ok(gadget)
    }

    /// The gadget as a trait object (inputs: every element of input 0, then of input 1).
    pub fn gadget(&self) -> &dyn Gadget<Fr> {
        match self {
            RoundedGadget::Divide(g) => g,
            RoundedGadget::Sqrt(g) => g,
            RoundedGadget::Floor(g) => g,
        }
    }

    /// Width of the node's own range check on its outputs.
    pub fn out_bits(&self) -> u32 {
        match self {
            RoundedGadget::Divide(g) => g.out_bits,
            RoundedGadget::Sqrt(g) => g.root_bits(),
            RoundedGadget::Floor(g) => g.quotient_bits(),
        }
    }

    /// Exact cost of one element whose inputs have shapes `xs` (one per input
    /// tensor), and the shape of its output.
    pub fn cost_one(&self, xs: &[LcShape]) -> (Cost, LcShape) {
        match self {
            RoundedGadget::Divide(g) => (
                from_gadget(g.cost_one(xs[0].vars, xs[0].constant, xs[1].vars, xs[1].constant)),
                LcShape::VARIABLE,
            ),
            RoundedGadget::Sqrt(g) => (
                from_gadget(g.cost_one(xs[0].vars, xs[0].constant)),
                LcShape::VARIABLE,
            ),
            RoundedGadget::Floor(g) if g.scale == 0 => (Cost::ZERO, xs[0]),
            // the output is q·2^s, or (q − t)·2^s with Round's tie correction t
            RoundedGadget::Floor(g) => (
                from_gadget(g.cost_one(xs[0].vars, xs[0].constant)),
                LcShape {
                    vars: if g.mode == FloorMode::Round { 2 } else { 1 },
                    constant: 0,
                },
            ),
        }
    }
}
