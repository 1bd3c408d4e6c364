//! `Pad`: grow (or, with negative pads, crop) each axis.

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

use super::index_map::{
    distinct_axes, eval_by_index_maps, param_i64, shape_of, strides, IndexMap, IndexMapOp, Operand,
    Source,
};

/// How `Pad` fills the new positions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PadMode {
    /// A constant ([`Source::Fill`]).
    Constant,
    /// Mirror without repeating the edge (`[1, 2, 3]` → `3 2 | 1 2 3 | 2 1`).
    Reflect,
    /// Repeat the edge element.
    Edge,
    /// Wrap around (opset 19).
    Wrap,
}

/// `Pad`. Before opset 11 `pads` and the constant `value` are attributes; from
/// opset 11 they are inputs 1 and 2, and from opset 18 input 3 lists the padded axes.
/// `pads` holds all begin values, then all end values.
#[derive(Debug, Clone, PartialEq)]
pub struct Pad {
    /// Fill mode.
    pub mode: PadMode,
    /// `pads` attribute (opset < 11). `None`: read input 1.
    pub pads: Option<Vec<i64>>,
    /// Constant when input 2 is absent (the `value` attribute before opset 11, else 0).
    pub value: f32,
}

impl Pad {
    /// Begin and end padding for every axis of an input of shape `shape`.
    pub fn axis_pads(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<(i64, i64)>> {
        const OP: &str = "Pad";
        let shape = shape_of(OP, inputs, 0)?;
        let pads = match &self.pads {
            Some(p) => p.clone(),
            None => param_i64(OP, inputs, 1)?.ok_or(IrError::MissingInput { op: OP, index: 1 })?,
        };
        let axes = match param_i64(OP, inputs, 3)? {
            Some(axes) => distinct_axes(OP, &axes, shape.len())?,
            None => (0..shape.len()).collect(),
        };
        if pads.len() != 2 * axes.len() {
            return Err(IrError::invalid(
                OP,
                format!("{} pads for {} axes", pads.len(), axes.len()),
            ));
        }
        let mut out = vec![(0, 0); shape.len()];
        for (i, &a) in axes.iter().enumerate() {
            out[a] = (pads[i], pads[i + axes.len()]);
        }
        Ok(out)
    }
}

/// Input position read by output position `o` along one axis, or `None` for the fill value.
///
/// Negative pads crop first (as ONNX's reference does), so reflect/edge/wrap act on
/// the cropped range `[lo, lo + len)`.
fn source_position(mode: PadMode, o: usize, begin: i64, lo: usize, len: usize) -> Option<usize> {
    let i = o as i64 - begin.max(0);
    let n = len as i64;
    let i = if (0..n).contains(&i) {
        i
    } else {
        match mode {
            PadMode::Constant => return None,
            PadMode::Edge => i.clamp(0, n - 1),
            PadMode::Wrap => i.rem_euclid(n),
            PadMode::Reflect if n == 1 => 0,
            PadMode::Reflect => {
                let period = 2 * (n - 1);
                let m = i.rem_euclid(period);
                if m >= n {
                    period - m
                } else {
                    m
                }
            }
        }
    };
    Some(lo + i as usize)
}

impl IndexMapOp for Pad {
    fn index_maps(&self, inputs: &[Option<Operand<'_>>]) -> IrResult<Vec<IndexMap>> {
        const OP: &str = "Pad";
        let input = shape_of(OP, inputs, 0)?;
        let pads = self.axis_pads(inputs)?;
        let mut shape = Vec::with_capacity(input.len());
        // Per axis: (begin pad, first kept input position, kept length).
        let mut axes = Vec::with_capacity(input.len());
        for (&d, &(begin, end)) in input.iter().zip(&pads) {
            let lo = begin.saturating_neg().max(0) as u64;
            let hi = end.saturating_neg().max(0) as u64;
            let kept = (d as u64)
                .checked_sub(lo.saturating_add(hi))
                .ok_or_else(|| {
                    IrError::invalid(
                        OP,
                        format!("pads {pads:?} crop more than the input {input:?}"),
                    )
                })?;
            let out = kept as i128 + begin.max(0) as i128 + end.max(0) as i128;
            let out = usize::try_from(out)
                .map_err(|_| IrError::invalid(OP, format!("pads {pads:?} too large")))?;
            if kept == 0 && out > 0 && self.mode != PadMode::Constant {
                return Err(IrError::invalid(
                    OP,
                    format!("{:?} padding of an empty axis", self.mode),
                ));
            }
            shape.push(out);
            axes.push((begin, lo as usize, kept as usize));
        }
        let st = strides(input);
        Ok(vec![IndexMap::build(OP, shape, |o| {
            let mut flat = 0;
            for (a, &i) in o.iter().enumerate() {
                let (begin, lo, len) = axes[a];
                match source_position(self.mode, i, begin, lo, len) {
                    Some(p) => flat += p * st[a],
                    None => return Ok(Source::Fill),
                }
            }
            Ok(Source::Input { input: 0, flat })
        })?])
    }
}

impl Op for Pad {
    fn name(&self) -> &'static str {
        "Pad"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let attr = Tensor::scalar_f32(self.value);
        eval_by_index_maps(self, inputs, Some(inputs.opt(2).unwrap_or(&attr)))
    }

    fn shape_inputs(&self) -> &'static [usize] {
        &[1, 3]
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pad(mode: PadMode, x: &Tensor, pads: Vec<i64>) -> IrResult<Tensor> {
        let p = Pad {
            mode,
            pads: Some(pads),
            value: 9.0,
        };
        Ok(p.eval(Inputs::new("Pad", &[Some(x)]))?.remove(0))
    }

    #[test]
    fn modes_match_numpy() {
        let x = Tensor::from_f32(&[3], vec![1.0, 2.0, 3.0]).unwrap();
        let v = |m, p| pad(m, &x, p).unwrap().to_f32_vec();
        assert_eq!(
            v(PadMode::Constant, vec![2, 1]),
            vec![9.0, 9.0, 1.0, 2.0, 3.0, 9.0]
        );
        assert_eq!(
            v(PadMode::Reflect, vec![2, 2]),
            vec![3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]
        );
        // Pads wider than the axis keep reflecting, like numpy.
        assert_eq!(
            v(PadMode::Reflect, vec![4, 0]),
            vec![1.0, 2.0, 3.0, 2.0, 1.0, 2.0, 3.0]
        );
        assert_eq!(
            v(PadMode::Edge, vec![2, 1]),
            vec![1.0, 1.0, 1.0, 2.0, 3.0, 3.0]
        );
        assert_eq!(
            v(PadMode::Wrap, vec![2, 1]),
            vec![2.0, 3.0, 1.0, 2.0, 3.0, 1.0]
        );
        assert_eq!(v(PadMode::Edge, vec![-1, 1]), vec![2.0, 3.0, 3.0]);
    }

    #[test]
    fn two_dimensional_with_axes_input() {
        let x = Tensor::from_i64(&[2, 2], vec![1, 2, 3, 4]).unwrap();
        let pads = Tensor::vec_i64(vec![1, 0]);
        let axes = Tensor::vec_i64(vec![-1]);
        let value = Tensor::from_i64(&[], vec![7]).unwrap();
        let p = Pad {
            mode: PadMode::Constant,
            pads: None,
            value: 0.0,
        };
        let out = p
            .eval(Inputs::new(
                "Pad",
                &[Some(&x), Some(&pads), Some(&value), Some(&axes)],
            ))
            .unwrap();
        assert_eq!(
            out[0],
            Tensor::from_i64(&[2, 3], vec![7, 1, 2, 7, 3, 4]).unwrap()
        );
    }

    #[test]
    fn bad_pads_are_errors() {
        let x = Tensor::from_f32(&[3], vec![1.0, 2.0, 3.0]).unwrap();
        assert!(pad(PadMode::Constant, &x, vec![1]).is_err());
        assert!(pad(PadMode::Constant, &x, vec![-2, -2]).is_err());
        assert!(pad(PadMode::Constant, &x, vec![i64::MAX, i64::MAX]).is_err());
        let empty = Tensor::from_f32(&[0], vec![]).unwrap();
        assert!(pad(PadMode::Reflect, &empty, vec![1, 1]).is_err());
        assert_eq!(
            pad(PadMode::Constant, &empty, vec![1, 1])
                .unwrap()
                .to_f32_vec(),
            vec![9.0, 9.0]
        );
    }
}
