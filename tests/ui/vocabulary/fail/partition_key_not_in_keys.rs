// PostgreSQL enforces uniqueness per partition: keys and unique indexes of a partitioned table
// must include the partition key.
#[schema_core::table(
    schema = "telecom",
    name = "cdrs",
    partition_by(range(started_at)),
    unique(call_id),
    unique_index(carrier_id, call_id, name = "cdrs_account_call_key"),
    global = "ui case",
    append_only
)]
pub struct Cdr {
    #[column(primary_key)]
    pub id: i64,
    pub carrier_id: uuid::Uuid,
    pub call_id: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Cdr }

fn main() {}
