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
    index(account_id, owner_user_id),
    tenant,
    foreign_key(
        columns(account_id, owner_user_id),
        references = User,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    unique_index(account_id, sip_username, where = "deleted_at IS NULL"),
    unique_index(account_id, mac_address, where = "deleted_at IS NULL"),
    unique(account_id, id, name = "devices_account_id_id_key"),
    index(
        account_id,
        device_type,
        where = "deleted_at IS NULL",
        name = "devices_type_idx"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Device {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(index)]
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
    index(account_id, device_id),
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

/// How urgent a device alert is.
#[derive(schema_core::PgEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[pg_enum(schema = "devices")]
pub enum AlertSeverity {
    Info,
    Warning,
    Critical,
}

/// What happened to a device, as it happened: registrations, reboots, provisioning.
#[schema_core::table(
    schema = "devices",
    name = "device_events",
    index(account_id, device_id),
    tenant,
    append_only(time = occurred_at),
    foreign_key(
        columns(account_id, device_id),
        references = Device,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    index(device_id, occurred_at(desc)),
    index(occurred_at, method = "brin"),
    index(event_data, method = "gin")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceEvent {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub device_id: Uuid,
    #[column(varchar = 50)]
    pub event_type: String,
    #[column(default = "'{}'::jsonb")]
    pub event_data: serde_json::Value,
    pub source_ip: Option<IpNetwork>,
    #[column(default = "now()")]
    pub occurred_at: DateTime<Utc>,
}

/// The result of one diagnostic run on a device.
#[schema_core::table(
    schema = "devices",
    name = "device_diagnostics",
    index(account_id, device_id),
    tenant,
    append_only(time = executed_at),
    foreign_key(
        columns(account_id, device_id),
        references = Device,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    index(device_id, executed_at(desc))
)]
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceDiagnostic {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub device_id: Uuid,
    #[column(varchar = 50)]
    pub diagnostic_type: String,
    pub result_code: i32,
    pub result_data: Option<serde_json::Value>,
    #[column(default = "now()")]
    pub executed_at: DateTime<Utc>,
}

/// A threshold crossed by a device, open until acknowledged and resolved.
#[schema_core::table(
    schema = "devices",
    name = "device_alerts",
    index(account_id, device_id),
    tenant,
    foreign_key(
        columns(account_id, device_id),
        references = Device,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    index(account_id, severity, where = "resolved_at IS NULL AND deleted_at IS NULL", name = "device_alerts_open_idx"),
    check(name = "device_alerts_resolution_check", expr = "resolved_at IS NULL OR resolved_at >= raised_at")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceAlert {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub device_id: Uuid,
    pub severity: AlertSeverity,
    #[column(varchar = 50)]
    pub alert_type: String,
    pub message: String,
    #[column(default = "now()")]
    pub raised_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Free-form labels on devices, for grouping and search.
#[schema_core::table(
    schema = "devices",
    name = "device_tags",
    tenant,
    hard_delete = "removing a tag is the change itself",
    primary_key(account_id, device_id, tag),
    foreign_key(
        columns(account_id, device_id),
        references = Device,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    index(account_id, tag)
)]
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceTag {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub device_id: Uuid,
    #[column(varchar = 64)]
    pub tag: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// A firmware release a device model can run.
#[schema_core::table(
    schema = "devices",
    name = "firmware_versions",
    global = "vendors' firmware releases are the same for every account",
    unique_index(model, version, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct FirmwareVersion {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(varchar = 64)]
    pub model: String,
    #[column(varchar = 50)]
    pub version: String,
    #[column(varchar = 512)]
    pub download_url: String,
    #[column(varchar = 64)]
    pub sha256: String,
    pub released_on: chrono::NaiveDate,
    #[column(default = "false")]
    pub is_recommended: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A device's provisioning configuration, versioned; the highest version is served.
#[schema_core::table(
    schema = "devices",
    name = "device_configurations",
    index(firmware_id),
    tenant,
    hard_delete = "configurations go with their device",
    foreign_key(
        columns(account_id, device_id),
        references = Device,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    unique(account_id, device_id, version),
    index(settings, method = "gin"),
    check(name = "device_configurations_version_check", expr = "version >= 1")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceConfiguration {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub device_id: Uuid,
    pub version: i32,
    #[column(references(FirmwareVersion, on_delete = set_null))]
    pub firmware_id: Option<i64>,
    /// Provisioning settings (lines, codecs, BLF keys …).
    pub settings: serde_json::Value,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}
