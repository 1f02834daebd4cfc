//! PostgreSQL schema `devices`: SIP devices and their live status.

use crate::accounts::Account;
use crate::auth::User;
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use uuid::Uuid;

/// A provisioned SIP device (desk phone, softphone, ATA).
#[schema_core::table(
    schema = "devices",
    name = "devices",
    tenant,
    unique_index(account_id, sip_username, where = "deleted_at IS NULL"),
    unique_index(account_id, mac_address, where = "deleted_at IS NULL"),
    unique(account_id, id, name = "devices_account_id_id_key")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(references(User, on_delete = set_null), index)]
    pub owner_user_id: Option<Uuid>,
    #[column(varchar = 128)]
    pub name: String,
    #[column(varchar = 32, default = "'sip_device'")]
    pub device_type: String,
    #[column(varchar = 17)]
    pub mac_address: Option<String>,
    #[column(varchar = 64)]
    pub sip_username: String,
    #[column(default = "'{}'::jsonb")]
    pub custom_metadata: serde_json::Value,
    #[column(default = "true")]
    pub enabled: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The current state of one device, one row per device (history lives in device events).
#[schema_core::table(
    schema = "devices",
    name = "device_status",
    tenant,
    hard_delete = "one row per device, deleted with the device",
    foreign_key(
        columns(account_id, device_id),
        references = Device,
        target_columns(account_id, id),
        on_delete = cascade
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceStatus {
    #[column(primary_key)]
    pub device_id: Uuid,
    #[column(references(Account, on_delete = cascade), index)]
    pub account_id: Uuid,
    #[column(varchar = 20, default = "'unknown'")]
    pub status: String,
    pub last_seen: Option<DateTime<Utc>>,
    pub last_ip_address: Option<IpNetwork>,
    #[column(varchar = 20)]
    pub registration_status: Option<String>,
    pub uptime_seconds: Option<i64>,
    #[column(varchar = 50)]
    pub firmware_version: Option<String>,
    #[column(numeric(3, 2), default = "1.00")]
    pub health_score: Option<BigDecimal>,
    pub last_diagnostic_run: Option<DateTime<Utc>>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}
