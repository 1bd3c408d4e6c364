//! `Shape` and `Size`: a tensor's static shape as a value.
//!
//! Shapes are concrete after loading, so both ops are constant even when their
//! input is a runtime tensor: overriding [`Op::infer`] to say so is what folds the
//! `Shape → Gather → Unsqueeze → Concat → Reshape` chains PyTorch exports.

use crate::error::{IrError, IrResult};
use crate::fact::Fact;
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

fn input_shape<'a>(op: &'static str, inputs: &[Option<&'a Fact>]) -> IrResult<&'a [usize]> {
    inputs
        .first()
        .copied()
        .flatten()
        .map(|f| f.shape.as_slice())
        .ok_or(IrError::MissingInput { op, index: 0 })
}

/// `Shape`: the input's dimensions `[start, end)` (opset 15 attributes; negative
/// values count from the end, out-of-range values are clamped).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shape {
    /// First dimension returned.
    pub start: i64,
    /// One past the last dimension returned; `None` for the rank.
    pub end: Option<i64>,
}

impl Shape {
    /// The op's value for an input of shape `shape`.
    pub fn value(&self, shape: &[usize]) -> Tensor {
        let rank = shape.len() as i64;
        let clamp =
            |i: i64| (if i < 0 { i.saturating_add(rank) } else { i }).clamp(0, rank) as usize;
        let (start, end) = (clamp(self.start), clamp(self.end.unwrap_or(rank)));
        let dims = shape.get(start..end.max(start)).unwrap_or(&[]);
        Tensor::vec_i64(dims.iter().map(|&d| d as i64).collect())
    }
}

impl Op for Shape {
    fn name(&self) -> &'static str {
        "Shape"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        Ok(vec![self.value(inputs.get(0)?.shape())])
    }

    fn infer(&self, inputs: &[Option<&Fact>]) -> IrResult<Vec<Fact>> {
        Ok(vec![Fact::constant(
            self.value(input_shape("Shape", inputs)?),
        )])
    }

    crate::op_boilerplate!();
}

/// `Size`: the input's number of elements, as a rank-0 integer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Size;

fn size_of(shape: &[usize]) -> Tensor {
    Tensor::from_i64(&[], vec![shape.iter().product::<usize>() as i64]).expect("scalar")
}

impl Op for Size {
    fn name(&self) -> &'static str {
        "Size"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        Ok(vec![size_of(inputs.get(0)?.shape())])
    }

    fn infer(&self, inputs: &[Option<&Fact>]) -> IrResult<Vec<Fact>> {
        Ok(vec![Fact::constant(size_of(input_shape("Size", inputs)?))])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::graph::{Graph, Node, ValueInfo};
    use crate::ops::array::{Concat, Gather, Reshape, Unsqueeze};
    use crate::tensor::DType;

    #[test]
    fn start_and_end_clamp() {
        let s = |start, end| Shape { start, end }.value(&[2, 3, 4]).to_i64_vec();
        assert_eq!(s(0, None), vec![2, 3, 4]);
        assert_eq!(s(-1, None), vec![4]);
        assert_eq!(s(1, Some(-1)), vec![3]);
        assert_eq!(s(-10, Some(10)), vec![2, 3, 4]);
        assert_eq!(s(2, Some(1)), Vec::<i64>::new());
        assert_eq!(s(i64::MIN, Some(i64::MAX)), vec![2, 3, 4]);
    }

    fn node(name: &str, op: impl Op, inputs: &[&str], outputs: &[&str]) -> Node {
        Node {
            name: name.into(),
            op: Box::new(op),
            inputs: inputs.iter().map(|s| Some(s.to_string())).collect(),
            outputs: outputs.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// PyTorch's `x.view(x.size(0), -1)` exports as this chain; it must fold to one
    /// `Reshape` with a constant target.
    #[test]
    fn pytorch_flatten_chain_folds() {
        let scalar = |v| Tensor::from_i64(&[], vec![v]).unwrap();
        let constants = BTreeMap::from([
            ("zero".to_string(), scalar(0)),
            ("minus_one".to_string(), Tensor::vec_i64(vec![-1])),
        ]);
        let nodes = vec![
            node("shape", Shape::default(), &["x"], &["s"]),
            node("gather", Gather { axis: 0 }, &["s", "zero"], &["batch"]),
            node(
                "unsqueeze",
                Unsqueeze {
                    axes: Some(vec![0]),
                },
                &["batch"],
                &["batch1"],
            ),
            node(
                "concat",
                Concat { axis: 0 },
                &["batch1", "minus_one"],
                &["target"],
            ),
            node("reshape", Reshape::default(), &["x", "target"], &["y"]),
        ];
        let input = ValueInfo {
            name: "x".into(),
            dtype: DType::F32,
            shape: vec![2, 3, 4],
        };
        let graph = Graph::new(vec![input], vec!["y".into()], constants, nodes).unwrap();
        assert_eq!(graph.nodes.len(), 1);
        assert_eq!(graph.nodes[0].op.name(), "Reshape");
        let target = graph.nodes[0].inputs[1].as_deref().unwrap();
        assert_eq!(graph.constants[target], Tensor::vec_i64(vec![2, -1]));
        assert_eq!(graph.fact("y").unwrap().shape, vec![2, 12]);
        let x = Tensor::from_f32(&[2, 3, 4], (0..24).map(|i| i as f32).collect()).unwrap();
        assert_eq!(graph.run(&[x]).unwrap()[0].shape(), &[2, 12]);
    }

    #[test]
    fn size_is_constant_for_runtime_inputs() {
        let fact = Fact::new(DType::F32, vec![2, 5]);
        let out = Size.infer(&[Some(&fact)]).unwrap();
        assert_eq!(
            out[0].value.as_deref(),
            Some(&Tensor::from_i64(&[], vec![10]).unwrap())
        );
    }
}
