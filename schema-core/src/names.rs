//! Names the migration engine derives (checks, partition indexes).

use sha2::{Digest, Sha256};

pub use schema_rules::names::MAX_IDENTIFIER_BYTES;

/// How much of a name too long to fit is kept before `_` and 8 hex digits of its hash.
pub const FITTED_PREFIX_BYTES: usize = MAX_IDENTIFIER_BYTES - 9;

/// `name` if it fits 63 bytes; otherwise its first 54 bytes, `_` and 8 hex digits of its
/// SHA-256, so a long name stays unique and the same on every run instead of being truncated
/// by PostgreSQL into a clash.
pub fn fit_identifier(name: &str) -> String {
    if name.len() <= MAX_IDENTIFIER_BYTES {
        return name.to_string();
    }
    let mut end = FITTED_PREFIX_BYTES;
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    let hash = Sha256::digest(name.as_bytes());
    format!(
        "{}_{:02x}{:02x}{:02x}{:02x}",
        &name[..end],
        hash[0],
        hash[1],
        hash[2],
        hash[3]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_shortened_stably_and_distinctly() {
        assert_eq!(fit_identifier("devices_mac_idx"), "devices_mac_idx");
        let a = fit_identifier(&format!("{}_a", "x".repeat(70)));
        let b = fit_identifier(&format!("{}_b", "x".repeat(70)));
        assert_eq!(a.len(), 63);
        assert_ne!(a, b);
        assert_eq!(a, fit_identifier(&format!("{}_a", "x".repeat(70))));
    }
}
