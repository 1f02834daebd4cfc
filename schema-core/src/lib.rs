//! schema-api core: the schema IR, SQL rendering, the migration engine, PostgreSQL helpers and
//! the `schema` CLI library. Tables are declared with [`table`] and collected with [`schema!`].
//!
//! ```ignore
//! use chrono::{DateTime, Utc};
//!
//! /// A customer account: the tenant root every tenant table's `account_id` references.
//! #[schema_core::table(schema = "accounts", name = "accounts", tenant_root)]
//! pub struct Account {
//!     #[column(primary_key, identity)]
//!     pub id: i64,
//!     #[column(varchar = 128)]
//!     pub name: String,
//!     #[column(default = "now()")]
//!     pub created_at: DateTime<Utc>,
//!     #[column(default = "now()")]
//!     pub updated_at: DateTime<Utc>,
//!     pub deleted_at: Option<DateTime<Utc>>,
//! }
//!
//! schema_core::schema! { Account }
//! ```
//!
//! # Module map
//!
//! The data flows one way: declarations → [`ir`] → [`diff`] → [`plan`] → [`render`] →
//! [`migrations`] files; `live` reads databases back into the [`ir`].
//!
//! | module | owns |
//! |---|---|
//! | [`descriptor`] | the `&'static` data `#[table]` emits, and `Schema::from_descriptors` |
//! | [`ir`] | the schema as plain owned data: tables, columns, keys, enums, roles |
//! | [`sql`] | `QualifiedName` and the one quoting function for identifiers and literals |
//! | [`fragment`] | SQL fragments compared and edited by their parsed form |
//! | [`diff`] | old IR, new IR → logical changes (`diff/change.rs`), each with its inverse, sorted by one order key per change (`diff/order.rs`); renames (`diff/rename.rs`) |
//! | [`plan`] | changes → phases that are safe on a live database, each a list of steps (`plan/step.rs`: a change as it is, or the planner's NOT VALID, VALIDATE, backfill, CONCURRENTLY, ON ONLY, ATTACH …, each with its inverse; snapshot format 3, with the reader for format 2) |
//! | [`backfill`] | the batched, restartable backfill of a column that becomes NOT NULL |
//! | [`render`] | changes → SQL |
//! | [`lint`] | findings with codes over planned migrations |
//! | [`migrations`] | the `migrations/` directory: generate, check, the snapshot |
//! | [`role`] | the declared roles' grants, as SQL |
//! | [`partitions`] | the monthly layout: a month's partition name and bound |
//! | [`docs`] | `docs/schema/*.md` |
//! | [`names`] | names fitted to 63 bytes |
//! | [`tenant`] | [`with_tenant`]: the way services touch tenant tables |
//! | [`jsonb`], [`sql_types`] | column types for the generated code |
//! | `live` (feature `live`) | everything that needs a connection: introspection and drift, migrate state, partition maintenance, role drift, the throwaway PostgreSQL |
//! | `cli` (feature `cli`) | the `schema` command |
//!
//! A service that only queries its tables needs none of `live` and `cli`: it depends on its
//! models crate with `default-features = false`. Adding a column type or an object kind:
//! `docs/checklist.md`.

pub mod backfill;
#[cfg(feature = "cli")]
pub mod cli;
pub mod descriptor;
pub mod diff;
pub mod docs;
pub mod fragment;
#[cfg(feature = "cli")]
pub mod init;
pub mod ir;
pub mod jsonb;
pub mod lint;
#[cfg(feature = "live")]
pub mod live;
pub mod migrations;
pub mod names;
pub mod partitions;
pub mod plan;
pub mod render;
pub mod role;
pub mod sql;
pub mod sql_types;
pub mod tenant;

pub use descriptor::{PgEnum, Table, TableDescriptor};
pub use jsonb::Jsonb;
pub use schema_macros::{schema, table, view, PgEnum};
pub use tenant::with_tenant;

/// Paths the generated code uses. Not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::descriptor::RoleNames;
    pub use crate::descriptor::{
        assert_enum_default, assert_key_type, assert_tenant_root, assert_unique_relation_names,
        descriptor_of, is_primary_key, CheckDescriptor, ColumnDescriptor, EnumDescriptor,
        ForeignKeyDescriptor, IndexDescriptor, KeyDescriptor, PartitionDescriptor,
        PartitioningDescriptor, PgEnum, PolicyDescriptor, Table, TableDescriptor, TableKind,
        TenantRoot, TypeDescriptor, View, ViewDescriptor,
    };
    pub use crate::ir::{
        Identity, IndexMethod, PartitionStrategy, PolicyCommand, ReferentialAction, RoleKind,
        Schema, SqlType,
    };
    pub use diesel;

    /// Implemented by `schema!` for every table it lists; `#[table]` requires it, so a table
    /// left out of the list does not compile.
    #[diagnostic::on_unimplemented(
        message = "table `{Self}` is not listed in this crate's `schema!`",
        label = "declared with `#[table]` but missing from `schema!`",
        note = "add `{Self}` to the crate's `schema_core::schema! {{ ... }}` list, so migrations and `allow_tables_to_appear_in_same_query!` include it"
    )]
    pub trait Listed {}

    pub const fn assert_listed<T: Listed + ?Sized>() {}

    /// Implemented by `schema!` for every view in its `views(...)`; `#[view]` requires it.
    #[diagnostic::on_unimplemented(
        message = "view `{Self}` is not listed in this crate's `schema!`",
        label = "declared with `#[view]` but missing from `schema!`'s `views(...)`",
        note = "add `{Self}` to the crate's `schema_core::schema! {{ views({Self}); ... }}`, so migrations create it"
    )]
    pub trait ListedView {}

    pub const fn assert_view_listed<T: ListedView + ?Sized>() {}
}
