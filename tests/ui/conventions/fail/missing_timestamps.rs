// Mutable tables carry created_at and updated_at.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "billing", name = "plans", global = "the plan catalogue")]
pub struct Plan {
    pub id: i64,
    pub deleted_at: Option<DateTime<Utc>>,
}

schema_core::schema! { Plan }

fn main() {}
