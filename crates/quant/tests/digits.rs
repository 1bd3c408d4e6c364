//! The digits fixtures: on the whole test set the quantized model's argmax agrees
//! with the float model's on ≥ 99.5% of inputs, and its accuracy is within half a
//! point of the float accuracy.

mod common;

use zkinfer_ir::Tensor;
use zkinfer_quant::{AccuracyReport, QuantSettings, QuantizedModel};

struct TestSet {
    inputs: Vec<Vec<f32>>,
    labels: Vec<usize>,
}

fn test_set() -> Option<TestSet> {
    let text = std::fs::read_to_string(common::workspace("fixtures/digits_test.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    let inputs = v["inputs"]
        .as_array()?
        .iter()
        .map(|r| {
            r.as_array().map(|xs| {
                xs.iter()
                    .map(|x| x.as_f64().unwrap_or(0.0) as f32)
                    .collect()
            })
        })
        .collect::<Option<Vec<Vec<f32>>>>()?;
    let labels = v["labels"]
        .as_array()?
        .iter()
        .map(|l| l.as_u64().unwrap_or(0) as usize)
        .collect();
    Some(TestSet { inputs, labels })
}

fn argmax(t: &Tensor) -> usize {
    let v = t.to_f32_vec();
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

fn check_model(dir: &str) {
    let path = common::workspace(&format!("fixtures/{dir}/model.onnx"));
    let (Some(set), true) = (test_set(), path.exists()) else {
        eprintln!("fixtures for {dir} not found, skipping");
        return;
    };
    let graph = zkinfer_onnx::load_model(&path).expect("fixture loads");
    let shape = graph.inputs[0].shape.clone();
    let batch: Vec<Vec<Tensor>> = set
        .inputs
        .iter()
        .map(|x| vec![Tensor::from_f32(&shape, x.clone()).expect("64 pixels")])
        .collect();
    let settings = QuantSettings::default();
    // Calibrate on a sixth of the test set; evaluate on all of it.
    let model = QuantizedModel::quantize(&graph, &settings, &batch[..60]).expect("quantizes");
    println!("{dir}: {:?}", model.op_histogram());
    let (mut agree, mut float_ok, mut quant_ok) = (0, 0, 0);
    for (inputs, &label) in batch.iter().zip(&set.labels) {
        let f = argmax(&graph.run(inputs).expect("float run")[0]);
        let q = argmax(
            &model
                .run(inputs)
                .expect("quantized run")
                .dequantized_outputs()[0],
        );
        agree += (f == q) as usize;
        float_ok += (f == label) as usize;
        quant_ok += (q == label) as usize;
    }
    let n = batch.len() as f64;
    let (agreement, float_acc, quant_acc) =
        (agree as f64 / n, float_ok as f64 / n, quant_ok as f64 / n);
    let report = AccuracyReport::compare(&graph, &model, &batch).expect("compare");
    println!("{report}");
    println!(
        "{dir}: argmax agreement {:.2}%, float accuracy {:.2}%, quantized accuracy {:.2}%",
        100.0 * agreement,
        100.0 * float_acc,
        100.0 * quant_acc
    );
    assert!(agreement >= 0.995, "{dir}: argmax agreement {agreement}");
    assert!(
        (float_acc - quant_acc).abs() <= 0.005,
        "{dir}: accuracy {float_acc} vs {quant_acc}"
    );
}

#[test]
fn digits_mlp_matches_float() {
    check_model("digits_mlp");
}

#[test]
fn digits_cnn_matches_float() {
    check_model("digits_cnn");
}
