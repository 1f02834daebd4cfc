pub struct NotATable;

#[schema_core::table(schema = "devices", name = "devices", global = "ui case", append_only)]
pub struct Device {
    #[column(primary_key)]
    pub id: i64,
    #[column(references(NotATable, no_join))]
    pub owner_id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Device }

fn main() {}
