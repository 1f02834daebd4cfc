//! The rules every PostgreSQL name the DSL writes follows.

use crate::ctxt::Ctxt;
use proc_macro2::Span;

/// PostgreSQL truncates identifiers longer than this many bytes (NAMEDATALEN - 1).
pub const MAX_IDENTIFIER_BYTES: usize = 63;

fn is_snake_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// PostgreSQL identifiers the DSL writes must be snake_case and fit 63 bytes, so they are never
/// case-folded, quoted differently from the Rust name, or silently truncated.
pub fn check_identifier(cx: &Ctxt, span: Span, what: &str, name: &str) {
    if !is_snake_identifier(name) {
        cx.syn_error(syn::Error::new(
            span,
            format!("{what} `{name}` must be snake_case (a-z, 0-9, _; not starting with a digit)"),
        ));
    }
    check_length(cx, span, what, name);
}

/// For names derived from the table's name with no `name = "..."` of their own (triggers,
/// policies, monthly partitions): the fix is a shorter table name.
pub fn check_derived_length(cx: &Ctxt, span: Span, what: &str, name: &str) {
    if name.len() > MAX_IDENTIFIER_BYTES {
        cx.syn_error(syn::Error::new(
            span,
            format!(
                "{what} `{name}` is {} bytes; PostgreSQL truncates names to {MAX_IDENTIFIER_BYTES}\nhelp: it is derived from the table's name: give the table a shorter `name = \"...\"`",
                name.len()
            ),
        ));
    }
}

pub fn check_length(cx: &Ctxt, span: Span, what: &str, name: &str) {
    if name.len() > MAX_IDENTIFIER_BYTES {
        cx.syn_error(syn::Error::new(
            span,
            format!(
                "{what} `{name}` is {} bytes; PostgreSQL truncates names to {MAX_IDENTIFIER_BYTES}\nhelp: give it a shorter name (`name = \"...\"`)",
                name.len()
            ),
        ));
    }
}

/// A PostgreSQL schema name: an identifier, and not `pg_…`, a prefix PostgreSQL keeps for
/// its own schemas (`CREATE SCHEMA pg_x` fails).
pub fn check_schema_name(cx: &Ctxt, span: Span, name: &str) {
    check_identifier(cx, span, "schema name", name);
    if name.starts_with("pg_") {
        cx.syn_error(syn::Error::new(
            span,
            format!("schema name `{name}` starts with `pg_`, which PostgreSQL reserves for its system schemas\nhelp: choose another name, e.g. `{}`", name.trim_start_matches("pg_")),
        ));
    }
}

/// Text that PostgreSQL stores (comments, enum values) cannot hold a NUL byte.
pub fn check_no_nul(cx: &Ctxt, span: Span, what: &str, text: &str) {
    if text.contains('\0') {
        cx.syn_error(syn::Error::new(
            span,
            format!("{what} contains a NUL byte (`\\0`), which PostgreSQL text cannot hold\nhelp: remove it"),
        ));
    }
}
