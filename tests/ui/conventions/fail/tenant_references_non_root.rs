// account_id references the tenant root, not any table with a key of the right type.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "auth", name = "users", global = "people sign in first", append_only)]
pub struct User {
    pub id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(schema = "devices", name = "devices", tenant, append_only)]
pub struct Device {
    pub id: uuid::Uuid,
    #[column(references(User))]
    pub account_id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { User, Device }

fn main() {}
