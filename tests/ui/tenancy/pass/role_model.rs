// The role model's vocabulary: declared role names, a tenant root with the columns a tenant
// may update, a secret column, a tenant table whose rows may have no tenant yet with a policy
// for the role that reaches them, and a tenant reference whose SET NULL keeps `account_id`.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use uuid::Uuid;

#[schema_core::table(
    schema = "accounts",
    name = "accounts",
    tenant_root,
    hard_delete = "ui case",
    tenant_updates(name)
)]
pub struct Account {
    pub id: Uuid,
    pub name: String,
    pub status: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

#[schema_core::table(
    schema = "auth",
    name = "users",
    tenant,
    hard_delete = "ui case",
    unique(account_id, id),
    policy(
        name = "users_sign_in",
        command = select,
        to(identity),
        using = "email = current_setting('app.sign_in_login', true)"
    )
)]
pub struct User {
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub email: String,
    #[column(secret)]
    pub password_hash: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

#[schema_core::table(
    schema = "devices",
    name = "devices",
    tenant,
    hard_delete = "ui case",
    foreign_key(
        columns(account_id, owner_user_id),
        references = User,
        target_columns(account_id, id),
        on_delete = set_null
    )
)]
pub struct Device {
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub owner_user_id: Option<Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

#[schema_core::table(
    schema = "audit",
    name = "requests",
    tenant,
    untenanted_rows = "requests are logged before sign-in",
    append_only,
    policy(
        name = "requests_unauthenticated",
        command = all,
        to(identity),
        using = "account_id IS NULL",
        with_check = "account_id IS NULL"
    )
)]
pub struct Request {
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Option<Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! {
    roles(app = "pbx_app", identity = "pbx_identity");
    Account,
    User,
    Device,
    Request,
}

fn main() {
    let schema = schema().unwrap();
    let names: Vec<&str> = schema.roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        ["pbx_app", "pbx_identity", "platform_provisioning", "platform_monitor"]
    );
    let devices = schema
        .tables
        .iter()
        .find(|t| t.name == "devices")
        .unwrap();
    assert_eq!(devices.foreign_keys[1].on_delete_columns, ["owner_user_id"]);
    let users = schema.tables.iter().find(|t| t.name == "users").unwrap();
    let sign_in = &users.row_security.as_ref().unwrap().policies[0];
    assert_eq!(sign_in.roles, ["pbx_identity"]);
}
