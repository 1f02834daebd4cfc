//! PostgreSQL schema `accounts`: customer accounts (tenants).

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A customer account: the tenant every other tenant table belongs to. Resellers own child
/// accounts through `parent_account_id`.
#[schema_core::table(
    schema = "accounts",
    name = "accounts",
    tenant_root,
    tenant_updates(name, settings),
    unique(account_number, all_rows = "billing account numbers are never reused"),
    unique_index(realm, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    /// Billing account number (BAN), assigned by the database.
    #[column(identity = "by_default")]
    pub account_number: i64,
    #[column(varchar = 128)]
    pub name: String,
    /// The SIP realm devices of this account register to.
    #[column(varchar = 253)]
    pub realm: String,
    #[column(varchar = 20, default = "'active'")]
    pub status: String,
    #[column(references(Account, on_delete = restrict), index)]
    pub parent_account_id: Option<Uuid>,
    #[column(default = "'{}'::jsonb")]
    pub settings: serde_json::Value,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A person to contact about an account (billing, technical, emergency).
#[schema_core::table(
    schema = "accounts",
    name = "account_contacts",
    index(account_id),
    tenant,
    unique_index(
        account_id,
        kind,
        where = "is_primary AND deleted_at IS NULL",
        name = "account_contacts_one_primary"
    ),
    check(
        name = "account_contacts_kind_check",
        expr = "kind IN ('billing', 'technical', 'emergency', 'general')"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct AccountContact {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 20)]
    pub kind: String,
    #[column(varchar = 128)]
    pub name: String,
    #[column(varchar = 254)]
    pub email: Option<String>,
    #[column(varchar = 32)]
    pub phone: Option<String>,
    #[column(default = "false")]
    pub is_primary: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One setting of an account, by key, with a JSON value.
#[schema_core::table(
    schema = "accounts",
    name = "account_settings",
    tenant,
    hard_delete = "a setting removed falls back to the platform default; audit_log keeps the history",
    primary_key(account_id, key),
    index(value, method = "gin")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct AccountSetting {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 64)]
    pub key: String,
    pub value: serde_json::Value,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}
