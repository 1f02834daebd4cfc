// Unknown keys get a suggestion; duplicate and conflicting keys are errors.
use chrono::{DateTime, Utc};

#[schema_core::table(
    schema = "billing",
    name = "plans",
    global = "catalogue",
    globl = "typo",
    append_onyl,
    schema = "billing"
)]
pub struct Plan {
    #[column(primary_key, primary_key)]
    pub id: i64,
    #[column(default = "now()", defualt = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(identity, serial)]
    pub seq: i64,
}

schema_core::schema! { Plan }

fn main() {}
