//! Provisions an account, a user and a SIP device with typed Diesel queries, then lists the
//! account's devices with their owners through the generated joins.
//!
//! `cargo run -p schema-examples` — on `$DATABASE_URL` (after `cargo schema migrate`), or on a
//! throwaway PostgreSQL with the migrations applied when it is unset.

use diesel::prelude::*;
use schema_models::accounts::{accounts, Account};
use schema_models::auth::{users, User};
use schema_models::devices::{devices, NewDevice};
use uuid::Uuid;

mod throwaway;

fn main() -> Result<(), throwaway::Error> {
    let (url, cluster) = throwaway::database(|_| Ok(()))?;
    let mut conn = PgConnection::establish(&url)?;
    let account: Account = diesel::insert_into(accounts::table)
        .values((
            accounts::name.eq("Example Telecom"),
            accounts::realm.eq(format!("{}.sip.example.net", Uuid::new_v4().simple())),
        ))
        .returning(Account::as_returning())
        .get_result(&mut conn)?;
    let user: User = diesel::insert_into(users::table)
        .values((
            users::account_id.eq(account.id),
            users::username.eq("operator"),
            users::email.eq("operator@example.net"),
        ))
        .returning(User::as_returning())
        .get_result(&mut conn)?;
    // `NewDevice` leaves out what the database fills: `None` inserts the column's default
    // (`gen_random_uuid()`, `'sip_device'`, `'{}'`, `true`, `now()`).
    diesel::insert_into(devices::table)
        .values(&NewDevice {
            id: None,
            account_id: account.id,
            owner_user_id: Some(user.id),
            name: "Reception phone".into(),
            device_type: None,
            mac_address: Some("00:15:65:aa:bb:cc".into()),
            sip_username: "reception".into(),
            custom_metadata: Some(serde_json::json!({"model": "T46U"})),
            enabled: None,
            created_at: None,
            updated_at: None,
            deleted_at: None,
        })
        .execute(&mut conn)?;

    let listed: Vec<(String, String, Option<String>)> = devices::table
        .inner_join(accounts::table)
        .left_join(users::table.on(devices::owner_user_id.eq(users::id.nullable())))
        .filter(devices::account_id.eq(account.id))
        .filter(devices::deleted_at.is_null())
        .select((accounts::name, devices::name, users::username.nullable()))
        .load(&mut conn)?;
    for (account, device, owner) in listed {
        println!(
            "{account}: {device} (owner: {})",
            owner.as_deref().unwrap_or("none")
        );
    }
    drop(conn);
    drop(cluster);
    Ok(())
}
