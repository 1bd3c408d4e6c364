//! Input data files: `{"input_data": [[flattened floats, one list per model input], ...]}`.
//!
//! The same format as EZKL's `input.json`, so existing example directories work
//! unchanged. A calibration file may hold several samples: `input_data` is then a
//! list of samples, each a list of per-input lists (`[[[...]], [[...]]]`).

use std::path::Path;

use zkinfer_ir::{Graph, Tensor};

use crate::error::{ZkinferError, ZkinferResult};
use crate::file_limits::{read_bounded_text, FileKind};

/// Parsed input data: one or more samples, each a flat float list per model input.
#[derive(Debug, Clone, PartialEq)]
pub struct InputData {
    /// `samples[s][i]` is the flattened data of model input `i` in sample `s`.
    pub samples: Vec<Vec<Vec<f32>>>,
}

impl InputData {
    /// Read and parse an input file of at most
    /// [`FileKind::InputData`]`.max_bytes()` bytes (checked before reading).
    pub fn load(path: impl AsRef<Path>) -> ZkinferResult<InputData> {
        let path = path.as_ref();
        let text = read_bounded_text(path, FileKind::InputData)?;
        Self::parse(&text).map_err(|reason| ZkinferError::Input {
            source_name: path.display().to_string(),
            reason,
        })
    }

    /// Parse the JSON text of an input file.
    pub fn parse(text: &str) -> Result<InputData, String> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
        let data = json.get("input_data").ok_or(
            "expected an object with an \"input_data\" field: {\"input_data\": [[...], ...]}",
        )?;
        let outer = data.as_array().ok_or("\"input_data\" must be a list")?;
        // One sample: [[f, ...], ...]; several: [[[f, ...], ...], ...].
        let nested = outer
            .first()
            .and_then(|x| x.as_array())
            .and_then(|x| x.first())
            .is_some_and(|x| x.is_array());
        let samples = if nested {
            outer
                .iter()
                .enumerate()
                .map(|(s, sample)| parse_sample(sample, Some(s)))
                .collect::<Result<_, _>>()?
        } else {
            vec![parse_sample(data, None)?]
        };
        Ok(InputData { samples })
    }

    /// The first sample as model input tensors, checked against the graph: input
    /// count, element count per input, finiteness.
    pub fn first_tensors(&self, graph: &Graph) -> ZkinferResult<Vec<Tensor>> {
        let sample = self.samples.first().ok_or_else(|| ZkinferError::Input {
            source_name: "input data".into(),
            reason: "no sample".into(),
        })?;
        sample_tensors(sample, graph)
    }

    /// Every sample as model input tensors.
    pub fn all_tensors(&self, graph: &Graph) -> ZkinferResult<Vec<Vec<Tensor>>> {
        self.samples
            .iter()
            .map(|s| sample_tensors(s, graph))
            .collect()
    }
}

fn parse_sample(sample: &serde_json::Value, index: Option<usize>) -> Result<Vec<Vec<f32>>, String> {
    let at = |i: usize| match index {
        Some(s) => format!("sample {s}, input {i}"),
        None => format!("input {i}"),
    };
    let lists = sample
        .as_array()
        .ok_or("each sample must be a list of per-input lists")?;
    lists
        .iter()
        .enumerate()
        .map(|(i, list)| {
            let values = list
                .as_array()
                .ok_or_else(|| format!("{}: expected a list of numbers", at(i)))?;
            values
                .iter()
                .enumerate()
                .map(|(j, v)| match v {
                    serde_json::Value::Number(n) => n
                        .as_f64()
                        .map(|f| f as f32)
                        .ok_or_else(|| format!("{}: value {j} is not a number", at(i))),
                    serde_json::Value::Bool(b) => Ok(*b as u8 as f32),
                    other => Err(format!("{}: value {j} is {other}, not a number", at(i))),
                })
                .collect()
        })
        .collect()
}

/// Build checked tensors for one sample.
pub fn sample_tensors(sample: &[Vec<f32>], graph: &Graph) -> ZkinferResult<Vec<Tensor>> {
    // A model without inputs (it computes from constants) is commonly given
    // `{"input_data": [[]]}`: empty lists carry no data, so they are accepted.
    if graph.inputs.is_empty() && sample.iter().all(Vec::is_empty) {
        return Ok(Vec::new());
    }
    if sample.len() != graph.inputs.len() {
        return Err(ZkinferError::Input {
            source_name: "input data".into(),
            reason: format!(
                "{} input list(s), the model takes {}",
                sample.len(),
                graph.inputs.len()
            ),
        });
    }
    let mut tensors = Vec::with_capacity(sample.len());
    for (decl, values) in graph.inputs.iter().zip(sample) {
        let expected: usize = decl.shape.iter().product();
        if values.len() != expected {
            return Err(ZkinferError::Input {
                source_name: "input data".into(),
                reason: format!(
                    "input `{}` has {} values, the model expects {} (shape {:?})",
                    decl.name,
                    values.len(),
                    expected,
                    decl.shape
                ),
            });
        }
        if let Some((index, value)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(ZkinferError::Input {
                source_name: "input data".into(),
                reason: format!(
                    "input `{}` holds a non-finite value ({value}) at index {index}",
                    decl.name
                ),
            });
        }
        let t = Tensor::from_f32(&decl.shape, values.clone())?.cast(decl.dtype);
        tensors.push(t);
    }
    graph.check_inputs(&tensors)?;
    Ok(tensors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_and_several_samples_parse() {
        let one = InputData::parse(r#"{"input_data": [[1, 2.5], [3]]}"#).unwrap();
        assert_eq!(one.samples, vec![vec![vec![1.0, 2.5], vec![3.0]]]);
        let two = InputData::parse(r#"{"input_data": [[[1]], [[2]]]}"#).unwrap();
        assert_eq!(two.samples.len(), 2);
    }

    #[test]
    fn malformed_input_is_an_error_naming_the_problem() {
        assert!(InputData::parse("{").unwrap_err().contains("invalid JSON"));
        assert!(InputData::parse(r#"{"x": 1}"#)
            .unwrap_err()
            .contains("input_data"));
        assert!(InputData::parse(r#"{"input_data": [["a"]]}"#)
            .unwrap_err()
            .contains("not a number"));
    }

    #[test]
    fn empty_lists_feed_a_model_without_inputs_and_nothing_else() {
        let no_inputs = Graph::new(Vec::new(), Vec::new(), Default::default(), Vec::new()).unwrap();
        let data = InputData::parse(r#"{"input_data": [[]]}"#).unwrap();
        assert!(data.first_tensors(&no_inputs).unwrap().is_empty());
        let data = InputData::parse(r#"{"input_data": [[1.0]]}"#).unwrap();
        let err = data.first_tensors(&no_inputs).unwrap_err().to_string();
        assert!(err.contains("1 input list(s), the model takes 0"), "{err}");
    }
}
