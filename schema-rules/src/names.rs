//! Names the project derives, so that PostgreSQL never picks one.

/// PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// A monthly partition's name: `<table>_pYYYY_MM`.
pub fn month_partition(table: &str, year: i32, month: u32) -> String {
    format!("{table}_p{year:04}_{month:02}")
}

/// The name of `index`'s copy on one partition, before it is fitted to
/// [`MAX_IDENTIFIER_BYTES`]: the partition's name in place of the table's at the front of the
/// index's (`calls_account_id_idx` on `calls_p2026_01` is `calls_p2026_01_account_id_idx`), or
/// before the whole name when it does not start with the table's. The macros refuse a declared
/// partition whose copy would not fit; the engine fits copies of partitions created later
/// (`schema_core::names::fit_identifier`), and so does the PL/pgSQL that renames copies.
pub fn index_copy(table: &str, partition: &str, index: &str) -> String {
    let rest = index
        .strip_prefix(table)
        .and_then(|r| r.strip_prefix('_'))
        .unwrap_or(index);
    format!("{partition}_{rest}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_names() {
        assert_eq!(month_partition("calls", 2026, 1), "calls_p2026_01");
        assert_eq!(
            index_copy("calls", "calls_p2026_01", "calls_account_id_idx"),
            "calls_p2026_01_account_id_idx"
        );
        assert_eq!(
            index_copy("calls", "calls_p2026_01", "by_account"),
            "calls_p2026_01_by_account"
        );
        // A prefix that is not the table's name followed by `_` is not stripped.
        assert_eq!(
            index_copy("calls", "calls_x", "callsigns_idx"),
            "calls_x_callsigns_idx"
        );
    }
}
