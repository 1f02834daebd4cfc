//! PostgreSQL schema `telecom`: call detail records, dial plans, recordings, faxes, conferences,
//! queues and ring groups.

use crate::accounts::Account;
use crate::auth::User;
use crate::devices::Device;
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

/// Where a fax is in its delivery.
#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[pg_enum(schema = "telecom")]
pub enum FaxStatus {
    Queued,
    Sending,
    Delivered,
    Failed,
    Received,
}

/// How an account routes the numbers its users dial; its configuration is versioned.
#[schema_core::table(
    schema = "telecom",
    name = "dial_plans",
    tenant,
    unique(account_id, id),
    unique_index(account_id, name, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct DialPlan {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 64)]
    pub name: String,
    pub description: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One version of a dial plan's configuration; at most ten are kept, one is active.
#[schema_core::table(
    schema = "telecom",
    name = "dial_plan_versions",
    index(account_id, created_by),
    tenant,
    foreign_key(
        columns(account_id, created_by),
        references = User,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    hard_delete = "versions go with their dial plan; only ten are kept",
    foreign_key(
        columns(account_id, dial_plan_id),
        references = DialPlan,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    unique(account_id, dial_plan_id, version_number),
    unique_index(account_id, dial_plan_id, where = "is_active", name = "dial_plan_versions_one_active"),
    index(configuration, method = "gin"),
    check(name = "dial_plan_versions_version_check", expr = "version_number BETWEEN 1 AND 10")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct DialPlanVersion {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub dial_plan_id: Uuid,
    pub version_number: i32,
    /// Patterns and their destinations, e.g. `{"rules": [{"match": "^9", "strip": 1}]}`.
    pub configuration: serde_json::Value,
    #[column(default = "false")]
    pub is_active: bool,
    pub created_by: Option<Uuid>,
    pub activated_at: Option<DateTime<Utc>>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// A recording of a call, stored outside the database by key.
#[schema_core::table(
    schema = "telecom",
    name = "call_recordings",
    tenant,
    index(account_id, call_id),
    check(
        name = "call_recordings_duration_check",
        expr = "duration_seconds >= 0"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecording {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    /// The SIP Call-ID of the recorded call (its CDR is partitioned, so not a foreign key).
    #[column(varchar = 64)]
    pub call_id: String,
    #[column(varchar = 512)]
    pub storage_key: String,
    pub duration_seconds: i32,
    pub size_bytes: i64,
    #[column(varchar = 32, default = "'audio/wav'")]
    pub content_type: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A fax sent or received.
#[schema_core::table(
    schema = "telecom",
    name = "fax_documents",
    index(account_id),
    tenant,
    index(
        account_id,
        status,
        where = "deleted_at IS NULL",
        name = "fax_documents_status_idx"
    ),
    check(name = "fax_documents_pages_check", expr = "page_count >= 0"),
    check(
        name = "fax_documents_direction_check",
        expr = "direction IN ('inbound', 'outbound')"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct FaxDocument {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 10)]
    pub direction: String,
    #[column(varchar = 32)]
    pub remote_number: String,
    #[column(default = "'queued'")]
    pub status: FaxStatus,
    #[column(default = "0")]
    pub page_count: i32,
    #[column(varchar = 512)]
    pub storage_key: String,
    #[column(default = "0")]
    pub attempts: i16,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A conference bridge.
#[schema_core::table(
    schema = "telecom",
    name = "conferences",
    index(account_id),
    tenant,
    unique_index(account_id, extension, where = "deleted_at IS NULL"),
    check(
        name = "conferences_max_participants_check",
        expr = "max_participants BETWEEN 2 AND 500"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Conference {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 64)]
    pub name: String,
    #[column(varchar = 20)]
    pub extension: String,
    #[column(varchar = 128)]
    pub pin_hash: Option<String>,
    #[column(default = "25")]
    pub max_participants: i32,
    #[column(default = "false")]
    pub record: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A call queue: callers wait until a member answers.
#[schema_core::table(
    schema = "telecom",
    name = "call_queues",
    tenant,
    unique(account_id, id),
    unique_index(account_id, extension, where = "deleted_at IS NULL"),
    check(
        name = "call_queues_strategy_check",
        expr = "strategy IN ('ring_all', 'round_robin', 'longest_idle', 'fewest_calls')"
    ),
    check(name = "call_queues_max_wait_check", expr = "max_wait_seconds > 0")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct CallQueue {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 64)]
    pub name: String,
    #[column(varchar = 20)]
    pub extension: String,
    #[column(varchar = 20, default = "'round_robin'")]
    pub strategy: String,
    #[column(default = "300")]
    pub max_wait_seconds: i32,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A user taking calls from a queue.
#[schema_core::table(
    schema = "telecom",
    name = "queue_members",
    index(account_id, user_id),
    tenant,
    foreign_key(
        columns(account_id, user_id),
        references = User,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    hard_delete = "leaving a queue removes the membership",
    primary_key(account_id, queue_id, user_id),
    foreign_key(
        columns(account_id, queue_id),
        references = CallQueue,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    check(name = "queue_members_penalty_check", expr = "penalty BETWEEN 0 AND 10")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct QueueMember {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub queue_id: Uuid,
    #[column(index)]
    pub user_id: Uuid,
    #[column(default = "0")]
    pub penalty: i16,
    #[column(default = "false")]
    pub paused: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// A ring group: one extension ringing several devices.
#[schema_core::table(
    schema = "telecom",
    name = "ring_groups",
    tenant,
    unique(account_id, id),
    unique_index(account_id, extension, where = "deleted_at IS NULL"),
    check(
        name = "ring_groups_timeout_check",
        expr = "ring_timeout_seconds BETWEEN 5 AND 300"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct RingGroup {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 64)]
    pub name: String,
    #[column(varchar = 20)]
    pub extension: String,
    #[column(varchar = 20, default = "'simultaneous'")]
    pub strategy: String,
    #[column(default = "30")]
    pub ring_timeout_seconds: i32,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A device in a ring group, in ring order.
#[schema_core::table(
    schema = "telecom",
    name = "ring_group_members",
    index(account_id, device_id),
    tenant,
    hard_delete = "removing a device from a group is the change itself",
    primary_key(account_id, ring_group_id, device_id),
    foreign_key(
        columns(account_id, ring_group_id),
        references = RingGroup,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    foreign_key(
        columns(account_id, device_id),
        references = Device,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    check(name = "ring_group_members_position_check", expr = "position >= 0")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct RingGroupMember {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub ring_group_id: Uuid,
    pub device_id: Uuid,
    #[column(default = "0")]
    pub position: i16,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// Call state changes as the carrier's webhooks report them, deduplicated by event id.
#[schema_core::table(
    schema = "telecom",
    name = "call_events",
    tenant,
    append_only(time = received_at),
    unique(account_id, provider_event_id),
    index(account_id, call_id, occurred_at),
    index(payload, method = "gin")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct CallEvent {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 64)]
    pub provider_event_id: String,
    #[column(varchar = 64)]
    pub call_id: String,
    #[column(varchar = 32)]
    pub event_type: String,
    /// When it happened at the carrier; events may arrive out of order.
    pub occurred_at: DateTime<Utc>,
    pub payload: serde_json::Value,
    #[column(default = "now()")]
    pub received_at: DateTime<Utc>,
}

/// An extension users dial internally, pointing at a user's devices, a voicemail box or a
/// dial plan.
#[schema_core::table(
    schema = "telecom",
    name = "extensions",
    index(account_id, dial_plan_id),
    index(account_id, user_id),
    tenant,
    foreign_key(
        columns(account_id, user_id),
        references = User,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    unique_index(account_id, number, where = "deleted_at IS NULL"),
    foreign_key(
        columns(account_id, dial_plan_id),
        references = DialPlan,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    check(name = "extensions_number_check", expr = "number ~ '^[0-9]{2,8}$'")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Extension {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 8)]
    pub number: String,
    #[column(index)]
    pub user_id: Option<Uuid>,
    pub dial_plan_id: Option<Uuid>,
    #[column(varchar = 64)]
    pub caller_id_name: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
