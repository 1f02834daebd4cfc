// Mutable tables soft-delete through deleted_at, or say why rows are really deleted.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "billing", name = "plans", global = "the plan catalogue")]
pub struct Plan {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

#[schema_core::table(schema = "billing", name = "prices", global = "the plan catalogue", hard_delete = "prices are replaced")]
pub struct Price {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[schema_core::table(schema = "billing", name = "charges", global = "ledger", append_only, hard_delete = "retention")]
pub struct Charge {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! { Plan, Price, Charge }

fn main() {}
