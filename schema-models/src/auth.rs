//! PostgreSQL schema `auth`: users and their memberships in accounts.

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
