//! Lookups with private indices: `table[idx]` as `Σ_k h_k·table_k` with a
//! constrained one-hot `h` (cost linear in the table length `n`).
//!
//! [`one_hot`] allocates `h_0 … h_{n−2}` (booleanity-checked) and derives
//! `h_{n−1} = 1 − Σ h_k`, which is boolean exactly when at most one of the
//! others is set: `h_{n−1}·Σ h_k = 0`. So exactly one position is hot, and
//! `Σ k·h_k = idx` pins it to the index (which proves `idx ∈ [0, n)` too).
//!
//! A constant table then costs nothing: `Σ (c_k − c_{n−1})·h_k + c_{n−1}` is a
//! linear combination. A private table costs one product per entry, the last
//! one folded into the output: `h_{n−1}·t_{n−1} = out − Σ_{k<n−1} h_k·t_k`.
//!
//! The `*_cost` functions take non-zero counts of the index and entries, so
//! the layout can cost lookups reading free linear combinations.

use crate::cost::Cost;
use crate::error::{GadgetError, Result};
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::range::{enforce, mul};
use crate::wire::Wire;
use ark_ff::PrimeField;
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination};
use zkinfer_quant::arith::{lookup, Bits};

/// Exact cost of [`one_hot`] for a table of `n ≥ 1` entries and an index
/// with `index_nonzeros` terms: `(n + 1, n − 1, 6n − 3 + index_nonzeros)`,
/// or `(1, 0, 1 + index_nonzeros)` for `n = 1`.
pub fn one_hot_cost(n: usize, index_nonzeros: usize) -> Cost {
    if n == 1 {
        return Cost::new(1, 0, 1 + index_nonzeros);
    }
    // n − 1 booleanities (3 each), h_{n−1}·Σh = 0 (n + n − 1),
    // 1·Σ k·h_k = idx (1 + n + index).
    Cost::new(
        n + 1,
        n - 1,
        3 * (n - 1) + (2 * n - 1) + (1 + n + index_nonzeros),
    )
}

/// The one-hot vector of `index` over `n` positions (the last one derived).
pub fn one_hot<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    index: &Wire<F>,
    n: usize,
) -> Result<Vec<Wire<F>>> {
    if n == 0 {
        return Err(GadgetError::Parameters {
            gadget: "one_hot",
            reason: "an empty table".into(),
        });
    }
    if let Some(v) = index.value {
        if !(0..n as i128).contains(&v) {
            return Err(GadgetError::OutOfRange {
                gadget: "one_hot",
                value: v,
                bits: Bits::unsigned_for_max(n as i128).0,
            });
        }
    }
    let mut hs = Vec::with_capacity(n);
    for k in 0..n - 1 {
        let h = Wire::witness(
            cs,
            "one_hot",
            index.value.map(|v| i128::from(v == k as i128)),
        )?;
        enforce(cs, h.lc.clone(), h.lc.clone(), h.lc.clone())?;
        hs.push(h);
    }
    let terms: Vec<(i128, &Wire<F>)> = hs.iter().map(|h| (1, h)).collect();
    let sum = Wire::linear(&terms, 0);
    let last = Wire::linear(&[(-1, &sum)], 1);
    if n > 1 {
        enforce(
            cs,
            last.lc.clone(),
            sum.lc.clone(),
            LinearCombination::zero(),
        )?;
    }
    hs.push(last);
    let positions: Vec<(i128, &Wire<F>)> =
        hs.iter().enumerate().map(|(k, h)| (k as i128, h)).collect();
    let weighted = Wire::linear(&positions, 0);
    enforce(cs, Wire::<F>::constant(1).lc, weighted.lc, index.lc.clone())?;
    Ok(hs)
}

/// `Σ_k c_k·h_k` for a constant table (free).
pub fn select_constant<F: PrimeField>(hs: &[Wire<F>], table: &[i128]) -> Wire<F> {
    let terms: Vec<(i128, &Wire<F>)> = table.iter().copied().zip(hs).collect();
    Wire::linear(&terms, 0)
}

/// The shape `(variable terms, constant)` of [`select_constant`]'s output.
pub fn select_constant_shape(table: &[i128]) -> (usize, i128) {
    let last = *table.last().expect("non-empty table");
    let vars = table[..table.len() - 1]
        .iter()
        .filter(|&&c| c != last)
        .count();
    (vars, last)
}

/// Exact cost of [`select_private`] over entries with the given non-zero
/// counts: `n` constraints, `n` witnesses, `4n − 2 + Σ entries` non-zeros.
pub fn select_private_cost(entry_nonzeros: &[usize]) -> Cost {
    let n = entry_nonzeros.len();
    Cost::new(n, n, 4 * n - 2 + entry_nonzeros.iter().sum::<usize>())
}

/// `Σ_k h_k·t_k` for private entries, as a single variable.
pub fn select_private<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    hs: &[Wire<F>],
    table: &[Wire<F>],
) -> Result<Wire<F>> {
    let n = hs.len();
    check_arity("select_private", n, table.len())?;
    let mut products = Vec::with_capacity(n - 1);
    for k in 0..n - 1 {
        products.push(mul(cs, &hs[k], &table[k], "product")?);
    }
    let value = hs
        .iter()
        .zip(table)
        .map(|(h, t)| h.value.zip(t.value).map(|(h, t)| h * t))
        .sum::<Option<i128>>();
    let out = Wire::witness(cs, "out", value)?;
    let mut rest: Vec<(i128, &Wire<F>)> = vec![(1, &out)];
    rest.extend(products.iter().map(|p| (-1, p)));
    enforce(
        cs,
        hs[n - 1].lc.clone(),
        table[n - 1].lc.clone(),
        Wire::linear(&rest, 0).lc,
    )?;
    Ok(out)
}

/// The entries of one [`Lookup`] output.
#[derive(Clone, Debug)]
pub enum Entries {
    /// Constants.
    Constants(Vec<i128>),
    /// Positions among the gadget's private table inputs.
    Inputs(Vec<usize>),
}

/// One output of a [`Lookup`]: which index selects, among which entries.
#[derive(Clone, Debug)]
pub struct LookupRow {
    /// Position among the gadget's index inputs.
    pub index: usize,
    /// `depth` entries.
    pub entries: Entries,
}

/// Lookups with private indices: inputs are `indices ++ table`; output `r`
/// is `entries_r[idx[index_r]]`. One one-hot per index input, shared by every
/// row it selects for.
///
/// Cost: [`one_hot_cost`] per index, nothing per constant row,
/// [`select_private_cost`] per private row.
#[derive(Clone, Debug)]
pub struct Lookup {
    /// Table length (every index lies in `[0, depth)`).
    pub depth: usize,
    /// Number of index inputs.
    pub indices: usize,
    /// Number of private table inputs.
    pub table_len: usize,
    /// Signed width of the private table inputs.
    pub bits: u32,
    /// The outputs.
    pub rows: Vec<LookupRow>,
}

impl<F: PrimeField> Gadget<F> for Lookup {
    fn name(&self) -> &'static str {
        "lookup"
    }
    fn input_len(&self) -> usize {
        self.indices + self.table_len
    }
    fn input_range(&self, index: usize) -> (i128, i128) {
        if index < self.indices {
            (0, self.depth as i128 - 1)
        } else {
            Bits(self.bits).signed_range()
        }
    }
    fn reference(&self, inputs: &[i128]) -> Vec<i128> {
        let (idx, table) = inputs.split_at(self.indices);
        self.rows
            .iter()
            .map(|row| {
                let entries: Vec<i128> = match &row.entries {
                    Entries::Constants(c) => c.clone(),
                    Entries::Inputs(taps) => taps.iter().map(|&t| table[t]).collect(),
                };
                lookup(&entries, idx[row.index]).expect("index in range")
            })
            .collect()
    }
    fn cost(&self) -> Cost {
        let hots = one_hot_cost(self.depth, 1) * self.indices;
        let rows: Cost = self
            .rows
            .iter()
            .map(|row| match row.entries {
                Entries::Constants(_) => Cost::ZERO,
                Entries::Inputs(_) => select_private_cost(&vec![1; self.depth]),
            })
            .sum();
        hots + rows
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "lookup");
        check_arity("lookup", self.indices + self.table_len, inputs.len())?;
        let (idx, table) = inputs.split_at(self.indices);
        let hots = idx
            .iter()
            .map(|i| one_hot(&cs, i, self.depth))
            .collect::<Result<Vec<_>>>()?;
        self.rows
            .iter()
            .map(|row| match &row.entries {
                Entries::Constants(c) => Ok(select_constant(&hots[row.index], c)),
                Entries::Inputs(taps) => {
                    let ts: Vec<Wire<F>> = taps.iter().map(|&t| table[t].clone()).collect();
                    select_private(&cs, &hots[row.index], &ts)
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing::{self, assert_adversaries_ran};
    use crate::Fr;

    fn gadget(depth: usize) -> Lookup {
        // Two indices; a constant row and a private row for each.
        let rows = (0..2)
            .flat_map(|index| {
                [
                    LookupRow {
                        index,
                        entries: Entries::Constants(
                            (0..depth as i128).map(|k| 3 * k - 5).collect(),
                        ),
                    },
                    LookupRow {
                        index,
                        entries: Entries::Inputs((0..depth).collect()),
                    },
                ]
            })
            .collect();
        Lookup {
            depth,
            indices: 2,
            table_len: depth,
            bits: 8,
            rows,
        }
    }

    /// Moves the first one-hot to another position, the private product and
    /// output following (the index constraint must catch it).
    fn other_position() -> Adversary<Fr> {
        Adversary::new("another hot position", |t| {
            let hs = t.find("lookup/one_hot");
            let depth = t.inputs().len() - 2;
            if depth < 2 {
                return false;
            }
            let honest = t.inputs()[0] as usize;
            let other = (honest + 1) % depth;
            for (k, &h) in hs.iter().take(depth - 1).enumerate() {
                t.set_int(h, i128::from(k == other));
            }
            true
        })
    }

    /// Sets a second hot position (the derived last one goes to −1).
    fn two_hot() -> Adversary<Fr> {
        Adversary::new("two hot positions", |t| {
            let hs = t.find("lookup/one_hot");
            let depth = t.inputs().len() - 2;
            let honest = t.inputs()[0] as usize;
            let Some(&extra) = hs
                .iter()
                .take(depth - 1)
                .enumerate()
                .find(|(k, _)| *k != honest)
                .map(|(_, h)| h)
            else {
                return false;
            };
            t.set_int(extra, 1);
            true
        })
    }

    /// A private row's output claimed as another entry, products rewritten.
    fn wrong_entry() -> Adversary<Fr> {
        Adversary::new("another entry claimed", |t| {
            let depth = t.inputs().len() - 2;
            let table = t.inputs()[2..].to_vec();
            let honest = t.inputs()[0] as usize;
            let other = (honest + 1) % depth;
            if table[other] == table[honest] {
                return false;
            }
            let out = t.find("lookup/out")[0];
            t.set_int(out, table[other]);
            true
        })
    }

    #[test]
    fn lookups_match_arith_and_are_sound() {
        for depth in [1, 2, 3, 7] {
            let report = testing::run(
                &gadget(depth),
                &[other_position(), two_hot(), wrong_entry()],
            );
            if depth > 1 {
                assert_adversaries_ran(&report, 100);
            }
            assert_cost::<Fr, _>(&gadget(depth));
        }
    }

    #[test]
    fn constant_rows_are_free_linear_combinations() {
        assert_eq!(select_constant_shape(&[4, 4, 1, 4]), (1, 4));
        assert_eq!(select_constant_shape(&[1, 2, 3, 4]), (3, 4));
        assert_eq!(select_constant_shape(&[4, 4, 4]), (0, 4));
        let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
        let idx = Wire::witness(&cs, "idx", Some(2)).unwrap();
        let hs = one_hot(&cs, &idx, 4).unwrap();
        let before = cs.num_constraints();
        let out = select_constant(&hs, &[10, 20, 30, 40]);
        assert_eq!(cs.num_constraints(), before);
        assert_eq!(out.value, Some(30));
        assert!(cs.is_satisfied().unwrap());
    }

    #[test]
    fn an_index_outside_the_table_is_an_error() {
        let cs = ark_relations::gr1cs::ConstraintSystem::<Fr>::new_ref();
        let idx = Wire::witness(&cs, "idx", Some(4)).unwrap();
        assert!(one_hot(&cs, &idx, 4).is_err());
    }
}
