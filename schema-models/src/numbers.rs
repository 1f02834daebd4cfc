//! PostgreSQL schema `numbers`: the DID / toll-free inventory and its assignment to accounts.

use crate::accounts::Account;
use chrono::{DateTime, Utc};
use schema_core::PgEnum;
use uuid::Uuid;

/// Where a number port stands.
#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[pg_enum(schema = "numbers")]
pub enum PortStatus {
    Draft,
    Submitted,
    FocReceived,
    Completed,
    Rejected,
    Cancelled,
}

/// Every number the platform owns, assigned or not.
#[schema_core::table(
    schema = "numbers",
    name = "number_inventory",
    global = "the platform's own inventory; a number belongs to an account only through number_assignments",
    unique_index(e164, where = "deleted_at IS NULL"),
    index(country_code, number_type),
    check(
        name = "number_inventory_e164_check",
        expr = "e164 ~ '^\\+[1-9][0-9]{6,14}$'"
    ),
    check(
        name = "number_inventory_type_check",
        expr = "number_type IN ('local', 'toll_free', 'mobile', 'national')"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct NumberInventory {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(varchar = 16)]
    pub e164: String,
    #[column(varchar = 2)]
    pub country_code: String,
    #[column(varchar = 16)]
    pub number_type: String,
    /// Capabilities and carrier data, e.g. `{"sms": true, "cnam": "ACME"}`.
    #[column(default = "'{}'::jsonb")]
    pub features: serde_json::Value,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A number assigned to an account (and where calls to it go).
#[schema_core::table(
    schema = "numbers",
    name = "number_assignments",
    index(number_id),
    tenant,
    unique_index(
        number_id,
        where = "released_at IS NULL AND deleted_at IS NULL",
        name = "number_assignments_one_holder",
        across_tenants = "a number is assigned to one account at a time, whichever it is"
    ),
    index(account_id)
)]
#[derive(Debug, Clone, PartialEq)]
pub struct NumberAssignment {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(references(NumberInventory, on_delete = restrict))]
    pub number_id: Uuid,
    /// Where calls go: an extension, a ring group, a queue, a dial plan.
    #[column(default = "'{}'::jsonb")]
    pub destination: serde_json::Value,
    #[column(default = "false")]
    pub e911_enabled: bool,
    #[column(default = "now()")]
    pub assigned_at: DateTime<Utc>,
    pub released_at: Option<DateTime<Utc>>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A request to port numbers in from (or out to) another carrier.
#[schema_core::table(
    schema = "numbers",
    name = "number_porting",
    index(account_id),
    tenant,
    index(
        account_id,
        status,
        where = "deleted_at IS NULL",
        name = "number_porting_open_idx"
    ),
    check(
        name = "number_porting_direction_check",
        expr = "direction IN ('port_in', 'port_out')"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct NumberPort {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 10)]
    pub direction: String,
    #[column(default = "'draft'")]
    pub status: PortStatus,
    pub numbers: Vec<String>,
    #[column(varchar = 64)]
    pub losing_carrier: Option<String>,
    pub foc_date: Option<chrono::NaiveDate>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
