#[schema_core::table(schema = "devices", name = "device_tags", global = "ui case", append_only)]
pub struct DeviceTag {
    #[column(primary_key)]
    pub id: i64,
    pub tags: std::collections::HashMap<String, String>,
    pub at: chrono::DateTime<chrono::Local>,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { DeviceTag }

fn main() {}
