//! The EZKL example models: every model whose ops quantize must reproduce its
//! float outputs within 1% of the output range. Skips when the corpus is absent.
//!
//! `cargo test -p zkinfer-quant --test corpus -- --nocapture` prints the table.

mod common;

use zkinfer_quant::{search_scales, QuantError, QuantSettings};

#[test]
fn ezkl_examples_within_one_percent_of_range() {
    let Some(corpus) = common::corpus() else {
        eprintln!("corpus not found, skipping");
        return;
    };
    let dir = corpus.join("ezkl-examples");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("readable corpus")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    names.sort();
    let settings = QuantSettings::default();
    let mut failures = Vec::new();
    let (mut supported, mut passed) = (0, 0);
    println!(
        "{:<28} {:<8} {:>12} {:>12} {:>8} {:>6}  note",
        "model", "ops ok?", "max abs err", "range", "err/rng", "pass"
    );
    for name in &names {
        let model_path = dir.join(name).join("network.onnx");
        let input_path = dir.join(name).join("input.json");
        let row = |ops: &str, note: &str| {
            println!(
                "{name:<28} {ops:<8} {:>12} {:>12} {:>8} {:>6}  {note}",
                "-", "-", "-", "-"
            )
        };
        let graph = match zkinfer_onnx::load_model(&model_path) {
            Ok(g) => g,
            Err(e) => {
                row("load", &first_line(&e.to_string()));
                continue;
            }
        };
        let Some(inputs) =
            common::read_input_json(&input_path).and_then(|f| common::shape_inputs(&graph, &f))
        else {
            row("input", "input.json does not match the declared inputs");
            continue;
        };
        if let Err(e) = graph.run(&inputs) {
            row("float", &first_line(&e.to_string()));
            continue;
        }
        let search = match search_scales(
            &graph,
            &settings,
            std::slice::from_ref(&inputs),
            0.01,
            7..=20,
        ) {
            Ok(s) => s,
            Err(e @ QuantError::Unsupported { .. }) => {
                row("no", &first_line(&e.to_string()));
                continue;
            }
            Err(e) => {
                supported += 1;
                failures.push(format!("{name}: {e}"));
                row("yes", &format!("FAIL {}", first_line(&e.to_string())));
                continue;
            }
        };
        supported += 1;
        let report = &search.report;
        let worst = report.outputs.iter().max_by(|a, b| {
            a.relative_to_range()
                .partial_cmp(&b.relative_to_range())
                .expect("finite")
        });
        let (err, range) = worst.map_or((0.0, 0.0), |w| (w.max_abs_error, w.range));
        let rel = report.worst_relative_error();
        let ok = rel <= 0.01;
        passed += ok as usize;
        if !ok {
            failures.push(format!(
                "{name}: error {err} over range {range} (tried {:?})",
                search.tried
            ));
        }
        let max_bits = search
            .model
            .nodes()
            .iter()
            .map(|n| n.out_bits)
            .max()
            .unwrap_or(0);
        println!(
            "{name:<28} {:<8} {err:>12.6} {range:>12.6} {:>7.3}% {:>6}  scale 2^{}, max {max_bits} bits",
            "yes",
            100.0 * rel,
            if ok { "pass" } else { "FAIL" },
            search.settings.activation_scale,
        );
    }
    println!(
        "{supported} of {} models quantize; {passed} within 1% of the output range",
        names.len()
    );
    assert!(
        failures.is_empty(),
        "models outside 1% of the range:\n{}",
        failures.join("\n")
    );
}

fn first_line(s: &str) -> String {
    let line = s.lines().next().unwrap_or_default();
    line.chars().take(110).collect()
}
