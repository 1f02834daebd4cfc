#[schema_core::table(schema = "routing", name = "dial_plans", global = "ui case", append_only)]
pub struct DialPlan {
    #[column(primary_key)]
    pub id: i64,
    pub carrier_id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(
    schema = "routing",
    name = "dial_plan_versions",
    primary_key(dial_plan_id, version_numbr),
    unique(carrier_id, dial_plan_id),
    foreign_key(columns(carrier_id, dial_plan_id), referencs = DialPlan, on_delete = cascade),
    global = "ui case",
    append_only
)]
pub struct DialPlanVersion {
    #[column(primary_key)]
    pub dial_plan_id: i64,
    pub version_number: i32,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { DialPlan, DialPlanVersion }

fn main() {}
