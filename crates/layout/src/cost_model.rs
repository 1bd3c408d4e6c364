//! [`CostModel`]: prove time and peak memory as linear functions of a
//! circuit's size, with coefficients fit on a real machine and stored as JSON
//! (`crates/layout/data/cost_model.json`).
//!
//! Groth16 proving is dominated by multi-scalar multiplications over the
//! witness (linear in witness variables), FFTs over the constraint domain
//! (quasi-linear in constraints, linear over the sizes we prove) and
//! evaluating the matrices (linear in non-zeros), so a linear model in those
//! three counts, plus a constant, fits well over the range of sizes it was
//! measured on. Re-fit on a new machine with
//! `cargo run -p zkinfer-layout --example fit_cost_model --release`.

use serde::{Deserialize, Serialize};

use crate::cost::Cost;
use crate::error::LayoutError;

/// The cost model shipped with the crate.
const SHIPPED: &str = include_str!("../data/cost_model.json");

/// `base + per_constraint·C + per_witness·W + per_nonzero·N`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LinearFit {
    /// Constant term.
    pub base: f64,
    /// Coefficient of the constraint count.
    pub per_constraint: f64,
    /// Coefficient of the witness-variable count (public inputs included).
    pub per_witness: f64,
    /// Coefficient of the non-zero count.
    pub per_nonzero: f64,
}

impl LinearFit {
    /// Evaluate on a circuit size.
    pub fn eval(&self, cost: &Cost) -> f64 {
        self.base
            + self.per_constraint * cost.constraints as f64
            + self.per_witness * (cost.witnesses + cost.instances) as f64
            + self.per_nonzero * cost.nonzeros as f64
    }

    /// Least-squares fit of `y ≈ fit(cost)` over samples, with every
    /// coefficient kept non-negative (a negative slope would predict negative
    /// times for large circuits): features whose coefficient comes out
    /// negative are dropped and the rest refit.
    pub fn least_squares(samples: &[(Cost, f64)]) -> LinearFit {
        let features = |c: &Cost| {
            [
                1.0,
                c.constraints as f64,
                (c.witnesses + c.instances) as f64,
                c.nonzeros as f64,
            ]
        };
        let mut active = [true; 4];
        loop {
            let idx: Vec<usize> = (0..4).filter(|&i| active[i]).collect();
            let n = idx.len();
            // Normal equations on the active features, scaled for conditioning.
            let scale: Vec<f64> = idx
                .iter()
                .map(|&i| {
                    samples
                        .iter()
                        .map(|(c, _)| features(c)[i].abs())
                        .fold(0.0, f64::max)
                        .max(1.0)
                })
                .collect();
            let mut a = vec![vec![0.0; n + 1]; n];
            for (c, y) in samples {
                let f = features(c);
                for r in 0..n {
                    let fr = f[idx[r]] / scale[r];
                    for k in 0..n {
                        a[r][k] += fr * f[idx[k]] / scale[k];
                    }
                    a[r][n] += fr * y;
                }
            }
            let solution = solve(a);
            let mut coeffs = [0.0; 4];
            for (k, &i) in idx.iter().enumerate() {
                coeffs[i] = solution.get(k).copied().unwrap_or(0.0) / scale[k];
            }
            match (1..4)
                .filter(|&i| active[i] && coeffs[i] < 0.0)
                .min_by(|&a, &b| coeffs[a].total_cmp(&coeffs[b]))
            {
                Some(worst) => active[worst] = false,
                None => {
                    return LinearFit {
                        base: coeffs[0],
                        per_constraint: coeffs[1],
                        per_witness: coeffs[2],
                        per_nonzero: coeffs[3],
                    }
                }
            }
        }
    }
}

/// Gaussian elimination with partial pivoting on an augmented matrix; singular
/// directions get a zero coefficient.
fn solve(mut a: Vec<Vec<f64>>) -> Vec<f64> {
    let n = a.len();
    for col in 0..n {
        let pivot = (col..n)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        if a[col][col].abs() < 1e-12 {
            continue;
        }
        for row in 0..n {
            if row != col {
                let factor = a[row][col] / a[col][col];
                for k in col..=n {
                    a[row][k] -= factor * a[col][k];
                }
            }
        }
    }
    (0..n)
        .map(|i| {
            if a[i][i].abs() < 1e-12 {
                0.0
            } else {
                a[i][n] / a[i][i]
            }
        })
        .collect()
}

/// Predicted Groth16 prove time and peak memory for a circuit size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CostModel {
    /// Where and how the coefficients were measured.
    pub machine: String,
    /// Prove time in seconds (witness generation, proof, no setup).
    pub prove_seconds: LinearFit,
    /// Setup time in seconds.
    pub setup_seconds: LinearFit,
    /// Peak resident memory in bytes while proving (setup's peak is similar).
    pub peak_bytes: LinearFit,
}

impl Default for CostModel {
    /// The shipped model (`data/cost_model.json`).
    fn default() -> Self {
        CostModel::from_json(SHIPPED).expect("the shipped cost model parses")
    }
}

impl CostModel {
    /// Parse from JSON.
    pub fn from_json(json: &str) -> Result<CostModel, LayoutError> {
        serde_json::from_str(json).map_err(|e| LayoutError::CostModel(e.to_string()))
    }

    /// As pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("cost models serialize")
    }

    /// Read from a file.
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<CostModel, LayoutError> {
        let text = std::fs::read_to_string(path.as_ref())
            .map_err(|e| LayoutError::CostModel(format!("{}: {e}", path.as_ref().display())))?;
        Self::from_json(&text)
    }

    /// Predicted prove time, seconds.
    pub fn prove_seconds(&self, cost: &Cost) -> f64 {
        self.prove_seconds.eval(cost).max(0.0)
    }

    /// Predicted setup time, seconds.
    pub fn setup_seconds(&self, cost: &Cost) -> f64 {
        self.setup_seconds.eval(cost).max(0.0)
    }

    /// Predicted peak memory, bytes.
    pub fn peak_bytes(&self, cost: &Cost) -> u64 {
        self.peak_bytes.eval(cost).max(0.0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_model_parses_and_is_monotone() {
        let m = CostModel::default();
        let small = Cost::new(1_000, 1_000, 5_000);
        let big = Cost::new(1_000_000, 1_000_000, 5_000_000);
        assert!(m.prove_seconds(&big) > m.prove_seconds(&small));
        assert!(m.peak_bytes(&big) > m.peak_bytes(&small));
    }

    #[test]
    fn least_squares_recovers_a_linear_law() {
        let truth = LinearFit {
            base: 0.5,
            per_constraint: 2e-6,
            per_witness: 1e-6,
            per_nonzero: 3e-7,
        };
        let samples: Vec<(Cost, f64)> = [
            (1_000u64, 2_000u64, 9_000u64),
            (50_000, 20_000, 100_000),
            (10_000, 90_000, 30_000),
            (200_000, 210_000, 2_000_000),
            (7, 5, 3),
        ]
        .iter()
        .map(|&(c, w, n)| {
            let cost = Cost::new(c, w, n);
            (cost, truth.eval(&cost))
        })
        .collect();
        let fit = LinearFit::least_squares(&samples);
        for (c, y) in &samples {
            assert!((fit.eval(c) - y).abs() < 1e-6 * y.max(1.0), "{fit:?}");
        }
    }
}
