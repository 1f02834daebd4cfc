// created_at / updated_at are DateTime<Utc>, NOT NULL, defaulting to now().
use chrono::{DateTime, NaiveDateTime, Utc};

#[schema_core::table(schema = "billing", name = "plans", global = "the plan catalogue")]
pub struct Plan {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: NaiveDateTime,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

#[schema_core::table(schema = "billing", name = "prices", global = "the plan catalogue")]
pub struct Price {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: Option<DateTime<Utc>>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: DateTime<Utc>,
}

schema_core::schema! { Plan, Price }

fn main() {}
