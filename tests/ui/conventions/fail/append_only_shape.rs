// Append-only tables carry created_at or their event time, and no updated_at or deleted_at.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "audit", name = "events", global = "audit trail", append_only)]
pub struct Event {
    pub id: i64,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[schema_core::table(schema = "audit", name = "logins", global = "audit trail", append_only(time = logged_at))]
pub struct Login {
    pub id: i64,
    pub at: DateTime<Utc>,
}

schema_core::schema! { Event, Login }

fn main() {}
