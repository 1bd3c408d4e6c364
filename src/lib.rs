//! zkinfer: prove a neural network's inference in zero knowledge.
