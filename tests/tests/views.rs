//! Declared views on PostgreSQL: created by the migrations `WITH (security_invoker = true)`,
//! read through Diesel with typed columns by the application role under `with_tenant` (so
//! row-level security applies through them), granted to the roles that read them, dropped and
//! created again around a type change of a column they read, and held to their declaration by
//! drift.

mod common;

use common::assert_catalog_matches;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use schema_core::live::harness::TestDatabase;
use schema_core::migrations::{self, GenerateOptions, Generated};
use schema_core::with_tenant;
use schema_tests::views::{v1, v2};
use std::path::Path;
use uuid::Uuid;

fn generate(
    dir: &Path,
    name: &str,
    schema: &schema_core::ir::Schema,
    version: &str,
) -> Vec<String> {
    let options = GenerateOptions {
        allow_data_loss: false,
        version: Some(version.into()),
    };
    match migrations::generate(dir, name, schema, &options).expect("generate") {
        Generated::Written(written) => written
            .iter()
            .map(|m| std::fs::read_to_string(m.directory.join("up.sql")).unwrap())
            .collect(),
        Generated::UpToDate => Vec::new(),
    }
}

fn apply(conn: &mut PgConnection, dir: &Path) {
    conn.run_pending_migrations(FileBasedMigrations::from_path(dir).unwrap())
        .expect("migrations apply");
}

fn drift(conn: &mut PgConnection, schema: &schema_core::ir::Schema) -> Vec<String> {
    schema_core::live::introspect::drift(conn, schema).expect("catalog reads")
}

#[test]
fn a_view_reads_through_row_level_security_and_survives_a_type_change_under_it() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    let dir = tempfile::tempdir().unwrap();
    let v1_schema = v1::schema().unwrap();
    let up = generate(dir.path(), "reports", &v1_schema, "2030-01-01-000000");
    assert!(
        up.concat().contains(
            "CREATE VIEW \"reports\".\"call_totals\" (\"account_id\", \"answered\", \"seconds\", \"last_status\") WITH (security_invoker = true) AS"
        ),
        "{}",
        up.concat()
    );
    apply(&mut conn, dir.path());
    conn.batch_execute(&schema_core::role::roles_sql(&v1_schema))
        .unwrap();
    assert_catalog_matches(&mut conn, &v1_schema);
    assert_eq!(
        schema_core::live::roles::drift(&mut conn, &v1_schema).unwrap(),
        Vec::<String>::new(),
        "the app role holds SELECT on the view"
    );

    // Two tenants' calls, written by the owner.
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    conn.batch_execute(&format!(
        "INSERT INTO reports.accounts (id, name) VALUES ('{a}', 'a'), ('{b}', 'b');
         INSERT INTO reports.calls (account_id, status, seconds) VALUES
           ('{a}', 'answered', 60), ('{a}', 'answered', 30), ('{a}', 'missed', 0),
           ('{b}', 'answered', 600);"
    ))
    .unwrap();

    // Through the application role, typed: each tenant sees its own totals only, and no
    // tenant none at all.
    conn.batch_execute("SET ROLE views_test_app").unwrap();
    let totals = |conn: &mut PgConnection, account: Uuid| {
        with_tenant(conn, account, |conn| {
            v1::call_totals::table
                .select(v1::CallTotal::as_select())
                .load::<v1::CallTotal>(conn)
        })
        .unwrap()
    };
    assert_eq!(
        totals(&mut conn, a),
        vec![v1::CallTotal {
            account_id: a,
            answered: 2,
            seconds: Some(90),
            last_status: Some("answered".into()),
        }]
    );
    assert_eq!(totals(&mut conn, b)[0].seconds, Some(600));
    let outside: Vec<v1::CallTotal> = v1::call_totals::table.load(&mut conn).unwrap();
    assert!(outside.is_empty(), "no tenant set: the view shows nothing");
    // A view is read-only for the application role.
    assert!(conn
        .batch_execute("DELETE FROM reports.call_totals")
        .is_err());
    conn.batch_execute("RESET ROLE").unwrap();

    // A view made to run as its owner would show every tenant: drift says so, with the fix.
    conn.batch_execute("ALTER VIEW reports.call_totals SET (security_invoker = false)")
        .unwrap();
    let found = drift(&mut conn, &v1_schema);
    assert!(
        found
            .iter()
            .any(|d| d.contains("runs with its owner's privileges")
                && d.contains("SET (security_invoker = true)")),
        "{found:?}"
    );
    conn.batch_execute("ALTER VIEW reports.call_totals SET (security_invoker = true)")
        .unwrap();
    assert_eq!(drift(&mut conn, &v1_schema), Vec::<String>::new());
    // A query changed by hand, or a view no declaration has, is drift too.
    conn.batch_execute(
        "CREATE OR REPLACE VIEW reports.call_totals WITH (security_invoker = true) AS
         SELECT c.account_id, count(*) AS answered, sum(c.seconds) AS seconds, max(c.status) AS last_status
         FROM reports.calls c GROUP BY c.account_id;
         CREATE VIEW reports.stray WITH (security_invoker = true) AS SELECT 1 AS one;",
    )
    .unwrap();
    let found = drift(&mut conn, &v1_schema);
    assert!(
        found
            .iter()
            .any(|d| d.contains("`reports.call_totals`'s query is not the declared one"))
            && found.iter().any(|d| d == "drop view `reports.stray`"),
        "{found:?}"
    );
    conn.batch_execute("DROP VIEW reports.stray").unwrap();
    let declared_sql = schema_core::migrations::render_full(&v1_schema).up;
    let create_view = declared_sql
        .split("\n\n")
        .find(|s| s.starts_with("CREATE VIEW"))
        .unwrap()
        .to_string();
    conn.batch_execute(&format!("DROP VIEW reports.call_totals; {create_view}"))
        .unwrap();
    assert_eq!(drift(&mut conn, &v1_schema), Vec::<String>::new());

    // v2 widens `seconds` under the view: the view is dropped first and created last, in the
    // migration's one transaction, and its own column becomes numeric.
    let v2_schema = v2::schema().unwrap();
    let up = generate(dir.path(), "wider_seconds", &v2_schema, "2030-01-02-000000");
    let up = up.concat();
    let (drop, alter, create) = (
        up.find("DROP VIEW \"reports\".\"call_totals\"")
            .expect("dropped"),
        up.find("ALTER COLUMN \"seconds\" TYPE bigint")
            .expect("altered"),
        up.find("CREATE VIEW \"reports\".\"call_totals\"")
            .expect("created"),
    );
    assert!(drop < alter && alter < create, "{up}");
    apply(&mut conn, dir.path());
    conn.batch_execute(&schema_core::role::roles_sql(&v2_schema))
        .unwrap();
    assert_catalog_matches(&mut conn, &v2_schema);
    conn.batch_execute("SET ROLE views_test_app").unwrap();
    let wide = with_tenant(&mut conn, a, |conn| {
        v2::call_totals::table.load::<v2::CallTotal>(conn)
    })
    .unwrap();
    assert_eq!(wide[0].seconds, Some(bigdecimal::BigDecimal::from(90)));
    conn.batch_execute("RESET ROLE").unwrap();
    // Declared v1 against the v2 database: the struct would read numeric as bigint.
    let found = drift(&mut conn, &v1_schema);
    assert!(!found.is_empty());

    // And back down: the view is dropped and created again around the narrowing.
    let source = FileBasedMigrations::from_path(dir.path()).unwrap();
    conn.revert_last_migration(source).unwrap();
    assert_catalog_matches(&mut conn, &v1_schema);
    // A second generate has nothing to do: the view is recreated only with a change.
    assert!(generate(dir.path(), "again", &v2_schema, "2030-01-03-000000").is_empty());
}

#[test]
fn diff_recreates_a_view_only_when_it_or_what_it_reads_changes() {
    let v1_schema = v1::schema().unwrap();
    let view = |changes: &[schema_core::diff::Change]| {
        changes
            .iter()
            .filter(|c| {
                matches!(
                    c,
                    schema_core::diff::Change::CreateView(_)
                        | schema_core::diff::Change::DropView(_)
                )
            })
            .count()
    };
    assert_eq!(
        view(&schema_core::diff::diff(&v1_schema, &v1_schema).unwrap()),
        0
    );
    let v2_schema = v2::schema().unwrap();
    let changes = schema_core::diff::diff(&v1_schema, &v2_schema).unwrap();
    assert_eq!(view(&changes), 2, "{changes:?}");
    assert!(matches!(
        changes.first(),
        Some(schema_core::diff::Change::DropView(_))
    ));
    // A new index or comment on the table it reads leaves it alone; a new column does not.
    let mut indexed = v1_schema.clone();
    let calls = indexed
        .tables
        .iter_mut()
        .find(|t| t.name == "calls")
        .unwrap();
    calls.comment = Some("calls".into());
    calls.indexes.push(schema_core::ir::Index::on(
        "calls_status_idx",
        &["status"],
        false,
    ));
    assert_eq!(
        view(&schema_core::diff::diff(&v1_schema, &indexed).unwrap()),
        0
    );
    let mut widened = v1_schema.clone();
    let calls = widened
        .tables
        .iter_mut()
        .find(|t| t.name == "calls")
        .unwrap();
    let mut extra = calls.columns[2].clone();
    extra.name = "note".into();
    extra.nullable = true;
    calls.columns.push(extra);
    assert_eq!(
        view(&schema_core::diff::diff(&v1_schema, &widened).unwrap()),
        2
    );
    // A change to a table the view does not read leaves it alone.
    let mut other = v1_schema.clone();
    let accounts = other
        .tables
        .iter_mut()
        .find(|t| t.name == "accounts")
        .unwrap();
    accounts.comment = Some("tenants".into());
    assert_eq!(
        view(&schema_core::diff::diff(&v1_schema, &other).unwrap()),
        0
    );
    // Without its views, the schema drops them first.
    let mut none = v1_schema.clone();
    none.views.clear();
    let dropped = schema_core::diff::diff(&v1_schema, &none).unwrap();
    assert_eq!(dropped.len(), 1);
}
