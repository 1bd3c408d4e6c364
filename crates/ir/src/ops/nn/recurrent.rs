//! Recurrent layers `RNN`, `GRU` and `LSTM` (ONNX layout 0: `X` is `(seq, batch, input)`).
//!
//! The three share the unrolling: per direction, per batch row, a loop over that
//! row's sequence length that computes all gate pre-activations as
//! `W · x_t + R · h_{t-1} + Wb + Rb` and then applies the cell's update.

use ndarray::{
    Array1, Array2, Array3, ArrayBase, ArrayD, ArrayView1, ArrayView2, ArrayViewMut1, Axis, Data,
    Ix1, Ix2, Ix3, IxDyn, Slice,
};

use crate::error::{IrError, IrResult};
use crate::op::{Inputs, Op};
use crate::tensor::Tensor;

// ndarray's `s!` macro expands to `#[allow(unsafe_code)]`, which this crate
// forbids; these small helpers do the slicing instead.

/// Elements `lo..hi` of a vector.
fn span<S: Data<Elem = f32>>(a: &ArrayBase<S, Ix1>, lo: usize, hi: usize) -> ArrayView1<'_, f32> {
    a.slice_axis(Axis(0), Slice::from(lo..hi))
}

/// Rows `lo..hi` of a matrix.
fn rows<S: Data<Elem = f32>>(a: &ArrayBase<S, Ix2>, lo: usize, hi: usize) -> ArrayView2<'_, f32> {
    a.slice_axis(Axis(0), Slice::from(lo..hi))
}

/// The vector `a[i, j, ..]`.
fn lane(a: &Array3<f32>, i: usize, j: usize) -> ArrayView1<'_, f32> {
    a.index_axis(Axis(0), i).index_axis_move(Axis(0), j)
}

/// The mutable vector `a[i, j, ..]`.
fn lane_mut(a: &mut Array3<f32>, i: usize, j: usize) -> ArrayViewMut1<'_, f32> {
    a.index_axis_mut(Axis(0), i).index_axis_move(Axis(0), j)
}

/// Write one step's hidden state into `Y[t, d, b, ..]`.
fn store(y: &mut ArrayD<f32>, t: usize, d: usize, b: usize, value: &Array1<f32>) {
    y.index_axis_mut(Axis(0), t)
        .index_axis_move(Axis(0), d)
        .index_axis_move(Axis(0), b)
        .assign(value);
}

/// Which way a recurrent layer reads its sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// First to last element.
    #[default]
    Forward,
    /// Last to first element.
    Reverse,
    /// Both, stacked on the `num_directions` axis (forward first).
    Bidirectional,
}

impl Direction {
    /// Size of the `num_directions` axis of weights and outputs.
    pub fn count(self) -> usize {
        if self == Direction::Bidirectional {
            2
        } else {
            1
        }
    }

    /// Whether direction slot `d` runs backwards in time.
    pub fn is_reverse(self, d: usize) -> bool {
        self == Direction::Reverse || (self == Direction::Bidirectional && d == 1)
    }
}

/// A gate activation (the subset of ONNX's list without parameters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// `1 / (1 + e^-x)`
    Sigmoid,
    /// `tanh(x)`
    Tanh,
    /// `max(x, 0)`
    Relu,
}

impl Activation {
    /// Apply to one value.
    pub fn apply(self, x: f32) -> f32 {
        match self {
            Activation::Sigmoid => 1.0 / (1.0 + (-x).exp()),
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.max(0.0),
        }
    }
}

/// Attributes every recurrent layer shares.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recurrence {
    /// Width of the hidden state.
    pub hidden_size: usize,
    /// Which way(s) the sequence is read.
    pub direction: Direction,
    /// Activations, `per_cell` of them for each direction in turn (forward first):
    /// RNN `[f]`, GRU `[f, g]`, LSTM `[f, g, h]`.
    pub activations: Vec<Activation>,
    /// When set, gate pre-activations are clamped to `[-clip, clip]`.
    pub clip: Option<f32>,
}

impl Recurrence {
    fn activation(&self, direction: usize, per_cell: usize, which: usize) -> Activation {
        self.activations[direction * per_cell + which]
    }

    fn clip(&self, x: f32) -> f32 {
        match self.clip {
            Some(c) => x.clamp(-c, c),
            None => x,
        }
    }
}

/// Weights and state inputs shared by the three layers, checked and split per direction.
struct Unrolled<'a> {
    x: ndarray::ArrayView3<'a, f32>,
    seq: usize,
    batch: usize,
    /// Per direction: `W (G·h, input)`, `R (G·h, h)`, `Wb + Rb (G·h)`, `Rb (G·h)`.
    w: Vec<ArrayView2<'a, f32>>,
    r: Vec<ArrayView2<'a, f32>>,
    wb: Vec<Array1<f32>>,
    rb: Vec<Array1<f32>>,
    lens: Vec<usize>,
    /// Initial hidden state `(dirs, batch, h)`.
    h0: Array3<f32>,
}

/// A 3-D float input with a given shape.
fn input3<'a>(
    op: &'static str,
    inputs: &Inputs<'a>,
    index: usize,
    shape: [usize; 3],
) -> IrResult<ndarray::ArrayView3<'a, f32>> {
    let a = inputs.f32(index)?;
    if a.shape() != shape {
        return Err(IrError::shape(
            op,
            format!(
                "input {index} has shape {:?}, expected {shape:?}",
                a.shape()
            ),
        ));
    }
    Ok(a.view().into_dimensionality::<Ix3>().expect("three axes"))
}

fn unroll<'a>(
    op: &'static str,
    rec: &Recurrence,
    gates: usize,
    inputs: &Inputs<'a>,
) -> IrResult<Unrolled<'a>> {
    let x = inputs.f32(0)?;
    let &[seq, batch, input] = x.shape() else {
        return Err(IrError::shape(
            op,
            format!("X {:?} must be (seq_length, batch, input_size)", x.shape()),
        ));
    };
    let (dirs, h) = (rec.direction.count(), rec.hidden_size);
    let gh = gates * h;
    let w = input3(op, inputs, 1, [dirs, gh, input])?;
    let r = input3(op, inputs, 2, [dirs, gh, h])?;
    let bias = match inputs.opt(3) {
        Some(b) => {
            let b = b.as_f32(op, 3)?;
            if b.shape() != [dirs, 2 * gh] {
                return Err(IrError::shape(
                    op,
                    format!("B {:?}, expected [{dirs}, {}]", b.shape(), 2 * gh),
                ));
            }
            b.view()
                .into_dimensionality::<ndarray::Ix2>()
                .expect("two axes")
                .to_owned()
        }
        None => Array2::zeros((dirs, 2 * gh)),
    };
    let lens = match inputs.opt(4) {
        Some(l) => {
            let l = l.to_i64_vec();
            if l.len() != batch || l.iter().any(|&v| v < 0 || v as usize > seq) {
                return Err(IrError::invalid(
                    op,
                    format!("sequence_lens {l:?} for batch {batch}, seq_length {seq}"),
                ));
            }
            l.into_iter().map(|v| v as usize).collect()
        }
        None => vec![seq; batch],
    };
    let h0 = match inputs.opt(5) {
        Some(_) => input3(op, inputs, 5, [dirs, batch, h])?.to_owned(),
        None => Array3::zeros((dirs, batch, h)),
    };
    let x = x.view().into_dimensionality::<Ix3>().expect("three axes");
    Ok(Unrolled {
        x,
        seq,
        batch,
        w: (0..dirs).map(|d| w.index_axis_move(Axis(0), d)).collect(),
        r: (0..dirs).map(|d| r.index_axis_move(Axis(0), d)).collect(),
        wb: (0..dirs)
            .map(|d| span(&bias.row(d), 0, gh).to_owned())
            .collect(),
        rb: (0..dirs)
            .map(|d| span(&bias.row(d), gh, 2 * gh).to_owned())
            .collect(),
        lens,
        h0,
    })
}

impl Unrolled<'_> {
    /// Input row of batch element `b` at time `t`.
    fn x_at(&self, t: usize, b: usize) -> ArrayView1<'_, f32> {
        self.x.index_axis(Axis(0), t).index_axis_move(Axis(0), b)
    }

    /// The time index of step `step` of batch row `b` in direction `d`.
    fn time(&self, rec: &Recurrence, d: usize, b: usize, step: usize) -> usize {
        if rec.direction.is_reverse(d) {
            self.lens[b] - 1 - step
        } else {
            step
        }
    }
}

/// `Y (seq, dirs, batch, h)`, zero where a row's sequence has ended.
fn y_buffer(u: &Unrolled<'_>, dirs: usize, h: usize) -> ArrayD<f32> {
    ArrayD::zeros(IxDyn(&[u.seq, dirs, u.batch, h]))
}

fn check_activations(op: &'static str, rec: &Recurrence, per_cell: usize) -> IrResult<()> {
    if rec.activations.len() != per_cell * rec.direction.count() {
        return Err(IrError::invalid(
            op,
            format!(
                "{} activations for {} direction(s) of {per_cell}",
                rec.activations.len(),
                rec.direction.count()
            ),
        ));
    }
    Ok(())
}

/// Elman RNN: `H_t = f(W·x_t + R·H_{t-1} + Wb + Rb)`.
/// Outputs `Y (seq, dirs, batch, h)` and `Y_h (dirs, batch, h)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Rnn {
    /// Shared attributes (one activation per direction).
    pub recurrence: Recurrence,
}

impl Op for Rnn {
    fn name(&self) -> &'static str {
        "RNN"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let (op, rec) = (self.name(), &self.recurrence);
        check_activations(op, rec, 1)?;
        let u = unroll(op, rec, 1, &inputs)?;
        let (dirs, h) = (rec.direction.count(), rec.hidden_size);
        let mut y = y_buffer(&u, dirs, h);
        let mut y_h = u.h0.clone();
        for d in 0..dirs {
            let f = rec.activation(d, 1, 0);
            for b in 0..u.batch {
                let mut state = lane(&u.h0, d, b).to_owned();
                for step in 0..u.lens[b] {
                    let t = u.time(rec, d, b, step);
                    let pre = u.w[d].dot(&u.x_at(t, b)) + u.r[d].dot(&state) + &u.wb[d] + &u.rb[d];
                    state = pre.mapv(|v| f.apply(rec.clip(v)));
                    store(&mut y, t, d, b, &state);
                }
                lane_mut(&mut y_h, d, b).assign(&state);
            }
        }
        Ok(vec![Tensor::F32(y), Tensor::F32(y_h.into_dyn())])
    }

    crate::op_boilerplate!();
}

/// Gated recurrent unit (gates `z`, `r`, `h` in that order in `W`, `R`, `B`).
/// Outputs `Y (seq, dirs, batch, h)` and `Y_h (dirs, batch, h)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Gru {
    /// Shared attributes (activations `f`, `g` per direction).
    pub recurrence: Recurrence,
    /// Apply the reset gate after multiplying by `R_h` (PyTorch's formulation)
    /// instead of before.
    pub linear_before_reset: bool,
}

impl Op for Gru {
    fn name(&self) -> &'static str {
        "GRU"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let (op, rec) = (self.name(), &self.recurrence);
        check_activations(op, rec, 2)?;
        let u = unroll(op, rec, 3, &inputs)?;
        let (dirs, h) = (rec.direction.count(), rec.hidden_size);
        let mut y = y_buffer(&u, dirs, h);
        let mut y_h = u.h0.clone();
        for d in 0..dirs {
            let (f, g) = (rec.activation(d, 2, 0), rec.activation(d, 2, 1));
            let (w, r, wb, rb) = (&u.w[d], &u.r[d], &u.wb[d], &u.rb[d]);
            let r_zr = rows(r, 0, 2 * h);
            let r_h = rows(r, 2 * h, 3 * h);
            for b in 0..u.batch {
                let mut state = lane(&u.h0, d, b).to_owned();
                for step in 0..u.lens[b] {
                    let t = u.time(rec, d, b, step);
                    let wx = w.dot(&u.x_at(t, b)) + wb;
                    let zr = (&span(&wx, 0, 2 * h) + &r_zr.dot(&state) + span(rb, 0, 2 * h))
                        .mapv(|v| f.apply(rec.clip(v)));
                    let (z, reset) = (span(&zr, 0, h), span(&zr, h, 2 * h));
                    let recurrent = if self.linear_before_reset {
                        &reset * &(r_h.dot(&state) + span(rb, 2 * h, 3 * h))
                    } else {
                        r_h.dot(&(&reset * &state)) + span(rb, 2 * h, 3 * h)
                    };
                    let candidate =
                        (&span(&wx, 2 * h, 3 * h) + &recurrent).mapv(|v| g.apply(rec.clip(v)));
                    state = ndarray::Zip::from(&z)
                        .and(&candidate)
                        .and(&state)
                        .map_collect(|&z, &c, &prev| (1.0 - z) * c + z * prev);
                    store(&mut y, t, d, b, &state);
                }
                lane_mut(&mut y_h, d, b).assign(&state);
            }
        }
        Ok(vec![Tensor::F32(y), Tensor::F32(y_h.into_dyn())])
    }

    crate::op_boilerplate!();
}

/// Long short-term memory (gates `i`, `o`, `f`, `c` in that order in `W`, `R`, `B`;
/// optional peepholes `P` ordered `i`, `o`, `f`). Inputs beyond GRU's: `initial_c`
/// (6) and `P` (7). Outputs `Y (seq, dirs, batch, h)`, `Y_h` and `Y_c (dirs, batch, h)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Lstm {
    /// Shared attributes (activations `f`, `g`, `h` per direction).
    pub recurrence: Recurrence,
}

impl Op for Lstm {
    fn name(&self) -> &'static str {
        "LSTM"
    }

    fn eval(&self, inputs: Inputs<'_>) -> IrResult<Vec<Tensor>> {
        let (op, rec) = (self.name(), &self.recurrence);
        check_activations(op, rec, 3)?;
        let u = unroll(op, rec, 4, &inputs)?;
        let (dirs, h) = (rec.direction.count(), rec.hidden_size);
        let c0 = match inputs.opt(6) {
            Some(_) => input3(op, &inputs, 6, [dirs, u.batch, h])?.to_owned(),
            None => Array3::zeros((dirs, u.batch, h)),
        };
        let peepholes = match inputs.opt(7) {
            Some(p) => {
                let p = p.as_f32(op, 7)?;
                if p.shape() != [dirs, 3 * h] {
                    return Err(IrError::shape(
                        op,
                        format!("P {:?}, expected [{dirs}, {}]", p.shape(), 3 * h),
                    ));
                }
                p.view()
                    .into_dimensionality::<ndarray::Ix2>()
                    .expect("two axes")
                    .to_owned()
            }
            None => Array2::zeros((dirs, 3 * h)),
        };
        let mut y = y_buffer(&u, dirs, h);
        let (mut y_h, mut y_c) = (u.h0.clone(), c0.clone());
        for d in 0..dirs {
            let (f, g, act_h) = (
                rec.activation(d, 3, 0),
                rec.activation(d, 3, 1),
                rec.activation(d, 3, 2),
            );
            let p = peepholes.row(d);
            let (p_i, p_o, p_f) = (span(&p, 0, h), span(&p, h, 2 * h), span(&p, 2 * h, 3 * h));
            for b in 0..u.batch {
                let mut hidden = lane(&u.h0, d, b).to_owned();
                let mut cell = lane(&c0, d, b).to_owned();
                for step in 0..u.lens[b] {
                    let t = u.time(rec, d, b, step);
                    let pre = u.w[d].dot(&u.x_at(t, b)) + u.r[d].dot(&hidden) + &u.wb[d] + &u.rb[d];
                    let gate = |k: usize| span(&pre, k * h, (k + 1) * h);
                    let i = ndarray::Zip::from(&gate(0))
                        .and(&p_i)
                        .and(&cell)
                        .map_collect(|&v, &p, &c| f.apply(rec.clip(v + p * c)));
                    let fg = ndarray::Zip::from(&gate(2))
                        .and(&p_f)
                        .and(&cell)
                        .map_collect(|&v, &p, &c| f.apply(rec.clip(v + p * c)));
                    let candidate = gate(3).mapv(|v| g.apply(rec.clip(v)));
                    cell = &fg * &cell + &i * &candidate;
                    let o = ndarray::Zip::from(&gate(1))
                        .and(&p_o)
                        .and(&cell)
                        .map_collect(|&v, &p, &c| f.apply(rec.clip(v + p * c)));
                    hidden = &o * &cell.mapv(|c| act_h.apply(c));
                    store(&mut y, t, d, b, &hidden);
                }
                lane_mut(&mut y_h, d, b).assign(&hidden);
                lane_mut(&mut y_c, d, b).assign(&cell);
            }
        }
        Ok(vec![
            Tensor::F32(y),
            Tensor::F32(y_h.into_dyn()),
            Tensor::F32(y_c.into_dyn()),
        ])
    }

    crate::op_boilerplate!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(h: usize, direction: Direction, activations: Vec<Activation>) -> Recurrence {
        Recurrence {
            hidden_size: h,
            direction,
            activations,
            clip: None,
        }
    }

    fn eval(op: &dyn Op, inputs: &[Option<Tensor>]) -> IrResult<Vec<Tensor>> {
        let slots: Vec<Option<&Tensor>> = inputs.iter().map(Option::as_ref).collect();
        op.eval(Inputs::new(op.name(), &slots))
    }

    fn t(shape: &[usize], v: Vec<f32>) -> Option<Tensor> {
        Some(Tensor::from_f32(shape, v).unwrap())
    }

    #[test]
    fn rnn_scalar_recurrence_both_directions() {
        // h_t = relu(x_t + 2 h_{t-1}) with x = [1, 2, 3].
        let op = Rnn {
            recurrence: rec(1, Direction::Bidirectional, vec![Activation::Relu; 2]),
        };
        let x = t(&[3, 1, 1], vec![1., 2., 3.]);
        let out = eval(
            &op,
            &[
                x,
                t(&[2, 1, 1], vec![1., 1.]),
                t(&[2, 1, 1], vec![2., 2.]),
                None,
            ],
        )
        .unwrap();
        assert_eq!(out[0].shape(), &[3, 2, 1, 1]);
        // forward: 1, 4, 11; reverse: 3 at t=2, 2 + 6 = 8 at t=1, 1 + 16 = 17 at t=0.
        assert_eq!(out[0].to_f32_vec(), vec![1., 17., 4., 8., 11., 3.]);
        assert_eq!(out[1].to_f32_vec(), vec![11., 17.]);
    }

    #[test]
    fn sequence_lens_stop_rows_early() {
        let op = Rnn {
            recurrence: rec(1, Direction::Forward, vec![Activation::Relu]),
        };
        let x = t(&[2, 2, 1], vec![1., 1., 1., 1.]);
        let lens = Some(Tensor::vec_i64(vec![2, 1]));
        let out = eval(
            &op,
            &[
                x,
                t(&[1, 1, 1], vec![1.]),
                t(&[1, 1, 1], vec![1.]),
                None,
                lens,
            ],
        )
        .unwrap();
        assert_eq!(out[0].to_f32_vec(), vec![1., 1., 2., 0.]);
        assert_eq!(out[1].to_f32_vec(), vec![2., 1.]);
    }

    #[test]
    fn gru_with_zero_update_gate_weights() {
        // With zero weights z = r = 0.5 and the candidate is tanh(0) = 0: h halves each step.
        let op = Gru {
            recurrence: rec(
                1,
                Direction::Forward,
                vec![Activation::Sigmoid, Activation::Tanh],
            ),
            linear_before_reset: true,
        };
        let x = t(&[2, 1, 1], vec![5., 5.]);
        let h0 = t(&[1, 1, 1], vec![1.]);
        let out = eval(
            &op,
            &[
                x,
                t(&[1, 3, 1], vec![0.; 3]),
                t(&[1, 3, 1], vec![0.; 3]),
                None,
                None,
                h0,
            ],
        )
        .unwrap();
        assert_eq!(out[1].to_f32_vec(), vec![0.25]);
    }

    #[test]
    fn lstm_single_step_by_hand() {
        let op = Lstm {
            recurrence: rec(
                1,
                Direction::Forward,
                vec![Activation::Sigmoid, Activation::Tanh, Activation::Tanh],
            ),
        };
        let x = t(&[1, 1, 1], vec![1.]);
        // i, o, f, c weights on x.
        let w = t(&[1, 4, 1], vec![1., 2., 3., 4.]);
        let out = eval(&op, &[x, w, t(&[1, 4, 1], vec![0.; 4])]).unwrap();
        let sig = |v: f32| 1.0 / (1.0 + (-v).exp());
        let c = sig(1.0) * 4f32.tanh();
        let hidden = sig(2.0) * c.tanh();
        assert!((out[2].to_f32_vec()[0] - c).abs() < 1e-6);
        assert!((out[1].to_f32_vec()[0] - hidden).abs() < 1e-6);
        assert_eq!(out[0].shape(), &[1, 1, 1, 1]);
    }

    #[test]
    fn bad_shapes_are_errors() {
        let op = Lstm {
            recurrence: rec(
                2,
                Direction::Forward,
                vec![Activation::Sigmoid, Activation::Tanh, Activation::Tanh],
            ),
        };
        assert!(eval(
            &op,
            &[
                t(&[1, 1, 1], vec![1.]),
                t(&[1, 4, 1], vec![0.; 4]),
                t(&[1, 4, 1], vec![0.; 4])
            ]
        )
        .is_err());
        assert!(eval(
            &op,
            &[
                t(&[1, 1], vec![1.]),
                t(&[1, 8, 1], vec![0.; 8]),
                t(&[1, 8, 2], vec![0.; 16])
            ]
        )
        .is_err());
        let few = Lstm {
            recurrence: rec(1, Direction::Forward, vec![Activation::Sigmoid]),
        };
        assert!(eval(
            &few,
            &[
                t(&[1, 1, 1], vec![1.]),
                t(&[1, 4, 1], vec![0.; 4]),
                t(&[1, 4, 1], vec![0.; 4])
            ]
        )
        .is_err());
    }
}
