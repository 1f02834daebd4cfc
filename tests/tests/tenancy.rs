//! Tenant-scoped work through the application role: `with_tenant` scopes a transaction, RLS
//! hides every other path, and the soft-delete scopes read and delete as the conventions say.

mod common;

use chrono::Utc;
use common::*;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use schema_core::with_tenant;
use schema_models::accounts::{accounts, Account};
use schema_models::devices::{devices, Device};
use uuid::Uuid;

fn account(name: &str) -> Account {
    let now = Utc::now();
    Account {
        id: Uuid::new_v4(),
        account_number: 0,
        name: name.into(),
        realm: format!("{name}.example.net"),
        status: "active".into(),
        parent_account_id: None,
        settings: serde_json::json!({}),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}

fn device(account: &Account, n: usize) -> Device {
    let now = Utc::now();
    Device {
        id: Uuid::new_v4(),
        account_id: account.id,
        owner_user_id: None,
        name: format!("{} desk {n}", account.name),
        device_type: "sip_device".into(),
        mac_address: None,
        sip_username: format!("ext{n}"),
        custom_metadata: serde_json::json!({}),
        enabled: true,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    }
}

fn names(conn: &mut PgConnection) -> Vec<String> {
    Device::live()
        .select(devices::name)
        .order_by(devices::name)
        .load(conn)
        .unwrap()
}

#[test]
fn with_tenant_scopes_the_application_role_and_soft_deletes_are_updates() {
    let (_db, mut conn) = migrated_with_app_role();
    // Generated twice: the role SQL is idempotent.
    conn.batch_execute(&schema_core::role::roles_sql(&platform_schema()))
        .unwrap();
    let (a, b) = (account("alpha"), account("beta"));
    diesel::insert_into(accounts::table)
        .values(vec![a.clone(), b.clone()])
        .execute(&mut conn)
        .unwrap();
    let a_devices = [device(&a, 1), device(&a, 2)];
    diesel::insert_into(devices::table)
        .values(&a_devices[..])
        .execute(&mut conn)
        .unwrap();
    diesel::insert_into(devices::table)
        .values(&device(&b, 1))
        .execute(&mut conn)
        .unwrap();

    conn.batch_execute("SET ROLE platform_app").unwrap();
    // No scope: the application role sees no tenant rows at all.
    assert_eq!(names(&mut conn), Vec::<String>::new());

    let seen = with_tenant(&mut conn, a.id, |conn| -> QueryResult<Vec<String>> {
        Ok(names(conn))
    })
    .unwrap();
    assert_eq!(seen, ["alpha desk 1", "alpha desk 2"]);
    // The scope ended with the transaction.
    assert_eq!(names(&mut conn), Vec::<String>::new());

    // Soft delete is an UPDATE of deleted_at; live() hides it, deleted() and with_deleted() show it.
    with_tenant(&mut conn, a.id, |conn| -> QueryResult<()> {
        assert_eq!(Device::soft_delete(conn, a_devices[0].id)?, 1);
        assert_eq!(
            Device::soft_delete(conn, a_devices[0].id)?,
            0,
            "already deleted"
        );
        assert_eq!(names(conn), ["alpha desk 2"]);
        let deleted: Vec<String> = Device::deleted().select(devices::name).load(conn)?;
        assert_eq!(deleted, ["alpha desk 1"]);
        assert_eq!(Device::with_deleted().count().get_result::<i64>(conn)?, 2);
        // Only this tenant's rows, deleted or not: tenant B's device is not among them.
        let owners: Vec<Uuid> = Device::with_deleted()
            .select(devices::account_id)
            .load(conn)?;
        assert!(owners.iter().all(|o| *o == a.id), "{owners:?}");
        Ok(())
    })
    .unwrap();
    let b_id = with_tenant(&mut conn, b.id, |conn| -> QueryResult<Uuid> {
        Device::live().select(devices::id).first(conn)
    })
    .unwrap();
    let touched = with_tenant(&mut conn, a.id, |conn| Device::soft_delete(conn, b_id)).unwrap();
    assert_eq!(touched, 0, "tenant A cannot soft-delete tenant B's device");
    with_tenant(&mut conn, a.id, |conn| -> QueryResult<()> {
        assert_eq!(Device::restore(conn, a_devices[0].id)?, 1);
        assert_eq!(names(conn).len(), 2);
        Ok(())
    })
    .unwrap();

    // Writing another tenant's row is refused by the policy's WITH CHECK.
    let err = with_tenant(&mut conn, a.id, |conn| {
        diesel::insert_into(devices::table)
            .values(&device(&b, 9))
            .execute(conn)
    })
    .unwrap_err();
    assert!(err.to_string().contains("row-level security"), "{err}");

    // A nested scope for another account is refused; a malformed one fails instead of matching.
    let err = with_tenant(&mut conn, a.id, |conn| {
        with_tenant(conn, b.id, |conn| {
            Device::live().count().get_result::<i64>(conn)
        })
    })
    .unwrap_err();
    assert!(
        err.to_string().contains("inside a transaction scoped to"),
        "{err}"
    );
    let err = with_tenant(&mut conn, "not-a-uuid", |conn| {
        Device::live().count().get_result::<i64>(conn)
    })
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("invalid input syntax for type uuid"),
        "{err}"
    );

    // Partitions are reached through their parent only; append-only tables take no UPDATE.
    let err = conn
        .batch_execute("SELECT count(*) FROM telecom.call_detail_records_p2026_01")
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
    let err = conn
        .batch_execute("UPDATE telecom.call_detail_records SET cost = 0")
        .unwrap_err();
    assert!(err.to_string().contains("permission denied"), "{err}");
    conn.batch_execute("RESET ROLE").unwrap();
}

/// Two deploy jobs may create the role at the same moment: `CREATE ROLE` then races on
/// `pg_authid`'s unique name, which the generated SQL must absorb rather than fail on.
#[test]
fn the_role_sql_run_from_several_sessions_at_once_succeeds() {
    let db = schema_core::live::harness::TestDatabase::new().unwrap();
    const SESSIONS: usize = 6;
    for round in 0..8 {
        let role = format!("concurrent_app_{}_{round}", std::process::id());
        let sql = schema_core::role::create_role_sql(&role);
        let mut admin = db.connect();
        admin
            .batch_execute(&format!("DROP ROLE IF EXISTS \"{role}\""))
            .unwrap();
        let failures = run_at_once(&db, &sql, SESSIONS);
        assert!(failures.is_empty(), "round {round}: {failures:?}");
        let attributes = super_and_bypass(&mut admin, &role);
        assert_eq!(attributes, (false, false));
        if round == 0 {
            // A role someone widened is narrowed again by the next run.
            admin
                .batch_execute(&format!("ALTER ROLE \"{role}\" SUPERUSER BYPASSRLS"))
                .unwrap();
            admin.batch_execute(&sql).unwrap();
            let widened = super_and_bypass(&mut admin, &role);
            assert_eq!(widened, (false, false), "the role is narrowed again");
        }
        admin
            .batch_execute(&format!("DROP ROLE \"{role}\""))
            .unwrap();
    }
}

fn super_and_bypass(conn: &mut PgConnection, role: &str) -> (bool, bool) {
    diesel::sql_query("SELECT rolsuper AS s, rolbypassrls AS b FROM pg_roles WHERE rolname = $1")
        .bind::<diesel::sql_types::Text, _>(role)
        .get_result::<RoleAttributes>(conn)
        .map(|r| (r.s, r.b))
        .expect("the role exists")
}

#[derive(QueryableByName)]
struct RoleAttributes {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    s: bool,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    b: bool,
}

/// Deploy jobs may run the whole role SQL at once against one database: the advisory lock
/// queues them, and every run ends with exactly the declared privileges.
#[test]
fn the_full_role_sql_from_several_deploy_jobs_at_once_converges() {
    let (db, mut admin) = migrated_with_app_role();
    let schema = platform_schema();
    let sql = schema_core::role::roles_sql(&schema);
    let failures = run_at_once(&db, &sql, 4);
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(
        schema_core::live::roles::drift(&mut admin, &schema).unwrap(),
        Vec::<String>::new()
    );
}

/// Runs `sql` from `sessions` connections released together; the errors, if any.
fn run_at_once(
    db: &schema_core::live::harness::TestDatabase,
    sql: &str,
    sessions: usize,
) -> Vec<String> {
    use std::sync::{Arc, Barrier};
    let barrier = Arc::new(Barrier::new(sessions));
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..sessions)
            .map(|_| {
                let (barrier, mut conn) = (barrier.clone(), db.connect());
                s.spawn(move || {
                    barrier.wait();
                    conn.batch_execute(sql).map_err(|e| e.to_string())
                })
            })
            .collect();
        handles
            .into_iter()
            .filter_map(|h| h.join().unwrap().err())
            .collect()
    })
}
