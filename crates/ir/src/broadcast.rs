//! NumPy-style multidirectional broadcasting, as ONNX defines it.

use ndarray::{ArrayD, IxDyn, Zip};

use crate::error::{IrError, IrResult};

/// The broadcast shape of several shapes (right-aligned; a dimension of 1 stretches).
pub fn broadcast_shapes(op: &'static str, shapes: &[&[usize]]) -> IrResult<Vec<usize>> {
    let rank = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1usize; rank];
    for shape in shapes {
        let offset = rank - shape.len();
        for (i, &d) in shape.iter().enumerate() {
            let o = &mut out[offset + i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                return Err(IrError::shape(
                    op,
                    format!("cannot broadcast shapes {shapes:?}"),
                ));
            }
        }
    }
    crate::size::checked_elements(op, &out)?;
    Ok(out)
}

/// Apply `f` elementwise to two broadcast arrays.
pub fn broadcast_map2<A: Clone, B: Clone, C>(
    op: &'static str,
    a: &ArrayD<A>,
    b: &ArrayD<B>,
    f: impl Fn(&A, &B) -> C,
) -> IrResult<ArrayD<C>> {
    let shape = broadcast_shapes(op, &[a.shape(), b.shape()])?;
    let av = a.broadcast(IxDyn(&shape)).expect("shape checked");
    let bv = b.broadcast(IxDyn(&shape)).expect("shape checked");
    Ok(Zip::from(&av).and(&bv).map_collect(f))
}

/// Apply `f` elementwise to three broadcast arrays (for `Where`).
pub fn broadcast_map3<A: Clone, B: Clone, C: Clone, D>(
    op: &'static str,
    a: &ArrayD<A>,
    b: &ArrayD<B>,
    c: &ArrayD<C>,
    f: impl Fn(&A, &B, &C) -> D,
) -> IrResult<ArrayD<D>> {
    let shape = broadcast_shapes(op, &[a.shape(), b.shape(), c.shape()])?;
    let av = a.broadcast(IxDyn(&shape)).expect("shape checked");
    let bv = b.broadcast(IxDyn(&shape)).expect("shape checked");
    let cv = c.broadcast(IxDyn(&shape)).expect("shape checked");
    Ok(Zip::from(&av).and(&bv).and(&cv).map_collect(f))
}
