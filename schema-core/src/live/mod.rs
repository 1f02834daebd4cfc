//! Everything that needs a connection (the `live` feature): a service that only queries its
//! tables through the models compiles none of it.
//!
//! - [`introspect`]: reads the catalog into the IR, canonicalizes declared expressions through
//!   PostgreSQL, and reports drift (a failed read is an error, not a difference).
//! - [`state`]: what `migrate` needs beyond declared objects: its lock, indexes left INVALID by
//!   interrupted concurrent builds, constraints left NOT VALID, Diesel's applied migrations.
//! - [`partitions`]: monthly partition maintenance (`ensure`, `retain`).
//! - [`roles`]: the declared roles' privileges as the database holds them.
//! - [`harness`]: a throwaway PostgreSQL cluster for tests and for `schema apply` without
//!   `DATABASE_URL`.

pub mod hand_written;
pub mod harness;
pub mod introspect;
pub mod partitions;
pub mod roles;
pub mod state;
