// A tenant table's account_id is NOT NULL and references the accounts table.
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
    pub account_id: Option<uuid::Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(schema = "devices", name = "phones", tenant, append_only)]
pub struct Phone {
    pub id: uuid::Uuid,
    pub account_id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Account, Device, Phone }

fn main() {}
