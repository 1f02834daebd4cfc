#![allow(dead_code)]

use diesel::PgConnection;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use schema_core::ir::Schema;
use std::path::PathBuf;

pub fn repo_migrations() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .join("migrations")
}

pub fn platform_schema() -> Schema {
    schema_models::schema().expect("the platform declarations form a schema")
}

pub fn run_all(conn: &mut PgConnection) -> usize {
    let source = FileBasedMigrations::from_path(repo_migrations()).expect("migrations/");
    conn.run_pending_migrations(source)
        .expect("migrations apply")
        .len()
}

pub fn introspect(conn: &mut PgConnection, declared: &Schema) -> Schema {
    let schemas: Vec<&str> = declared.namespaces().into_iter().collect();
    schema_core::introspect::introspect(conn, &schemas).expect("catalog reads")
}

/// Compares table by table so a failure names the table and shows both sides.
pub fn assert_same_schema(live: &Schema, declared: &Schema) {
    let names = |s: &Schema| {
        s.tables
            .iter()
            .map(|t| t.qualified_name().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(live), names(declared), "tables differ");
    for (l, d) in live.tables.iter().zip(&declared.tables) {
        assert_eq!(l.columns, d.columns, "columns of {}", d.qualified_name());
        assert_eq!(
            l.primary_key,
            d.primary_key,
            "primary key of {}",
            d.qualified_name()
        );
        assert_eq!(
            l.foreign_keys,
            d.foreign_keys,
            "foreign keys of {}",
            d.qualified_name()
        );
        assert_eq!(
            l.uniques,
            d.uniques,
            "unique constraints of {}",
            d.qualified_name()
        );
        assert_eq!(l.indexes, d.indexes, "indexes of {}", d.qualified_name());
    }
    assert_eq!(live, declared);
}
