//! Calibration: the range of every float tensor over sample inputs.

use std::collections::HashMap;

use zkinfer_ir::{Graph, Tensor};

use crate::error::{QuantError, QuantResult};

/// `max |x|` of every tensor of a float model over a set of sample inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calibration {
    /// Bound per tensor name (inputs, constants and intermediates).
    pub bounds: HashMap<String, f64>,
    /// Number of samples observed.
    pub samples: usize,
}

impl Calibration {
    /// Run the float interpreter on every sample and record each tensor's range.
    pub fn run(graph: &Graph, samples: &[Vec<Tensor>]) -> QuantResult<Calibration> {
        if samples.is_empty() {
            return Err(QuantError::NoCalibrationData);
        }
        let mut cal = Calibration::default();
        for inputs in samples {
            let trace = graph.run_traced(inputs)?;
            cal.observe(&trace);
        }
        Ok(cal)
    }

    /// Widen the bounds with one float trace.
    pub fn observe(&mut self, trace: &HashMap<String, Tensor>) {
        for (name, t) in trace {
            let m = t
                .to_f32_vec()
                .iter()
                .fold(0f64, |m, &x| m.max((x as f64).abs()));
            let e = self.bounds.entry(name.clone()).or_insert(0.0);
            *e = e.max(m);
        }
        self.samples += 1;
    }

    /// The bound of a tensor (0 when never observed).
    pub fn bound(&self, name: &str) -> f64 {
        self.bounds.get(name).copied().unwrap_or(0.0)
    }
}
