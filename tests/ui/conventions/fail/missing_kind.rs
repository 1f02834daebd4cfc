// Every table says what it is: forgetting is an error.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "billing", name = "plans", append_only)]
pub struct Plan {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Plan }

fn main() {}
