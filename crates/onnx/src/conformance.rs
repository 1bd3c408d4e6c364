//! Conformance harness (under construction).
