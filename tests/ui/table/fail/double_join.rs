#[schema_core::table(schema = "auth", name = "users")]
pub struct User {
    #[column(primary_key)]
    pub id: i64,
}

#[schema_core::table(schema = "routing", name = "dial_plan_versions")]
pub struct DialPlanVersion {
    #[column(primary_key)]
    pub id: i64,
    #[column(references = User)]
    pub created_by: i64,
    #[column(references = User)]
    pub activated_by: Option<i64>,
}

schema_core::schema! { User, DialPlanVersion }

fn main() {}
