//! The isolation proof: for every tenant table of the declarations (enumerated, so a new table
//! is covered without editing this file), through the application role, each of SELECT,
//! INSERT, UPDATE, DELETE and upsert, under the own tenant, an unset, an empty and a malformed
//! tenant setting, against rows of two tenants: no cross-tenant read or write succeeds, and a
//! session without a tenant sees nothing. Partitions (the default one included) cannot be
//! reached directly at all.
//!
//! The rows are seeded by the superuser inside the test's one transaction (rolled back at the
//! end): foreign-key triggers are off (`session_replication_role = replica`) and CHECKs are
//! dropped for the seeding, so one generic row per tenant and table can be written without
//! knowing each table's meaning. Every probe runs in a savepoint, so an expected error does not
//! end the test.

mod common;

use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use schema_core::ir::{Column, Identity, Schema, SqlType, Table};
use schema_core::render::{quote_ident, quote_literal, quote_qualified};

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Text)]
    id: String,
}

/// A value of `column`'s type for a seeded row, or `None` when the database supplies it.
fn value(schema: &Schema, column: &Column) -> Option<String> {
    if column.generated.is_some() || column.identity.is_some() {
        return None;
    }
    if column.default.is_some() {
        return Some("DEFAULT".into());
    }
    Some(match &column.sql_type {
        SqlType::SmallInt | SqlType::Integer | SqlType::BigInt => "1".into(),
        SqlType::Real | SqlType::DoublePrecision | SqlType::Numeric | SqlType::NumericPs(..) => {
            "1".into()
        }
        SqlType::Boolean => "false".into(),
        SqlType::Text => "md5(random()::text)".into(),
        SqlType::Varchar(n) => format!("left(md5(random()::text), {n})"),
        SqlType::Uuid => "gen_random_uuid()".into(),
        SqlType::Timestamptz | SqlType::Timestamp => "now()".into(),
        SqlType::Date => "current_date".into(),
        SqlType::Inet => "'10.0.0.1'".into(),
        SqlType::Cidr => "'10.0.0.0/8'".into(),
        SqlType::Bytea => "'\\x00'".into(),
        SqlType::Time => "'12:00'".into(),
        SqlType::Interval => "'1 day'".into(),
        SqlType::MacAddr => "'08:00:2b:01:02:03'".into(),
        SqlType::Jsonb => "'{}'".into(),
        SqlType::Array(_) => "'{}'".into(),
        SqlType::Enum(name) => {
            let first = &schema.enum_type(name).expect("declared enum").values[0];
            format!("{}::{}", quote_literal(first), quote_qualified(name))
        }
        SqlType::Other(t) => panic!("no seed value for {t}"),
    })
}

fn seed(conn: &mut PgConnection, schema: &Schema, table: &Table, account: &str) {
    seed_row(conn, schema, table, Some(account));
}

/// One generic row; `account: None` leaves `account_id` NULL (a row with no tenant yet).
fn seed_row(conn: &mut PgConnection, schema: &Schema, table: &Table, account: Option<&str>) {
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for column in &table.columns {
        let v = if column.name == "account_id" {
            Some(account.map_or("NULL".into(), quote_literal))
        } else {
            value(schema, column)
        };
        if let Some(v) = v {
            columns.push(quote_ident(&column.name));
            values.push(v);
        }
    }
    conn.batch_execute(&format!(
        "INSERT INTO {} ({}) VALUES ({})",
        quote_qualified(&table.qualified_name()),
        columns.join(", "),
        values.join(", ")
    ))
    .unwrap_or_else(|e| panic!("seeding {}: {e}", table.qualified_name()));
}

/// Runs `query` in a savepoint, with the tenant set (or not), and always rolls it back.
fn in_savepoint<T>(
    conn: &mut PgConnection,
    tenant: Option<&str>,
    query: impl FnOnce(&mut PgConnection) -> QueryResult<T>,
) -> Result<T, String> {
    let mut outcome = None;
    let _ = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        if let Some(tenant) = tenant {
            diesel::sql_query("SELECT set_config('app.current_account_id', $1, true)")
                .bind::<Text, _>(tenant)
                .execute(conn)?;
        }
        outcome = Some(query(conn).map_err(|e| e.to_string()));
        Err(diesel::result::Error::RollbackTransaction)
    });
    outcome.expect("the probe ran")
}

/// Rows affected by `sql`, or its error.
fn probe(conn: &mut PgConnection, tenant: Option<&str>, sql: &str) -> Result<usize, String> {
    in_savepoint(conn, tenant, |conn| diesel::sql_query(sql).execute(conn))
}

/// The `n` that `sql` selects, or its error.
fn count(conn: &mut PgConnection, tenant: Option<&str>, sql: &str) -> Result<i64, String> {
    in_savepoint(conn, tenant, |conn| {
        diesel::sql_query(sql)
            .get_result::<Count>(conn)
            .map(|c| c.n)
    })
}

fn is_rls_refusal(result: &Result<usize, String>) -> bool {
    matches!(result, Err(e) if e.contains("violates row-level security policy"))
}

#[test]
fn no_cross_tenant_read_or_write_succeeds_on_any_tenant_table() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let tenant_tables: Vec<&Table> = schema
        .tables
        .iter()
        .filter(|t| {
            t.row_security.as_ref().is_some_and(|r| {
                let name = format!("{}_tenant_isolation", t.name);
                r.policies.iter().any(|p| p.name == name)
            })
        })
        .collect();
    assert!(tenant_tables.len() >= 45, "{}", tenant_tables.len());

    // One transaction Diesel knows about (never committed), so each probe is a savepoint.
    conn.begin_test_transaction().unwrap();
    let ids: Vec<String> = ["a", "b"]
        .iter()
        .map(|n| {
            diesel::sql_query(format!(
                "INSERT INTO accounts.accounts (name, realm) VALUES ('{n}', '{n}.isolation.example') RETURNING id::text AS id"
            ))
            .get_result::<Id>(&mut conn)
            .unwrap()
            .id
        })
        .collect();
    let (a, b) = (ids[0].as_str(), ids[1].as_str());
    conn.batch_execute("SET LOCAL session_replication_role = replica")
        .unwrap();
    for table in &tenant_tables {
        for check in &table.checks {
            conn.batch_execute(&format!(
                "ALTER TABLE {} DROP CONSTRAINT {}",
                quote_qualified(&table.qualified_name()),
                quote_ident(&check.name)
            ))
            .unwrap();
        }
        seed(&mut conn, &schema, table, a);
        seed(&mut conn, &schema, table, b);
    }
    // Tenant b's row of each table, read while the test may, for the upsert probe below.
    let b_rows: Vec<String> = tenant_tables
        .iter()
        .map(|table| {
            diesel::sql_query(format!(
                "SELECT row_to_json(r)::text AS id FROM {} r WHERE account_id = '{b}'",
                quote_qualified(&table.qualified_name())
            ))
            .get_result::<Id>(&mut conn)
            .unwrap()
            .id
        })
        .collect();
    conn.batch_execute("SET LOCAL session_replication_role = origin; SET LOCAL ROLE platform_app")
        .unwrap();

    let (mut probes, mut upserts) = (0, 0);
    for (table, b_row) in tenant_tables.iter().zip(&b_rows) {
        let t = quote_qualified(&table.qualified_name());
        let writable = table.append_only_trigger.is_none();
        // The columns a copy of a visible row can carry (not identity-always or generated).
        let copied: Vec<String> = table
            .columns
            .iter()
            .filter(|c| c.generated.is_none() && c.identity != Some(Identity::Always))
            .map(|c| quote_ident(&c.name))
            .collect();
        let copy_as_b = format!(
            "INSERT INTO {t} ({cols}) SELECT {vals} FROM {t} WHERE account_id = '{a}'",
            cols = copied.join(", "),
            vals = copied
                .iter()
                .map(|c| if c == "\"account_id\"" {
                    format!("'{b}'::uuid")
                } else if table
                    .access
                    .secret_columns
                    .iter()
                    .any(|s| quote_ident(s) == *c)
                {
                    // The application role cannot read a secret, so it cannot copy one.
                    "left(md5(random()::text), 8)".to_string()
                } else {
                    c.clone()
                })
                .collect::<Vec<_>>()
                .join(", ")
        );

        // SELECT: own rows only; nothing without a tenant; a malformed tenant is an error.
        let own = count(
            &mut conn,
            Some(a),
            &format!("SELECT count(*) AS n FROM {t}"),
        );
        assert_eq!(own, Ok(1), "{t}: tenant a sees its row");
        let foreign = count(
            &mut conn,
            Some(a),
            &format!("SELECT count(*) AS n FROM {t} WHERE account_id <> '{a}'"),
        );
        assert_eq!(foreign, Ok(0), "{t}: tenant a sees no other tenant's row");
        for (label, tenant) in [("unset", None), ("empty", Some(""))] {
            let n = count(&mut conn, tenant, &format!("SELECT count(*) AS n FROM {t}"));
            assert_eq!(n, Ok(0), "{t}: a {label} tenant sees nothing");
        }
        let malformed = count(
            &mut conn,
            Some("not-a-uuid"),
            &format!("SELECT count(*) AS n FROM {t}"),
        );
        // A malformed tenant either fails the uuid cast or, when the plan never needs the
        // value, matches nothing; it never reads a row.
        assert!(
            matches!(malformed, Err(_) | Ok(0)),
            "{t}: a malformed tenant read {malformed:?}"
        );

        // INSERT and upsert of another tenant's row, and of any row without a tenant.
        let r = probe(&mut conn, Some(a), &copy_as_b);
        assert!(is_rls_refusal(&r), "{t}: insert as another tenant: {r:?}");
        let r = probe(
            &mut conn,
            Some(a),
            &format!("{copy_as_b} ON CONFLICT DO NOTHING"),
        );
        assert!(is_rls_refusal(&r), "{t}: upsert as another tenant: {r:?}");
        // An upsert of an own row whose key is another tenant's row's: the conflict would make
        // it an UPDATE of that row, which its policy refuses (or, on append-only tables, the
        // missing UPDATE grant). A key holding account_id cannot name another tenant's row.
        let key = &table.primary_key.columns;
        if !key.iter().any(|c| c == "account_id") {
            // Every column but generated ones, the key's identity included.
            let columns: Vec<String> = table
                .columns
                .iter()
                .filter(|c| c.generated.is_none())
                .map(|c| quote_ident(&c.name))
                .collect();
            let overriding = if table
                .columns
                .iter()
                .any(|c| c.identity == Some(Identity::Always))
            {
                " OVERRIDING SYSTEM VALUE"
            } else {
                ""
            };
            let takeover = format!(
                "INSERT INTO {t} ({cols}){overriding} SELECT {vals} FROM json_populate_record(NULL::{t}, {row}) r ON CONFLICT ({key}) DO UPDATE SET account_id = excluded.account_id",
                cols = columns.join(", "),
                vals = columns
                    .iter()
                    .map(|c| if c == "\"account_id\"" {
                        format!("'{a}'::uuid")
                    } else {
                        format!("r.{c}")
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                row = quote_literal(b_row),
                key = key.iter().map(|c| quote_ident(c)).collect::<Vec<_>>().join(", "),
            );
            let r = probe(&mut conn, Some(a), &takeover);
            if writable {
                assert!(
                    is_rls_refusal(&r),
                    "{t}: upsert onto another tenant's row: {r:?}"
                );
            } else {
                assert!(
                    matches!(&r, Err(e) if e.contains("permission denied")),
                    "{t}: upsert onto another tenant's row of an append-only table: {r:?}"
                );
            }
            upserts += 1;
        }
        for (label, tenant) in [("unset", None), ("empty", Some(""))] {
            let r = probe(
                &mut conn,
                tenant,
                &format!("INSERT INTO {t} (account_id) VALUES ('{a}')"),
            );
            assert!(
                is_rls_refusal(&r),
                "{t}: insert with a {label} tenant: {r:?}"
            );
        }
        let r = probe(
            &mut conn,
            Some("not-a-uuid"),
            &format!("INSERT INTO {t} (account_id) VALUES ('{a}')"),
        );
        assert!(r.is_err(), "{t}: insert with a malformed tenant: {r:?}");

        // UPDATE and DELETE: another tenant's rows are never touched.
        let attempts = [
            (
                Some(a),
                format!("UPDATE {t} SET account_id = account_id WHERE account_id = '{b}'"),
            ),
            (Some(a), format!("DELETE FROM {t} WHERE account_id = '{b}'")),
            (None, format!("UPDATE {t} SET account_id = account_id")),
            (None, format!("DELETE FROM {t}")),
            (Some(""), format!("UPDATE {t} SET account_id = account_id")),
            (Some(""), format!("DELETE FROM {t}")),
            (Some("not-a-uuid"), format!("DELETE FROM {t}")),
        ];
        for (tenant, sql) in &attempts {
            let r = probe(&mut conn, *tenant, sql);
            if writable {
                // Nothing is touched (a malformed tenant may also fail the uuid cast).
                assert!(
                    matches!(r, Ok(0)) || (*tenant == Some("not-a-uuid") && r.is_err()),
                    "{t}: `{sql}` under {tenant:?}: {r:?}"
                );
            } else {
                assert!(
                    matches!(&r, Err(e) if e.contains("permission denied")),
                    "{t}: `{sql}` on an append-only table must be refused: {r:?}"
                );
            }
        }
        if writable {
            // Moving an own row to another tenant is refused by WITH CHECK.
            let r = probe(
                &mut conn,
                Some(a),
                &format!("UPDATE {t} SET account_id = '{b}' WHERE account_id = '{a}'"),
            );
            assert!(
                is_rls_refusal(&r),
                "{t}: moving a row to another tenant: {r:?}"
            );
            // Own rows remain writable: the scope is what makes writes possible at all. (Locked
            // FOR UPDATE, which needs the UPDATE grant and passes the UPDATE policy, rather than
            // updated: the seeded rows do not satisfy their other foreign keys.)
            let r = probe(&mut conn, Some(a), &format!("SELECT 1 FROM {t} FOR UPDATE"));
            assert_eq!(r, Ok(1), "{t}: tenant a may update its own row");
        }

        // Partitions, the default one included, are not reachable directly.
        for partition in table.partitions() {
            let p = quote_qualified(&schema_core::ir::QualifiedName::new(
                &table.schema,
                &partition.name,
            ));
            for sql in [
                format!("SELECT count(*) AS n FROM {p}"),
                format!("DELETE FROM {p}"),
            ] {
                let r = probe(&mut conn, Some(a), &sql);
                assert!(
                    matches!(&r, Err(e) if e.contains("permission denied")),
                    "{p}: `{sql}`: {r:?}"
                );
            }
        }
        probes += 1;
    }
    assert_eq!(probes, tenant_tables.len());
    assert!(
        upserts >= 40,
        "{upserts} tables probed with ON CONFLICT DO UPDATE"
    );

    // Every declared view (enumerated too) runs as its reader: through it, the application role
    // sees its own tenant's rows only, nothing without a tenant, and cannot write.
    assert!(!schema.views.is_empty(), "the platform declares views");
    // The seeded rows are soft-deleted (every nullable column got a value); views read live
    // rows, so they are made live first, by the owner.
    conn.batch_execute("RESET ROLE; SET LOCAL session_replication_role = replica")
        .unwrap();
    for view in &schema.views {
        for read in &view.reads {
            if schema
                .table(read)
                .is_some_and(|t| t.column("deleted_at").is_some())
            {
                conn.batch_execute(&format!(
                    "UPDATE {} SET deleted_at = NULL",
                    quote_qualified(read)
                ))
                .unwrap();
            }
        }
    }
    conn.batch_execute("SET LOCAL session_replication_role = origin; SET LOCAL ROLE platform_app")
        .unwrap();
    for view in &schema.views {
        let v = quote_qualified(&view.qualified_name());
        let tenant_column = view.columns.iter().any(|c| c.name == "account_id");
        let own = count(
            &mut conn,
            Some(a),
            &format!("SELECT count(*) AS n FROM {v}"),
        );
        if tenant_column {
            assert!(
                matches!(own, Ok(n) if n >= 1),
                "{v}: tenant a reads its rows: {own:?}"
            );
            let foreign = count(
                &mut conn,
                Some(a),
                &format!("SELECT count(*) AS n FROM {v} WHERE account_id <> '{a}'"),
            );
            assert_eq!(foreign, Ok(0), "{v}: tenant a sees no other tenant's row");
            let seen_by_b = count(
                &mut conn,
                Some(b),
                &format!("SELECT count(*) AS n FROM {v} WHERE account_id = '{a}'"),
            );
            assert_eq!(seen_by_b, Ok(0), "{v}: tenant b sees none of a's rows");
        } else {
            assert!(own.is_ok(), "{v}: tenant a reads it: {own:?}");
        }
        for (label, tenant) in [("unset", None), ("empty", Some(""))] {
            let n = count(&mut conn, tenant, &format!("SELECT count(*) AS n FROM {v}"));
            assert_eq!(n, Ok(0), "{v}: a {label} tenant sees nothing");
        }
        let r = probe(&mut conn, Some(a), &format!("DELETE FROM {v}"));
        assert!(
            r.is_err(),
            "{v}: the application role cannot write through it: {r:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The role model: every declared role against every table, the catalog's invariants, and the
// six defects of issue 13, each a named test.

/// How a probe's transaction is scoped to a tenant.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Scope<'a> {
    /// `set_config(..., true)`, as `with_tenant` does.
    Own(&'a str),
    Unset,
    Empty,
    Malformed,
    /// A session-level `SET` left behind (what a pooled connection may carry).
    SessionLevel(&'a str),
}

/// Runs `work` as `role` in a transaction scoped by `scope`, always rolled back.
fn as_role<T>(
    conn: &mut PgConnection,
    role: &str,
    scope: Scope<'_>,
    work: impl FnOnce(&mut PgConnection) -> QueryResult<T>,
) -> Result<T, String> {
    if let Scope::SessionLevel(t) = scope {
        conn.batch_execute(&format!(
            "SET app.current_account_id = {}",
            quote_literal(t)
        ))
        .unwrap();
    }
    let local = match scope {
        Scope::Own(t) => Some(t),
        Scope::Empty => Some(""),
        Scope::Malformed => Some("b' OR true --"),
        Scope::Unset | Scope::SessionLevel(_) => None,
    };
    let outcome = in_savepoint(conn, local, |conn| {
        conn.batch_execute(&format!("SET LOCAL ROLE {}", quote_ident(role)))?;
        work(conn)
    });
    if matches!(scope, Scope::SessionLevel(_)) {
        conn.batch_execute("RESET app.current_account_id").unwrap();
    }
    outcome
}

fn exec_as(
    conn: &mut PgConnection,
    role: &str,
    scope: Scope<'_>,
    sql: &str,
) -> Result<usize, String> {
    as_role(conn, role, scope, |conn| {
        diesel::sql_query(sql).execute(conn)
    })
}

fn count_as(
    conn: &mut PgConnection,
    role: &str,
    scope: Scope<'_>,
    sql: &str,
) -> Result<i64, String> {
    as_role(conn, role, scope, |conn| {
        diesel::sql_query(sql)
            .get_result::<Count>(conn)
            .map(|c| c.n)
    })
}

fn denied(r: &Result<impl std::fmt::Debug, String>) -> bool {
    matches!(r, Err(e) if e.contains("permission denied"))
}

/// Refused by PostgreSQL's access control: a missing privilege, a row-level security policy,
/// or (for a malformed tenant) the tenant setting's uuid cast.
fn refused(r: &Result<usize, String>) -> bool {
    matches!(r, Err(e) if e.contains("permission denied")
        || e.contains("violates row-level security policy")
        || e.contains("invalid input syntax for type uuid"))
}

/// A read that returned no row, or was refused.
fn read_nothing(r: &Result<i64, String>) -> bool {
    matches!(r, Ok(0)) || refused(&r.clone().map(|n| n as usize))
}

fn role_name(schema: &Schema, kind: schema_core::ir::RoleKind) -> String {
    schema
        .role(kind)
        .expect("the platform declares its roles")
        .to_string()
}

fn has_account_id(table: &Table) -> bool {
    table.columns.iter().any(|c| c.name == "account_id")
}

/// Whether a declared policy lets `role` insert rows of any tenant (sign-in records sessions
/// and attempts for whoever signs in): its declared cross-tenant write path.
fn inserts_for_any_tenant(table: &Table, role: &str) -> bool {
    table
        .row_security
        .iter()
        .flat_map(|r| &r.policies)
        .any(|p| {
            p.roles.iter().any(|r| r == role)
                && matches!(
                    p.command,
                    schema_core::ir::PolicyCommand::Insert | schema_core::ir::PolicyCommand::All
                )
                && p.with_check.as_deref() == Some("true")
        })
}

/// Seeds every table with rows of tenants a and b (and a row without a tenant where the table
/// allows one), commits, and returns `(a, b)`. Foreign-key triggers are off and CHECKs dropped
/// for the seeding, so one generic row per tenant and table can be written.
fn seed_everything(conn: &mut PgConnection, schema: &Schema) -> (String, String) {
    let ids: Vec<String> = ["a", "b"]
        .iter()
        .map(|n| {
            diesel::sql_query(format!(
                "INSERT INTO accounts.accounts (name, realm) VALUES ('{n}', '{n}.matrix.example') RETURNING id::text AS id"
            ))
            .get_result::<Id>(conn)
            .unwrap()
            .id
        })
        .collect();
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        conn.batch_execute("SET LOCAL session_replication_role = replica")?;
        for table in &schema.tables {
            if table.access.kind == schema_core::ir::TableKind::TenantRoot {
                continue;
            }
            for check in &table.checks {
                conn.batch_execute(&format!(
                    "ALTER TABLE {} DROP CONSTRAINT {}",
                    quote_qualified(&table.qualified_name()),
                    quote_ident(&check.name)
                ))?;
            }
            if has_account_id(table) {
                seed_row(conn, schema, table, Some(&ids[0]));
                seed_row(conn, schema, table, Some(&ids[1]));
                if table
                    .columns
                    .iter()
                    .any(|c| c.name == "account_id" && c.nullable)
                {
                    seed_row(conn, schema, table, None);
                }
            } else {
                seed_row(conn, schema, table, None);
            }
        }
        Ok(())
    })
    .unwrap();
    (ids[0].clone(), ids[1].clone())
}

/// Every declared role × every table × SELECT, INSERT, UPDATE, DELETE, TRUNCATE (and COPY for
/// the tenant-scoped roles) × every way a transaction can be scoped: no role reads or writes a
/// row of tenant b from tenant a's scope (or from none), no role but provisioning deletes or
/// creates a tenant, reference data is written by no role, and no secret is read by any role
/// but identity.
#[test]
fn every_role_on_every_table_reaches_only_what_the_role_model_allows() {
    use schema_core::ir::{RoleKind, TableKind};
    let (db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let (a, b) = seed_everything(&mut conn, &schema);
    let (a, b) = (a.as_str(), b.as_str());
    let identity = role_name(&schema, RoleKind::Identity);
    let provisioning = role_name(&schema, RoleKind::Provisioning);
    let scopes = [
        Scope::Own(a),
        Scope::Unset,
        Scope::Empty,
        Scope::Malformed,
        Scope::SessionLevel(a),
    ];
    let mut probes = 0usize;
    let mut cross_tenant_inserts = std::collections::BTreeSet::new();
    for role in &schema.roles {
        let r = role.name.as_str();
        for table in &schema.tables {
            let t = quote_qualified(&table.qualified_name());
            let truncate = exec_as(
                &mut conn,
                r,
                Scope::Own(a),
                &format!("TRUNCATE {t} CASCADE"),
            );
            assert!(denied(&truncate), "{r}: TRUNCATE {t}: {truncate:?}");
            for secret in &table.access.secret_columns {
                if role.kind == RoleKind::Identity {
                    continue;
                }
                let read = count_as(
                    &mut conn,
                    r,
                    Scope::Own(a),
                    &format!("SELECT count({}) AS n FROM {t}", quote_ident(secret)),
                );
                assert!(denied(&read), "{r} reads secret {t}.{secret}: {read:?}");
            }
            match table.access.kind {
                TableKind::TenantRoot => {
                    for scope in scopes {
                        let other = count_as(
                            &mut conn,
                            r,
                            scope,
                            &format!("SELECT count(*) AS n FROM {t} WHERE id = '{b}'"),
                        );
                        let delete = exec_as(
                            &mut conn,
                            r,
                            scope,
                            &format!("DELETE FROM {t} WHERE id IN ('{a}', '{b}')"),
                        );
                        let create = exec_as(
                            &mut conn,
                            r,
                            scope,
                            &format!(
                                "INSERT INTO {t} (name, realm) VALUES ('x', 'x.matrix.example')"
                            ),
                        );
                        let rename = exec_as(
                            &mut conn,
                            r,
                            scope,
                            &format!("UPDATE {t} SET name = 'taken' WHERE id = '{b}'"),
                        );
                        let status = exec_as(
                            &mut conn,
                            r,
                            scope,
                            &format!("UPDATE {t} SET status = 'active' WHERE id = '{a}'"),
                        );
                        if *r == provisioning {
                            assert_eq!(other, Ok(1), "provisioning sees every tenant");
                            assert_eq!(delete, Ok(2), "provisioning deletes tenants");
                            assert_eq!(create, Ok(1), "provisioning creates tenants");
                        } else {
                            assert!(
                                read_nothing(&other),
                                "{r} {scope:?} reads tenant b: {other:?}"
                            );
                            assert!(
                                refused(&delete) || delete == Ok(0),
                                "{r} {scope:?} deletes a tenant: {delete:?}"
                            );
                            assert!(
                                refused(&create),
                                "{r} {scope:?} creates a tenant: {create:?}"
                            );
                            assert!(
                                refused(&rename) || rename == Ok(0),
                                "{r} {scope:?} renames tenant b: {rename:?}"
                            );
                            assert!(
                                refused(&status),
                                "{r} {scope:?} changes its own status: {status:?}"
                            );
                        }
                        probes += 5;
                    }
                }
                TableKind::Global if !has_account_id(table) => {
                    let read = count_as(
                        &mut conn,
                        r,
                        Scope::Unset,
                        &format!("SELECT count(*) AS n FROM {t}"),
                    );
                    if role.kind == RoleKind::Identity {
                        assert!(denied(&read), "identity reads reference data {t}: {read:?}");
                    } else {
                        assert_eq!(read, Ok(1), "{r} reads reference data {t}");
                    }
                    for sql in [
                        format!("INSERT INTO {t} DEFAULT VALUES"),
                        format!("UPDATE {t} SET created_at = created_at"),
                        format!("DELETE FROM {t}"),
                    ] {
                        let w = exec_as(&mut conn, r, Scope::Own(a), &sql);
                        assert!(denied(&w), "{r} writes reference data: `{sql}`: {w:?}");
                        probes += 1;
                    }
                }
                _ => {
                    assert!(
                        has_account_id(table),
                        "{t}: per-tenant rows carry account_id"
                    );
                    let any_tenant = inserts_for_any_tenant(table, r);
                    if any_tenant {
                        cross_tenant_inserts.insert(format!("{r} -> {t}"));
                    }
                    for scope in scopes {
                        let read = count_as(
                            &mut conn,
                            r,
                            scope,
                            &format!("SELECT count(*) AS n FROM {t} WHERE account_id = '{b}'"),
                        );
                        assert!(
                            read_nothing(&read),
                            "{r} {scope:?} reads tenant b's {t}: {read:?}"
                        );
                        if role.kind != RoleKind::Identity {
                            let untenanted = count_as(
                                &mut conn,
                                r,
                                scope,
                                &format!("SELECT count(*) AS n FROM {t} WHERE account_id IS NULL"),
                            );
                            assert!(
                                read_nothing(&untenanted),
                                "{r} {scope:?} reads {t}'s rows without a tenant: {untenanted:?}"
                            );
                        }
                        for sql in [
                            format!(
                                "UPDATE {t} SET account_id = account_id WHERE account_id = '{b}'"
                            ),
                            format!("DELETE FROM {t} WHERE account_id = '{b}'"),
                            format!("UPDATE {t} SET account_id = '{b}'"),
                        ] {
                            let w = exec_as(&mut conn, r, scope, &sql);
                            assert!(
                                matches!(w, Ok(0)) || refused(&w),
                                "{r} {scope:?} `{sql}`: {w:?}"
                            );
                        }
                        if !any_tenant {
                            let w = exec_as(
                                &mut conn,
                                r,
                                scope,
                                &format!("INSERT INTO {t} (account_id) VALUES ('{b}')"),
                            );
                            assert!(
                                refused(&w),
                                "{r} {scope:?} inserts a row of tenant b into {t}: {w:?}"
                            );
                        }
                        probes += 6;
                    }
                }
            }
            // Partitions are reached through their parent only.
            for partition in table.partitions() {
                let p = quote_qualified(&schema_core::ir::QualifiedName::new(
                    &table.schema,
                    &partition.name,
                ));
                let read = count_as(
                    &mut conn,
                    r,
                    Scope::Own(a),
                    &format!("SELECT count(*) AS n FROM {p}"),
                );
                assert!(denied(&read), "{r} reads partition {p}: {read:?}");
                probes += 1;
            }
        }
    }
    // Sign-in's declared cross-tenant writes, and no other.
    assert_eq!(
        cross_tenant_inserts.into_iter().collect::<Vec<_>>(),
        [
            format!("{identity} -> \"audit\".\"login_history\""),
            format!("{identity} -> \"auth\".\"sessions\""),
        ]
    );

    // Months made by `partitions ensure` and detached by `partitions retain` are closed too.
    let month = |s: &str| {
        let (y, m) = s.split_once('-').unwrap();
        schema_core::partitions::Month::new(y.parse().unwrap(), m.parse().unwrap()).unwrap()
    };
    schema_core::live::partitions::ensure(&mut conn, &schema, Some(month("2027-07")), 1, false)
        .unwrap();
    schema_core::live::partitions::retain(&mut conn, &schema, Some(month("2027-08")), 15, false)
        .unwrap();
    let undeclared: Vec<String> = diesel::sql_query(
        "SELECT format('%I.%I', n.nspname, c.relname) AS id FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p') AND (c.relname ~ '_p2026_0[1-4]$' OR c.relname ~ '_p2027_0[78]$')",
    )
    .load::<Id>(&mut conn)
    .unwrap()
    .into_iter()
    .map(|r| r.id)
    .collect();
    assert_eq!(undeclared.len(), 3 * 6, "{undeclared:?}");
    for role in &schema.roles {
        for relation in &undeclared {
            let read = count_as(
                &mut conn,
                &role.name,
                Scope::Own(a),
                &format!("SELECT count(*) AS n FROM {relation}"),
            );
            assert!(denied(&read), "{} reads {relation}: {read:?}", role.name);
            probes += 1;
        }
    }

    // COPY both ways, through psql as a client would, for the tenant-scoped roles.
    for kind in [RoleKind::App, RoleKind::Monitor] {
        let r = role_name(&schema, kind);
        for table in schema.tables.iter().filter(|t| has_account_id(t)) {
            let t = quote_qualified(&table.qualified_name());
            let out = psql(db.url(), &format!("SET ROLE {r}; SELECT set_config('app.current_account_id', '{a}', true); COPY {t} TO STDOUT"), "");
            assert!(
                !out.contains(b),
                "{r}: COPY {t} TO STDOUT shows tenant b: {out}"
            );
            let input = format!("{b}\n");
            let out = psql(db.url(), &format!("SET ROLE {r}; SELECT set_config('app.current_account_id', '{a}', true); COPY {t} (account_id) FROM STDIN"), &input);
            assert!(
                out.contains("ERROR"),
                "{r}: COPY {t} FROM STDIN as tenant b: {out}"
            );
            probes += 2;
        }
    }
    assert!(probes > 3000, "{probes} probes");
    eprintln!(
        "{probes} probes across {} roles and {} tables",
        schema.roles.len(),
        schema.tables.len()
    );
}

/// psql's output (stdout and stderr) for `sql` in one implicit transaction, `input` on stdin.
fn psql(url: &str, sql: &str, input: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("psql")
        .args([url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("psql runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn lines(conn: &mut PgConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// What the catalog must say once the migrations and the role SQL ran: every relation with a
/// tenant column (partitions included) has RLS enabled and forced; every command a declared
/// role is granted on a table is covered by a policy that applies to it; every declared role is
/// NOSUPERUSER NOBYPASSRLS, a member of nothing and owns nothing; no role but the owner holds
/// TRUNCATE, REFERENCES or TRIGGER; and `role::drift` notices a grant added by hand until the
/// role SQL runs again.
#[test]
fn the_catalog_holds_the_role_models_invariants() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let namespaces: Vec<String> = schema
        .namespaces()
        .into_iter()
        .map(|n| format!("'{n}'"))
        .collect();
    let namespaces = namespaces.join(", ");
    let roles: Vec<String> = schema
        .roles
        .iter()
        .map(|r| format!("'{}'", r.name))
        .collect();
    let roles = roles.join(", ");

    let outside_rls = lines(&mut conn, &format!(
        "SELECT format('%I.%I', n.nspname, c.relname) AS line FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ({namespaces}) AND c.relkind IN ('r', 'p')
           AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'account_id' AND NOT a.attisdropped)
           AND NOT (c.relrowsecurity AND c.relforcerowsecurity) ORDER BY 1"
    ));
    assert_eq!(
        outside_rls,
        Vec::<String>::new(),
        "relations with account_id outside forced RLS"
    );
    let with_account_id: i64 = lines(&mut conn, &format!(
        "SELECT count(*)::text AS line FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ({namespaces}) AND c.relkind IN ('r', 'p')
           AND EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'account_id')"
    ))[0].parse().unwrap();
    assert!(
        with_account_id > 90,
        "{with_account_id} relations with account_id (partitions included)"
    );

    // A grant without a policy that lets the role use it is a grant nobody thought through.
    let uncovered = lines(&mut conn, &format!(
        "WITH grants AS (
            SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS rel, g.rolname, a.privilege_type
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles g ON g.oid = a.grantee
            WHERE n.nspname IN ({namespaces}) AND g.rolname IN ({roles}) AND c.relrowsecurity
            UNION
            SELECT c.oid, format('%I.%I', n.nspname, c.relname), g.rolname, a.privilege_type
            FROM pg_attribute att JOIN pg_class c ON c.oid = att.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            CROSS JOIN LATERAL aclexplode(att.attacl) a JOIN pg_roles g ON g.oid = a.grantee
            WHERE n.nspname IN ({namespaces}) AND g.rolname IN ({roles}) AND c.relrowsecurity)
         SELECT rel || ' ' || rolname || ' ' || privilege_type AS line FROM grants g
         WHERE NOT EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = g.oid
             AND (p.polroles = '{{0}}' OR (SELECT oid FROM pg_roles WHERE rolname = g.rolname) = ANY (p.polroles))
             AND p.polcmd IN ('*', CASE g.privilege_type WHEN 'SELECT' THEN 'r' WHEN 'INSERT' THEN 'a' WHEN 'UPDATE' THEN 'w' WHEN 'DELETE' THEN 'd' END))
         ORDER BY 1"
    ));
    assert_eq!(
        uncovered,
        Vec::<String>::new(),
        "granted commands no policy covers"
    );

    let roles_wrong = lines(&mut conn, &format!(
        "SELECT rolname || ': ' || concat_ws(' ', CASE WHEN rolsuper THEN 'SUPERUSER' END, CASE WHEN rolbypassrls THEN 'BYPASSRLS' END,
                CASE WHEN rolcreaterole THEN 'CREATEROLE' END, CASE WHEN rolcanlogin THEN 'LOGIN' END,
                (SELECT string_agg('member of ' || g.rolname, ' ') FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid),
                (SELECT string_agg('owns ' || c.relname, ' ') FROM pg_class c WHERE c.relowner = r.oid),
                (SELECT string_agg('owns schema ' || n.nspname, ' ') FROM pg_namespace n WHERE n.nspowner = r.oid),
                (SELECT string_agg('owns type ' || t.typname, ' ') FROM pg_type t WHERE t.typowner = r.oid),
                (SELECT string_agg('owns function ' || p.proname, ' ') FROM pg_proc p WHERE p.proowner = r.oid)) AS line
         FROM pg_roles r WHERE rolname IN ({roles}) ORDER BY 1"
    ));
    assert_eq!(
        roles_wrong.len(),
        schema.roles.len(),
        "every declared role exists"
    );
    for line in &roles_wrong {
        assert!(line.ends_with(": "), "{line}");
    }

    let dangerous = lines(&mut conn, &format!(
        "SELECT format('%I.%I', n.nspname, c.relname) || ' ' || coalesce(g.rolname, 'PUBLIC') || ' ' || a.privilege_type AS line
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN LATERAL aclexplode(c.relacl) a
         LEFT JOIN pg_roles g ON g.oid = a.grantee
         WHERE n.nspname IN ({namespaces}) AND a.grantee <> c.relowner AND a.privilege_type IN ('TRUNCATE', 'REFERENCES', 'TRIGGER')"
    ));
    assert_eq!(
        dangerous,
        Vec::<String>::new(),
        "TRUNCATE, REFERENCES or TRIGGER held by a role other than the owner"
    );

    // Drift: none after the role SQL; a grant added by hand is drift until the SQL runs again.
    let drift = |conn: &mut PgConnection| schema_core::live::roles::drift(conn, &schema).unwrap();
    assert_eq!(drift(&mut conn), Vec::<String>::new());
    let app = role_name(&schema, schema_core::ir::RoleKind::App);
    let monitor = role_name(&schema, schema_core::ir::RoleKind::Monitor);
    conn.batch_execute(&format!(
        "GRANT TRUNCATE ON telecom.call_detail_records TO {app};
         GRANT SELECT ON telecom.call_detail_records_p2026_03 TO {monitor};
         GRANT SELECT (mfa_secret) ON auth.users TO {app};
         GRANT INSERT ON billing.billing_rates TO {app};
         REVOKE DELETE ON devices.devices FROM {app};
         REVOKE USAGE ON SEQUENCE telecom.call_detail_records_id_seq FROM {app};
         GRANT SELECT ON SEQUENCE audit.audit_log_id_seq TO {monitor};"
    ))
    .unwrap();
    let found = drift(&mut conn);
    for needle in [
        format!("`{app}` has TRUNCATE on `telecom.call_detail_records`"),
        format!("`{monitor}` has SELECT on `telecom.call_detail_records_p2026_03`"),
        format!("`{app}` has SELECT (mfa_secret) on `auth.users`"),
        format!("`{app}` has INSERT on `billing.billing_rates`"),
        format!("role `{app}` lacks DELETE on `devices.devices`"),
        format!("role `{app}` lacks USAGE on sequence `telecom.call_detail_records_id_seq`"),
        format!("`{monitor}` has SELECT on sequence `audit.audit_log_id_seq`"),
    ] {
        assert!(
            found.iter().any(|f| f.contains(&needle)),
            "{needle} in {found:#?}"
        );
    }
    assert_eq!(found.len(), 7, "{found:#?}");
    conn.batch_execute(&schema_core::role::roles_sql(&schema))
        .unwrap();
    assert_eq!(
        drift(&mut conn),
        Vec::<String>::new(),
        "the role SQL puts it right"
    );

    // Memberships and widened attributes are cluster-wide: probed on roles of this database's
    // own (declared under other names), so tests sharing a server never see them.
    let db: String = lines(&mut conn, "SELECT current_database()::text AS line").remove(0);
    let mut probe = schema.clone();
    for role in &mut probe.roles {
        role.name = format!("{db}_{}", role.kind.word());
    }
    let (probe_app, group) = (&probe.roles[0].name, format!("{db}_group"));
    conn.batch_execute(&format!(
        "CREATE ROLE {probe_app} BYPASSRLS; CREATE ROLE {group}; GRANT {group} TO {probe_app};"
    ))
    .unwrap();
    let found = drift(&mut conn).len();
    assert_eq!(found, 0, "the platform's roles are untouched");
    let probed = schema_core::live::roles::drift(&mut conn, &probe).unwrap();
    for needle in [
        format!("role `{probe_app}` is BYPASSRLS"),
        format!("role `{probe_app}` is a member of `{group}`"),
        format!("role `{db}_identity` does not exist"),
        format!("role `{probe_app}` lacks SELECT on `billing.billing_rates`"),
    ] {
        assert!(
            probed.iter().any(|f| f.contains(&needle)),
            "{needle} in {probed:#?}"
        );
    }
    conn.batch_execute(&format!("DROP ROLE {probe_app}; DROP ROLE {group};"))
        .unwrap();
}

/// Three tenants as a migrated platform holds them: a user each (with an MFA secret and a
/// password hash), a session each, and tenant c with 100 devices and 500 CDRs.
struct Tenants {
    a: String,
    b: String,
    c: String,
    users: Vec<String>,
}

fn three_tenants(conn: &mut PgConnection) -> Tenants {
    let mut ids = Vec::new();
    let mut users = Vec::new();
    for n in ["a", "b", "c"] {
        let id = diesel::sql_query(format!(
            "INSERT INTO accounts.accounts (name, realm, settings) VALUES ('{n}', '{n}.tenants.example', '{{\"sip_password\": \"{n}-secret\"}}') RETURNING id::text AS id"
        ))
        .get_result::<Id>(conn)
        .unwrap()
        .id;
        let user = diesel::sql_query(format!(
            "INSERT INTO auth.users (account_id, username, email, mfa_enabled, mfa_secret, password_hash)
             VALUES ('{id}', 'admin', 'admin@{n}.tenants.example', true, 'MFA-{n}', 'HASH-{n}') RETURNING id::text AS id"
        ))
        .get_result::<Id>(conn)
        .unwrap()
        .id;
        conn.batch_execute(&format!(
            "INSERT INTO auth.sessions (account_id, user_id, token_hash, expires_at) VALUES ('{id}', '{user}', 'TOKEN-{n}', now() + interval '1 day');
             INSERT INTO audit.api_audit_log (request_id, account_id, endpoint, method, request_payload) VALUES (gen_random_uuid(), '{id}', '/v1/devices', 'POST', '{{\"card\": \"{n}\"}}');
             INSERT INTO audit.audit_log (account_id, actor_user_id, table_name, row_id, operation) VALUES ('{id}', '{user}', 'devices', '1', 'INSERT');
             INSERT INTO audit.login_history (user_id, account_id, username, succeeded, ip_address) VALUES ('{user}', '{id}', 'admin', true, '192.0.2.1');"
        ))
        .unwrap();
        ids.push(id);
        users.push(user);
    }
    let c = &ids[2];
    conn.batch_execute(&format!(
        "INSERT INTO devices.devices (account_id, name, sip_username) SELECT '{c}', 'phone ' || g, 'c' || g FROM generate_series(1, 100) g;
         INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at)
           SELECT '{c}', 'call-' || g, 'inbound', now() - g * interval '1 minute' FROM generate_series(1, 500) g;"
    ))
    .unwrap();
    Tenants {
        a: ids[0].clone(),
        b: ids[1].clone(),
        c: ids[2].clone(),
        users,
    }
}

fn superuser_count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<Count>(conn).unwrap().n
}

/// Defect 1: users, memberships, sessions, the accounts table and the API log held per-tenant
/// rows outside RLS, with full DML for the application role.
#[test]
fn defect_1_users_memberships_sessions_accounts_and_logs_are_under_rls() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let app = role_name(&schema, schema_core::ir::RoleKind::App);
    let t = three_tenants(&mut conn);
    let (a, b) = (t.a.as_str(), t.b.as_str());
    let own = Scope::Own(a);
    let q = |conn: &mut PgConnection, sql: &str| count_as(conn, &app, own, sql);
    let x = |conn: &mut PgConnection, sql: &str| exec_as(conn, &app, own, sql);

    // Secrets are not the application role's to read, not even its own tenant's.
    for sql in [
        format!("SELECT count(mfa_secret) AS n FROM auth.users WHERE account_id = '{b}'"),
        format!("SELECT count(password_hash) AS n FROM auth.users WHERE account_id = '{a}'"),
        "SELECT count(token_hash) AS n FROM auth.sessions".to_string(),
    ] {
        let r = q(&mut conn, &sql);
        assert!(denied(&r), "`{sql}`: {r:?}");
    }
    for sql in [
        format!("SELECT count(*) AS n FROM auth.users WHERE account_id = '{b}'"),
        format!("SELECT count(*) AS n FROM auth.sessions WHERE account_id = '{b}'"),
        format!("SELECT count(settings) AS n FROM accounts.accounts WHERE id = '{b}'"),
        format!(
            "SELECT count(request_payload) AS n FROM audit.api_audit_log WHERE account_id = '{b}'"
        ),
        format!("SELECT count(*) AS n FROM audit.login_history WHERE account_id = '{b}'"),
        format!("SELECT count(*) AS n FROM auth.users_to_accounts WHERE account_id = '{b}'"),
    ] {
        assert_eq!(q(&mut conn, &sql), Ok(0), "`{sql}`");
    }
    assert_eq!(
        q(&mut conn, "SELECT count(*) AS n FROM auth.users"),
        Ok(1),
        "its own user"
    );
    assert_eq!(
        q(&mut conn, "SELECT count(*) AS n FROM accounts.accounts"),
        Ok(1),
        "its own account"
    );

    // A's user made an admin of B: refused.
    let r = x(&mut conn, &format!("INSERT INTO auth.users_to_accounts (account_id, user_id, role) VALUES ('{b}', '{}', 'admin')", t.users[0]));
    assert!(is_rls_refusal(&r), "{r:?}");
    // B's users and B's account cannot be changed; A changes only what its tenant may.
    for sql in [
        format!("UPDATE auth.users SET email = 'attacker@example.net', mfa_enabled = false WHERE account_id = '{b}'"),
        format!("UPDATE accounts.accounts SET name = 'pwned' WHERE id = '{b}'"),
    ] {
        assert_eq!(x(&mut conn, &sql), Ok(0), "`{sql}`");
    }
    for sql in [
        format!("UPDATE accounts.accounts SET status = 'active' WHERE id = '{a}'"),
        format!("UPDATE accounts.accounts SET parent_account_id = '{b}' WHERE id = '{a}'"),
        "INSERT INTO accounts.accounts (name, realm) VALUES ('new', 'new.tenants.example')"
            .to_string(),
    ] {
        let r = x(&mut conn, &sql);
        assert!(denied(&r), "`{sql}`: {r:?}");
    }
    assert_eq!(
        x(
            &mut conn,
            &format!("UPDATE accounts.accounts SET name = 'a, renamed' WHERE id = '{a}'")
        ),
        Ok(1)
    );

    // Its own tenant's rows stay writable, identity keys included (no sequence privilege
    // needed), serial ones through the USAGE the role SQL grants.
    for sql in [
        format!("INSERT INTO audit.login_history (account_id, username, succeeded, ip_address) VALUES ('{a}', 'admin', false, '192.0.2.9')"),
        format!("INSERT INTO telecom.call_detail_records (account_id, call_id, direction, started_at) VALUES ('{a}', 'own', 'outbound', now())"),
    ] {
        assert_eq!(x(&mut conn, &sql), Ok(1), "`{sql}`");
    }

    // Sign-in's path: the identity role reads the one user whose login it was given, secrets
    // included, and nothing without one.
    let identity = role_name(&schema, schema_core::ir::RoleKind::Identity);
    let sign_in = |conn: &mut PgConnection, login: Option<&str>| {
        as_role(conn, &identity, Scope::Unset, |conn| {
            if let Some(login) = login {
                diesel::sql_query("SELECT set_config('app.sign_in_login', $1, true)")
                    .bind::<Text, _>(login)
                    .execute(conn)?;
            }
            diesel::sql_query("SELECT count(mfa_secret) AS n FROM auth.users")
                .get_result::<Count>(conn)
                .map(|c| c.n)
        })
    };
    assert_eq!(sign_in(&mut conn, Some("admin@b.tenants.example")), Ok(1));
    assert_eq!(sign_in(&mut conn, None), Ok(0));
    let r = count_as(
        &mut conn,
        &identity,
        Scope::Unset,
        "SELECT count(*) AS n FROM devices.devices",
    );
    assert!(denied(&r), "identity reads no tenant table: {r:?}");
}

/// Defect 2: `DELETE FROM accounts.accounts` from a tenant's scope deleted another tenant and
/// cascaded through every table. Only provisioning deletes tenants.
#[test]
fn defect_2_only_provisioning_deletes_a_tenant() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let t = three_tenants(&mut conn);
    let (a, c) = (t.a.as_str(), t.c.as_str());
    for role in &schema.roles {
        if role.kind == schema_core::ir::RoleKind::Provisioning {
            continue;
        }
        for id in [a, c] {
            let r = exec_as(
                &mut conn,
                &role.name,
                Scope::Own(a),
                &format!("DELETE FROM accounts.accounts WHERE id = '{id}'"),
            );
            assert!(denied(&r), "{}: {r:?}", role.name);
        }
    }
    let devices = format!("SELECT count(*) AS n FROM devices.devices WHERE account_id = '{c}'");
    let cdrs =
        format!("SELECT count(*) AS n FROM telecom.call_detail_records WHERE account_id = '{c}'");
    assert_eq!(
        (
            superuser_count(&mut conn, &devices),
            superuser_count(&mut conn, &cdrs)
        ),
        (100, 500)
    );

    let provisioning = role_name(&schema, schema_core::ir::RoleKind::Provisioning);
    conn.batch_execute(&format!(
        "SET ROLE {provisioning}; DELETE FROM accounts.accounts WHERE id = '{c}'; RESET ROLE"
    ))
    .expect("provisioning deletes the tenant, its append-only logs included");
    assert_eq!(
        (
            superuser_count(&mut conn, &devices),
            superuser_count(&mut conn, &cdrs)
        ),
        (0, 0)
    );
    let left = superuser_count(&mut conn, "SELECT count(*) AS n FROM accounts.accounts");
    assert_eq!(left, 2);
}

/// Defect 3: `devices.owner_user_id` referenced any user, so a tenant could point its rows at
/// another tenant's user, and that user's deletion rewrote them.
#[test]
fn defect_3_references_stay_inside_their_tenant() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let app = role_name(&schema, schema_core::ir::RoleKind::App);
    let t = three_tenants(&mut conn);
    let (a, b) = (t.a.as_str(), t.b.as_str());
    conn.batch_execute(&format!("INSERT INTO devices.devices (account_id, owner_user_id, name, sip_username) VALUES ('{a}', '{}', 'desk', 'a1')", t.users[0]))
        .unwrap();
    let r = exec_as(
        &mut conn,
        &app,
        Scope::Own(a),
        &format!(
            "UPDATE devices.devices SET owner_user_id = '{}' WHERE account_id = '{a}'",
            t.users[1]
        ),
    );
    assert!(
        matches!(&r, Err(e) if e.contains("violates foreign key constraint")),
        "{r:?}"
    );
    // Every reference to a user from a tenant table carries account_id.
    for table in schema.tables.iter().filter(|t| t.access.kind.is_tenant()) {
        for fk in table
            .foreign_keys
            .iter()
            .filter(|f| f.references.name == "users")
        {
            let across = fk.columns == ["user_id"] && table.name == "users_to_accounts";
            assert!(
                across || fk.columns[0] == "account_id",
                "{}: {fk:?}",
                table.qualified_name()
            );
        }
    }
    // B's user going away touches nothing of A's; A's user going away clears the owner only.
    conn.batch_execute(&format!("DELETE FROM auth.users WHERE account_id = '{b}'"))
        .unwrap();
    let owner = format!("SELECT count(*) AS n FROM devices.devices WHERE account_id = '{a}' AND owner_user_id = '{}'", t.users[0]);
    assert_eq!(superuser_count(&mut conn, &owner), 1);
    conn.batch_execute(&format!("DELETE FROM auth.users WHERE account_id = '{a}'"))
        .unwrap();
    let cleared = format!("SELECT count(*) AS n FROM devices.devices WHERE account_id = '{a}' AND owner_user_id IS NULL");
    assert_eq!(
        superuser_count(&mut conn, &cleared),
        1,
        "SET NULL (owner_user_id) keeps account_id"
    );
}

/// Defect 4: the application role could write the platform's reference data (plans, rates,
/// carriers, inventory): one tenant could change every tenant's prices.
#[test]
fn defect_4_reference_data_is_read_only_for_the_application_role() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let app = role_name(&schema, schema_core::ir::RoleKind::App);
    let reference: Vec<&Table> = schema
        .tables
        .iter()
        .filter(|t| t.access.kind == schema_core::ir::TableKind::Global)
        .collect();
    assert!(reference.len() >= 9, "{}", reference.len());
    for table in reference {
        let t = quote_qualified(&table.qualified_name());
        assert_eq!(
            count_as(
                &mut conn,
                &app,
                Scope::Unset,
                &format!("SELECT count(*) AS n FROM {t}")
            ),
            Ok(0)
        );
        for sql in [
            format!("INSERT INTO {t} DEFAULT VALUES"),
            format!("UPDATE {t} SET created_at = now()"),
            format!("DELETE FROM {t}"),
        ] {
            let r = exec_as(&mut conn, &app, Scope::Unset, &sql);
            assert!(denied(&r), "`{sql}`: {r:?}");
        }
    }
}

/// Defect 5: an account (or user) with audit rows could never be deleted: `ON DELETE SET NULL`
/// into an append-only table ran into its `reject_update` trigger.
#[test]
fn defect_5_accounts_and_users_with_audit_rows_can_be_deleted() {
    let (_db, mut conn) = migrated_with_app_role();
    let schema = platform_schema();
    let t = three_tenants(&mut conn);
    // No append-only table has an action that would UPDATE its rows.
    for table in schema
        .tables
        .iter()
        .filter(|t| t.append_only_trigger.is_some())
    {
        for fk in &table.foreign_keys {
            use schema_core::ir::ReferentialAction::*;
            assert!(
                matches!(fk.on_delete, NoAction | Restrict | Cascade),
                "{}: {fk:?}",
                table.qualified_name()
            );
            assert!(
                matches!(fk.on_update, NoAction | Restrict),
                "{}: {fk:?}",
                table.qualified_name()
            );
        }
    }
    // The owner removes a user with audit rows: the rows keep the id.
    conn.batch_execute(&format!(
        "DELETE FROM auth.users WHERE id = '{}'",
        t.users[1]
    ))
    .expect("a user with audit rows is deleted");
    let kept = format!(
        "SELECT count(*) AS n FROM audit.audit_log WHERE actor_user_id = '{}'",
        t.users[1]
    );
    assert_eq!(superuser_count(&mut conn, &kept), 1, "audit keeps the id");
    let provisioning = role_name(&schema, schema_core::ir::RoleKind::Provisioning);
    conn.batch_execute(&format!(
        "SET ROLE {provisioning}; DELETE FROM accounts.accounts WHERE id = '{}'; RESET ROLE",
        t.b
    ))
    .expect("an account with audit rows is deleted");
    for table in [
        "audit.api_audit_log",
        "audit.audit_log",
        "audit.login_history",
    ] {
        let n = superuser_count(
            &mut conn,
            &format!(
                "SELECT count(*) AS n FROM {table} WHERE account_id = '{}'",
                t.b
            ),
        );
        assert_eq!(n, 0, "{table} goes with its account");
    }
}

/// Defect 6: a session-level tenant (`SET`, `set_config(..., false)`) survived into the next
/// transaction of a pooled connection, and `with_tenant` ran on top of it.
#[test]
fn defect_6_with_tenant_refuses_a_session_level_tenant() {
    let (_db, mut conn) = migrated_with_app_role();
    let t = three_tenants(&mut conn);
    let (a, b) = (t.a.as_str(), t.b.as_str());
    let run = |conn: &mut PgConnection| {
        schema_core::with_tenant(conn, a, |conn| {
            diesel::sql_query("SELECT count(*) AS n FROM devices.devices")
                .get_result::<Count>(conn)
                .map(|c| c.n)
        })
    };
    for leftover in [
        format!("SET app.current_account_id = '{b}'"),
        format!("SELECT set_config('app.current_account_id', '{b}', false)"),
    ] {
        conn.batch_execute(&leftover).unwrap();
        let r: Result<i64, diesel::result::Error> = run(&mut conn);
        let e = r.expect_err("a session-level tenant is refused");
        assert!(
            e.to_string()
                .contains("session-level app.current_account_id"),
            "{e}"
        );
        conn.batch_execute("DISCARD ALL").unwrap();
        assert!(run(&mut conn).is_ok(), "a reset connection works again");
    }
    // with_tenant leaves nothing behind for the next transaction.
    run(&mut conn).unwrap();
    let left = schema_core::tenant::current_tenant(&mut conn).unwrap();
    assert!(left.as_deref().unwrap_or("").is_empty(), "{left:?}");
}
