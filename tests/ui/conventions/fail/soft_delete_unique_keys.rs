// On a soft-delete table, unique keys cover live rows only (WHERE deleted_at IS NULL).
use chrono::{DateTime, Utc};

#[schema_core::table(
    schema = "auth",
    name = "users",
    global = "people sign in first",
    unique(email),
    unique_index(username),
    unique_index(phone, where = "deleted_at IS NOT NULL"),
    unique_index(login, where = "deleted_at IS NULL AND login <> ''"),
    unique(id, email)
)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub username: String,
    pub phone: String,
    pub login: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

schema_core::schema! { User }

fn main() {}
