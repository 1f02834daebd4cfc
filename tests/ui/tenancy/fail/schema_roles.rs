// `schema!` names the roles: plain lower-case identifiers, each kind once.
use chrono::{DateTime, Utc};

#[schema_core::table(schema = "billing", name = "plans", global = "ui case", append_only)]
pub struct Plan {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

schema_core::schema! {
    roles(app = "Platform App\"; DROP ROLE x; --", monitr = "ops", identity = "pg_signin");
    Plan
}

fn main() {}
