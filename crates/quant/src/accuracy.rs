//! Accuracy of a quantized model against its float reference, per output and per layer.

use std::collections::BTreeMap;
use std::fmt;

use zkinfer_ir::{Graph, Tensor};

use crate::error::QuantResult;
use crate::model::QuantizedModel;

/// Error statistics of one tensor over one or more inferences.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TensorError {
    /// Tensor name (in the float graph).
    pub name: String,
    /// Largest `|dequantized − float|`.
    pub max_abs_error: f64,
    /// Largest `|dequantized − float| / max(|float|, 1e-6)` over elements with `|float| ≥ 1% of the range`.
    pub max_rel_error: f64,
    /// `max − min` of the float values.
    pub range: f64,
    /// Inferences whose flat argmax agrees (only counted for outputs).
    pub argmax_agree: usize,
    /// Inferences compared.
    pub samples: usize,
    min: f64,
    max: f64,
}

impl TensorError {
    /// Empty statistics for tensor `name`.
    pub fn new(name: &str) -> Self {
        TensorError {
            name: name.to_owned(),
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            ..Default::default()
        }
    }

    /// Widen the statistics with one inference: `quant` against the reference
    /// `float` values (same length), counting argmax agreement when asked.
    pub fn observe(&mut self, quant: &[f32], float: &[f32], count_argmax: bool) {
        for &f in float {
            self.min = self.min.min(f as f64);
            self.max = self.max.max(f as f64);
        }
        self.range = (self.max - self.min).max(0.0);
        let floor = 0.01 * self.range.max(1e-6);
        for (&q, &f) in quant.iter().zip(float) {
            let err = (q as f64 - f as f64).abs();
            self.max_abs_error = self.max_abs_error.max(err);
            if (f as f64).abs() >= floor {
                self.max_rel_error = self.max_rel_error.max(err / (f as f64).abs());
            }
        }
        if count_argmax && argmax(quant) == argmax(float) {
            self.argmax_agree += 1;
        }
        self.samples += 1;
    }

    /// Max abs error as a fraction of the output range; for a constant output
    /// (range 0, e.g. a single scalar), as a fraction of its magnitude (or absolute
    /// when that is 0 too).
    pub fn relative_to_range(&self) -> f64 {
        let scale = if self.range > 0.0 {
            self.range
        } else {
            self.min.abs().max(self.max.abs())
        };
        if scale > 0.0 && scale.is_finite() {
            self.max_abs_error / scale
        } else {
            self.max_abs_error
        }
    }
}

/// First index of the largest value.
fn argmax(xs: &[f32]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &x) in xs.iter().enumerate() {
        if best.is_none_or(|b| x > xs[b]) {
            best = Some(i);
        }
    }
    best
}

/// Quantized versus float model on a batch of inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccuracyReport {
    /// One entry per model output.
    pub outputs: Vec<TensorError>,
    /// One entry per intermediate tensor present in both models, in node order.
    pub layers: Vec<TensorError>,
    /// Number of inferences compared.
    pub samples: usize,
}

impl AccuracyReport {
    /// Run both models on every input set of `batch` and compare.
    pub fn compare(
        graph: &Graph,
        model: &QuantizedModel,
        batch: &[Vec<Tensor>],
    ) -> QuantResult<AccuracyReport> {
        let mut outputs: Vec<TensorError> =
            graph.outputs.iter().map(|n| TensorError::new(n)).collect();
        let mut layers: BTreeMap<usize, TensorError> = BTreeMap::new();
        for inputs in batch {
            let float = graph.run_traced(inputs)?;
            let trace = model.run(inputs)?;
            for (k, &id) in model.outputs().iter().enumerate() {
                let q = trace.dequantized(id);
                let f = float[&graph.outputs[k]].to_f32_vec();
                outputs[k].observe(q.as_slice().expect("standard layout"), &f, true);
            }
            for (pos, node) in model.nodes().iter().enumerate() {
                let t = model.tensor(node.output);
                if let Some(f) = float.get(&t.name) {
                    let q = trace.dequantized(node.output);
                    layers
                        .entry(pos)
                        .or_insert_with(|| TensorError::new(&t.name))
                        .observe(
                            q.as_slice().expect("standard layout"),
                            &f.to_f32_vec(),
                            false,
                        );
                }
            }
        }
        Ok(AccuracyReport {
            outputs,
            layers: layers.into_values().collect(),
            samples: batch.len(),
        })
    }

    /// Largest output error relative to its output's range.
    pub fn worst_relative_error(&self) -> f64 {
        self.outputs
            .iter()
            .map(TensorError::relative_to_range)
            .fold(0.0, f64::max)
    }

    /// Fraction of inferences whose output argmax agrees, over all outputs.
    pub fn argmax_agreement(&self) -> f64 {
        let (agree, total) = self
            .outputs
            .iter()
            .fold((0, 0), |(a, t), o| (a + o.argmax_agree, t + o.samples));
        if total == 0 {
            1.0
        } else {
            agree as f64 / total as f64
        }
    }
}

impl fmt::Display for AccuracyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "accuracy over {} input(s)", self.samples)?;
        writeln!(
            f,
            "{:<32} {:>12} {:>12} {:>12} {:>9}",
            "output", "max abs err", "max rel err", "range", "argmax"
        )?;
        for o in &self.outputs {
            writeln!(
                f,
                "{:<32} {:>12.6} {:>12.6} {:>12.6} {:>4}/{:<4}",
                o.name, o.max_abs_error, o.max_rel_error, o.range, o.argmax_agree, o.samples
            )?;
        }
        writeln!(
            f,
            "{:<32} {:>12} {:>12} {:>12}",
            "layer", "max abs err", "max rel err", "range"
        )?;
        for l in &self.layers {
            writeln!(
                f,
                "{:<32} {:>12.6} {:>12.6} {:>12.6}",
                l.name, l.max_abs_error, l.max_rel_error, l.range
            )?;
        }
        Ok(())
    }
}
