//! The rules every PostgreSQL name the DSL writes follows.

use crate::ctxt::Ctxt;
use proc_macro2::Span;

pub use schema_rules::names::MAX_IDENTIFIER_BYTES;

fn is_snake_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z' | '_'))
        && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

/// PostgreSQL identifiers the DSL writes must be snake_case and fit 63 bytes, so they are never
/// case-folded, quoted differently from the Rust name, or silently truncated.
pub fn check_identifier(cx: &Ctxt, span: Span, what: &str, name: &str) -> bool {
    if !is_snake_identifier(name) {
        cx.syn_error(syn::Error::new(
            span,
            format!("{what} `{name}` must be snake_case (a-z, 0-9, _; not starting with a digit)"),
        ));
        return false;
    }
    check_length(cx, span, what, name)
}

/// For names derived from the table's name with no `name = "..."` of their own (triggers,
/// policies, monthly partitions): the fix is a shorter table name.
pub fn check_derived_length(cx: &Ctxt, span: Span, what: &str, name: &str) {
    if name.len() > MAX_IDENTIFIER_BYTES && !cx.bad_table_name.get() {
        cx.syn_error(syn::Error::new(
            span,
            format!(
                "{what} `{name}` is {} bytes; PostgreSQL truncates names to {MAX_IDENTIFIER_BYTES}\nhelp: it is derived from the table's name: give the table a shorter `name = \"...\"`",
                name.len()
            ),
        ));
    }
}

/// For names generated from the table's name that a `name = "..."` can replace.
pub fn check_generated_length(cx: &Ctxt, span: Span, what: &str, name: &str) {
    if !cx.bad_table_name.get() {
        check_length(cx, span, what, name);
    }
}

pub fn check_length(cx: &Ctxt, span: Span, what: &str, name: &str) -> bool {
    if name.len() > MAX_IDENTIFIER_BYTES {
        cx.syn_error(syn::Error::new(
            span,
            format!(
                "{what} `{name}` is {} bytes; PostgreSQL truncates names to {MAX_IDENTIFIER_BYTES}\nhelp: give it a shorter name (`name = \"...\"`)",
                name.len()
            ),
        ));
        return false;
    }
    true
}

/// A PostgreSQL schema name: an identifier, and not `pg_…`, a prefix PostgreSQL keeps for
/// its own schemas (`CREATE SCHEMA pg_x` fails).
pub fn check_schema_name(cx: &Ctxt, span: Span, name: &str) {
    check_identifier(cx, span, "schema name", name);
    if is_rust_keyword(name) {
        cx.syn_error(syn::Error::new(
            span,
            format!("schema name `{name}` is a Rust keyword: Diesel's `table!` names a table's schema with a plain identifier (`{name}.table`), which cannot be a keyword\nhelp: choose another name, e.g. `{name}s`"),
        ));
    }
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

/// Rust's keywords (strict and reserved, through edition 2024).
const RUST_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers either.
const PATH_KEYWORDS: &[&str] = &["crate", "self", "super"];

/// Refuses, at `span`, a name the DSL turns into a Rust item (a table's Diesel module) that no
/// identifier can spell: the path keywords, which cannot be raw identifiers.
pub fn check_rust_item_name(cx: &Ctxt, span: Span, what: &str, name: &str) {
    if PATH_KEYWORDS.contains(&name) {
        cx.syn_error(syn::Error::new(
            span,
            format!("{what} `{name}` is the Rust path keyword `{name}`, which cannot name the Diesel module `table!` generates, even as a raw identifier\nhelp: choose another name, e.g. `{name}s`"),
        ));
    }
}

/// The Rust identifier of a checked name (see [`check_rust_item_name`]): a raw identifier
/// (`r#type`) for a keyword.
pub fn rust_ident(name: &str, span: Span) -> proc_macro2::Ident {
    if RUST_KEYWORDS.contains(&name) && !PATH_KEYWORDS.contains(&name) {
        proc_macro2::Ident::new_raw(name, span)
    } else {
        proc_macro2::Ident::new(name, span)
    }
}

/// Whether `name` is a Rust keyword (which Diesel's `table!` cannot take as a schema name).
pub fn is_rust_keyword(name: &str) -> bool {
    RUST_KEYWORDS.contains(&name)
}

/// Items Diesel's `table!` generates in a table's module, beside one struct per column: a
/// column of one of these names would be a second item of that name.
pub const DIESEL_ITEMS: &[&str] = &["table", "star", "columns", "dsl", "all_columns"];
