// Constraint names are per table: one name used twice fails at migrate, so it fails here.
#[schema_core::table(
    schema = "hostile",
    name = "t",
    global = "ui case",
    hard_delete = "ui case",
    check(name = "t_pkey", expr = "a <> ''"),
    unique(a, name = "t_a_check"),
    check(name = "t_a_check", expr = "char_length(a) < 10")
)]
pub struct T {
    #[column(primary_key, identity)]
    pub id: i64,
    pub a: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { T }

fn main() {}
