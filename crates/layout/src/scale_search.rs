//! Scale search: the cheapest (resources) or most accurate (accuracy) scale
//! whose output error on calibration inputs stays within a tolerance.

use zkinfer_quant::QuantizedModel;

use crate::cost::Cost;
use crate::error::LayoutError;
use crate::optimizer::{plan, PlanOptions};
use crate::plan::{OptimizeMode, Plan};

/// One scale tried.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleTrial {
    /// The scale exponent.
    pub scale: u32,
    /// Output error reported by the closure (e.g. max abs error relative to the range).
    pub error: Option<f64>,
    /// Predicted size, if it could be planned.
    pub cost: Option<Cost>,
    /// Why it was rejected, if it was.
    pub rejected: Option<String>,
}

/// The result of [`search_scale`].
#[derive(Debug)]
pub struct ScaleSearch {
    /// The chosen scale.
    pub scale: u32,
    /// The model quantized at that scale.
    pub model: QuantizedModel,
    /// Its plan.
    pub plan: Plan,
    /// Every scale tried, in order.
    pub trials: Vec<ScaleTrial>,
}

/// Try each scale in `scales`: `quantize_at(scale)` re-quantizes the model
/// and returns it with its output error on calibration inputs. Scales whose
/// error exceeds `tolerance`, that cannot be planned, or whose plan exceeds the
/// limits are rejected. Among the rest, [`OptimizeMode::Resources`] picks the
/// fewest predicted constraints and [`OptimizeMode::Accuracy`] the smallest
/// error (ties: fewer constraints).
///
/// In resources mode the search stops at the first scale after a winner whose
/// plan is no cheaper than the winner's: bit widths, and with them range-check
/// costs, only grow with the scale, so later scales cannot win. That keeps a
/// wide scale range cheap for models that are accurate at a low scale, while
/// models with tiny outputs (say `x / 10⁴`) still reach the high scales they need.
pub fn search_scale<F>(
    scales: impl IntoIterator<Item = u32>,
    tolerance: f64,
    options: &PlanOptions,
    mut quantize_at: F,
) -> Result<ScaleSearch, LayoutError>
where
    F: FnMut(u32) -> Result<(QuantizedModel, f64), LayoutError>,
{
    let mut trials = Vec::new();
    let mut best: Option<(u32, QuantizedModel, Plan, f64)> = None;
    for scale in scales {
        let mut trial = ScaleTrial {
            scale,
            error: None,
            cost: None,
            rejected: None,
        };
        match quantize_at(scale) {
            Err(e) => trial.rejected = Some(e.to_string()),
            Ok((model, error)) => {
                trial.error = Some(error);
                match plan(&model, options) {
                    Err(e) => trial.rejected = Some(e.to_string()),
                    Ok(p) => {
                        trial.cost = Some(p.total());
                        if error > tolerance {
                            trial.rejected =
                                Some(format!("error {error:.4} above tolerance {tolerance}"));
                        } else if let Err(e) = p.check_limits() {
                            trial.rejected = Some(e.to_string());
                        } else {
                            let better = match &best {
                                None => true,
                                Some((_, _, bp, be)) => {
                                    let (c, bc) = (p.total().constraints, bp.total().constraints);
                                    match options.mode {
                                        OptimizeMode::Resources => (c, error) < (bc, *be),
                                        OptimizeMode::Accuracy => {
                                            error < *be || (error == *be && c < bc)
                                        }
                                    }
                                }
                            };
                            if better {
                                best = Some((scale, model, p, error));
                            } else if options.mode == OptimizeMode::Resources {
                                trials.push(trial);
                                break;
                            }
                        }
                    }
                }
            }
        }
        trials.push(trial);
    }
    match best {
        Some((scale, model, plan, _)) => Ok(ScaleSearch {
            scale,
            model,
            plan,
            trials,
        }),
        None => Err(LayoutError::Unsupported {
            node: "<model>".into(),
            op: "scale search".into(),
            reason: format!(
                "no scale is within tolerance {tolerance} and the limits: {}",
                trials
                    .iter()
                    .map(|t| format!("2^{}: {}", t.scale, t.rejected.as_deref().unwrap_or("?")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }),
    }
}
