// Names are unique in their PostgreSQL schema across every table of the crate.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "billing", name = "plans", global = "catalogue", append_only, index(code, name = "billing_code_idx"))]
pub struct Plan {
    pub id: i64,
    pub code: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(schema = "billing", name = "prices", global = "catalogue", append_only, index(code, name = "billing_code_idx"))]
pub struct Price {
    pub id: i64,
    pub code: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Plan, Price }

fn main() {}
