// A foreign key column has the referenced key's type (checked across structs).
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "billing", name = "plans", global = "catalogue", append_only)]
pub struct Plan {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(schema = "billing", name = "prices", global = "catalogue", append_only)]
pub struct Price {
    pub id: i64,
    #[column(references(Plan))]
    pub plan_id: i32,
    #[column(references(Plan, no_join))]
    pub replaced_plan_id: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Plan, Price }

fn main() {}
