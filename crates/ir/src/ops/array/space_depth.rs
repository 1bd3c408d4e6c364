//! `DepthToSpace` and `SpaceToDepth`: move blocks between channels and pixels (NCHW).

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    eval_by_index_maps, flat_index, shape_of, strides, IndexMap, IndexMapOp, Operand, Source,
};

/// Channel order of the blocks (ONNX's `mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockOrder {
    /// Depth-column-row: the block position varies slowest in the channel index (default).
    Dcr,
    /// Column-row-depth: the block position varies fastest in the channel index.
    Crd,
}

/// Channel of a (channel, block row, block column) triple in the deep layout.
fn deep_channel(
    order: BlockOrder,
    c: usize,
    bh: usize,
    bw: usize,
    block: usize,
    channels: usize,
) -> usize {
    match order {
        BlockOrder::Dcr => (bh * block + bw) * channels + c,
        BlockOrder::Crd => (c * block + bh) * block + bw,
    }
}

/// Check the input rank and the block size; returns `b²`, refusing block sizes so
/// large that the output dimensions would overflow.
fn check(op: &'static str, shape: &[usize], block: usize) -> IrResult<usize> {
    let area = block.checked_mul(block).filter(|&a| a > 0);
    let fits = |a: usize| {
        shape
            .iter()
            .try_fold(a, |acc, &d| acc.checked_mul(d.max(1)))
            .is_some()
    };
    match area {
        Some(area) if shape.len() == 4 && fits(area) => Ok(area),
        _ => Err(IrError::invalid(
            op,
            format!(
                "needs a rank-4 input and a small positive blocksize, got {shape:?} and {block}"
            ),
        )),
    }
}

/// `DepthToSpace`: `(N, C·b², H, W)` → `(N, C, H·b, W·b)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DepthToSpace {
    /// Block edge `b`.
    pub blocksize: usize,
    /// Channel order.
    pub mode: BlockOrder,
}

impl IndexMapOp for DepthToSpace {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "DepthToSpace";
        let input = shape_of(OP, inputs, 0)?;
        let b = self.blocksize;
        let area = check(OP, input, b)?;
        if input[1] % area != 0 {
            return Err(IrError::shape(
                OP,
                format!("{} channels are not a multiple of {area}", input[1]),
            ));
        }
        let c_out = input[1] / area;
        let st = strides(input);
        let shape = vec![input[0], c_out, input[2] * b, input[3] * b];
        Ok(vec![IndexMap::build(OP, shape, |o| {
            let channel = deep_channel(self.mode, o[1], o[2] % b, o[3] % b, b, c_out);
            Ok(Source::Input {
                input: 0,
                flat: flat_index(&[o[0], channel, o[2] / b, o[3] / b], &st),
            })
        })?])
    }
}

impl Op for DepthToSpace {
    fn name(&self) -> &'static str {
        "DepthToSpace"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        eval_by_index_maps(self, inputs, None)
    }

    crate::op_boilerplate!();
}

/// `SpaceToDepth`: `(N, C, H·b, W·b)` → `(N, C·b², H, W)`, the inverse of [`DepthToSpace`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceToDepth {
    /// Block edge `b`.
    pub blocksize: usize,
    /// Channel order (a `mode` attribute exists from opset 24; before, always DCR).
    pub mode: BlockOrder,
}

impl IndexMapOp for SpaceToDepth {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "SpaceToDepth";
        let input = shape_of(OP, inputs, 0)?;
        let b = self.blocksize;
        let area = check(OP, input, b)?;
        if input[2] % b != 0 || input[3] % b != 0 {
            return Err(IrError::shape(
                OP,
                format!("spatial dims of {input:?} are not multiples of {b}"),
            ));
        }
        let c = input[1];
        let st = strides(input);
        let shape = vec![input[0], c * area, input[2] / b, input[3] / b];
        // Invert the channel mapping once rather than per element.
        let mut origin = vec![(0, 0, 0); c * area];
        for ch in 0..c {
            for bh in 0..b {
                for bw in 0..b {
                    origin[deep_channel(self.mode, ch, bh, bw, b, c)] = (ch, bh, bw);
                }
            }
        }
        Ok(vec![IndexMap::build(OP, shape, |o| {
            let (ch, bh, bw) = origin[o[1]];
            Ok(Source::Input {
                input: 0,
                flat: flat_index(&[o[0], ch, o[2] * b + bh, o[3] * b + bw], &st),
            })
        })?])
    }
}

impl Op for SpaceToDepth {
    fn name(&self) -> &'static str {
        "SpaceToDepth"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        eval_by_index_maps(self, inputs, None)
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_in_both_orders() {
        let x = Tensor::from_i64(&[1, 8, 2, 3], (0..48).collect()).unwrap();
        for mode in [BlockOrder::Dcr, BlockOrder::Crd] {
            let d2s = DepthToSpace { blocksize: 2, mode }
                .eval(Inputs::new("DepthToSpace", &[Some(&x)]))
                .unwrap();
            assert_eq!(d2s[0].shape(), &[1, 2, 4, 6]);
            let back = SpaceToDepth { blocksize: 2, mode }
                .eval(Inputs::new("SpaceToDepth", &[Some(&d2s[0])]))
                .unwrap();
            assert_eq!(back[0], x);
        }
        assert!(DepthToSpace {
            blocksize: 3,
            mode: BlockOrder::Dcr
        }
        .eval(Inputs::new("DepthToSpace", &[Some(&x)]))
        .is_err());
        assert!(DepthToSpace {
            blocksize: 0,
            mode: BlockOrder::Dcr
        }
        .eval(Inputs::new("DepthToSpace", &[Some(&x)]))
        .is_err());
    }
}
