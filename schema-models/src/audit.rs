//! PostgreSQL schema `audit`: what changed, which API calls were made, who signed in. Every
//! table is append-only; the two busy logs are partitioned by month, so old months are
//! detached and archived whole.

use crate::accounts::Account;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use uuid::Uuid;

/// A change to an account's data: which row, what it was, what it became.
#[schema_core::table(
    schema = "audit",
    name = "audit_log",
    tenant,
    append_only,
    primary_key(id, created_at),
    partition_by(range(created_at)),
    monthly_partitions(from = "2026-01", months = 18),
    partition(name = "audit_log_default", default),
    index(account_id, table_name, row_id, name = "audit_log_row_idx"),
    index(created_at, method = "brin"),
    check(
        name = "audit_log_operation_check",
        expr = "operation IN ('INSERT', 'UPDATE', 'DELETE')"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct AuditLog {
    #[column(serial)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    /// Who made the change. Kept without a foreign key, for audit retention: the entry outlives
    /// the user (and an append-only row cannot be set to NULL).
    pub actor_user_id: Option<Uuid>,
    #[column(varchar = 128)]
    pub table_name: String,
    #[column(varchar = 64)]
    pub row_id: String,
    #[column(varchar = 6)]
    pub operation: String,
    pub old_values: Option<serde_json::Value>,
    pub new_values: Option<serde_json::Value>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

/// Every API request: who, what, how it went. Requests before authentication have no account:
/// the identity role logs and reads those, and nothing else.
#[schema_core::table(
    schema = "audit",
    name = "api_audit_log",
    tenant,
    untenanted_rows = "requests are logged before (and whether or not) an account is known",
    append_only,
    policy(
        name = "api_audit_log_unauthenticated",
        command = all,
        to(identity),
        using = "account_id IS NULL",
        with_check = "account_id IS NULL"
    ),
    primary_key(id, created_at),
    partition_by(range(created_at)),
    monthly_partitions(from = "2026-01", months = 18),
    partition(name = "api_audit_log_default", default),
    index(
        account_id,
        created_at(desc),
        name = "api_audit_log_account_recent_idx"
    ),
    index(created_at, method = "brin"),
    index(
        endpoint,
        created_at,
        where = "response_code >= 500",
        name = "api_audit_log_errors_idx"
    ),
    check(
        name = "api_audit_log_method_check",
        expr = "method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS')"
    ),
    check(
        name = "api_audit_log_response_time_check",
        expr = "response_time_ms IS NULL OR response_time_ms >= 0"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct ApiAuditLog {
    #[column(serial)]
    pub id: i64,
    pub request_id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Option<Uuid>,
    #[column(varchar = 255)]
    pub endpoint: String,
    #[column(varchar = 10)]
    pub method: String,
    pub request_payload: Option<serde_json::Value>,
    pub response_code: Option<i32>,
    pub response_time_ms: Option<i32>,
    pub ip_address: Option<IpNetwork>,
    pub user_agent: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

/// Sign-in attempts, successful or not. The identity role records them (for any account: it
/// signs users in) and reads the ones that belong to no account; an account reads its own.
#[schema_core::table(
    schema = "audit",
    name = "login_history",
    index(account_id),
    tenant,
    untenanted_rows = "attempts are recorded before an account is chosen, failed ones without a user",
    append_only,
    policy(name = "login_history_sign_in_record", command = insert, to(identity), with_check = "true"),
    policy(
        name = "login_history_sign_in_read",
        command = select,
        to(identity),
        using = "account_id IS NULL"
    ),
    index(user_id, created_at(desc)),
    index(
        ip_address,
        created_at,
        where = "NOT succeeded",
        name = "login_history_failures_idx"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct LoginHistory {
    #[column(primary_key, identity)]
    pub id: i64,
    /// Kept without a foreign key, for audit retention: the record outlives the user.
    pub user_id: Option<Uuid>,
    #[column(varchar = 254)]
    pub username: String,
    pub succeeded: bool,
    #[column(varchar = 64)]
    pub failure_reason: Option<String>,
    pub ip_address: IpNetwork,
    pub user_agent: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    /// The user's home account, once the attempt names a user.
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Option<Uuid>,
}
