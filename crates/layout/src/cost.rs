//! [`Cost`]: what a gadget adds to the constraint system.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Mul};

use serde::{Deserialize, Serialize};

/// Size of (part of) a constraint system: the three numbers prove time and
/// memory depend on.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
pub struct Cost {
    /// Rank-1 constraints.
    pub constraints: u64,
    /// Witness variables.
    pub witnesses: u64,
    /// Public input variables (the constant `1` excluded).
    pub instances: u64,
    /// Non-zero entries of the A, B and C matrices together.
    pub nonzeros: u64,
}

impl Cost {
    /// Nothing: free wiring.
    pub const ZERO: Cost = Cost {
        constraints: 0,
        witnesses: 0,
        instances: 0,
        nonzeros: 0,
    };

    /// A cost from its three main counts (no public inputs).
    pub const fn new(constraints: u64, witnesses: u64, nonzeros: u64) -> Cost {
        Cost {
            constraints,
            witnesses,
            instances: 0,
            nonzeros,
        }
    }

    /// True when it adds nothing.
    pub fn is_zero(&self) -> bool {
        *self == Cost::ZERO
    }
}

impl Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost {
            constraints: self.constraints + o.constraints,
            witnesses: self.witnesses + o.witnesses,
            instances: self.instances + o.instances,
            nonzeros: self.nonzeros + o.nonzeros,
        }
    }
}

impl AddAssign for Cost {
    fn add_assign(&mut self, o: Cost) {
        *self = *self + o;
    }
}

impl Mul<u64> for Cost {
    type Output = Cost;
    fn mul(self, n: u64) -> Cost {
        Cost {
            constraints: self.constraints * n,
            witnesses: self.witnesses * n,
            instances: self.instances * n,
            nonzeros: self.nonzeros * n,
        }
    }
}

impl Sum for Cost {
    fn sum<I: Iterator<Item = Cost>>(iter: I) -> Cost {
        iter.fold(Cost::ZERO, Add::add)
    }
}

impl fmt::Display for Cost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} constraints, {} witnesses, {} non-zeros",
            self.constraints, self.witnesses, self.nonzeros
        )?;
        if self.instances > 0 {
            write!(f, ", {} public inputs", self.instances)?;
        }
        Ok(())
    }
}
