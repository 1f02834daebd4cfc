// account_id has the type of the accounts table's key (checked across structs).
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "accounts", name = "accounts", tenant_root, append_only)]
pub struct Account {
    pub id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "devices", name = "devices", tenant, append_only)]
pub struct Device {
    pub id: uuid::Uuid,
    #[column(references(Account))]
    pub account_id: i32,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Account, Device }

fn main() {}
