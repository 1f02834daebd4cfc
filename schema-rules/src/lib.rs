//! What `schema-macros` (at compile time) and `schema-core` (when it plans, migrates and
//! maintains partitions) must agree on, written once. Both crates depend on this one, so a rule
//! cannot change on one side only.
//!
//! Module map:
//! - [`names`]: the identifier limit and the names the project derives (monthly partitions,
//!   each partition's copy of an index).
//! - [`partitions`]: monthly partitions' bounds.
//! - [`tenant`]: the transaction setting that scopes a connection to a tenant, and the policy
//!   predicate that reads it.
//! - [`types`]: the column types the DSL supports; every "supported types" text is generated
//!   from it.
//! - [`enums`]: the enums both sides spell (attribute words, Rust variants, SQL words, catalog
//!   codes).

pub mod enums;
pub mod names;
pub mod partitions;
pub mod tenant;
pub mod types;

pub use enums::{
    Identity, IndexMethod, PartitionStrategy, PolicyCommand, ReferentialAction, RoleKind,
};
