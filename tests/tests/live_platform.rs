//! The committed migrations on a real PostgreSQL: applied with diesel_migrations, read back
//! from the catalog, used through the generated `table!` types, and rolled back.

mod common;

use bigdecimal::BigDecimal;
use chrono::Utc;
use common::*;
use diesel::prelude::*;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use schema_core::live::harness::TestDatabase;
use schema_models::accounts::{accounts, Account};
use schema_models::auth::{users, users_to_accounts, User, UserAccount};
use schema_models::devices::{device_status, devices, Device, DeviceStatus};
use std::str::FromStr;
use uuid::Uuid;

#[test]
fn migrations_create_exactly_the_declared_catalog() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    assert!(run_all(&mut conn) >= 1);
    let declared = platform_schema();
    assert_catalog_matches(&mut conn, &declared); // Every expression names, in the catalog, exactly the columns it was declared with.
    let compared = assert_expressions_name_declared_columns(&mut conn, &declared);
    assert!(compared > 20, "{compared} expressions compared");
}

#[test]
fn redo_restores_an_identical_catalog_and_down_removes_everything() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    let applied = run_all(&mut conn);
    let declared = platform_schema();
    let schemas: Vec<&str> = declared.namespaces().into_iter().collect();
    let before = introspect(&mut conn, &declared);
    let fingerprint = catalog_fingerprint(&mut conn, &schemas);
    assert!(
        fingerprint.iter().any(|l| l.starts_with("policy ")),
        "the fingerprint sees policies"
    );

    let source = FileBasedMigrations::from_path(repo_migrations()).unwrap();
    conn.revert_all_migrations(source.clone()).unwrap();
    let after_down = introspect(&mut conn, &declared);
    assert!(
        after_down.tables.is_empty(),
        "down left tables behind: {after_down:#?}"
    );
    assert_eq!(
        catalog_fingerprint(&mut conn, &schemas),
        Vec::<String>::new(),
        "down left objects behind"
    );

    assert_eq!(conn.run_pending_migrations(source).unwrap().len(), applied);
    assert_eq!(introspect(&mut conn, &declared), before);
    assert_eq!(catalog_fingerprint(&mut conn, &schemas), fingerprint);
}

#[test]
fn typed_inserts_reads_and_joins_through_the_generated_tables() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    run_all(&mut conn);
    let now = Utc::now();

    let account = Account {
        id: Uuid::new_v4(),
        account_number: 0, // skipped on insert: the identity column assigns it
        name: "Acme Telecom".into(),
        realm: "acme.sip.example.net".into(),
        status: "active".into(),
        parent_account_id: None,
        settings: serde_json::json!({"caller_id": "+15550100"}),
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    let stored: Account = diesel::insert_into(accounts::table)
        .values(&account)
        .returning(Account::as_returning())
        .get_result(&mut conn)
        .unwrap();
    assert!(stored.account_number >= 1, "identity assigned a number");
    assert_eq!(stored.settings["caller_id"], "+15550100");

    let reseller_child = Account {
        id: Uuid::new_v4(),
        realm: "child.acme.sip.example.net".into(),
        parent_account_id: Some(account.id),
        ..account.clone()
    };
    diesel::insert_into(accounts::table)
        .values(&reseller_child)
        .execute(&mut conn)
        .unwrap();

    let user = User {
        id: Uuid::new_v4(),
        account_id: account.id,
        username: "alice".into(),
        email: "alice@acme.example".into(),
        first_name: Some("Alice".into()),
        last_name: None,
        mfa_enabled: true,
        mfa_secret: None,
        last_login_ip: Some("192.0.2.10".parse().unwrap()),
        created_at: now,
        updated_at: now,
        deleted_at: None,
        password_hash: None,
    };
    diesel::insert_into(users::table)
        .values(&user)
        .execute(&mut conn)
        .unwrap();
    diesel::insert_into(users_to_accounts::table)
        .values(&UserAccount {
            account_id: reseller_child.id,
            user_id: user.id,
            role: "admin".into(),
            created_at: now,
            updated_at: now,
        })
        .execute(&mut conn)
        .unwrap();

    let device = Device {
        id: Uuid::new_v4(),
        account_id: account.id,
        owner_user_id: Some(user.id),
        name: "Front desk".into(),
        device_type: "sip_device".into(),
        mac_address: Some("00:1a:2b:3c:4d:5e".into()),
        sip_username: "frontdesk".into(),
        custom_metadata: serde_json::json!({"model": "T54W"}),
        enabled: true,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    };
    diesel::insert_into(devices::table)
        .values(&device)
        .execute(&mut conn)
        .unwrap();
    diesel::insert_into(device_status::table)
        .values(&DeviceStatus {
            device_id: device.id,
            account_id: account.id,
            status: "registered".into(),
            last_seen: Some(now),
            last_ip_address: Some("198.51.100.7/32".parse().unwrap()),
            registration_status: Some("ok".into()),
            uptime_seconds: Some(86_400),
            firmware_version: Some("66.86.0.15".into()),
            health_score: Some(BigDecimal::from_str("0.97").unwrap()),
            last_diagnostic_run: None,
            created_at: now,
            updated_at: now,
        })
        .execute(&mut conn)
        .unwrap();

    // Typed joins across three PostgreSQL schemas through the generated `joinable!`s.
    let rows: Vec<(String, String, String, Option<BigDecimal>)> = device_status::table
        .inner_join(
            devices::table
                .inner_join(users::table.on(users::id.nullable().eq(devices::owner_user_id))),
        )
        .inner_join(accounts::table)
        .select((
            accounts::name,
            devices::name,
            users::username,
            device_status::health_score,
        ))
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        rows,
        vec![(
            "Acme Telecom".to_string(),
            "Front desk".to_string(),
            "alice".to_string(),
            Some(BigDecimal::from_str("0.97").unwrap())
        )]
    );

    let memberships: Vec<(User, Account)> = users_to_accounts::table
        .inner_join(users::table)
        .inner_join(accounts::table)
        .filter(users_to_accounts::role.eq("admin"))
        .select((User::as_select(), Account::as_select()))
        .load(&mut conn)
        .unwrap();
    assert_eq!(memberships.len(), 1);
    assert_eq!(memberships[0].0.id, user.id);
    assert_eq!(memberships[0].1.realm, "child.acme.sip.example.net");

    let owned: Vec<Device> = Device::belonging_to_account(&mut conn, account.id);
    assert_eq!(owned.len(), 1);
    assert_eq!(owned[0].custom_metadata["model"], "T54W");

    // Defaults declared on the structs are the database's defaults.
    let (device_type, enabled, metadata): (String, bool, serde_json::Value) =
        diesel::insert_into(devices::table)
            .values((
                devices::account_id.eq(account.id),
                devices::name.eq("Lobby"),
                devices::sip_username.eq("lobby"),
            ))
            .returning((
                devices::device_type,
                devices::enabled,
                devices::custom_metadata,
            ))
            .get_result(&mut conn)
            .unwrap();
    assert_eq!((device_type.as_str(), enabled), ("sip_device", true));
    assert_eq!(metadata, serde_json::json!({}));

    // Foreign keys hold: deleting the account cascades to its users, devices and status rows
    // only after the child account (ON DELETE RESTRICT on parent_account_id) is gone.
    let blocked = diesel::delete(accounts::table.find(account.id)).execute(&mut conn);
    assert!(blocked.is_err(), "RESTRICT keeps a parent with children");
    diesel::delete(accounts::table.find(reseller_child.id))
        .execute(&mut conn)
        .unwrap();
    diesel::delete(accounts::table.find(account.id))
        .execute(&mut conn)
        .unwrap();
    let left: i64 = devices::table.count().get_result(&mut conn).unwrap();
    let left_status: i64 = device_status::table.count().get_result(&mut conn).unwrap();
    let left_users: i64 = users::table.count().get_result(&mut conn).unwrap();
    assert_eq!(
        (left, left_status, left_users),
        (0, 0, 0),
        "ON DELETE CASCADE"
    );
}

trait BelongingToAccount: Sized {
    fn belonging_to_account(conn: &mut PgConnection, account: Uuid) -> Vec<Self>;
}

impl BelongingToAccount for Device {
    fn belonging_to_account(conn: &mut PgConnection, account: Uuid) -> Vec<Self> {
        devices::table
            .filter(devices::account_id.eq(account))
            .select(Device::as_select())
            .load(conn)
            .unwrap()
    }
}
