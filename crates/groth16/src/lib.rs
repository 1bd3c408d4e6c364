//! Groth16 over BN254 behind `zkinfer-backend`'s `ProvingBackend` trait (in progress).
#![forbid(unsafe_code)]
#![warn(missing_docs)]
