//! Elementwise arithmetic, comparison, logic and casts.
//!
//! Every op here maps elements independently (after broadcasting), so later
//! stages can treat each as a per-element gadget selected by the op's `kind`.

mod binary;
mod cast;
mod classify;
mod compare;
mod erf;
mod logic;
mod unary;
mod variadic;
mod where_;

pub use binary::{BinaryKind, BinaryOp};
pub use cast::{Cast, CastLike};
pub use classify::{IsInf, IsNaN};
pub use compare::{CompareKind, CompareOp};
pub use erf::erf;
pub use logic::{LogicKind, LogicOp, Not};
pub use unary::{UnaryKind, UnaryOp};
pub use variadic::{VariadicKind, VariadicOp};
pub use where_::Where;
