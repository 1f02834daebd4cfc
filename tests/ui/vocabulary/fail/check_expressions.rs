// CHECK expressions are parsed at compile time; every column they name must be a field.
#[schema_core::table(
    schema = "dialplan",
    name = "plans",
    check(name = "plans_version_check", expr = "versoin BETWEEN 1 AND 10"),
    check = "published_version BETWEEN 1 AND",
    check = "plans.version > 0",
    check = "version IN (SELECT 1)",
    global = "ui case",
    append_only
)]
pub struct Plan {
    #[column(primary_key)]
    pub id: i64,
    pub version: i32,
    #[column(check = "published_version >= 1 AND publisehd_version <= 10")]
    pub published_version: Option<i32>,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Plan }

fn main() {}
