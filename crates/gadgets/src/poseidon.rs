//! Poseidon commitments to vectors of small integers.
//!
//! Commitments to inputs, weights and outputs hash their integers with the
//! Poseidon sponge of ark-crypto-primitives (native [`PoseidonSponge`] and its
//! constraint twin [`PoseidonSpongeVar`]). Parameters ([`poseidon_config`]):
//! state width 3 (rate 2, capacity 1), S-box `x^5` (`gcd(5, p−1) = 1` for
//! BN254's scalar field), 8 full and 57 partial rounds — the width-3 choice of
//! the Poseidon paper (Grassi et al., USENIX Security 2021, Table 2) for
//! 128-bit security over a 254-bit field — with round constants and MDS
//! matrix from the paper's Grain LFSR (`find_poseidon_ark_and_mds`).
//!
//! Before hashing, `⌊PACK_BITS / bits⌋` values of `bits` signed bits are packed
//! into one field element as `Σ (v_j + 2^(bits−1))·2^(bits·j)`. Packing is
//! injective only if every `v_j` really fits in `bits` bits, so each value is
//! range-checked (one decomposition) unless the caller states it already is
//! (e.g. it is the output of a range-checked gadget).

use crate::cost::Cost;
use crate::error::Result;
use crate::gadget::{check_arity, Challenge, Gadget};
use crate::range::{check_bits, decompose_cost, sign_decompose};
use crate::wire::{field_of, Wire};
use ark_crypto_primitives::sponge::constraints::CryptographicSpongeVar;
use ark_crypto_primitives::sponge::poseidon::constraints::PoseidonSpongeVar;
use ark_crypto_primitives::sponge::poseidon::{
    find_poseidon_ark_and_mds, PoseidonConfig, PoseidonSponge,
};
use ark_crypto_primitives::sponge::{Absorb, CryptographicSponge};
use ark_ff::PrimeField;
use ark_r1cs_std::fields::fp::{AllocatedFp, FpVar};
use ark_r1cs_std::GR1CSVar;
use ark_relations::gr1cs::{ConstraintSystemRef, LinearCombination};
use zkinfer_quant::arith::Bits;

/// Sponge rate (field elements absorbed per permutation).
pub const RATE: usize = 2;
/// Sponge capacity.
pub const CAPACITY: usize = 1;
/// Full rounds.
pub const FULL_ROUNDS: usize = 8;
/// Partial rounds.
pub const PARTIAL_ROUNDS: usize = 57;
/// S-box exponent.
pub const ALPHA: u64 = 5;
/// Bits packed per field element (below BN254's 253 usable bits).
pub const PACK_BITS: u32 = 248;

/// The Poseidon parameters described in the module docs.
pub fn poseidon_config<F: PrimeField>() -> PoseidonConfig<F> {
    let (ark, mds) = find_poseidon_ark_and_mds::<F>(
        F::MODULUS_BIT_SIZE as u64,
        RATE,
        FULL_ROUNDS as u64,
        PARTIAL_ROUNDS as u64,
        0,
    );
    PoseidonConfig::new(FULL_ROUNDS, PARTIAL_ROUNDS, ALPHA, mds, ark, RATE, CAPACITY)
}

/// How many `bits`-bit values share one field element.
pub fn values_per_element(bits: u32) -> usize {
    (PACK_BITS / bits) as usize
}

/// Packs `bits`-bit signed values into field elements (the integer semantics of the packing).
pub fn pack<F: PrimeField>(values: &[i128], bits: u32) -> Vec<F> {
    values
        .chunks(values_per_element(bits))
        .map(|chunk| {
            let shift = F::from(2u64).pow([bits as u64]);
            chunk.iter().rev().fold(F::zero(), |acc, &v| {
                acc * shift + field_of::<F>(v + (1 << (bits - 1)))
            })
        })
        .collect()
}

/// The native commitment: Poseidon of the packed values, one squeezed element.
pub fn commit_native<F: PrimeField + Absorb>(values: &[i128], bits: u32) -> F {
    let mut sponge = PoseidonSponge::new(&poseidon_config::<F>());
    sponge.absorb(&pack::<F>(values, bits));
    sponge.squeeze_field_elements::<F>(1)[0]
}

/// Commits to `bits`-bit signed wires; returns the hash as a wire (its `value` is `None`:
/// a hash is not an integer; read it from the constraint system or [`commit_native`]).
pub fn commit<F: PrimeField>(
    cs: &ConstraintSystemRef<F>,
    values: &[Wire<F>],
    bits: u32,
    range_check: bool,
) -> Result<(Wire<F>, Option<F>)> {
    check_bits("poseidon", bits)?;
    if range_check {
        for v in values {
            sign_decompose(cs, v, bits, "poseidon")?;
        }
    }
    let mut elements = Vec::new();
    for chunk in values.chunks(values_per_element(bits)) {
        let terms: Vec<(i128, Wire<F>)> = chunk
            .iter()
            .enumerate()
            .map(|(j, v)| {
                (
                    1,
                    Wire::linear(&[(1, v)], 1 << (bits - 1)).scale_pow2(bits * j as u32),
                )
            })
            .collect();
        let mut lc = LinearCombination::zero();
        for (_, t) in &terms {
            lc = lc + &t.lc;
        }
        let lc = crate::wire::tidy(lc);
        let ints: Option<Vec<i128>> = chunk.iter().map(|v| v.value).collect();
        let value = ints.map(|ints| pack::<F>(&ints, bits)[0]);
        let var = cs.new_lc(|| lc)?;
        elements.push(FpVar::Var(AllocatedFp::new(value, var, cs.clone())));
    }
    let mut sponge = PoseidonSpongeVar::new(cs.clone(), &poseidon_config::<F>());
    sponge.absorb(&elements)?;
    let hash = sponge.squeeze_field_elements(1)?.remove(0);
    let value = hash.value().ok();
    let lc = match &hash {
        FpVar::Constant(c) => LinearCombination::from((*c, ark_relations::gr1cs::Variable::One)),
        FpVar::Var(v) => LinearCombination::from(v.variable),
    };
    Ok((Wire { lc, value: None }, value))
}

/// Constraints of one Poseidon permutation of width 3: `3·(3·8 + 57) = 243` (three per `x^5`).
pub const PERMUTATION_CONSTRAINTS: usize = 3 * (3 * FULL_ROUNDS + PARTIAL_ROUNDS);

/// Cost of hashing `values ≥ 1` single-variable values packed into `elements` field elements.
///
/// With `P = ⌈elements/2⌉` permutations: `243·P − 3·(3 − min(elements, 2))`
/// constraints and as many witnesses (state entries still constant in the
/// first round skip their S-box), and
/// `6759·P − 45 − 18·[elements = 1] + 3·values` non-zeros (each packed value
/// appears in the three rows of its first S-box). The non-zero count is the
/// measured structure of ark-crypto-primitives' sponge gadget, pinned by tests.
pub fn hash_cost(elements: usize, values: usize) -> Cost {
    let permutations = elements.div_ceil(RATE).max(1);
    let constraints = PERMUTATION_CONSTRAINTS * permutations - 3 * (3 - elements.min(2));
    let nonzeros = 6759 * permutations - 45 - 18 * usize::from(elements == 1) + 3 * values;
    Cost::new(constraints, constraints, nonzeros)
}

/// Poseidon commitment of `len` signed `bits`-bit values; the single output is the hash.
#[derive(Clone, Debug)]
pub struct PoseidonCommit {
    /// Signed width of the values.
    pub bits: u32,
    /// Number of values.
    pub len: usize,
    /// Range-check the values (needed unless they are already range-checked).
    pub range_check: bool,
}

impl PoseidonCommit {
    /// Packed field elements hashed.
    pub fn elements(&self) -> usize {
        self.len.div_ceil(values_per_element(self.bits))
    }
}

impl<F: PrimeField + Absorb> Gadget<F> for PoseidonCommit {
    fn name(&self) -> &'static str {
        "poseidon"
    }
    fn input_len(&self) -> usize {
        self.len
    }
    fn input_range(&self, _: usize) -> (i128, i128) {
        Bits(self.bits).signed_range()
    }
    /// A hash has no integer value: see [`Gadget::reference_field`].
    fn reference(&self, _: &[i128]) -> Vec<i128> {
        Vec::new()
    }
    fn reference_field(&self, inputs: &[i128]) -> Vec<F> {
        vec![commit_native::<F>(inputs, self.bits)]
    }
    fn cost(&self) -> Cost {
        let checks = if self.range_check {
            decompose_cost(self.bits, 1, 1 << (self.bits - 1)) * self.len
        } else {
            Cost::ZERO
        };
        checks + hash_cost(self.elements(), self.len)
    }
    fn synthesize(
        &self,
        cs: ConstraintSystemRef<F>,
        inputs: &[Wire<F>],
        _: &[Challenge<F>],
    ) -> Result<Vec<Wire<F>>> {
        crate::gadget_scope!(cs, "poseidon");
        check_arity("poseidon", self.len, inputs.len())?;
        Ok(vec![commit(&cs, inputs, self.bits, self.range_check)?.0])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::soundness::{assert_cost, Adversary};
    use crate::testing;
    use crate::Fr;

    #[test]
    fn commitment_cost_and_soundness() {
        for (bits, len, range_check) in [(8, 3, true), (124, 5, false), (16, 1, true)] {
            let g = PoseidonCommit {
                bits,
                len,
                range_check,
            };
            testing::run(&g, &[]);
        }
        for len in [2, 7, 16, 40] {
            assert_cost::<Fr, _>(&PoseidonCommit {
                bits: 100,
                len,
                range_check: false,
            });
        }
    }

    #[test]
    fn packing_is_injective_only_with_range_checks() {
        // (v0, v1) and (v0 + 2^bits, v1 − 1) pack to the same field element:
        // the range check is what rules out the second.
        let bits = 8;
        let a = pack::<Fr>(&[5, 7], bits);
        let b = pack::<Fr>(&[5 + 256, 6], bits);
        assert_eq!(a, b);
        let g = PoseidonCommit {
            bits,
            len: 2,
            range_check: true,
        };
        let carry = Adversary::new("carry between packed values", |t| {
            // rewrite the first value's decomposition as if it were v0 + 2^bits: impossible
            let groups = t.bit_groups("poseidon");
            let v0 = t.inputs()[0] + 128 + 256;
            t.set_bits(&groups[0], v0);
            true
        });
        testing::run(&g, &[carry]);
    }

    #[test]
    fn native_and_circuit_hashes_agree_and_differ_across_inputs() {
        let h1 = commit_native::<Fr>(&[1, 2, 3], 8);
        let h2 = commit_native::<Fr>(&[1, 2, 4], 8);
        assert_ne!(h1, h2);
    }
}
