//! Comparisons, boolean logic, selection and runtime-index lookups.
//!
//! Booleans are the integers 0 and 1 at scale 0. Every function here is the
//! polynomial (or case split) its gadget proves, so the interpreter and the
//! circuit agree by construction:
//!
//! * [`compare`]: `[a ⋈ b]` of two integers at the same scale. The ordered
//!   comparisons reduce to one sign, `[d ≥ 0]` with `d = x − y − δ`
//!   ([`CompareKind::sign_operands`]); equality is an is-zero test.
//! * [`logic`]: And `a·b`, Or `a + b − a·b`, Xor `a + b − 2·a·b`; [`not`] is
//!   `1 − a`. On 0/1 inputs these are the truth tables.
//! * [`select`]: `y + c·(x − y)` (ONNX `Where`).
//! * [`lookup`]: `table[i]` for a runtime index `i ∈ [0, n)`, what the
//!   circuit proves as `Σ_k [i = k]·table_k` with a constrained one-hot.
//! * [`truncate`]: float → integer casts (ONNX truncates toward zero).

/// An elementwise comparison (ONNX `Less`, `LessOrEqual`, `Greater`,
/// `GreaterOrEqual`, `Equal`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CompareKind {
    /// `a < b`.
    Less,
    /// `a ≤ b`.
    LessOrEqual,
    /// `a > b`.
    Greater,
    /// `a ≥ b`.
    GreaterOrEqual,
    /// `a = b`.
    Equal,
}

impl CompareKind {
    /// For an ordered comparison, `(swap, delta)` such that
    /// `[a ⋈ b] = [x − y − delta ≥ 0]` with `(x, y) = (a, b)`, or `(b, a)` when
    /// `swap`: integers make `a > b` the same as `a − b − 1 ≥ 0`. `None` for
    /// [`CompareKind::Equal`].
    pub fn sign_operands(self) -> Option<(bool, i128)> {
        match self {
            CompareKind::GreaterOrEqual => Some((false, 0)),
            CompareKind::Greater => Some((false, 1)),
            CompareKind::LessOrEqual => Some((true, 0)),
            CompareKind::Less => Some((true, 1)),
            CompareKind::Equal => None,
        }
    }

    /// The ONNX op name.
    pub fn name(self) -> &'static str {
        match self {
            CompareKind::Less => "Less",
            CompareKind::LessOrEqual => "LessOrEqual",
            CompareKind::Greater => "Greater",
            CompareKind::GreaterOrEqual => "GreaterOrEqual",
            CompareKind::Equal => "Equal",
        }
    }
}

/// `[a ⋈ b]` as 0 or 1, through the same reduction the gadget proves.
pub fn compare(kind: CompareKind, a: i128, b: i128) -> i128 {
    match kind.sign_operands() {
        Some((swap, delta)) => {
            let (x, y) = if swap { (b, a) } else { (a, b) };
            i128::from(x - y - delta >= 0)
        }
        None => i128::from(a == b),
    }
}

/// A binary boolean operation (ONNX `And`, `Or`, `Xor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LogicKind {
    /// `a·b`.
    And,
    /// `a + b − a·b`.
    Or,
    /// `a + b − 2·a·b`.
    Xor,
}

impl LogicKind {
    /// The ONNX op name.
    pub fn name(self) -> &'static str {
        match self {
            LogicKind::And => "And",
            LogicKind::Or => "Or",
            LogicKind::Xor => "Xor",
        }
    }
}

/// The polynomial of `kind` (the truth table on 0/1 inputs).
pub fn logic(kind: LogicKind, a: i128, b: i128) -> i128 {
    match kind {
        LogicKind::And => a * b,
        LogicKind::Or => a + b - a * b,
        LogicKind::Xor => a + b - 2 * a * b,
    }
}

/// `1 − a` (the negation of a 0/1 value).
pub fn not(a: i128) -> i128 {
    1 - a
}

/// `y + c·(x − y)`: `x` when `c = 1`, `y` when `c = 0` (ONNX `Where`).
pub fn select(c: i128, x: i128, y: i128) -> i128 {
    y + c * (x - y)
}

/// `table[index]`, or `None` when `index` is outside `[0, table.len())`.
///
/// Negative indices (which ONNX `Gather` wraps) are outside the domain: the
/// circuit's one-hot proves `index = Σ k·h_k` with `k ∈ [0, n)`.
pub fn lookup(table: &[i128], index: i128) -> Option<i128> {
    usize::try_from(index)
        .ok()
        .and_then(|i| table.get(i))
        .copied()
}

/// The integer part, truncated toward zero, of `x / 2^scale` (ONNX `Cast`
/// from float to an integer type): `sign(x)·floor(|x| / 2^scale)`.
pub fn truncate(x: i128, scale: u32) -> i128 {
    let q = x.unsigned_abs() >> scale;
    if x < 0 {
        -(q as i128)
    } else {
        q as i128
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KINDS: [CompareKind; 5] = [
        CompareKind::Less,
        CompareKind::LessOrEqual,
        CompareKind::Greater,
        CompareKind::GreaterOrEqual,
        CompareKind::Equal,
    ];

    #[test]
    fn comparisons_at_boundaries() {
        for (a, b) in [
            (0, 0),
            (1, 0),
            (0, 1),
            (-1, 0),
            (i64::MIN as i128, i64::MAX as i128),
        ] {
            assert_eq!(compare(CompareKind::Less, a, b), i128::from(a < b));
            assert_eq!(compare(CompareKind::Equal, a, b), i128::from(a == b));
        }
    }

    #[test]
    fn truth_tables_and_lookups() {
        for a in 0..2 {
            for b in 0..2 {
                assert_eq!(logic(LogicKind::And, a, b), a & b);
                assert_eq!(logic(LogicKind::Or, a, b), a | b);
                assert_eq!(logic(LogicKind::Xor, a, b), a ^ b);
            }
            assert_eq!(not(a), 1 - a);
            assert_eq!(select(a, 7, -3), if a == 1 { 7 } else { -3 });
        }
        assert_eq!(lookup(&[4, 5, 6], 2), Some(6));
        assert_eq!(lookup(&[4, 5, 6], 3), None);
        assert_eq!(lookup(&[4, 5, 6], -1), None);
        assert_eq!(truncate(-3 * 128 - 1, 7), -3);
        assert_eq!(truncate(3 * 128 + 127, 7), 3);
        assert_eq!(truncate(-127, 7), 0);
    }

    proptest! {
        #[test]
        fn compare_matches_the_order(a in -(1i128 << 62)..(1i128 << 62), b in -(1i128 << 62)..(1i128 << 62), k in 0usize..5) {
            let kind = KINDS[k];
            let expected = match kind {
                CompareKind::Less => a < b,
                CompareKind::LessOrEqual => a <= b,
                CompareKind::Greater => a > b,
                CompareKind::GreaterOrEqual => a >= b,
                CompareKind::Equal => a == b,
            };
            prop_assert_eq!(compare(kind, a, b), i128::from(expected));
            // Neighbours of b: exactly one of <, =, > holds.
            for d in -1..=1 {
                let lt = compare(CompareKind::Less, a, a + d);
                let eq = compare(CompareKind::Equal, a, a + d);
                let gt = compare(CompareKind::Greater, a, a + d);
                prop_assert_eq!(lt + eq + gt, 1);
            }
        }

        #[test]
        fn truncate_is_the_float_cast(x in -(1i128 << 40)..(1i128 << 40), s in 0u32..20) {
            let real = x as f64 / (1u64 << s) as f64;
            prop_assert_eq!(truncate(x, s), real.trunc() as i128);
        }

        #[test]
        fn select_picks(c in 0i128..2, x in -(1i128 << 60)..(1i128 << 60), y in -(1i128 << 60)..(1i128 << 60)) {
            prop_assert_eq!(select(c, x, y), if c == 1 { x } else { y });
        }
    }
}
