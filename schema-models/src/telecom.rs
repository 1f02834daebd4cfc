//! PostgreSQL schema `telecom`: call detail records.

use crate::accounts::Account;
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use schema_core::PgEnum;
use uuid::Uuid;

/// How a call ended.
#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[pg_enum(schema = "telecom", name = "call_disposition")]
pub enum CallDisposition {
    Answered,
    Busy,
    NoAnswer,
    Failed,
    Cancelled,
}

/// Which way a call went, seen from the account.
#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[pg_enum(schema = "telecom")]
pub enum CallDirection {
    Inbound,
    Outbound,
    Internal,
}

/// One call, partitioned by month of `started_at` (queries filter on time; old months are
/// detached and archived whole). Rows outside the declared months land in the default
/// partition until maintenance creates theirs.
#[schema_core::table(
    schema = "telecom",
    name = "call_detail_records",
    tenant,
    append_only,
    primary_key(id, started_at),
    partition_by(range(started_at)),
    monthly_partitions(from = "2026-01", months = 18),
    partition(name = "call_detail_records_default", default),
    index(started_at, method = "brin", name = "call_detail_records_started_brin"),
    index(
        account_id,
        started_at(desc),
        name = "call_detail_records_account_recent_idx"
    ),
    unique_index(
        account_id,
        call_id,
        started_at,
        name = "call_detail_records_call_id_key"
    ),
    check(
        name = "call_detail_records_time_order_check",
        expr = "ended_at IS NULL OR ended_at >= started_at"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct CallDetailRecord {
    #[column(serial)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    /// The SIP Call-ID.
    #[column(varchar = 64)]
    pub call_id: String,
    pub direction: CallDirection,
    #[column(varchar = 32)]
    pub caller_number: Option<String>,
    #[column(varchar = 32)]
    pub callee_number: Option<String>,
    pub started_at: DateTime<Utc>,
    pub answered_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Seconds from start to end, computed by PostgreSQL.
    #[column(
        generated = "CASE WHEN ended_at IS NULL THEN NULL ELSE extract(epoch FROM ended_at - started_at)::integer END"
    )]
    pub duration_seconds: Option<i32>,
    pub disposition: Option<CallDisposition>,
    pub source_ip: Option<IpNetwork>,
    /// The carrier network the call arrived from.
    #[column(cidr)]
    pub carrier_network: Option<IpNetwork>,
    /// Codecs negotiated, in order.
    #[column(varchar = 16, default = "'{}'")]
    pub codecs: Vec<String>,
    #[column(numeric(10, 4))]
    pub cost: Option<BigDecimal>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}
