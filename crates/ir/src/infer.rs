//! Static shape inference and constant folding.

use std::borrow::Cow;

use crate::error::{IrError, IrResult};
use crate::fact::Fact;
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

/// The default [`Op::infer`]: evaluate on constants and stand-ins for runtime inputs.
///
/// Stand-ins are filled with zeros, and if the op rejects those (an integer
/// division by zero) with ones; the output shape does not depend on the values.
/// Outputs are constant exactly when every present input is constant. Inputs
/// listed by [`Op::shape_inputs`] must be constant, because their values decide
/// the output shape and a stand-in would give a wrong one.
pub fn infer_by_abstract_eval<O: Op + ?Sized>(
    op: &O,
    inputs: &[Option<&Fact>],
) -> IrResult<Vec<Fact>> {
    for &i in op.shape_inputs() {
        if let Some(Some(f)) = inputs.get(i) {
            if !f.is_const() {
                return Err(IrError::NotConstant {
                    op: op.name(),
                    index: i,
                });
            }
        }
    }
    let all_const = inputs.iter().flatten().all(|f| f.is_const());
    let eval_with = |fill: bool| {
        // Constants are borrowed, not copied: a folded weight can be large.
        let stand_ins: Vec<Option<Cow<'_, Tensor>>> = inputs
            .iter()
            .map(|f| {
                f.map(|f| match &f.value {
                    Some(v) => Cow::Borrowed(&**v),
                    None => Cow::Owned(Tensor::filled(f.dtype, &f.shape, fill)),
                })
            })
            .collect();
        let slots: Vec<Option<&Tensor>> = stand_ins.iter().map(|t| t.as_deref()).collect();
        op.eval(Inputs::new(op.name(), &slots))
    };
    let outputs = match eval_with(false) {
        Ok(outputs) => outputs,
        Err(first) if !all_const => eval_with(true).map_err(|_| first)?,
        Err(e) => return Err(e),
    };
    Ok(outputs
        .into_iter()
        .map(|t| {
            if all_const {
                Fact::constant(t)
            } else {
                Fact::new(t.dtype(), t.shape().to_vec())
            }
        })
        .collect())
}
