//! Small circuits shaped like a quantized model's arithmetic, for backend
//! tests.

use std::marker::PhantomData;

use ark_ff::PrimeField;
use ark_relations::{
    gr1cs::{
        ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
    },
    lc, ns,
};

/// Proves `y = Σ xᵢ·wᵢ` for public quantized inputs `x` and output `y`, with
/// private signed weights `w` range-checked to `weight_bits` bits by bit
/// decomposition: the two constraint families of a quantized dense layer.
///
/// Namespaces: `weights/range_check` for the decompositions and
/// `dot_product` for the products and their sum.
#[derive(Clone, Debug)]
pub struct QuantizedDotCircuit<F> {
    inputs: Vec<i64>,
    weights: Vec<i64>,
    output: i64,
    weight_bits: u32,
    _field: PhantomData<F>,
}

impl<F: PrimeField> QuantizedDotCircuit<F> {
    /// The honest circuit with 8-bit weights.
    pub fn new(inputs: &[i64], weights: &[i64]) -> Self {
        Self::with_weight_bits(inputs, weights, 8)
    }

    /// The honest circuit with `weight_bits`-bit weights (a different
    /// constraint system from [`new`](Self::new) with the same public
    /// inputs).
    pub fn with_weight_bits(inputs: &[i64], weights: &[i64], weight_bits: u32) -> Self {
        assert_eq!(inputs.len(), weights.len());
        Self {
            inputs: inputs.to_vec(),
            weights: weights.to_vec(),
            output: inputs.iter().zip(weights).map(|(x, w)| x * w).sum(),
            weight_bits,
            _field: PhantomData,
        }
    }

    /// The same circuit claiming an output off by one: the sum constraint in
    /// `dot_product` fails.
    pub fn with_wrong_output(mut self) -> Self {
        self.output += 1;
        self
    }

    /// The same circuit with weight `index` outside the signed range, output
    /// recomputed so only its range check in `weights/range_check` fails.
    pub fn with_weight_out_of_range(mut self, index: usize) -> Self {
        self.weights[index] = 1 << self.weight_bits;
        self.output = self
            .inputs
            .iter()
            .zip(&self.weights)
            .map(|(x, w)| x * w)
            .sum();
        self
    }

    /// The public inputs an honest proof exposes: the inputs, then the output.
    pub fn public_inputs(&self) -> Vec<F> {
        self.inputs
            .iter()
            .chain([&self.output])
            .map(|&value| field_from_i64(value))
            .collect()
    }
}

/// The field element representing a signed integer (`-3` is `p - 3`).
pub fn field_from_i64<F: PrimeField>(value: i64) -> F {
    let magnitude = F::from(value.unsigned_abs());
    if value < 0 {
        -magnitude
    } else {
        magnitude
    }
}

impl<F: PrimeField> ConstraintSynthesizer<F> for QuantizedDotCircuit<F> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let inputs = self
            .inputs
            .iter()
            .map(|&x| cs.new_input_variable(|| Ok(field_from_i64(x))))
            .collect::<Result<Vec<_>, _>>()?;
        let output = cs.new_input_variable(|| Ok(field_from_i64(self.output)))?;

        let weights = {
            let weights_ns = ns!(cs, "weights");
            let cs = weights_ns.cs();
            let mut weights = Vec::with_capacity(self.weights.len());
            for &weight in &self.weights {
                let variable = cs.new_witness_variable(|| Ok(field_from_i64(weight)))?;
                let range_ns = ns!(cs, "range_check");
                enforce_signed_range(&range_ns.cs(), variable, weight, self.weight_bits)?;
                weights.push(variable);
            }
            weights
        };

        let dot_ns = ns!(cs, "dot_product");
        let cs = dot_ns.cs();
        let mut sum = LinearCombination::zero();
        for ((&x, &w), (&x_value, &w_value)) in inputs
            .iter()
            .zip(&weights)
            .zip(self.inputs.iter().zip(&self.weights))
        {
            let product = cs.new_witness_variable(|| Ok(field_from_i64(x_value * w_value)))?;
            cs.enforce_r1cs_constraint(|| lc![x], || lc![w], || lc![product])?;
            sum = sum + product;
        }
        cs.enforce_r1cs_constraint(|| sum, || lc![Variable::One], || lc![output])?;
        Ok(())
    }
}

/// Enforces `-2^(bits-1) ≤ value < 2^(bits-1)` by decomposing
/// `value + 2^(bits-1)` into `bits` boolean witnesses.
fn enforce_signed_range<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    variable: Variable,
    value: i64,
    bits: u32,
) -> Result<(), SynthesisError> {
    let offset = 1i64 << (bits - 1);
    let shifted = (value + offset) as u64;
    let mut recomposed = LinearCombination::zero();
    let mut power = F::one();
    for bit_index in 0..bits {
        let bit_value = F::from((shifted >> bit_index) & 1);
        let bit = cs.new_witness_variable(|| Ok(bit_value))?;
        cs.enforce_r1cs_constraint(|| lc![bit], || lc![bit], || lc![bit])?;
        recomposed += (power, bit);
        power.double_in_place();
    }
    cs.enforce_r1cs_constraint(
        || recomposed,
        || lc![Variable::One],
        || {
            lc![
                (F::one(), variable),
                (F::from(offset as u64), Variable::One)
            ]
        },
    )?;
    Ok(())
}
