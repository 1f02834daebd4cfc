//! Procedural macros of schema-api. Use them through `schema_core` (`schema_core::table`,
//! `schema_core::schema!`), which the generated code refers to.
//!
//! Module map (attributes → model → checks → code):
//!
//! - `attr`: the attributes' syntax, with "did you mean" for unknown keys.
//! - `table/`: `#[table]` (see its module map): model, checks, row security, partitions, code.
//! - `conventions`: the platform's rules (tenant tables, timestamps, soft deletes).
//! - `sql`: every SQL fragment parsed as one expression and rendered from the parsed form.
//! - `types`: Rust field types → PostgreSQL and Diesel types.
//! - `names`: the rules for every name the DSL writes.
//! - `schema_list`: `schema!`; `pg_enum`: `#[derive(PgEnum)]`.
//! - `ctxt`: errors collected and reported together.
//!
//! What the macros and schema-core must agree on lives in the `schema-rules` crate.

mod attr;
mod conventions;
mod ctxt;
#[cfg(test)]
mod expansion_tests;
mod names;
mod pg_enum;
mod schema_list;
mod sql;
mod table;
mod tenancy;
mod types;
mod view;

use proc_macro::TokenStream;

/// Declares a PostgreSQL table as a struct.
///
/// Emits the struct with Diesel's `Queryable`, `Selectable`, `Insertable` and `Identifiable`,
/// a `diesel::table!` with the schema-qualified name, a `joinable!` per single-column foreign
/// key, and `impl schema_core::Table` (the static descriptor migrations are generated from).
///
/// Struct keys: `schema = "..."`, `name = "..."` (both required), what the table is (`tenant`,
/// `global = "why"` or `tenant_root`; required), `append_only` (or
/// `append_only(time = column)`), `hard_delete = "why"`, `primary_key(a, b)`,
/// `unique(a, b)`, `index(a, b(desc), method = "gin", include(c), where = "...")`,
/// `unique_index(...)` (each with an optional `name = "..."`, and the exceptions
/// `across_tenants = "why"`, `all_rows = "why"`),
/// `foreign_key(columns(a, b), references = Target, target_columns(x, y), on_delete = cascade)`,
/// `check = "..."` or `check(name = "...", expr = "...")`, `tenant`, `row_security`,
/// `policy(name = "...", command = select, roles("r"), restrictive, using = "...",
/// with_check = "...")`, `partition_by(range(col))` (or `list`, `hash`),
/// `partition(name = "...", from = "...", to = "..." | values("a") | modulus = 4,
/// remainder = 0 | default)`, `monthly_partitions(from = "2026-01", months = 12)`.
///
/// Field keys in `#[column(...)]`: `primary_key`, `identity` (or `identity = "by_default"`),
/// `serial`, `default = "sql expression"`, `varchar = N`, `numeric(p, s)`, `cidr`, `unique`,
/// `index`, `check = "..."`, `generated = "..."`, `references = Target` or
/// `references(Target, column = id, on_delete = cascade, on_update = cascade, name = "...",
/// no_join)`. SQL expressions are parsed at compile time; doc comments become `COMMENT ON`.
#[proc_macro_attribute]
pub fn table(args: TokenStream, input: TokenStream) -> TokenStream {
    table::expand(args.into(), input.into()).into()
}

/// Declares a PostgreSQL view as a read-only struct.
///
/// `#[view(schema = "billing", name = "open_invoices", query = "SELECT ...", key(id),
/// read_by(app, monitor))]`: the view is created `WITH (security_invoker = true)`, so whoever
/// queries it is held to their own privileges and row-level security on the tables it reads.
/// The query is parsed at compile time (one `SELECT`; every table named `schema.table`). The
/// struct gets `Queryable` and `Selectable`, and a `diesel::table!` keyed by `key(...)` (the
/// first field by default) so it is queried like a table; its fields' types say how Diesel reads
/// each column, and `check --database` compares them with the view's. `read_by` lists the
/// declared roles granted `SELECT` on it. List it in `schema!`'s `views(...)`.
#[proc_macro_attribute]
pub fn view(args: TokenStream, input: TokenStream) -> TokenStream {
    view::expand(args.into(), input.into()).into()
}

/// Lists every table of a crate: `schema! { accounts::Account, accounts::User }`.
///
/// Emits `allow_tables_to_appear_in_same_query!` for the whole set, `pub const TABLES` and
/// `pub fn schema()`. A `#[table]` struct missing from the list does not compile.
#[proc_macro]
pub fn schema(input: TokenStream) -> TokenStream {
    schema_list::expand(input.into()).into()
}

/// Derives a native PostgreSQL enum from a Rust enum of unit variants.
///
/// `#[pg_enum(schema = "voicemail", name = "transcription_status")]` on the enum (`name`
/// defaults to the enum's name in snake_case); values are the variants in snake_case, or
/// `#[pg_enum(rename = "...")]`. The enum becomes its own Diesel SQL type (bind it with
/// `.bind::<Enum, _>(value)`) with `ToSql`/`FromSql` and the `AsExpression` impls, so it is used
/// directly in queries; its descriptor is what migrations create the type from.
#[proc_macro_derive(PgEnum, attributes(pg_enum))]
pub fn derive_pg_enum(input: TokenStream) -> TokenStream {
    pg_enum::expand(input.into()).into()
}
