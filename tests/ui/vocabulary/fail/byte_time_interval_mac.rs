// bytea, time, interval and macaddr columns: the Rust types that declare them, and defaults
// of the wrong kind refused at the attribute.
use chrono::NaiveTime;
use diesel::pg::data_types::PgInterval;

#[schema_core::table(
    schema = "vocabulary",
    name = "devices",
    global = "ui case",
    append_only
)]
pub struct Device {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "0")]
    pub firmware: Vec<u8>,
    #[column(default = "true")]
    pub opens_at: NaiveTime,
    #[column(default = "5")]
    pub lease: PgInterval,
    pub mac: [u8; 4],
    pub eui64: [i32; 6],
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Device }

fn main() {}
