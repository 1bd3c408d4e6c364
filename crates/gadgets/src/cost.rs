//! Exact constraint-system costs.

use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul};

/// The size a gadget adds to a constraint system.
///
/// Formulas are exact for gadgets whose inputs are single variables (a fresh
/// witness or the output of a non-linear gadget, which is always a single
/// variable). An input that is a linear combination of `t` variables adds
/// `t − 1` non-zeros for every matrix row the input appears in; the
/// constraint and witness counts do not change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Cost {
    /// Rank-1 constraints.
    pub constraints: usize,
    /// Private witness variables allocated by the gadget (not counting its inputs).
    pub witness_vars: usize,
    /// Non-zero entries of the A, B and C matrices.
    pub nonzeros: usize,
}

impl Cost {
    /// The free cost.
    pub const ZERO: Cost = Cost {
        constraints: 0,
        witness_vars: 0,
        nonzeros: 0,
    };

    /// A cost from its three counts.
    pub const fn new(constraints: usize, witness_vars: usize, nonzeros: usize) -> Self {
        Cost {
            constraints,
            witness_vars,
            nonzeros,
        }
    }
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost::new(
            self.constraints + o.constraints,
            self.witness_vars + o.witness_vars,
            self.nonzeros + o.nonzeros,
        )
    }
}

impl AddAssign for Cost {
    fn add_assign(&mut self, o: Cost) {
        *self = *self + o;
    }
}

impl Mul<usize> for Cost {
    type Output = Cost;
    fn mul(self, n: usize) -> Cost {
        Cost::new(
            self.constraints * n,
            self.witness_vars * n,
            self.nonzeros * n,
        )
    }
}

impl Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(iter: I) -> Cost {
        iter.fold(Cost::ZERO, Add::add)
    }
}
