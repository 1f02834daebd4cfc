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
    let mut columns = Vec::new();
    let mut values = Vec::new();
    for column in &table.columns {
        let v = if column.name == "account_id" {
            Some(quote_literal(account))
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
                } else if table.access.secret_columns.iter().any(|s| quote_ident(s) == *c) {
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
}
