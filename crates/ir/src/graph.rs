//! The model graph: nodes in topological order over named tensors.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::error::{IrError, IrResult};
use crate::fact::Fact;
use crate::op::Op;
use crate::tensor::{DType, Tensor};

/// A declared runtime input of the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueInfo {
    /// Tensor name.
    pub name: String,
    /// Element type.
    pub dtype: DType,
    /// Concrete shape.
    pub shape: Vec<usize>,
}

/// One operation applied to named tensors.
#[derive(Debug, Clone)]
pub struct Node {
    /// Node name, unique in the graph (generated when the source had none).
    pub name: String,
    /// The operation.
    pub op: Box<dyn Op>,
    /// Input tensor names; `None` for an absent optional input.
    pub inputs: Vec<Option<String>>,
    /// Output tensor names.
    pub outputs: Vec<String>,
}

/// A model: runtime inputs, constants, nodes in topological order, outputs.
///
/// Built with [`Graph::new`], which orders the nodes, infers a [`Fact`] for every
/// tensor and folds every node whose inputs are all constant, so that no later
/// stage sees a symbolic shape or a shape sub-graph.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Runtime inputs, in the order [`Graph::run`] expects them.
    pub inputs: Vec<ValueInfo>,
    /// Names of the output tensors, in order.
    pub outputs: Vec<String>,
    /// Constant tensors: initializers and folded values.
    pub constants: BTreeMap<String, Tensor>,
    /// Nodes, topologically ordered; none of them is constant-foldable.
    pub nodes: Vec<Node>,
    facts: HashMap<String, Fact>,
}

impl Graph {
    /// Order, check, infer shapes and fold constants.
    pub fn new(
        inputs: Vec<ValueInfo>,
        outputs: Vec<String>,
        constants: BTreeMap<String, Tensor>,
        nodes: Vec<Node>,
    ) -> IrResult<Graph> {
        let nodes = topological_order(&inputs, &constants, nodes)?;
        let mut graph = Graph {
            inputs,
            outputs,
            constants,
            nodes: Vec::new(),
            facts: HashMap::new(),
        };
        let limits = crate::size::size_limits();
        for input in &graph.inputs {
            if crate::size::checked_elements("input", &input.shape).is_err() {
                return Err(IrError::InputTooLarge {
                    name: input.name.clone(),
                    shape: input.shape.clone(),
                    limit: limits.max_elements,
                });
            }
            graph.facts.insert(
                input.name.clone(),
                Fact::new(input.dtype, input.shape.clone()),
            );
        }
        for (name, t) in &graph.constants {
            graph.facts.insert(name.clone(), Fact::constant(t.clone()));
        }
        // Elements of the constants folded so far (initializers excluded).
        let mut folded = 0usize;
        for node in nodes {
            let input_facts: Vec<Option<&Fact>> = node
                .inputs
                .iter()
                .map(|i| i.as_ref().map(|name| &graph.facts[name]))
                .collect();
            let out_facts = node.op.infer(&input_facts).map_err(|e| wrap(&node, e))?;
            if out_facts.len() < node.outputs.len() {
                return Err(wrap(
                    &node,
                    IrError::invalid(
                        node.op.name(),
                        format!(
                            "produces {} output(s) but the node names {}",
                            out_facts.len(),
                            node.outputs.len()
                        ),
                    ),
                ));
            }
            for fact in &out_facts {
                crate::size::checked_elements(node.op.name(), &fact.shape)
                    .map_err(|e| wrap(&node, e))?;
            }
            let foldable = out_facts.iter().all(Fact::is_const);
            if foldable {
                folded += out_facts
                    .iter()
                    .map(|f| f.shape.iter().product::<usize>())
                    .sum::<usize>();
                if folded > limits.max_folded_elements {
                    let shape = out_facts
                        .first()
                        .map(|f| f.shape.clone())
                        .unwrap_or_default();
                    return Err(wrap(
                        &node,
                        IrError::TensorTooLarge {
                            op: "folding",
                            shape,
                            limit: limits.max_folded_elements,
                        },
                    ));
                }
            }
            for (name, fact) in node.outputs.iter().zip(out_facts) {
                if foldable {
                    let value = fact.value.as_ref().expect("foldable facts are constant");
                    graph.constants.insert(name.clone(), (**value).clone());
                }
                graph.facts.insert(name.clone(), fact);
            }
            if !foldable {
                graph.nodes.push(node);
            }
        }
        for out in &graph.outputs {
            if !graph.facts.contains_key(out) {
                return Err(IrError::UnknownOutput(out.clone()));
            }
        }
        graph.prune_unused_constants();
        Ok(graph)
    }

    /// Static knowledge about a tensor: type, shape and, for constants, value.
    pub fn fact(&self, name: &str) -> Option<&Fact> {
        self.facts.get(name)
    }

    /// Facts of the graph's outputs, in order.
    pub fn output_facts(&self) -> Vec<&Fact> {
        self.outputs.iter().map(|o| &self.facts[o]).collect()
    }

    /// Drop constants that no node and no output reads any more (shape
    /// sub-graph leftovers after folding).
    fn prune_unused_constants(&mut self) {
        let used: HashSet<&str> = self
            .nodes
            .iter()
            .flat_map(|n| n.inputs.iter().flatten().map(String::as_str))
            .chain(self.outputs.iter().map(String::as_str))
            .collect();
        let used: HashSet<String> = used.into_iter().map(str::to_owned).collect();
        self.constants.retain(|name, _| used.contains(name));
    }
}

/// Attach the node's identity to an error raised inside it.
pub(crate) fn wrap(node: &Node, e: IrError) -> IrError {
    IrError::Node {
        node: node.name.clone(),
        op: node.op.name(),
        source: Box::new(e),
    }
}

/// Kahn's algorithm, stable with respect to the source order (ONNX files are
/// usually already sorted, and keeping their order keeps plans readable).
fn topological_order(
    inputs: &[ValueInfo],
    constants: &BTreeMap<String, Tensor>,
    nodes: Vec<Node>,
) -> IrResult<Vec<Node>> {
    let mut available: HashSet<String> = inputs
        .iter()
        .map(|i| i.name.clone())
        .chain(constants.keys().cloned())
        .collect();
    let producers: HashSet<&String> = nodes.iter().flat_map(|n| n.outputs.iter()).collect();
    for node in &nodes {
        for name in node.inputs.iter().flatten() {
            if !available.contains(name) && !producers.contains(name) {
                return Err(IrError::UnknownTensor {
                    name: name.clone(),
                    node: node.name.clone(),
                });
            }
        }
    }
    let mut pending: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
    let mut ordered = Vec::with_capacity(pending.len());
    loop {
        let mut progressed = false;
        for slot in pending.iter_mut() {
            let ready = match slot {
                Some(node) => node.inputs.iter().flatten().all(|i| available.contains(i)),
                None => false,
            };
            if ready {
                let node = slot.take().expect("checked above");
                available.extend(node.outputs.iter().cloned());
                ordered.push(node);
                progressed = true;
            }
        }
        if !progressed {
            break;
        }
    }
    match pending.into_iter().flatten().next() {
        Some(stuck) => Err(IrError::Cycle(stuck.name)),
        None => Ok(ordered),
    }
}
