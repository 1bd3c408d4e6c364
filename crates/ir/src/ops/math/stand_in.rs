//! Shape inference for ops whose evaluation can fail on particular values.
//!
//! The default [`Op::infer`] evaluates on zero stand-ins for runtime inputs. For
//! integer `Div`/`Mod` a zero divisor is an error and for integer `Pow` a negative
//! exponent is, so a runtime divisor would make every such model fail to load.
//! Ones are a valid operand for every op of this family.

use ndarray::{ArrayD, IxDyn};

use crate::error::IrResult;
use crate::fact::Fact;
use crate::infer::infer_by_abstract_eval;
use crate::op::Op;
use crate::tensor::{DType, Tensor};

/// A tensor of ones (true for bool) of the given type and shape.
pub(crate) fn ones(dtype: DType, shape: &[usize]) -> Tensor {
    match dtype {
        DType::F32 => Tensor::F32(ArrayD::ones(IxDyn(shape))),
        DType::I64 => Tensor::I64(ArrayD::ones(IxDyn(shape))),
        DType::Bool => Tensor::Bool(ArrayD::from_elem(IxDyn(shape), true)),
    }
}

/// Like [`infer_by_abstract_eval`], with ones instead of zeros standing in for runtime inputs.
pub(crate) fn infer_with_one_stand_ins<O: Op + ?Sized>(
    op: &O,
    inputs: &[Option<&Fact>],
) -> IrResult<Vec<Fact>> {
    if inputs.iter().flatten().all(|f| f.is_const()) {
        return infer_by_abstract_eval(op, inputs);
    }
    let stand_ins: Vec<Option<Fact>> = inputs
        .iter()
        .map(|f| {
            f.map(|f| {
                if f.is_const() {
                    f.clone()
                } else {
                    Fact::constant(ones(f.dtype, &f.shape))
                }
            })
        })
        .collect();
    let refs: Vec<Option<&Fact>> = stand_ins.iter().map(Option::as_ref).collect();
    // The stand-ins made every input "constant"; the real outputs are not.
    Ok(infer_by_abstract_eval(op, &refs)?
        .into_iter()
        .map(|f| Fact::new(f.dtype, f.shape))
        .collect())
}
