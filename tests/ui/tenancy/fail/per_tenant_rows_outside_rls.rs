// Every table holding per-tenant rows (a column `account_id`) is a tenant table under row-level
// security; rows without a tenant yet are said to be so, and only then.
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[schema_core::table(schema = "accounts", name = "accounts", tenant_root, append_only)]
pub struct Account {
    pub id: Uuid,
    // The root's rows are the tenants: an `account_id` here is a per-tenant row outside RLS.
    pub account_id: Option<Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

// A global table is read by every tenant.
#[schema_core::table(schema = "auth", name = "users", global = "sign-in", append_only)]
pub struct User {
    pub id: Uuid,
    pub account_id: Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

// `untenanted_rows` on a table whose every row has an account.
#[schema_core::table(
    schema = "audit",
    name = "requests",
    tenant,
    untenanted_rows = "requests before sign-in",
    append_only
)]
pub struct Request {
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

// `untenanted_rows` with no reason, and on a global table.
#[schema_core::table(schema = "audit", name = "logins", tenant, untenanted_rows = " ", append_only)]
pub struct Login {
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Option<Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(schema = "audit", name = "hosts", global = "x", untenanted_rows = "x", append_only)]
pub struct Host {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Account, User, Request, Login, Host }

fn main() {}
