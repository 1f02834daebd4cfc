// A reference between tenant tables carries account_id on both sides (checked at compile
// time, when the target is known to be a tenant table).
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "accounts", name = "accounts", tenant_root, append_only)]
pub struct Account {
    pub id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "devices", name = "devices", tenant, append_only, unique(account_id, id))]
pub struct Device {
    pub id: uuid::Uuid,
    #[column(references(Account))]
    pub account_id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(schema = "devices", name = "device_status", tenant, append_only)]
pub struct DeviceStatus {
    #[column(primary_key, references(Device))]
    pub device_id: uuid::Uuid,
    #[column(references(Account))]
    pub account_id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Account, Device, DeviceStatus }

fn main() {}
