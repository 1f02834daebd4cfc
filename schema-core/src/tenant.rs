//! Tenant-scoped work: the way services touch tenant tables.
//!
//! Every tenant table has row-level security keyed on the transaction setting
//! `app.current_account_id`. [`with_tenant`] opens a transaction, sets it with
//! `set_config('app.current_account_id', $1, true)` — a bound parameter, so no account id is
//! ever spliced into SQL, and `true` (transaction-local), so it ends with the transaction and
//! is safe behind a transaction-pooling proxy such as PgBouncer — and runs the closure in it.
//! Outside such a transaction the setting is unset and, for the application role, every tenant
//! table is empty.
//!
//! A *session-level* setting (`SET app.current_account_id = …`, or `set_config(…, false)`)
//! outlives its transaction and, on a pooled connection, reaches the next client's queries.
//! [`with_tenant`] refuses to run on a connection that has one: it is a bug or an attack, and
//! the pool must reset connections between clients (`DISCARD ALL`, PgBouncer's
//! `server_reset_query`).

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sql_types::Text;
use diesel::RunQueryDsl;

/// The setting, named once for the macros' policies and this module.
pub use schema_rules::tenant::SETTING;

/// Runs `work` in a transaction scoped to `account_id`; commits when it returns `Ok`, rolls back
/// on `Err` (or panic). Nested calls are savepoints of the same transaction and must use the
/// same account (a different one is refused: it would re-scope the outer transaction).
pub fn with_tenant<T, E, F>(
    conn: &mut PgConnection,
    account_id: impl std::fmt::Display,
    work: F,
) -> Result<T, E>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    with_tenant_in(conn, SETTING, account_id, work)
}

/// [`with_tenant`] for a crate that configured its own tenant setting: pass the crate's
/// `TENANT_SETTING` (which `schema!` emits), e.g.
/// `with_tenant_in(conn, my_models::TENANT_SETTING, org_id, |conn| ...)`.
pub fn with_tenant_in<T, E, F>(
    conn: &mut PgConnection,
    setting: &str,
    tenant_id: impl std::fmt::Display,
    work: F,
) -> Result<T, E>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let account = tenant_id.to_string();
    // Only a nested scope can already have a tenant: the outermost one costs no extra query.
    let nested = AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some();
    conn.transaction(|conn| {
        if nested {
            if let Some(current) = current_tenant_in(conn, setting)?.filter(|c| !c.is_empty()) {
                if current != account {
                    return Err(E::from(diesel::result::Error::QueryBuilderError(
                        format!("with_tenant({account}) inside a transaction scoped to {current}")
                            .into(),
                    )));
                }
            }
            set_local(conn, setting, &account)?;
        } else {
            // At the start of a transaction any tenant set is a session-level one. One round
            // trip: CASE evaluates the check before the `set_config` it guards.
            let set: Setting = diesel::sql_query(
                "SELECT CASE WHEN coalesce(current_setting($1, true), '') = '' \
                 THEN set_config($1, $2, true) END AS value",
            )
            .bind::<Text, _>(setting)
            .bind::<Text, _>(&account)
            .get_result(conn)?;
            if set.value.is_none() {
                return Err(E::from(diesel::result::Error::QueryBuilderError(
                    format!(
                        "with_tenant: this connection has a session-level {setting} \
                         (set with SET or set_config(..., false)), which would outlive the \
                         transaction; refusing to run. Reset pooled connections between clients \
                         (DISCARD ALL, or PgBouncer's server_reset_query), and set the tenant only \
                         through with_tenant"
                    )
                    .into(),
                )));
            }
        }
        work(conn)
    })
}

#[derive(diesel::QueryableByName)]
struct Setting {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    value: Option<String>,
}

fn set_local(conn: &mut PgConnection, setting: &str, account: &str) -> diesel::QueryResult<()> {
    diesel::sql_query("SELECT set_config($1, $2, true)")
        .bind::<Text, _>(setting)
        .bind::<Text, _>(account)
        .execute(conn)
        .map(drop)
}

/// The tenant the current transaction is scoped to, if any.
pub fn current_tenant(conn: &mut PgConnection) -> diesel::QueryResult<Option<String>> {
    current_tenant_in(conn, SETTING)
}

/// [`current_tenant`] for a configured setting.
pub fn current_tenant_in(
    conn: &mut PgConnection,
    setting: &str,
) -> diesel::QueryResult<Option<String>> {
    Ok(
        diesel::sql_query("SELECT current_setting($1, true) AS value")
            .bind::<Text, _>(setting)
            .get_result::<Setting>(conn)?
            .value,
    )
}
