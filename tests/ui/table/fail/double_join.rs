#[schema_core::table(schema = "auth", name = "users", global = "ui case", append_only)]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "routing", name = "dial_plan_versions", global = "ui case", append_only)]
pub struct DialPlanVersion {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = User)]
    pub created_by: i64,
    #[column(references = User)]
    pub activated_by: Option<i64>,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { User, DialPlanVersion }

fn main() {}
