//! PostgreSQL schema `auth`: users, their memberships in accounts, sessions and permissions.

use crate::accounts::Account;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use uuid::Uuid;

/// A person who signs in. `account_id` is the home account; access to further accounts goes
/// through [`UserAccount`].
#[schema_core::table(
    schema = "auth",
    name = "users",
    global = "people sign in before an account is chosen; their accounts come from users_to_accounts",
    unique_index(account_id, username, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 128)]
    pub username: String,
    #[column(varchar = 254, index)]
    pub email: String,
    #[column(varchar = 64)]
    pub first_name: Option<String>,
    #[column(varchar = 64)]
    pub last_name: Option<String>,
    #[column(default = "false")]
    pub mfa_enabled: bool,
    pub mfa_secret: Option<String>,
    pub last_login_ip: Option<IpNetwork>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// `users_to_accounts`: which users may act in which accounts, and as what.
#[schema_core::table(
    schema = "auth",
    name = "users_to_accounts",
    global = "read at sign-in, before an account is chosen, to list the user's accounts",
    hard_delete = "revoking access removes the membership; the audit log keeps the history",
    primary_key(account_id, user_id)
)]
#[derive(Debug, Clone, PartialEq)]
pub struct UserAccount {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(references(User, on_delete = cascade), index)]
    pub user_id: Uuid,
    #[column(varchar = 32, default = "'user'")]
    pub role: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// A signed-in session. Only a hash of the token is stored.
#[schema_core::table(
    schema = "auth",
    name = "sessions",
    global = "a session is looked up by its token before any account is chosen",
    hard_delete = "expired and revoked sessions are purged; login_history keeps the record",
    unique(token_hash),
    index(expires_at)
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(User, on_delete = cascade), index)]
    pub user_id: Uuid,
    #[column(varchar = 64)]
    pub token_hash: String,
    pub ip_address: Option<IpNetwork>,
    pub user_agent: Option<String>,
    pub expires_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// One grantable permission, e.g. `devices.write`.
#[schema_core::table(
    schema = "auth",
    name = "permissions",
    global = "the permission catalogue is defined by the platform, not per account",
    unique_index(code, where = "deleted_at IS NULL"),
    check(name = "permissions_code_check", expr = "code ~ '^[a-z_]+\\.[a-z_]+$'")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Permission {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(varchar = 64)]
    pub code: String,
    /// The logical group the permission is shown under (`devices`, `billing` …).
    #[column(varchar = 32)]
    pub group_name: String,
    pub description: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The group it belongs to, once groups were introduced.
    #[column(references(PermissionGroup, on_delete = set_null), index)]
    pub group_id: Option<i64>,
}

/// A logical grouping of permissions, as the permission screens show them.
#[schema_core::table(
    schema = "auth",
    name = "permission_groups",
    global = "the permission catalogue is defined by the platform, not per account",
    unique_index(code, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct PermissionGroup {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(varchar = 32)]
    pub code: String,
    #[column(varchar = 100)]
    pub display_name: String,
    #[column(default = "0")]
    pub sort_order: i16,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A named set of permissions an account defines for its users.
#[schema_core::table(
    schema = "auth",
    name = "roles",
    tenant,
    unique(account_id, id),
    unique_index(account_id, name, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
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

/// Which permissions a role grants.
#[schema_core::table(
    schema = "auth",
    name = "role_permissions",
    tenant,
    hard_delete = "removing a permission from a role is the change itself; audit_log keeps it",
    primary_key(account_id, role_id, permission_id),
    foreign_key(
        columns(account_id, role_id),
        references = Role,
        target_columns(account_id, id),
        on_delete = cascade
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct RolePermission {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub role_id: Uuid,
    #[column(references(Permission, on_delete = cascade), index)]
    pub permission_id: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// Permissions granted to a user directly in one account, outside any role.
#[schema_core::table(
    schema = "auth",
    name = "user_permissions",
    tenant,
    hard_delete = "revoking a grant removes it; audit_log keeps the history",
    primary_key(account_id, user_id, permission_id),
    check(
        name = "user_permissions_expiry_check",
        expr = "expires_at IS NULL OR expires_at > created_at"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct UserPermission {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(references(User, on_delete = cascade), index)]
    pub user_id: Uuid,
    #[column(references(Permission, on_delete = cascade), index)]
    pub permission_id: i64,
    pub expires_at: Option<DateTime<Utc>>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}
