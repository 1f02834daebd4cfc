// A tenant reference (account_id, x) -> (account_id, y) gets joinable! only when y is the
// target's primary key.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "accounts", name = "accounts", tenant_root, append_only)]
pub struct Account {
    pub id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "devices", name = "devices", tenant, append_only, unique(account_id, serial))]
pub struct Device {
    pub id: uuid::Uuid,
    #[column(references(Account))]
    pub account_id: uuid::Uuid,
    pub serial: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(
    schema = "devices",
    name = "device_notes",
    tenant,
    append_only,
    foreign_key(columns(account_id, device_serial), references = Device, target_columns(account_id, serial))
)]
pub struct DeviceNote {
    pub id: uuid::Uuid,
    #[column(references(Account))]
    pub account_id: uuid::Uuid,
    pub device_serial: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Account, Device, DeviceNote }

fn main() {}
