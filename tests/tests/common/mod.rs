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

/// A fresh database with the committed migrations applied and the application role
/// `platform_app` created; the connection is the superuser's.
pub fn migrated_with_app_role() -> (schema_core::live::harness::TestDatabase, PgConnection) {
    use diesel::connection::SimpleConnection;
    let db = schema_core::live::harness::TestDatabase::new().expect("a test database");
    let mut conn = db.connect();
    run_all(&mut conn);
    conn.batch_execute(&schema_core::role::roles_sql(&platform_schema()))
        .expect("the application role is created");
    (db, conn)
}

pub fn introspect(conn: &mut PgConnection, declared: &Schema) -> Schema {
    let schemas: Vec<&str> = declared.namespaces().into_iter().collect();
    schema_core::live::introspect::introspect(conn, &schemas).expect("catalog reads")
}

/// The declared schema with its expressions as PostgreSQL prints them (see
/// `schema_core::live::introspect::canonicalize`), for comparison with [`introspect`].
pub fn canonical(conn: &mut PgConnection, declared: &Schema) -> Schema {
    schema_core::live::introspect::canonicalize(conn, declared).expect("expressions canonicalize")
}

/// Asserts that the live catalog holds exactly the declared schema.
pub fn assert_catalog_matches(conn: &mut PgConnection, declared: &Schema) {
    let live = introspect(conn, declared);
    let expected = canonical(conn, declared);
    assert_same_schema(&live, &expected);
    // Nothing a broken run leaves: INVALID indexes, constraints left NOT VALID.
    assert_eq!(
        schema_core::live::state::broken_state(conn, declared)
            .expect("index and constraint state reads"),
        Vec::<String>::new()
    );
    // Every view runs as its invoker, so its readers stay under row-level security.
    let schemas: Vec<&str> = declared.namespaces().into_iter().collect();
    for view in schema_core::live::introspect::views(conn, &schemas).expect("views read") {
        assert!(
            view.security_invoker,
            "view {}.{} is security_invoker",
            view.schema_name, view.name
        );
    }
    // No function or trigger that no migration created (these tests register none).
    assert_eq!(
        schema_core::live::hand_written::drift(conn, declared, None)
            .expect("functions and triggers read"),
        Vec::<String>::new()
    );
    // Every partition's index copy has the project's name.
    let schemas: Vec<&str> = declared.namespaces().into_iter().collect();
    assert_eq!(
        schema_core::live::introspect::misnamed_index_copies(conn, &schemas)
            .expect("index copies read"),
        Vec::new()
    );
    use diesel::RunQueryDsl;
    for role in &declared.roles {
        let exists: i64 = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(&format!(
            "count(*) FROM pg_roles WHERE rolname = '{}'",
            role.name
        )))
        .get_result(conn)
        .expect("pg_roles reads");
        assert_eq!(exists, 1, "role {} exists", role.name);
    }
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
        assert_eq!(l.checks, d.checks, "checks of {}", d.qualified_name());
        assert_eq!(l.comment, d.comment, "comment of {}", d.qualified_name());
        assert_eq!(
            l.partitioning,
            d.partitioning,
            "partitioning of {}",
            d.qualified_name()
        );
        assert_eq!(
            l.row_security,
            d.row_security,
            "row-level security of {}",
            d.qualified_name()
        );
        assert_eq!(
            l.updated_at_trigger,
            d.updated_at_trigger,
            "updated_at trigger of {}",
            d.qualified_name()
        );
    }
    assert_eq!(live.enums, declared.enums, "enum types");
    // A view's columns are compared as Diesel reads them (`varchar(n)` from a table is the
    // struct's `String`), its reads as a set; who may read it is a grant (`roles::drift`).
    let comparable = |v: &schema_core::ir::View| {
        let mut reads = v.reads.clone();
        reads.sort();
        let columns: Vec<_> = v
            .columns
            .iter()
            .map(|c| (c.name.clone(), schema_core::ir::diesel_family(&c.sql_type)))
            .collect();
        (
            v.qualified_name(),
            v.query.clone(),
            columns,
            reads,
            v.comment.clone(),
        )
    };
    assert_eq!(
        live.views.iter().map(comparable).collect::<Vec<_>>(),
        declared.views.iter().map(comparable).collect::<Vec<_>>(),
        "views"
    );
    // Roles are cluster-wide, not in a database's catalog of tables: `assert_catalog_matches`
    // checks them.
    let declared = Schema {
        roles: live.roles.clone(),
        views: live.views.clone(),
        ..declared.clone()
    };
    assert_eq!(*live, declared);
}

/// Every catalog row the migrations can create in `schemas`, one line each, sorted: relations
/// (with kind, RLS flags and partition bound), types and enum values, functions and their
/// bodies, constraints, indexes, policies (on partitions too), triggers (clones included) and
/// comments. Two equal fingerprints mean the migrations left the same objects behind.
pub fn catalog_fingerprint(conn: &mut PgConnection, schemas: &[&str]) -> Vec<String> {
    use diesel::prelude::*;
    use diesel::sql_types::{Array, Text};
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = Text)]
        line: String,
    }
    const QUERY: &str = "
WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname = ANY($1))
SELECT line FROM (
  SELECT 'schema ' || nspname AS line FROM ns
  UNION ALL
  SELECT format('relation %s.%s kind=%s rls=%s force=%s partition_of=%s bound=%s', ns.nspname, c.relname, c.relkind,
                c.relrowsecurity, c.relforcerowsecurity,
                (SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = c.oid),
                pg_get_expr(c.relpartbound, c.oid))
  FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
  SELECT format('column %s.%s.%s %s notnull=%s default=%s generated=%s identity=%s', ns.nspname, c.relname, a.attname,
                format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attgenerated, a.attidentity)
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
  UNION ALL
  SELECT format('type %s.%s kind=%s values=%s', ns.nspname, t.typname, t.typtype,
                (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
  FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  UNION ALL
  SELECT format('function %s.%s body=%s', ns.nspname, p.proname, p.prosrc)
  FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  UNION ALL
  SELECT format('constraint %s on %s: %s', con.conname, c.relname, pg_get_constraintdef(con.oid))
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
  SELECT format('index %s', pg_get_indexdef(i.indexrelid))
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN ns ON ns.oid = c.relnamespace
  UNION ALL
  SELECT format('policy %s on %s.%s %s %s roles=%s using=%s check=%s', pol.policyname, pol.schemaname, pol.tablename,
                pol.permissive, pol.cmd, pol.roles, pol.qual, pol.with_check)
  FROM pg_policies pol WHERE pol.schemaname = ANY($1)
  UNION ALL
  SELECT format('trigger %s on %s.%s: %s', t.tgname, ns.nspname, c.relname, pg_get_triggerdef(t.oid))
  FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace WHERE NOT t.tgisinternal
  UNION ALL
  SELECT format('comment %s %s sub=%s: %s', d.classoid::regclass, coalesce(c.relname, p.proname, t.typname), d.objsubid, d.description)
  FROM pg_description d
  LEFT JOIN pg_class c ON d.classoid = 'pg_class'::regclass AND c.oid = d.objoid
  LEFT JOIN pg_proc p ON d.classoid = 'pg_proc'::regclass AND p.oid = d.objoid
  LEFT JOIN pg_type t ON d.classoid = 'pg_type'::regclass AND t.oid = d.objoid
  WHERE coalesce(c.relnamespace, p.pronamespace, t.typnamespace) IN (SELECT oid FROM ns)
) lines ORDER BY line";
    let names: Vec<String> = schemas.iter().map(|s| s.to_string()).collect();
    diesel::sql_query(QUERY)
        .bind::<Array<Text>, _>(&names)
        .load::<Line>(conn)
        .expect("catalog fingerprint")
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// Asserts that every expression of `declared` (CHECKs, index predicates, generated columns,
/// policies, defaults) names, in PostgreSQL's catalog, exactly the columns it names as the
/// macros parsed it: the dependencies PostgreSQL records for the stored expression are
/// compared with the columns `schema_core::fragment::columns` finds in the declared SQL. A key
/// word read as something other than the column (`USER` for `user`), or a column read as a
/// key word, shows as a difference. Returns how many expressions were compared.
pub fn assert_expressions_name_declared_columns(
    conn: &mut PgConnection,
    declared: &Schema,
) -> usize {
    use diesel::prelude::*;
    use diesel::sql_types::{Array, Text};
    use schema_core::fragment;
    use schema_core::render::{quote_literal, quote_qualified};
    #[derive(QueryableByName)]
    struct Deps {
        #[diesel(sql_type = Array<Text>)]
        columns: Vec<String>,
    }
    let deps = |conn: &mut PgConnection, sql: String| -> Vec<String> {
        let mut columns = diesel::sql_query(sql)
            .get_result::<Deps>(conn)
            .unwrap_or_else(|e| panic!("dependencies read: {e}"))
            .columns;
        columns.sort();
        columns
    };
    let declared_columns = |table: &schema_core::ir::Table, sql: &str, plus: &[String]| {
        let mut found: Vec<String> = fragment::columns(sql)
            .unwrap_or_else(|| panic!("`{sql}` parses"))
            .into_iter()
            .filter(|c| table.column(c).is_some())
            .chain(plus.iter().cloned())
            .collect();
        found.sort();
        found.dedup();
        found
    };
    // The columns of `relation` an object of catalog `class` depends on.
    let depends = |class: &str, object: &str, relation: &str, except: Option<&str>| {
        format!(
            "SELECT coalesce(array_agg(DISTINCT a.attname::text), '{{}}') AS columns
             FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
             WHERE d.classid = '{class}'::regclass AND d.objid = ({object})
               AND d.refobjid = {relation}::regclass AND d.refobjsubid > 0
               AND a.attname::text IS DISTINCT FROM {}",
            except.map(quote_literal).unwrap_or_else(|| "NULL".into())
        )
    };
    let mut compared = 0;
    for table in &declared.tables {
        let relation = quote_literal(&quote_qualified(&table.qualified_name()));
        for check in &table.checks {
            let object = format!(
                "SELECT oid FROM pg_constraint WHERE conrelid = {relation}::regclass AND conname = {}",
                quote_literal(&check.name)
            );
            let live = deps(conn, depends("pg_constraint", &object, &relation, None));
            assert_eq!(
                live,
                declared_columns(table, &check.expression, &[]),
                "check `{}` of `{}`: {}",
                check.name,
                table.qualified_name(),
                check.expression
            );
            compared += 1;
        }
        for index in table.indexes.iter().filter(|i| i.predicate.is_some()) {
            let predicate = index.predicate.as_deref().unwrap_or_default();
            let keys: Vec<String> = index
                .columns
                .iter()
                .map(|k| k.column.clone())
                .chain(index.include.iter().cloned())
                .collect();
            let object = format!(
                "SELECT {}::regclass::oid",
                quote_literal(&quote_qualified(&schema_core::ir::QualifiedName::new(
                    &table.schema,
                    &index.name
                )))
            );
            let live = deps(conn, depends("pg_class", &object, &relation, None));
            assert_eq!(
                live,
                declared_columns(table, predicate, &keys),
                "index `{}` of `{}`: {predicate}",
                index.name,
                table.qualified_name()
            );
            compared += 1;
        }
        for column in &table.columns {
            let object = format!(
                "SELECT ad.oid FROM pg_attrdef ad JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
                 WHERE ad.adrelid = {relation}::regclass AND a.attname = {}",
                quote_literal(&column.name)
            );
            if let Some(sql) = column.generated.as_deref().or(column.default.as_deref()) {
                let live = deps(
                    conn,
                    depends("pg_attrdef", &object, &relation, Some(&column.name)),
                );
                assert_eq!(
                    live,
                    declared_columns(table, sql, &[]),
                    "column `{}` of `{}`: {sql}",
                    column.name,
                    table.qualified_name()
                );
                compared += 1;
            }
        }
        for policy in table.row_security.iter().flat_map(|r| &r.policies) {
            let object = format!(
                "SELECT oid FROM pg_policy WHERE polrelid = {relation}::regclass AND polname = {}",
                quote_literal(&policy.name)
            );
            let mut expected: Vec<String> = policy
                .using
                .iter()
                .chain(&policy.with_check)
                .flat_map(|sql| declared_columns(table, sql, &[]))
                .collect();
            expected.sort();
            expected.dedup();
            let live = deps(conn, depends("pg_policy", &object, &relation, None));
            assert_eq!(
                live,
                expected,
                "policy `{}` of `{}`",
                policy.name,
                table.qualified_name()
            );
            compared += 1;
        }
    }
    compared
}

/// The real `schema` command over `schema_tests::online::v3` with `dir` as its migrations
/// directory and no inherited DATABASE_URL (`url` sets one).
pub fn cli(dir: &std::path::Path, url: Option<&str>) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_online-schema"));
    command
        .env_remove("DATABASE_URL")
        .env("ONLINE_VERSION", "v3")
        .arg("--migrations-dir")
        .arg(dir);
    if let Some(url) = url {
        command.env("DATABASE_URL", url);
    }
    command
}

pub fn run(command: &mut std::process::Command) -> std::process::Output {
    command.output().expect("the command runs")
}

/// A command's exit code and output, for assertion messages.
pub fn text(output: &std::process::Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
