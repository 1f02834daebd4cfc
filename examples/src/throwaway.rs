//! The database an example runs on: `$DATABASE_URL`, or a throwaway PostgreSQL with the
//! platform's migrations applied (removed when the returned cluster is dropped).

use diesel::{Connection, PgConnection};
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use schema_core::live::harness::TempCluster;
use std::path::Path;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// The URL to connect to, and the throwaway cluster to keep alive while using it.
pub fn database(
    prepare: impl FnOnce(&mut PgConnection) -> Result<(), Error>,
) -> Result<(String, Option<TempCluster>), Error> {
    if let Ok(url) = std::env::var("DATABASE_URL") {
        return Ok((url, None));
    }
    let cluster = TempCluster::start(&mut |step| eprintln!("{step}"))?;
    let url = cluster.url("postgres");
    let mut conn = PgConnection::establish(&url)?;
    let migrations = Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
    conn.run_pending_migrations(FileBasedMigrations::from_path(migrations)?)?;
    prepare(&mut conn)?;
    Ok((url, Some(cluster)))
}
