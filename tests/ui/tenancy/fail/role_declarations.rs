// Policies name declared roles by kind; the tenant root lists what a tenant may update, and
// only the tenant root does.
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[schema_core::table(
    schema = "accounts",
    name = "accounts",
    tenant_root,
    append_only,
    tenant_updates(id, nmae)
)]
pub struct Account {
    pub id: Uuid,
    pub name: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(
    schema = "auth",
    name = "users",
    tenant,
    append_only,
    tenant_updates(email),
    policy(name = "users_sign_in", command = select, to(identiy), using = "true")
)]
pub struct User {
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub email: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Account, User }

fn main() {}
