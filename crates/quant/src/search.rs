//! Scale search: the smallest uniform scale that meets an accuracy target.
//!
//! Larger scales cost more bits per value (wider range checks in the circuit),
//! so we try scales in increasing order and keep the first one whose quantized
//! outputs are within `target` (a fraction of each output's range) of the float
//! model on the given samples, as EZKL's `calibrate-settings` does.

use std::ops::RangeInclusive;

use zkinfer_ir::{Graph, Tensor};

use crate::accuracy::AccuracyReport;
use crate::calibrate::Calibration;
use crate::error::{QuantError, QuantResult};
use crate::model::QuantizedModel;
use crate::settings::QuantSettings;

/// The outcome of [`search_scales`].
#[derive(Debug, Clone)]
pub struct ScaleSearch {
    /// The settings chosen (the base settings with the chosen scale).
    pub settings: QuantSettings,
    /// The model quantized with them.
    pub model: QuantizedModel,
    /// Its accuracy on the samples.
    pub report: AccuracyReport,
    /// Every scale tried, with its worst relative output error or why it failed.
    pub tried: Vec<(u32, Result<f64, String>)>,
    /// Whether the chosen settings meet the target (otherwise they are the most accurate tried).
    pub met_target: bool,
}

/// Try `scales` in increasing order for inputs, weights and activations (nonlinear
/// outputs at `max(scale, base.nonlinear_scale)`), calibrating once on `samples`,
/// and return the first that meets `target`, else the most accurate one.
pub fn search_scales(
    graph: &Graph,
    base: &QuantSettings,
    samples: &[Vec<Tensor>],
    target: f64,
    scales: RangeInclusive<u32>,
) -> QuantResult<ScaleSearch> {
    let calibration = Calibration::run(graph, samples)?;
    let mut tried = Vec::new();
    let mut best: Option<ScaleSearch> = None;
    let mut last_err: Option<QuantError> = None;
    for scale in scales {
        let settings = QuantSettings {
            input_scale: scale,
            weight_scale: scale,
            activation_scale: scale,
            nonlinear_scale: base.nonlinear_scale.max(scale),
            ..base.clone()
        };
        let attempt = QuantizedModel::quantize_calibrated(graph, &settings, calibration.clone())
            .and_then(|model| AccuracyReport::compare(graph, &model, samples).map(|r| (model, r)));
        match attempt {
            Ok((model, report)) => {
                let err = report.worst_relative_error();
                tried.push((scale, Ok(err)));
                let met_target = err <= target;
                let better = best
                    .as_ref()
                    .is_none_or(|b| err < b.report.worst_relative_error());
                if better || met_target {
                    best = Some(ScaleSearch {
                        settings,
                        model,
                        report,
                        tried: Vec::new(),
                        met_target,
                    });
                }
                if met_target {
                    break;
                }
            }
            Err(e) => {
                tried.push((scale, Err(e.to_string())));
                // Unsupported ops fail at every scale: no point in going on.
                let stop = matches!(e, QuantError::Unsupported { .. });
                last_err = Some(e);
                if stop {
                    break;
                }
            }
        }
    }
    match best {
        Some(mut b) => {
            b.tried = tried;
            Ok(b)
        }
        None => Err(last_err.unwrap_or(QuantError::NoCalibrationData)),
    }
}
