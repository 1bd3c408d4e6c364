//! Parsers of this op family.

use crate::registry::OpRegistry;

/// Register this family's ops.
pub fn register(_reg: &mut OpRegistry) {}
