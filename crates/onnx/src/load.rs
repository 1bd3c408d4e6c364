//! Import: ONNX `ModelProto` → [`Graph`].

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use onnx_protobuf::tensor_shape_proto::dimension::Value as DimValue;
use onnx_protobuf::type_proto::Value as TypeValue;
use onnx_protobuf::{Message, ModelProto, NodeProto, ValueInfoProto};
use zkinfer_ir::{with_size_limits, Graph, Node, SizeLimits, Tensor, ValueInfo};

use crate::context::NodeContext;
use crate::error::{OnnxError, OnnxResult};
use crate::registry::OpRegistry;
use crate::tensor_proto::{dtype_of, tensor_from_proto};

/// Oldest default-domain opset the importer accepts.
pub const MIN_OPSET: i64 = 7;

/// How to make a model's shapes concrete.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Value given to a symbolic or unknown *first* dimension of every input
    /// (the batch dimension PyTorch exports as dynamic). Default 1: one inference per proof.
    pub batch_size: usize,
    /// Explicit shapes for inputs, by name; they override the file's declared shapes.
    pub input_shapes: HashMap<String, Vec<usize>>,
    /// Graph inputs bound to fixed values at load time, by name: they become
    /// constants and are folded. Needed when an input decides a shape (a
    /// `Reshape` target, reduction axes, `TopK`'s k), since shapes must be static.
    pub constant_inputs: HashMap<String, Tensor>,
    /// Largest model file [`load_model_with`] reads, in bytes; default
    /// [`DEFAULT_MAX_MODEL_BYTES`]. Checked against the file's size before
    /// reading, so a huge or endless file is refused without allocating it.
    pub max_file_bytes: u64,
    /// Bounds on the tensors shape inference and constant folding may create
    /// while the graph is built (default 2^28 elements each, see
    /// [`zkinfer_ir::SizeLimits`]). Lower them to bound the loader's memory:
    /// a model whose shapes exceed them is refused with
    /// [`zkinfer_ir::IrError::TensorTooLarge`] before the tensor is allocated.
    pub size_limits: SizeLimits,
}

/// Default bound on an ONNX file's size: 1 GiB.
///
/// protobuf needs the whole message in memory, so the bound is what a
/// hostile file can make the loader allocate. 1 GiB holds 2^28 `f32`
/// weights, and a model with more weights than that cannot be proven anyway:
/// every weight costs at least one of the `2^28` constraints a plan may have
/// (`zkinfer_layout::MAX_CONSTRAINTS`). Raise it in [`LoadOptions`] for
/// models that only run, never prove.
pub const DEFAULT_MAX_MODEL_BYTES: u64 = 1 << 30;

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            batch_size: 1,
            input_shapes: HashMap::new(),
            constant_inputs: HashMap::new(),
            max_file_bytes: DEFAULT_MAX_MODEL_BYTES,
            size_limits: SizeLimits::default(),
        }
    }
}

/// Load a model from a file with default options.
pub fn load_model(path: impl AsRef<Path>) -> OnnxResult<Graph> {
    load_model_with(path, &LoadOptions::default())
}

/// Load a model from a file no larger than `options.max_file_bytes`.
pub fn load_model_with(path: impl AsRef<Path>, options: &LoadOptions) -> OnnxResult<Graph> {
    let bytes = read_model_file(path, options.max_file_bytes)?;
    load_model_bytes(&bytes, options)
}

/// Reads a model file of at most `limit` bytes.
///
/// The size is checked from the file's metadata before anything is read
/// ([`OnnxError::FileTooLarge`]), and the read itself stops one byte past
/// the limit, so a file that grows meanwhile, or a device such as
/// `/dev/zero` whose metadata says 0, cannot make it allocate more.
pub fn read_model_file(path: impl AsRef<Path>, limit: u64) -> OnnxResult<Vec<u8>> {
    use std::io::Read;

    let path = path.as_ref();
    let io_error = |source| OnnxError::Io {
        path: path.display().to_string(),
        source,
    };
    let too_large = |size| OnnxError::FileTooLarge {
        path: path.display().to_string(),
        size,
        limit,
    };
    let file = std::fs::File::open(path).map_err(io_error)?;
    let size = file.metadata().map_err(io_error)?.len();
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Load a model from the bytes of an `.onnx` file.
pub fn load_model_bytes(bytes: &[u8], options: &LoadOptions) -> OnnxResult<Graph> {
    let model = ModelProto::parse_from_bytes(bytes).map_err(|source| OnnxError::Decode {
        what: "ModelProto",
        source,
    })?;
    import_model(&model, options, &OpRegistry::with_all_ops())
}

/// Import a decoded model with a given op registry (to add or replace op parsers).
pub fn import_model(
    model: &ModelProto,
    options: &LoadOptions,
    registry: &OpRegistry,
) -> OnnxResult<Graph> {
    with_size_limits(options.size_limits, || {
        import_with_active_limits(model, options, registry)
    })
}

fn import_with_active_limits(
    model: &ModelProto,
    options: &LoadOptions,
    registry: &OpRegistry,
) -> OnnxResult<Graph> {
    let graph = model.graph.as_ref().ok_or(OnnxError::NoGraph)?;
    let opsets: HashMap<&str, i64> = model
        .opset_import
        .iter()
        .map(|o| {
            (
                if o.domain == "ai.onnx" {
                    ""
                } else {
                    o.domain.as_str()
                },
                o.version,
            )
        })
        .collect();
    // IR version 3+ files always declare it; very old files default to opset 1.
    let opset = opsets.get("").copied().unwrap_or(1);
    if opset < MIN_OPSET {
        return Err(OnnxError::UnsupportedOpset { opset });
    }

    let mut constants = BTreeMap::new();
    for init in &graph.initializer {
        constants.insert(init.name.clone(), tensor_from_proto(init)?);
    }

    let mut inputs = Vec::new();
    for vi in &graph.input {
        // Older exporters also list initializers as inputs.
        if constants.contains_key(&vi.name) {
            continue;
        }
        if let Some(value) = options.constant_inputs.get(&vi.name) {
            constants.insert(vi.name.clone(), value.clone());
            continue;
        }
        inputs.push(input_info(vi, options)?);
    }

    // Identity, Dropout and Constant disappear at import; `alias` maps each removed
    // node's output to the tensor that now stands for it.
    let mut alias: HashMap<String, String> = HashMap::new();
    let resolve = |alias: &HashMap<String, String>, name: &str| -> String {
        let mut cur = name;
        while let Some(next) = alias.get(cur) {
            cur = next;
        }
        cur.to_owned()
    };
    let mut nodes = Vec::new();
    for (index, proto) in graph.node.iter().enumerate() {
        let name = if proto.name.is_empty() {
            format!("{}_{}", proto.op_type, index)
        } else {
            proto.name.clone()
        };
        let domain = if proto.domain == "ai.onnx" {
            ""
        } else {
            proto.domain.as_str()
        };
        let node_opset = opsets.get(domain).copied().unwrap_or(opset);
        let ctx = NodeContext {
            node: proto,
            name: &name,
            opset: node_opset,
        };
        let unsupported = || OnnxError::UnsupportedOp {
            op_type: proto.op_type.clone(),
            domain: domain.to_owned(),
            opset: node_opset,
            node: name.clone(),
        };
        if !domain.is_empty() {
            return Err(unsupported());
        }
        match proto.op_type.as_str() {
            "Identity" => {
                let (from, to) = (output(&ctx, 0)?, resolve(&alias, input(&ctx, 0)?));
                add_alias(&ctx, &mut alias, from, to)?;
                continue;
            }
            "Dropout" => {
                // Inference is deterministic: dropout is the identity and its mask is all ones.
                if proto.output.get(1).is_some_and(|m| !m.is_empty()) {
                    return Err(ctx.unsupported(
                        "the mask output of Dropout is not supported (inference only)",
                    ));
                }
                let (from, to) = (output(&ctx, 0)?, resolve(&alias, input(&ctx, 0)?));
                add_alias(&ctx, &mut alias, from, to)?;
                continue;
            }
            "Constant" => {
                constants.insert(output(&ctx, 0)?, constant_value(&ctx)?);
                continue;
            }
            _ => {}
        }
        let parse = registry.get(&proto.op_type).ok_or_else(unsupported)?;
        let op = parse(&ctx)?;
        nodes.push(Node {
            name,
            op,
            inputs: proto
                .input
                .iter()
                .map(|i| {
                    if i.is_empty() {
                        None
                    } else {
                        Some(resolve(&alias, i))
                    }
                })
                .collect(),
            outputs: proto.output.clone(),
        });
    }
    let outputs = graph
        .output
        .iter()
        .map(|o| resolve(&alias, &o.name))
        .collect();
    Ok(Graph::new(inputs, outputs, constants, nodes)?)
}

/// Records that tensor `from` (the output of a removed pass-through node) stands
/// for `to`, which is already resolved, so the alias map stays acyclic: a node
/// that outputs its own input would otherwise send every later lookup of that
/// name round a loop forever.
fn add_alias(
    ctx: &NodeContext<'_>,
    alias: &mut HashMap<String, String>,
    from: String,
    to: String,
) -> OnnxResult<()> {
    if from == to {
        return Err(ctx.unsupported(format!(
            "the node outputs its own input `{from}` (a tensor cannot be defined by itself)"
        )));
    }
    alias.insert(from, to);
    Ok(())
}

fn input<'a>(ctx: &'a NodeContext<'_>, index: usize) -> OnnxResult<&'a str> {
    match ctx.node.input.get(index) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(ctx.unsupported(format!("missing required input {index}"))),
    }
}

fn output(ctx: &NodeContext<'_>, index: usize) -> OnnxResult<String> {
    match ctx.node.output.get(index) {
        Some(s) if !s.is_empty() => Ok(s.clone()),
        _ => Err(ctx.unsupported(format!("missing output {index}"))),
    }
}

/// The value of a `Constant` node, from whichever `value*` attribute it sets.
fn constant_value(ctx: &NodeContext<'_>) -> OnnxResult<Tensor> {
    if let Some(t) = ctx.tensor("value")? {
        return Ok(t);
    }
    if let Some(x) = ctx.float_opt("value_float")? {
        return Ok(Tensor::scalar_f32(x));
    }
    if let Some(v) = ctx.floats("value_floats")? {
        return Ok(Tensor::from_f32(&[v.len()], v)?);
    }
    if let Some(x) = ctx.int_opt("value_int")? {
        return Ok(Tensor::from_i64(&[], vec![x])?);
    }
    if let Some(v) = ctx.ints("value_ints")? {
        return Ok(Tensor::vec_i64(v));
    }
    if ctx.has_attr("sparse_value") {
        return Err(ctx.unsupported("sparse constants are not supported"));
    }
    Err(ctx.attr_error(
        "value",
        "Constant sets none of value, value_float(s), value_int(s)",
    ))
}

/// Concrete type and shape of a graph input.
fn input_info(vi: &ValueInfoProto, options: &LoadOptions) -> OnnxResult<ValueInfo> {
    let not_tensor = || OnnxError::NotATensor {
        input: vi.name.clone(),
    };
    let tensor_type = match vi.type_.as_ref().and_then(|t| t.value.as_ref()) {
        Some(TypeValue::TensorType(t)) => t,
        _ => return Err(not_tensor()),
    };
    let dtype = dtype_of(tensor_type.elem_type).ok_or(OnnxError::UnsupportedDType {
        tensor: vi.name.clone(),
        data_type: tensor_type.elem_type,
    })?;
    let shape = if let Some(shape) = options.input_shapes.get(&vi.name) {
        shape.clone()
    } else {
        let dims = tensor_type
            .shape
            .as_ref()
            .map(|s| s.dim.as_slice())
            .unwrap_or(&[]);
        let mut shape = Vec::with_capacity(dims.len());
        for (i, d) in dims.iter().enumerate() {
            let value = match &d.value {
                Some(DimValue::DimValue(v)) if *v > 0 => Some(*v as usize),
                Some(DimValue::DimParam(p)) => {
                    if i == 0 {
                        None
                    } else {
                        return Err(OnnxError::UnresolvedShape {
                            input: vi.name.clone(),
                            dim: i,
                            param: p.clone(),
                        });
                    }
                }
                _ => None,
            };
            match value {
                Some(v) => shape.push(v),
                None if i == 0 => shape.push(options.batch_size),
                None => {
                    return Err(OnnxError::UnresolvedShape {
                        input: vi.name.clone(),
                        dim: i,
                        param: "?".into(),
                    })
                }
            }
        }
        shape
    };
    Ok(ValueInfo {
        name: vi.name.clone(),
        dtype,
        shape,
    })
}

/// The node protos of a model, for tools that list ops (e.g. the conformance report).
pub fn op_types(model: &ModelProto) -> Vec<String> {
    let nodes: &[NodeProto] = model
        .graph
        .as_ref()
        .map(|g| g.node.as_slice())
        .unwrap_or(&[]);
    let mut v: Vec<String> = nodes.iter().map(|n| n.op_type.clone()).collect();
    v.sort();
    v.dedup();
    v
}
