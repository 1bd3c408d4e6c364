//! Elementwise arithmetic, comparison, logic and casts.

mod binary;

pub use binary::{BinaryKind, BinaryOp};
