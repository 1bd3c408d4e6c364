//! Weight sharing: a parameterised affine node records which terms and
//! biases are the same model weight, so a circuit with private weights
//! allocates a convolution's kernel once and reuses it at every position.

mod common;

use zkinfer_ir::Tensor;
use zkinfer_quant::{QOp, QuantSettings, QuantizedModel};

fn digits_cnn() -> Option<QuantizedModel> {
    let path = common::workspace("fixtures/digits_cnn/model.onnx");
    let text = std::fs::read_to_string(common::workspace("fixtures/digits_cnn/input.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let pixels: Vec<f32> = v["input_data"][0]
        .as_array()?
        .iter()
        .map(|x| x.as_f64().unwrap_or(0.0) as f32)
        .collect();
    let graph = zkinfer_onnx::load_model(&path).expect("fixture loads");
    let input = Tensor::from_f32(&graph.inputs[0].shape, pixels).expect("64 pixels");
    Some(
        QuantizedModel::quantize(&graph, &QuantSettings::default(), &[vec![input]])
            .expect("quantizes"),
    )
}

#[test]
fn convolutions_share_one_kernel_and_every_slot_is_well_defined() {
    let Some(model) = digits_cnn() else {
        eprintln!("digits_cnn fixture not found, skipping");
        return;
    };
    let mut convs = 0;
    for node in model.nodes() {
        let QOp::Affine(a) = &node.op else { continue };
        let Some(sharing) = &a.sharing else { continue };
        assert_eq!(sharing.term_slots.len(), a.terms.len(), "{}", node.name);
        assert_eq!(sharing.bias_slots.len(), a.rows(), "{}", node.name);
        let (biases, weights) = sharing.tables(a);
        // Every term and bias holds exactly its slot's value, and every slot is used.
        let mut used = vec![false; weights.len()];
        for (t, &slot) in sharing.term_slots.iter().enumerate() {
            assert_eq!(a.terms[t].coeff, weights[slot as usize], "{}", node.name);
            used[slot as usize] = true;
        }
        assert!(used.iter().all(|&u| u), "{}: unused weight slot", node.name);
        for (r, &slot) in sharing.bias_slots.iter().enumerate() {
            assert_eq!(a.bias[r], biases[slot as usize], "{}", node.name);
        }
        if a.source.starts_with("Conv") {
            convs += 1;
            // The kernel is a fraction of the terms: it is read at every position.
            assert!(
                (sharing.weights as usize) * 4 <= a.terms.len(),
                "{}: {} slots for {} terms",
                node.name,
                sharing.weights,
                a.terms.len()
            );
            assert!(sharing.biases as usize <= a.rows() / 4, "{}", node.name);
        }
    }
    assert_eq!(convs, 2, "digits_cnn has two convolutions");
}

#[test]
fn conv1_tables_are_the_kernel_folded_with_its_batch_norm() {
    let Some(model) = digits_cnn() else {
        eprintln!("digits_cnn fixture not found, skipping");
        return;
    };
    let conv1 = model
        .nodes()
        .iter()
        .find(|n| n.name == "conv1")
        .expect("conv1");
    let QOp::Affine(a) = &conv1.op else {
        panic!("conv1 is affine")
    };
    let sharing = a.sharing.as_ref().expect("conv1 shares weights");
    // 4 output channels of a 1-channel 3×3 kernel: at most 36 weights
    // (fewer when some quantize to zero) and one bias per channel.
    assert!(sharing.weights <= 36, "{}", sharing.weights);
    assert_eq!(sharing.biases, 4);
    assert_eq!(a.rows(), 4 * 8 * 8);
}
