//! PostgreSQL schema `accounts`: customer accounts (tenants).

use chrono::{DateTime, Utc};
use uuid::Uuid;

/// A customer account: the tenant every other tenant table belongs to. Resellers own child
/// accounts through `parent_account_id`.
#[schema_core::table(
    schema = "accounts",
    name = "accounts",
    tenant_root,
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
