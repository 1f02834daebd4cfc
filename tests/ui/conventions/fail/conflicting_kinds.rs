// A table is tenant, global or the tenant root: one of them.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "billing", name = "plans", tenant, global = "catalogue", append_only)]
pub struct Plan {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Plan }

fn main() {}
