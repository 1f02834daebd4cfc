// Exceptions state their reason in words.
use chrono::{DateTime, Utc};

#[schema_core::table(
    schema = "billing",
    name = "plans",
    global = " ",
    hard_delete = "",
    unique(code, all_rows = "")
)]
pub struct Plan {
    pub id: i64,
    pub code: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

schema_core::schema! { Plan }

fn main() {}
