//! Family module; ops are added one file per op (or per small group).
