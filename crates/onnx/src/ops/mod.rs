//! Op parsers, one module per family (mirroring `zkinfer_ir::ops`).
//!
//! Adding an op: implement it in `zkinfer_ir::ops::<family>`, write a parse
//! function here and add one `reg.insert` line to the family's `register`.

mod activation;
mod array;
mod math;
mod nn;
mod reduce;

use crate::registry::OpRegistry;

/// Register every supported op.
pub fn register_all_ops(reg: &mut OpRegistry) {
    activation::register(reg);
    array::register(reg);
    math::register(reg);
    nn::register(reg);
    reduce::register(reg);
}
