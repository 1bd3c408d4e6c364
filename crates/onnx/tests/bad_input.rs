//! Bad input never panics: each malformed model or input gives a typed error
//! whose message names what is wrong.

use onnx_protobuf::tensor_proto::{DataLocation, DataType};
use onnx_protobuf::tensor_shape_proto::dimension::Value as DimValue;
use onnx_protobuf::tensor_shape_proto::Dimension;
use onnx_protobuf::type_proto::{Tensor as TensorType, Value as TypeValue};
use onnx_protobuf::{
    GraphProto, Message, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto,
    TypeProto, ValueInfoProto,
};
use zkinfer_ir::{IrError, Tensor};
use zkinfer_onnx::{load_model, load_model_bytes, LoadOptions, OnnxError};

fn value_info(name: &str, dims: &[DimValue]) -> ValueInfoProto {
    let mut shape = TensorShapeProto::new();
    for d in dims {
        let mut dim = Dimension::new();
        dim.value = Some(d.clone());
        shape.dim.push(dim);
    }
    let mut tt = TensorType::new();
    tt.elem_type = DataType::FLOAT as i32;
    tt.shape = Some(shape).into();
    let mut ty = TypeProto::new();
    ty.value = Some(TypeValue::TensorType(tt));
    let mut vi = ValueInfoProto::new();
    vi.name = name.into();
    vi.type_ = Some(ty).into();
    vi
}

fn node(op: &str, name: &str, inputs: &[&str], outputs: &[&str]) -> NodeProto {
    let mut n = NodeProto::new();
    n.op_type = op.into();
    n.name = name.into();
    n.input = inputs.iter().map(|s| s.to_string()).collect();
    n.output = outputs.iter().map(|s| s.to_string()).collect();
    n
}

fn weight(name: &str, dims: &[i64], values: &[f32]) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = name.into();
    t.dims = dims.to_vec();
    t.data_type = DataType::FLOAT as i32;
    t.float_data = values.to_vec();
    t
}

/// y = Relu(x · W), x: [N, 2] with a symbolic batch, W: [2, 2].
fn model(
    nodes: Vec<NodeProto>,
    inits: Vec<TensorProto>,
    input_dims: &[DimValue],
    opset: i64,
) -> ModelProto {
    let mut g = GraphProto::new();
    g.node = nodes;
    g.initializer = inits;
    g.input.push(value_info("x", input_dims));
    g.output.push(value_info("y", &[]));
    let mut m = ModelProto::new();
    m.ir_version = 8;
    let mut o = OperatorSetIdProto::new();
    o.version = opset;
    m.opset_import.push(o);
    m.graph = Some(g).into();
    m
}

fn good_model() -> ModelProto {
    model(
        vec![
            node("MatMul", "mm", &["x", "W"], &["h"]),
            node("Relu", "act", &["h"], &["y"]),
        ],
        vec![weight("W", &[2, 2], &[1.0, -1.0, 2.0, 0.5])],
        &[DimValue::DimParam("N".into()), DimValue::DimValue(2)],
        13,
    )
}

fn load(m: &ModelProto) -> Result<zkinfer_ir::Graph, OnnxError> {
    load_model_bytes(&m.write_to_bytes().unwrap(), &LoadOptions::default())
}

#[test]
fn the_good_model_loads_with_batch_one_and_runs() {
    let g = load(&good_model()).unwrap();
    assert_eq!(g.inputs[0].shape, vec![1, 2]);
    let out = g
        .run(&[Tensor::from_f32(&[1, 2], vec![1.0, 1.0]).unwrap()])
        .unwrap();
    assert_eq!(out[0].to_f32_vec(), vec![3.0, 0.0]);
}

#[test]
fn batch_size_is_overridable() {
    let opts = LoadOptions {
        batch_size: 4,
        ..Default::default()
    };
    let g = load_model_bytes(&good_model().write_to_bytes().unwrap(), &opts).unwrap();
    assert_eq!(g.inputs[0].shape, vec![4, 2]);
}

#[test]
fn garbage_bytes_are_a_decode_error() {
    let err = load_model_bytes(
        b"\xff\xfe definitely not protobuf \x00\x01",
        &LoadOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, OnnxError::Decode { .. }), "{err}");
    assert!(err.to_string().contains("ONNX"), "{err}");
}

#[test]
fn truncated_files_never_panic() {
    let bytes = good_model().write_to_bytes().unwrap();
    for cut in 0..bytes.len() {
        // Every prefix either decodes to some (possibly smaller) model or is an error.
        let _ = load_model_bytes(&bytes[..cut], &LoadOptions::default());
    }
    let err = load_model_bytes(&bytes[..bytes.len() - 3], &LoadOptions::default()).unwrap_err();
    assert!(!err.to_string().is_empty());
}

#[test]
fn a_missing_file_names_the_path() {
    let err = load_model("/nonexistent/model.onnx").unwrap_err();
    assert!(matches!(err, OnnxError::Io { .. }));
    assert!(err.to_string().contains("/nonexistent/model.onnx"));
}

#[test]
fn a_missing_initializer_names_the_tensor_and_node() {
    let mut m = good_model();
    m.graph.as_mut().unwrap().initializer.clear();
    let err = load(&m).unwrap_err();
    match &err {
        OnnxError::Ir(IrError::UnknownTensor { name, node }) => {
            assert_eq!(name, "W");
            assert_eq!(node, "mm");
        }
        other => panic!("unexpected error {other}"),
    }
}

#[test]
fn an_unsupported_op_names_op_node_and_opset() {
    let m = model(
        vec![node("FancyAttention", "attn0", &["x"], &["y"])],
        vec![],
        &[DimValue::DimValue(1), DimValue::DimValue(2)],
        17,
    );
    let err = load(&m).unwrap_err();
    assert!(matches!(err, OnnxError::UnsupportedOp { .. }));
    let msg = err.to_string();
    assert!(
        msg.contains("FancyAttention") && msg.contains("attn0") && msg.contains("17"),
        "{msg}"
    );
}

#[test]
fn external_data_is_refused_with_advice() {
    let mut m = good_model();
    let w = &mut m.graph.as_mut().unwrap().initializer[0];
    w.float_data.clear();
    w.data_location = DataLocation::EXTERNAL.into();
    let err = load(&m).unwrap_err();
    assert!(matches!(err, OnnxError::ExternalData { .. }));
    assert!(err.to_string().contains("W"));
}

#[test]
fn a_symbolic_non_batch_dimension_cannot_be_resolved() {
    let m = model(
        vec![node("Relu", "act", &["x"], &["y"])],
        vec![],
        &[DimValue::DimValue(1), DimValue::DimParam("seq_len".into())],
        13,
    );
    let err = load(&m).unwrap_err();
    assert!(matches!(err, OnnxError::UnresolvedShape { .. }));
    assert!(err.to_string().contains("seq_len"));
}

#[test]
fn incompatible_shapes_are_reported_at_load_time() {
    let mut m = good_model();
    m.graph.as_mut().unwrap().initializer[0] = weight("W", &[3, 2], &[0.0; 6]);
    let err = load(&m).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("mm") && msg.contains("MatMul"), "{msg}");
}

#[test]
fn non_finite_and_misshapen_inputs_are_refused() {
    let g = load(&good_model()).unwrap();
    let err = g
        .run(&[Tensor::from_f32(&[1, 2], vec![f32::NAN, 1.0]).unwrap()])
        .unwrap_err();
    assert!(matches!(err, IrError::NonFinite { index: 0, .. }), "{err}");
    let err = g
        .run(&[Tensor::from_f32(&[1, 2], vec![1.0, f32::INFINITY]).unwrap()])
        .unwrap_err();
    assert!(matches!(err, IrError::NonFinite { index: 1, .. }), "{err}");
    let err = g
        .run(&[Tensor::from_f32(&[1, 3], vec![1.0; 3]).unwrap()])
        .unwrap_err();
    assert!(matches!(err, IrError::InputMismatch { .. }), "{err}");
    let err = g.run(&[]).unwrap_err();
    assert!(
        matches!(
            err,
            IrError::InputCount {
                expected: 1,
                found: 0
            }
        ),
        "{err}"
    );
}

#[test]
fn identity_and_dropout_are_removed_at_import() {
    let m = model(
        vec![
            node("Identity", "id", &["x"], &["a"]),
            node("Dropout", "drop", &["a"], &["b"]),
            node("Relu", "act", &["b"], &["y"]),
        ],
        vec![],
        &[DimValue::DimValue(1), DimValue::DimValue(2)],
        13,
    );
    let g = load(&m).unwrap();
    assert_eq!(g.nodes.len(), 1);
    assert_eq!(g.nodes[0].inputs[0].as_deref(), Some("x"));
}

#[test]
fn an_opset_below_7_is_refused() {
    let mut m = good_model();
    m.opset_import[0].version = 5;
    let err = load(&m).unwrap_err();
    assert!(
        matches!(err, OnnxError::UnsupportedOpset { opset: 5 }),
        "{err}"
    );
}

/// A pass-through node whose output is its own input used to make every later
/// lookup of that name loop forever.
#[test]
fn an_identity_that_outputs_its_own_input_is_refused() {
    let m = model(
        vec![
            node("Identity", "self_loop", &["x"], &["x"]),
            node("Relu", "act", &["x"], &["y"]),
        ],
        vec![],
        &[DimValue::DimValue(1), DimValue::DimValue(2)],
        13,
    );
    let err = load(&m).unwrap_err();
    assert!(
        matches!(&err, OnnxError::UnsupportedFeature { node, .. } if node == "self_loop"),
        "{err}"
    );
    // Two pass-throughs that would point at each other.
    let m = model(
        vec![
            node("Identity", "there", &["x"], &["a"]),
            node("Dropout", "back", &["a"], &["x"]),
            node("Relu", "act", &["a"], &["y"]),
        ],
        vec![],
        &[DimValue::DimValue(1), DimValue::DimValue(2)],
        13,
    );
    let err = load(&m).unwrap_err();
    assert!(err.to_string().contains("its own input"), "{err}");
}

fn int_weight(name: &str, values: &[i64]) -> TensorProto {
    let mut t = TensorProto::new();
    t.name = name.into();
    t.dims = vec![values.len() as i64];
    t.data_type = DataType::INT64 as i32;
    t.int64_data = values.to_vec();
    t
}

/// The innermost IR error of a load error, for matching on its variant.
fn ir_source(err: &OnnxError) -> &IrError {
    let mut e: &IrError = match err {
        OnnxError::Ir(e) => e,
        other => panic!("expected an IR error, got {other}"),
    };
    while let IrError::Node { source, .. } = e {
        e = source;
    }
    e
}

/// A few bytes of model can ask for gigabytes: a declared input, a generated
/// constant, a broadcast or a matrix product. Each is refused before it is
/// allocated, with the shape and the bound in the message.
#[test]
fn tensors_beyond_the_size_bound_are_refused_before_allocation() {
    use zkinfer_ir::MAX_ELEMENTS;
    let big = DimValue::DimValue(1 << 16);
    // A declared input of 2^32 elements.
    let m = model(
        vec![node("Relu", "act", &["x"], &["y"])],
        vec![],
        &[big.clone(), big.clone()],
        13,
    );
    let err = load(&m).unwrap_err();
    assert!(
        matches!(ir_source(&err), IrError::InputTooLarge { name, limit, .. } if name == "x" && *limit == MAX_ELEMENTS),
        "{err}"
    );

    // Expand of a small input to 2^34 elements.
    let m = model(
        vec![node("Expand", "grow", &["x", "shape"], &["y"])],
        vec![int_weight("shape", &[1 << 17, 1 << 17])],
        &[DimValue::DimValue(1), DimValue::DimValue(1)],
        13,
    );
    let err = load(&m).unwrap_err();
    assert!(
        matches!(
            ir_source(&err),
            IrError::TensorTooLarge { op: "Expand", .. }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("grow"), "{err}");

    // A broadcast of [2^16, 1] against [1, 2^16]: 2^32 elements from 2^17.
    let mut m = model(
        vec![node("Add", "outer", &["x", "z"], &["y"])],
        vec![],
        &[big.clone(), DimValue::DimValue(1)],
        13,
    );
    let graph = m.graph.as_mut().unwrap();
    graph
        .input
        .push(value_info("z", &[DimValue::DimValue(1), big.clone()]));
    let err = load(&m).unwrap_err();
    assert!(
        matches!(ir_source(&err), IrError::TensorTooLarge { op: "Add", .. }),
        "{err}"
    );

    // The same outer product as a MatMul.
    let mut m = model(
        vec![node("MatMul", "outer", &["x", "z"], &["y"])],
        vec![],
        &[big.clone(), DimValue::DimValue(1)],
        13,
    );
    let graph = m.graph.as_mut().unwrap();
    graph
        .input
        .push(value_info("z", &[DimValue::DimValue(1), big]));
    let err = load(&m).unwrap_err();
    assert!(
        matches!(
            ir_source(&err),
            IrError::TensorTooLarge { op: "MatMul", .. }
        ),
        "{err}"
    );
}

/// Folding many large constants is bounded in total, not only per tensor.
#[test]
fn folded_constants_are_bounded_in_total() {
    // Each ConstantOfShape output is 2^26 elements (under the per-tensor bound);
    // five of them exceed the folding budget of 2^28.
    let mut nodes = Vec::new();
    for i in 0..5 {
        nodes.push(node(
            "ConstantOfShape",
            &format!("fill{i}"),
            &["shape"],
            &[&format!("c{i}")],
        ));
    }
    nodes.push(node("Relu", "act", &["x"], &["y"]));
    let m = model(
        nodes,
        vec![int_weight("shape", &[1 << 13, 1 << 13])],
        &[DimValue::DimValue(1), DimValue::DimValue(2)],
        13,
    );
    let err = load(&m).unwrap_err();
    assert!(
        matches!(
            ir_source(&err),
            IrError::TensorTooLarge { op: "folding", .. }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("fill4"), "{err}");
}

/// `LoadOptions::size_limits` lowers both bounds for one load: the same
/// model loads with the defaults and is refused, naming the configured
/// limit, with smaller ones; the defaults are back in force afterwards.
#[test]
fn configured_size_limits_apply_to_that_load_only() {
    use zkinfer_ir::{size_limits, SizeLimits};
    let m = model(
        vec![
            node("ConstantOfShape", "fill", &["shape"], &["c"]),
            node("Add", "add", &["x", "c"], &["y"]),
        ],
        vec![int_weight("shape", &[64, 64])],
        &[DimValue::DimValue(1), DimValue::DimValue(64)],
        13,
    );
    let bytes = m.write_to_bytes().unwrap();
    let graph = load_model_bytes(&bytes, &LoadOptions::default()).unwrap();
    assert_eq!(graph.fact("y").unwrap().shape, vec![64, 64]);

    let per_tensor = LoadOptions {
        size_limits: SizeLimits {
            max_elements: 1000,
            ..SizeLimits::default()
        },
        ..Default::default()
    };
    let err = load_model_bytes(&bytes, &per_tensor).unwrap_err();
    assert!(
        matches!(ir_source(&err), IrError::TensorTooLarge { limit: 1000, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("1000 elements"), "{err}");

    let folding = LoadOptions {
        size_limits: SizeLimits {
            max_folded_elements: 4000,
            ..SizeLimits::default()
        },
        ..Default::default()
    };
    let err = load_model_bytes(&bytes, &folding).unwrap_err();
    assert!(
        matches!(
            ir_source(&err),
            IrError::TensorTooLarge {
                op: "folding",
                limit: 4000,
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(size_limits(), SizeLimits::default());
}
