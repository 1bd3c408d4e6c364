//! Limits checked before setup: the constraint ceiling and the machine's memory.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cost::Cost;

/// Largest circuit we set up: Groth16 over BN254 needs an FFT domain of
/// `2^28` at most (BN254's scalar field has 2-adicity 28).
pub const MAX_CONSTRAINTS: u64 = 1 << 28;

/// A cheaper way to prove the same model, with its predicted size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suggestion {
    /// What to change, e.g. `"fixed weights (--weights fixed)"`.
    pub change: String,
    /// Predicted size after the change.
    pub cost: Cost,
    /// Predicted peak memory after the change.
    pub peak_bytes: u64,
    /// Whether it fits both limits.
    pub fits: bool,
}

impl fmt::Display for Suggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} constraints, ~{} ({})",
            self.change,
            self.cost.constraints,
            human_bytes(self.peak_bytes),
            if self.fits { "fits" } else { "still too big" }
        )
    }
}

/// The suggestions as one sentence.
pub(crate) fn describe(suggestions: &[Suggestion]) -> String {
    if suggestions.is_empty() {
        return "no cheaper setting is known".into();
    }
    let parts: Vec<String> = suggestions.iter().map(|s| s.to_string()).collect();
    format!("options: {}", parts.join("; "))
}

/// `1.5 GiB`-style sizes.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// `MemAvailable` from `/proc/meminfo`, in bytes; `None` where it cannot be read
/// (then the memory limit is not enforced).
pub fn available_memory() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    parse_mem_available(&text)
}

fn parse_mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut parts = line.split_whitespace().skip(1);
    let amount: u64 = parts.next()?.parse().ok()?;
    let unit = match parts.next() {
        Some("kB") | Some("KB") | Some("kiB") => 1024,
        Some("mB") | Some("MB") => 1024 * 1024,
        None | Some("B") => 1,
        Some(_) => return None,
    };
    Some(amount * unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_meminfo() {
        let text = "MemTotal:       16303540 kB\nMemFree:         1003540 kB\nMemAvailable:    8151770 kB\n";
        assert_eq!(parse_mem_available(text), Some(8_151_770 * 1024));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(3 * 1024 * 1024 * 1024 / 2), "1.5 GiB");
    }
}
