//! [`RoundedOp`]: integer ops defined as one rounding of an exact real
//! function of private values — division by a private value, square root,
//! floor/ceil/round. Each has a unique integer result certified by a
//! remainder in a known interval, which is what makes it cheap to prove.
//!
//! Kept apart from [`crate::model`] so that the family is one variant,
//! [`QOp::Rounded`](crate::QOp::Rounded), of the shared op enum.

use crate::arith::{self, FloorMode};

/// One rounded op; see [`crate::arith`] for the exact rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoundedOp {
    /// `arith::div_round_signed(n·2^shift, d)` elementwise over inputs `[n, d]`
    /// of the same shape: the real quotient rounded half up. A zero divisor is
    /// an error (`QuantError::Domain`), and the circuit proves `|d| ≥ 1`.
    Divide {
        /// Extra scale of the numerator: `s_out + s_d − s_n`.
        shift: u32,
    },
    /// `arith::sqrt_scaled(x, shift) = floor(√(x·2^shift))`; a negative
    /// radicand is an error (`QuantError::Domain`).
    Sqrt {
        /// `2·s_out − s_in`.
        shift: u32,
    },
    /// `arith::floor_at_scale(x, scale, mode)`: floor, ceil or round to a whole
    /// number, at the input's scale.
    Floor {
        /// Which rounding.
        mode: FloorMode,
        /// The tensor's scale (a whole number is a multiple of `2^scale`).
        scale: u32,
    },
}

impl RoundedOp {
    /// Number of input tensors.
    pub fn arity(self) -> usize {
        match self {
            RoundedOp::Divide { .. } => 2,
            RoundedOp::Sqrt { .. } | RoundedOp::Floor { .. } => 1,
        }
    }

    /// Name for reports.
    pub fn name(self) -> &'static str {
        match self {
            RoundedOp::Divide { .. } => "Divide",
            RoundedOp::Sqrt { .. } => "Sqrt",
            RoundedOp::Floor {
                mode: FloorMode::Floor,
                ..
            } => "Floor",
            RoundedOp::Floor {
                mode: FloorMode::Ceil,
                ..
            } => "Ceil",
            RoundedOp::Floor {
                mode: FloorMode::Round,
                ..
            } => "Round",
        }
    }

    /// Evaluate element `i` on flat inputs; `Err(reason)` outside the op's domain.
    pub fn eval(self, ins: &[&[i64]], i: usize) -> Result<i128, &'static str> {
        let x = ins[0][i] as i128;
        match self {
            RoundedOp::Divide { shift } => {
                arith::div_round_signed(x << shift, ins[1][i] as i128).ok_or("division by zero")
            }
            RoundedOp::Sqrt { shift } => {
                arith::sqrt_scaled(x, shift).ok_or("square root of a negative value")
            }
            RoundedOp::Floor { mode, scale } => Ok(arith::floor_at_scale(x, scale, mode)),
        }
    }
}
