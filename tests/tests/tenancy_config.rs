//! A crate that configures its tenancy (`tests/orgs`: `organization_id`, the setting
//! `app.current_organization_id`, the root `Organization`): its policies read its setting, its
//! tenant column is held to the tenant rules, and `with_tenant_in` with its `TENANT_SETTING`
//! scopes the application role to one organization.

mod common;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use schema_core::live::harness::TestDatabase;
use schema_core::migrations::{self, GenerateOptions};
use schema_core::tenant::with_tenant_in;
use schema_tests_orgs::{projects, Project, TENANT_COLUMN, TENANT_SETTING};
use uuid::Uuid;

#[test]
fn a_configured_tenancy_is_what_the_policies_and_with_tenant_in_use() {
    assert_eq!(TENANT_COLUMN, "organization_id");
    assert_eq!(TENANT_SETTING, "app.current_organization_id");
    let schema = schema_tests_orgs::schema().unwrap();
    let projects_table = schema.tables.iter().find(|t| t.name == "projects").unwrap();
    let policy = &projects_table.row_security.as_ref().unwrap().policies[0];
    assert_eq!(
        policy.using.as_deref(),
        Some("organization_id = (SELECT nullif(current_setting('app.current_organization_id', true), '')::uuid)")
    );
    // Nothing of the default tenancy is left in the generated SQL.
    let sql = migrations::render_full(&schema).up;
    assert!(!sql.contains("account"), "{sql}");

    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    let dir = tempfile::tempdir().unwrap();
    migrations::generate(
        dir.path(),
        "orgs",
        &schema,
        &GenerateOptions {
            allow_data_loss: false,
            version: Some("2030-01-01-000000".into()),
        },
    )
    .unwrap();
    conn.run_pending_migrations(FileBasedMigrations::from_path(dir.path()).unwrap())
        .unwrap();
    conn.batch_execute(&schema_core::role::roles_sql(&schema))
        .unwrap();
    common::assert_catalog_matches(&mut conn, &schema);

    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    conn.batch_execute(&format!(
        "INSERT INTO orgs.organizations (id, name) VALUES ('{a}', 'a'), ('{b}', 'b');
         INSERT INTO orgs.projects (organization_id, name) VALUES ('{a}', 'alpha'), ('{b}', 'beta');"
    ))
    .unwrap();
    conn.batch_execute("SET ROLE orgs_test_app").unwrap();
    let names = |conn: &mut PgConnection, org: Uuid| -> Vec<String> {
        with_tenant_in(conn, TENANT_SETTING, org, |conn| {
            projects::table
                .select(projects::name)
                .order(projects::name)
                .load(conn)
        })
        .unwrap()
    };
    assert_eq!(names(&mut conn, a), ["alpha"]);
    assert_eq!(names(&mut conn, b), ["beta"]);
    // The default setting is not this crate's: scoped by it, the role sees nothing.
    let none: Vec<Project> = schema_core::with_tenant(&mut conn, a, |conn| {
        projects::table.select(Project::as_select()).load(conn)
    })
    .unwrap();
    assert!(none.is_empty());
    // A write for another organization fails the policy.
    let err = with_tenant_in(&mut conn, TENANT_SETTING, a, |conn| {
        conn.batch_execute(&format!(
            "INSERT INTO orgs.projects (organization_id, name) VALUES ('{b}', 'sneaky')"
        ))
    });
    assert!(err.is_err());
    conn.batch_execute("RESET ROLE").unwrap();
}
