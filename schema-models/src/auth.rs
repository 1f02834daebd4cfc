//! PostgreSQL schema `auth`: users, their memberships in accounts, sessions and permissions.

use crate::accounts::Account;
use chrono::{DateTime, Utc};
use ipnetwork::IpNetwork;
use uuid::Uuid;

/// A person who signs in. `account_id` is the home account; access to further accounts goes
/// through [`UserAccount`]. Sign-in reads a user by login before any account is chosen: the
/// identity role, with `app.sign_in_login` set to the login, sees that user and no other.
#[schema_core::table(
    schema = "auth",
    name = "users",
    tenant,
    unique_index(account_id, username, where = "deleted_at IS NULL"),
    unique(account_id, id),
    policy(
        name = "users_sign_in",
        command = select,
        to(identity),
        using = "deleted_at IS NULL AND (email = current_setting('app.sign_in_login', true) OR username = current_setting('app.sign_in_login', true))"
    )
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
    /// The TOTP seed: read by sign-in only.
    #[column(secret)]
    pub mfa_secret: Option<String>,
    pub last_login_ip: Option<IpNetwork>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    /// The password's hash (argon2id); NULL for users who sign in through SSO only. Read by
    /// sign-in only.
    #[column(secret)]
    pub password_hash: Option<String>,
}

/// `users_to_accounts`: which users may act in which accounts, and as what. Sign-in lists a
/// user's accounts before one is chosen: the identity role sees the memberships of the user
/// in `app.sign_in_user_id`.
#[schema_core::table(
    schema = "auth",
    name = "users_to_accounts",
    tenant,
    hard_delete = "revoking access removes the membership; the audit log keeps the history",
    primary_key(account_id, user_id),
    policy(
        name = "users_to_accounts_sign_in",
        command = select,
        to(identity),
        using = "user_id = nullif(current_setting('app.sign_in_user_id', true), '')::uuid"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct UserAccount {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(
        references(
            User,
            on_delete = cascade,
            across_tenants = "a membership lets a user whose home is another account act in this one"
        ),
        index
    )]
    pub user_id: Uuid,
    #[column(varchar = 32, default = "'user'")]
    pub role: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// A signed-in session of a user, under the user's home account. Only a hash of the token is
/// stored, and only sign-in reads it: the identity role finds the session whose hash is in
/// `app.session_token_hash`, creates sessions and ends them.
#[schema_core::table(
    schema = "auth",
    name = "sessions",
    index(account_id, user_id),
    tenant,
    hard_delete = "expired and revoked sessions are purged; login_history keeps the record",
    unique(
        token_hash,
        across_tenants = "a token is looked up before its account is known; it is a hash of 256 random bits"
    ),
    index(expires_at),
    foreign_key(
        columns(account_id, user_id),
        references = User,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    policy(
        name = "sessions_sign_in_read",
        command = select,
        to(identity),
        using = "token_hash = current_setting('app.session_token_hash', true)"
    ),
    policy(name = "sessions_sign_in_create", command = insert, to(identity), with_check = "true"),
    policy(
        name = "sessions_sign_in_end",
        command = delete,
        to(identity),
        using = "token_hash = current_setting('app.session_token_hash', true)"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(index)]
    pub user_id: Uuid,
    #[column(secret, varchar = 64)]
    pub token_hash: String,
    pub ip_address: Option<IpNetwork>,
    pub user_agent: Option<String>,
    pub expires_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    /// The user's home account: the tenant the session belongs to.
    #[column(
        references(Account, on_delete = cascade),
        backfill = "(SELECT u.account_id FROM auth.users u WHERE u.id = user_id)"
    )]
    pub account_id: Uuid,
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
    foreign_key(
        columns(account_id, user_id),
        references = User,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    check(
        name = "user_permissions_expiry_check",
        expr = "expires_at IS NULL OR expires_at > created_at"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct UserPermission {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(index)]
    pub user_id: Uuid,
    #[column(references(Permission, on_delete = cascade), index)]
    pub permission_id: i64,
    pub expires_at: Option<DateTime<Utc>>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}
