#[schema_core::table(schema = "devices", name = "device_tags")]
pub struct DeviceTag {
    #[column(primary_key)]
    pub id: i64,
    pub tags: std::collections::HashMap<String, String>,
    pub at: chrono::DateTime<chrono::Local>,
}

schema_core::schema! { DeviceTag }

fn main() {}
