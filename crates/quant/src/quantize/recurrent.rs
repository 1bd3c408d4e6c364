//! Recurrent layers (`RNN`, `GRU`, `LSTM`) unrolled over time into the
//! integer ops the circuit already proves: per step, one constant-coefficient
//! affine map per gate (`W·x_t + R·h_{t-1} + b`), the gate activations
//! (sigmoid, tanh, ReLU), private elementwise products for the gating, and
//! gathers that stack the states into `Y`, `Y_h` and `Y_c`.
//!
//! Unrolling keeps one source of semantics: every step is an existing `QOp`
//! with its `arith` rounding, so the interpreter, the cost model and the
//! gadgets need nothing new, and the sequence length is fixed by the model's
//! static shapes.
//!
//! The float graph only exposes a layer's outputs, so the bit budgets of the
//! internal tensors come from interval bounds instead of calibration: a gate's
//! pre-activation is bounded by `Σ|W|·max|x| + Σ|R|·max|h| + |b|`, sigmoid and
//! tanh by 1, and an LSTM cell by its previous bound plus 1 (`|f·c + i·g| ≤
//! |c| + 1`). These bounds are never smaller than the true ranges, so they cost
//! a few bits at most and never an overflow.

use zkinfer_ir::ops::nn::{Activation, Gru, Lstm, Recurrence, Rnn};
use zkinfer_ir::{Node, Tensor};

use super::{Builder, FloatAffine, Operand};
use crate::error::{QuantError, QuantResult};
use crate::model::{Gather, GatherSource, NonlinearKind, QOp, QTensor, QTensorId, Tap};

/// Which recurrent layer is being unrolled.
#[derive(Clone, Copy)]
pub(crate) enum Cell<'a> {
    Rnn(&'a Rnn),
    Gru(&'a Gru),
    Lstm(&'a Lstm),
}

impl Cell<'_> {
    fn recurrence(&self) -> &Recurrence {
        match self {
            Cell::Rnn(r) => &r.recurrence,
            Cell::Gru(g) => &g.recurrence,
            Cell::Lstm(l) => &l.recurrence,
        }
    }

    /// Gates stacked in `W`, `R` and `B`.
    fn gates(&self) -> usize {
        match self {
            Cell::Rnn(_) => 1,
            Cell::Gru(_) => 3,
            Cell::Lstm(_) => 4,
        }
    }

    /// Activations per direction.
    fn activations(&self) -> usize {
        match self {
            Cell::Rnn(_) => 1,
            Cell::Gru(_) => 2,
            Cell::Lstm(_) => 3,
        }
    }
}

/// A quantized tensor with the interval bound of its real values.
#[derive(Clone, Copy)]
struct Bounded {
    id: QTensorId,
    bound: f64,
}

/// The layer's constant parameters for one direction.
struct Weights {
    /// `(G·h) × input`, row-major.
    w: Vec<f64>,
    /// `(G·h) × h`, row-major.
    r: Vec<f64>,
    /// `Wb` (length `G·h`).
    wb: Vec<f64>,
    /// `Rb` (length `G·h`).
    rb: Vec<f64>,
}

/// Shapes of the unrolled layer.
#[derive(Clone, Copy)]
struct Dims {
    dirs: usize,
    batch: usize,
    input: usize,
    hidden: usize,
}

fn refuse(node: &Node, reason: impl Into<String>) -> QuantError {
    QuantError::Unsupported {
        node: node.name.clone(),
        op: node.op.name().to_owned(),
        reason: reason.into(),
    }
}

impl Builder<'_> {
    /// Unroll a recurrent layer and register all of its outputs.
    pub(super) fn lower_recurrent(&mut self, node: &Node, cell: Cell<'_>) -> QuantResult<()> {
        let rec = cell.recurrence().clone();
        if rec.clip.is_some() {
            return Err(refuse(node, "the `clip` attribute is not supported"));
        }
        if rec.activations.len() != cell.activations() * rec.direction.count() {
            return Err(refuse(node, "unexpected number of activations"));
        }
        let x = match self.recurrent_operand(node, 0)? {
            Some(Operand::Runtime(id)) => id,
            _ => return Err(refuse(node, "input X must be computed at run time")),
        };
        let &[seq, batch, input] = self.tensor(x).shape.as_slice() else {
            return Err(refuse(node, "X must be (seq_length, batch, input_size)"));
        };
        let dims = Dims {
            dirs: rec.direction.count(),
            batch,
            input,
            hidden: rec.hidden_size,
        };
        let (dirs, gates, h) = (rec.direction.count(), cell.gates(), rec.hidden_size);
        let gh = gates * h;
        let w = self.recurrent_const(node, 1, dirs * gh * input, "W")?;
        let r = self.recurrent_const(node, 2, dirs * gh * h, "R")?;
        let b = match self.recurrent_operand(node, 3)? {
            None => vec![0.0; dirs * 2 * gh],
            Some(_) => self.recurrent_const(node, 3, dirs * 2 * gh, "B")?,
        };
        if let Some(op) = self.recurrent_operand(node, 4)? {
            let full =
                matches!(op, Operand::Const(t) if t.to_i64_vec().iter().all(|&l| l == seq as i64));
            if !full {
                return Err(refuse(
                    node,
                    "sequence_lens must be a constant equal to the sequence length",
                ));
            }
        }
        if let Cell::Lstm(_) = cell {
            if self.recurrent_operand(node, 7)?.is_some() {
                let p = self.recurrent_const(node, 7, dirs * 3 * h, "P")?;
                if p.iter().any(|&v| v != 0.0) {
                    return Err(refuse(node, "peephole weights are not supported"));
                }
            }
        }
        let x_bound = self.calibration.bound(&self.tensor(x).name.clone());
        let state_len = batch * h;
        let mut ys: Vec<Vec<Bounded>> = Vec::new();
        let mut last_h = Vec::new();
        let mut last_c = Vec::new();
        for d in 0..dirs {
            let weights = Weights {
                w: w[d * gh * input..(d + 1) * gh * input].to_vec(),
                r: r[d * gh * h..(d + 1) * gh * h].to_vec(),
                wb: b[d * 2 * gh..d * 2 * gh + gh].to_vec(),
                rb: b[d * 2 * gh + gh..(d + 1) * 2 * gh].to_vec(),
            };
            let acts: Vec<Activation> =
                rec.activations[d * cell.activations()..(d + 1) * cell.activations()].to_vec();
            let prefix = format!("{}/dir{d}", node.name);
            let mut hidden = self.initial_state(node, 5, d, dims, &format!("{prefix}/h0"))?;
            let mut cellstate = match cell {
                Cell::Lstm(_) => {
                    Some(self.initial_state(node, 6, d, dims, &format!("{prefix}/c0"))?)
                }
                _ => None,
            };
            let mut states = vec![hidden; seq];
            for step in 0..seq {
                let t = if rec.direction.is_reverse(d) {
                    seq - 1 - step
                } else {
                    step
                };
                let p = format!("{prefix}/t{t}");
                let step_in = StepInput {
                    x,
                    x_bound,
                    t,
                    weights: &weights,
                    dims,
                };
                hidden = match cell {
                    Cell::Rnn(_) => {
                        let pre = self.gate_affine(&format!("{p}/pre"), &step_in, 0, hidden)?;
                        self.activate(node, &format!("{p}/h"), pre, acts[0], state_len)?
                    }
                    Cell::Gru(g) => self.gru_step(
                        node,
                        &p,
                        &step_in,
                        hidden,
                        (acts[0], acts[1]),
                        g.linear_before_reset,
                    )?,
                    Cell::Lstm(_) => {
                        let c = cellstate.expect("LSTM has a cell state");
                        let (hn, cn) = self.lstm_step(
                            node,
                            &p,
                            &step_in,
                            hidden,
                            c,
                            (acts[0], acts[1], acts[2]),
                        )?;
                        cellstate = Some(cn);
                        hn
                    }
                };
                states[t] = hidden;
            }
            ys.push(states);
            last_h.push(hidden);
            if let Some(c) = cellstate {
                last_c.push(c);
            }
        }
        // Y (seq, dirs, batch, h), Y_h and Y_c (dirs, batch, h).
        let y_parts: Vec<Bounded> = (0..seq)
            .flat_map(|t| ys.iter().map(move |per_dir| per_dir[t]))
            .collect();
        let outputs: [(Vec<Bounded>, Vec<usize>); 3] = [
            (y_parts, vec![seq, dirs, batch, h]),
            (last_h, vec![dirs, batch, h]),
            (last_c, vec![dirs, batch, h]),
        ];
        for (slot, (parts, shape)) in outputs.into_iter().enumerate() {
            let Some(name) = node.outputs.get(slot).filter(|n| !n.is_empty()) else {
                continue;
            };
            if parts.is_empty() {
                return Err(refuse(node, format!("output {slot} is not produced")));
            }
            let id = self.stack(node, name, &parts, shape)?;
            self.names.insert(name.clone(), id);
        }
        Ok(())
    }

    fn recurrent_operand(&self, node: &Node, slot: usize) -> QuantResult<Option<Operand<'_>>> {
        match node.inputs.get(slot).and_then(|n| n.as_ref()) {
            None => Ok(None),
            Some(name) => self.operand(name, &node.name).map(Some),
        }
    }

    /// A constant input as floats, with its expected length checked.
    fn recurrent_const(
        &self,
        node: &Node,
        slot: usize,
        len: usize,
        what: &str,
    ) -> QuantResult<Vec<f64>> {
        match self.recurrent_operand(node, slot)? {
            Some(Operand::Const(t)) => {
                let v: Vec<f64> = t.to_f32_vec().into_iter().map(f64::from).collect();
                if v.len() != len {
                    return Err(refuse(
                        node,
                        format!("{what} has {} values, expected {len}", v.len()),
                    ));
                }
                Ok(v)
            }
            Some(Operand::Runtime(_)) => Err(refuse(
                node,
                format!("{what} must be a constant (weights known at compile time)"),
            )),
            None => Err(refuse(node, format!("missing input {what}"))),
        }
    }

    /// Direction `d`'s initial state from input `slot` (absent: zeros), as a
    /// tensor `(batch, h)`: a constant node or a gather of the runtime input.
    fn initial_state(
        &mut self,
        node: &Node,
        slot: usize,
        d: usize,
        dims: Dims,
        name: &str,
    ) -> QuantResult<Bounded> {
        let len = dims.batch * dims.hidden;
        let scale = self.settings.activation_scale;
        match self.recurrent_operand(node, slot)? {
            None => {
                let zeros = Tensor::from_f32(&[dims.batch, dims.hidden], vec![0.0; len])
                    .map_err(|e| refuse(node, e.to_string()))?;
                let id = self.constant(name, &zeros, scale)?;
                Ok(Bounded { id, bound: 0.0 })
            }
            Some(Operand::Const(t)) => {
                let v = t.to_f32_vec();
                if v.len() != dims.dirs * len {
                    return Err(refuse(
                        node,
                        format!("initial state input {slot} has the wrong size"),
                    ));
                }
                let part = v[d * len..(d + 1) * len].to_vec();
                let bound = part.iter().fold(0f64, |m, &x| m.max(f64::from(x).abs()));
                let t = Tensor::from_f32(&[dims.batch, dims.hidden], part)
                    .map_err(|e| refuse(node, e.to_string()))?;
                let id = self.constant(name, &t, scale)?;
                Ok(Bounded { id, bound })
            }
            Some(Operand::Runtime(id)) => {
                let src = self.tensor(id).clone();
                if src.len() != dims.dirs * len {
                    return Err(refuse(
                        node,
                        format!("initial state input {slot} has the wrong size"),
                    ));
                }
                let bound = self.calibration.bound(&src.name);
                let sources = (0..len)
                    .map(|i| {
                        GatherSource::Input(Tap {
                            input: 0,
                            index: d * len + i,
                        })
                    })
                    .collect();
                let out = QTensor {
                    name: name.to_owned(),
                    shape: vec![dims.batch, dims.hidden],
                    calibrated_bound: None,
                    ..src
                };
                let id = self.push_node(
                    name,
                    QOp::Gather(Gather {
                        sources,
                        source: node.op.name().to_owned(),
                    }),
                    vec![id],
                    out,
                );
                Ok(Bounded { id, bound })
            }
        }
    }

    /// Gate `k`'s pre-activation `W_k·x_t + R_k·h + Wb_k + Rb_k`, shape `(batch, h)`.
    fn gate_affine(
        &mut self,
        name: &str,
        s: &StepInput<'_>,
        k: usize,
        h_prev: Bounded,
    ) -> QuantResult<Bounded> {
        self.gate_affine_with(name, s, k, Some(h_prev), None, true)
    }

    /// The general gate map: `W_k·x_t + Wb_k`, plus `R_k·h + Rb_k` when
    /// `recurrent` is given and `include_rb`, plus an extra elementwise term.
    fn gate_affine_with(
        &mut self,
        name: &str,
        s: &StepInput<'_>,
        k: usize,
        recurrent: Option<Bounded>,
        extra: Option<Bounded>,
        include_rb: bool,
    ) -> QuantResult<Bounded> {
        let Dims {
            batch,
            input,
            hidden: h,
            ..
        } = s.dims;
        let mut inputs = vec![s.x];
        let r_slot = recurrent.map(|rb| {
            inputs.push(rb.id);
            inputs.len() - 1
        });
        let e_slot = extra.map(|e| {
            inputs.push(e.id);
            inputs.len() - 1
        });
        let mut fa = FloatAffine::new(inputs, batch * h, name);
        let mut bound: f64 = 0.0;
        for bb in 0..batch {
            for j in 0..h {
                let row = bb * h + j;
                let g = k * h + j;
                let mut row_bound = 0.0;
                for i in 0..input {
                    let c = s.weights.w[g * input + i];
                    if c != 0.0 || self.settings.keep_zero_weights {
                        fa.rows[row].push((0, (s.t * batch + bb) * input + i, c));
                        row_bound += c.abs() * s.x_bound;
                    }
                }
                let mut bias = s.weights.wb[g];
                if let (Some(slot), Some(rb)) = (r_slot, recurrent) {
                    for m in 0..h {
                        let c = s.weights.r[g * h + m];
                        if c != 0.0 || self.settings.keep_zero_weights {
                            fa.rows[row].push((slot, bb * h + m, c));
                            row_bound += c.abs() * rb.bound;
                        }
                    }
                    if include_rb {
                        bias += s.weights.rb[g];
                    }
                }
                if let (Some(slot), Some(e)) = (e_slot, extra) {
                    fa.rows[row].push((slot, row, 1.0));
                    row_bound += e.bound;
                }
                fa.bias[row] = bias;
                bound = bound.max(row_bound + bias.abs());
            }
        }
        self.affine_as(name, fa, vec![batch, h], bound)
    }

    /// An affine node whose output bound is known from intervals.
    fn affine_as(
        &mut self,
        name: &str,
        fa: FloatAffine,
        shape: Vec<usize>,
        bound: f64,
    ) -> QuantResult<Bounded> {
        self.calibration.bounds.insert(name.to_owned(), bound);
        let id = self.emit_affine(name, name, shape, fa)?;
        Ok(Bounded { id, bound })
    }

    /// `a ⊙ b` (private × private), bound `|a|·|b|`.
    fn product_as(
        &mut self,
        name: &str,
        a: Bounded,
        b: Bounded,
        len: usize,
    ) -> QuantResult<Bounded> {
        let bound = a.bound * b.bound;
        self.calibration.bounds.insert(name.to_owned(), bound);
        let shape = self.tensor(a.id).shape.clone();
        debug_assert_eq!(shape.iter().product::<usize>(), len);
        let id = self.emit_product_as(
            name,
            name,
            QOp::Mul { shift: 0 },
            vec![a.id, b.id],
            shape,
            1,
        )?;
        Ok(Bounded { id, bound })
    }

    /// Elementwise `Σ coeff·input` of same-shape tensors.
    fn combine_as(
        &mut self,
        name: &str,
        parts: &[(Bounded, f64)],
        len: usize,
    ) -> QuantResult<Bounded> {
        let shape = self.tensor(parts[0].0.id).shape.clone();
        let mut fa = FloatAffine::new(parts.iter().map(|(p, _)| p.id).collect(), len, name);
        for (slot, &(_, c)) in parts.iter().enumerate() {
            for r in 0..len {
                fa.rows[r].push((slot, r, c));
            }
        }
        let bound = parts.iter().map(|(p, c)| p.bound * c.abs()).sum();
        self.affine_as(name, fa, shape, bound)
    }

    /// A gate activation.
    fn activate(
        &mut self,
        node: &Node,
        name: &str,
        x: Bounded,
        act: Activation,
        len: usize,
    ) -> QuantResult<Bounded> {
        let shape = self.tensor(x.id).shape.clone();
        debug_assert_eq!(shape.iter().product::<usize>(), len);
        let kind = match act {
            Activation::Relu => {
                let t = self.tensor(x.id).clone();
                let out = QTensor {
                    name: name.to_owned(),
                    calibrated_bound: None,
                    ..t
                };
                let id = self.push_node(name, QOp::Relu, vec![x.id], out);
                return Ok(Bounded { id, bound: x.bound });
            }
            Activation::Sigmoid => NonlinearKind::Sigmoid,
            Activation::Tanh => NonlinearKind::Tanh,
        };
        if kind == NonlinearKind::Tanh && self.tensor(x.id).scale == 0 {
            return Err(refuse(node, "tanh needs an input scale ≥ 1"));
        }
        self.calibration.bounds.insert(name.to_owned(), 1.0);
        let id = self.emit_nonlinear_as(name, name, x.id, kind, shape)?;
        Ok(Bounded { id, bound: 1.0 })
    }

    /// One GRU step (gates `z`, `r`, `h`):
    /// `h' = g(…) + z ⊙ (h − g(…))`, i.e. `(1 − z) ⊙ g + z ⊙ h`.
    fn gru_step(
        &mut self,
        node: &Node,
        p: &str,
        s: &StepInput<'_>,
        h_prev: Bounded,
        (f, g): (Activation, Activation),
        linear_before_reset: bool,
    ) -> QuantResult<Bounded> {
        let len = s.dims.batch * s.dims.hidden;
        let pre_z = self.gate_affine(&format!("{p}/z_pre"), s, 0, h_prev)?;
        let z = self.activate(node, &format!("{p}/z"), pre_z, f, len)?;
        let pre_r = self.gate_affine(&format!("{p}/r_pre"), s, 1, h_prev)?;
        let reset = self.activate(node, &format!("{p}/r"), pre_r, f, len)?;
        let pre_h = if linear_before_reset {
            // W_h·x + Wb_h + r ⊙ (R_h·h + Rb_h)
            let rh = self.recurrent_only(&format!("{p}/rh"), s, 2, h_prev)?;
            let gated = self.product_as(&format!("{p}/r_rh"), reset, rh, len)?;
            self.gate_affine_with(&format!("{p}/h_pre"), s, 2, None, Some(gated), false)?
        } else {
            // W_h·x + Wb_h + R_h·(r ⊙ h) + Rb_h
            let rh = self.product_as(&format!("{p}/r_h"), reset, h_prev, len)?;
            self.gate_affine_with(&format!("{p}/h_pre"), s, 2, Some(rh), None, true)?
        };
        let cand = self.activate(node, &format!("{p}/h_cand"), pre_h, g, len)?;
        let diff = self.combine_as(&format!("{p}/h_diff"), &[(h_prev, 1.0), (cand, -1.0)], len)?;
        let zd = self.product_as(&format!("{p}/z_diff"), z, diff, len)?;
        let mut next = self.combine_as(&format!("{p}/h"), &[(cand, 1.0), (zd, 1.0)], len)?;
        // (1 − z)·g + z·h is a convex combination: no larger than either.
        next.bound = cand.bound.max(h_prev.bound);
        Ok(next)
    }

    /// `R_k·h + Rb_k` alone (GRU with `linear_before_reset`).
    fn recurrent_only(
        &mut self,
        name: &str,
        s: &StepInput<'_>,
        k: usize,
        h_prev: Bounded,
    ) -> QuantResult<Bounded> {
        let Dims {
            batch, hidden: h, ..
        } = s.dims;
        let mut fa = FloatAffine::new(vec![h_prev.id], batch * h, name);
        let mut bound: f64 = 0.0;
        for bb in 0..batch {
            for j in 0..h {
                let row = bb * h + j;
                let g = k * h + j;
                let mut row_bound = 0.0;
                for m in 0..h {
                    let c = s.weights.r[g * h + m];
                    if c != 0.0 || self.settings.keep_zero_weights {
                        fa.rows[row].push((0, bb * h + m, c));
                        row_bound += c.abs() * h_prev.bound;
                    }
                }
                fa.bias[row] = s.weights.rb[g];
                bound = bound.max(row_bound + s.weights.rb[g].abs());
            }
        }
        self.affine_as(name, fa, vec![batch, h], bound)
    }

    /// One LSTM step (gates `i`, `o`, `f`, `c`):
    /// `c' = f ⊙ c + i ⊙ g`, `h' = o ⊙ act_h(c')`.
    fn lstm_step(
        &mut self,
        node: &Node,
        p: &str,
        s: &StepInput<'_>,
        h_prev: Bounded,
        c_prev: Bounded,
        (f, g, act_h): (Activation, Activation, Activation),
    ) -> QuantResult<(Bounded, Bounded)> {
        let len = s.dims.batch * s.dims.hidden;
        let gate = |b: &mut Self, k: usize, tag: &str, act: Activation| -> QuantResult<Bounded> {
            let pre = b.gate_affine(&format!("{p}/{tag}_pre"), s, k, h_prev)?;
            b.activate(node, &format!("{p}/{tag}"), pre, act, len)
        };
        let i = gate(self, 0, "i", f)?;
        let o = gate(self, 1, "o", f)?;
        let forget = gate(self, 2, "f", f)?;
        let cand = gate(self, 3, "g", g)?;
        let fc = self.product_as(&format!("{p}/f_c"), forget, c_prev, len)?;
        let ig = self.product_as(&format!("{p}/i_g"), i, cand, len)?;
        let c = self.combine_as(&format!("{p}/c"), &[(fc, 1.0), (ig, 1.0)], len)?;
        let hc = self.activate(node, &format!("{p}/c_act"), c, act_h, len)?;
        let hidden = self.product_as(&format!("{p}/h"), o, hc, len)?;
        Ok((hidden, c))
    }

    /// Stack same-shape parts into one tensor of `shape` (a free gather), all
    /// at the largest of their scales.
    fn stack(
        &mut self,
        node: &Node,
        name: &str,
        parts: &[Bounded],
        shape: Vec<usize>,
    ) -> QuantResult<QTensorId> {
        let scale = parts
            .iter()
            .map(|p| self.tensor(p.id).scale)
            .max()
            .unwrap_or(self.settings.activation_scale);
        let mut inputs = Vec::with_capacity(parts.len());
        for p in parts {
            inputs.push(self.align(p.id, scale)?);
        }
        let bits = inputs
            .iter()
            .map(|&id| self.tensor(id).bits)
            .max()
            .unwrap_or(2);
        let part_len = self.tensor(inputs[0]).len();
        if part_len * parts.len() != shape.iter().product::<usize>() {
            return Err(refuse(
                node,
                "output shape does not match the unrolled states",
            ));
        }
        let sources = (0..parts.len())
            .flat_map(|slot| {
                (0..part_len).map(move |index| GatherSource::Input(Tap { input: slot, index }))
            })
            .collect();
        let bound = parts.iter().map(|p| p.bound).fold(0.0, f64::max);
        let out = QTensor {
            name: name.to_owned(),
            shape,
            scale,
            bits,
            calibrated_bound: Some(bound),
        };
        Ok(self.push_node(
            name,
            QOp::Gather(Gather {
                sources,
                source: node.op.name().to_owned(),
            }),
            inputs,
            out,
        ))
    }
}

/// What every gate map of one step reads.
struct StepInput<'a> {
    x: QTensorId,
    x_bound: f64,
    t: usize,
    weights: &'a Weights,
    dims: Dims,
}
