//! A synthetic circuit with a quantized model's arithmetic at a chosen size.

use std::marker::PhantomData;

use zkinfer_backend::{
    ark_ff::PrimeField,
    ark_relations::{
        gr1cs::{
            ConstraintSynthesizer, ConstraintSystemRef, LinearCombination, SynthesisError, Variable,
        },
        lc,
    },
    ark_std::rand::{rngs::StdRng, Rng, SeedableRng},
};

/// Products accumulated per block before the sum is range-checked.
const PRODUCTS_PER_BLOCK: usize = 16;
/// Bits of the range check on a block sum: 16 products of two 8-bit signed
/// values lie in ±2^18, so the sum offset by 2^19 fits in 20 bits.
const SUM_BITS: usize = 20;
/// Constraints per block: the products, one boolean constraint per bit, one
/// recomposition.
const CONSTRAINTS_PER_BLOCK: usize = PRODUCTS_PER_BLOCK + SUM_BITS + 1;
/// Public inputs: the first activations, as a model's input would be.
pub const PUBLIC_INPUTS: usize = 16;

/// Blocks of a quantized dense layer: 16 products of 8-bit signed activations
/// and weights (one constraint each, results up to 16 bits), then the block
/// sum decomposed into 20 bits (20 boolean constraints and one
/// recomposition), as a requantization range check does. A few extra products
/// pad the count so that `constraints + public inputs + 1 = 2^log_size`,
/// making the Groth16 evaluation domain exactly `2^log_size`.
#[derive(Clone)]
pub struct SyntheticQuantizedCircuit<F> {
    activations: Vec<i8>,
    weights: Vec<i8>,
    blocks: usize,
    _field: PhantomData<F>,
}

impl<F: PrimeField> SyntheticQuantizedCircuit<F> {
    /// The circuit of `2^log_size - PUBLIC_INPUTS - 1` constraints, with
    /// seeded random 8-bit values.
    pub fn new(log_size: u32) -> Self {
        let constraints = (1usize << log_size) - PUBLIC_INPUTS - 1;
        let blocks = constraints / CONSTRAINTS_PER_BLOCK;
        let padding = constraints - blocks * CONSTRAINTS_PER_BLOCK;
        let products = blocks * PRODUCTS_PER_BLOCK + padding;
        let mut rng = StdRng::seed_from_u64(u64::from(log_size));
        Self {
            activations: (0..products).map(|_| rng.gen()).collect(),
            weights: (0..products).map(|_| rng.gen()).collect(),
            blocks,
            _field: PhantomData,
        }
    }

    /// Number of constraints the circuit enforces.
    pub fn num_constraints(&self) -> usize {
        self.blocks * (SUM_BITS + 1) + self.activations.len()
    }
}

fn field_from_i64<F: PrimeField>(value: i64) -> F {
    let magnitude = F::from(value.unsigned_abs());
    if value < 0 {
        -magnitude
    } else {
        magnitude
    }
}

impl<F: PrimeField> SyntheticQuantizedCircuit<F> {
    /// Allocates product number `index` (`x·w = p`, one constraint) and
    /// returns `p` with its integer value.
    fn allocate_product(
        &self,
        cs: &ConstraintSystemRef<F>,
        index: usize,
    ) -> Result<(Variable, i64), SynthesisError> {
        let x = i64::from(self.activations[index]);
        let w = i64::from(self.weights[index]);
        let x_var = if index < PUBLIC_INPUTS {
            cs.new_input_variable(|| Ok(field_from_i64(x)))?
        } else {
            cs.new_witness_variable(|| Ok(field_from_i64(x)))?
        };
        let w_var = cs.new_witness_variable(|| Ok(field_from_i64(w)))?;
        let p_var = cs.new_witness_variable(|| Ok(field_from_i64(x * w)))?;
        cs.enforce_r1cs_constraint(|| lc![x_var], || lc![w_var], || lc![p_var])?;
        Ok((p_var, x * w))
    }
}

impl<F: PrimeField> ConstraintSynthesizer<F> for SyntheticQuantizedCircuit<F> {
    fn generate_constraints(self, cs: ConstraintSystemRef<F>) -> Result<(), SynthesisError> {
        let mut products = 0..self.activations.len();
        for _ in 0..self.blocks {
            let mut sum = LinearCombination::zero();
            let mut sum_value = 0i64;
            for index in products.by_ref().take(PRODUCTS_PER_BLOCK) {
                let (variable, value) = self.allocate_product(&cs, index)?;
                sum = sum + variable;
                sum_value += value;
            }
            let offset = 1i64 << (SUM_BITS - 1);
            let shifted = (sum_value + offset) as u64;
            let mut recomposed = LinearCombination::zero();
            let mut power = F::one();
            for bit_index in 0..SUM_BITS {
                let bit = cs.new_witness_variable(|| Ok(F::from((shifted >> bit_index) & 1)))?;
                cs.enforce_r1cs_constraint(|| lc![bit], || lc![bit], || lc![bit])?;
                recomposed += (power, bit);
                power.double_in_place();
            }
            let shifted_sum = sum + (F::from(offset as u64), Variable::One);
            cs.enforce_r1cs_constraint(|| recomposed, || lc![Variable::One], || shifted_sum)?;
        }
        for index in products {
            let _ = self.allocate_product(&cs, index)?;
        }
        Ok(())
    }
}
