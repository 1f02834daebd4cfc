// Unique keys of a tenant table include account_id, or say why they span tenants.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "accounts", name = "accounts", tenant_root, append_only)]
pub struct Account {
    pub id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(
    schema = "devices",
    name = "devices",
    tenant,
    append_only,
    unique(sip_username),
    unique_index(mac_address, name = "devices_mac_key"),
    unique(serial_number, across_tenants = "serial numbers are printed by the vendor")
)]
pub struct Device {
    pub id: uuid::Uuid,
    #[column(references(Account))]
    pub account_id: uuid::Uuid,
    pub sip_username: String,
    pub mac_address: String,
    pub serial_number: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Account, Device }

fn main() {}
