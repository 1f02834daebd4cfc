// `renamed_from`, `backfill` and `backfill_batch_size` are migration hints: each is checked
// where it is written.
#[schema_core::table(
    schema = "billing",
    name = "trunks",
    renamed_from = "Old Trunks",
    global = "ui case",
    append_only
)]
pub struct Trunk {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(renamed_from = "label")]
    pub label: String,
    #[column(backfill = "'none'")]
    pub region: Option<String>,
    #[column(backfill = "upper(regoin)")]
    pub code: String,
    #[column(backfill = "'x' ||")]
    pub note: String,
    #[column(backfill = "'a'", backfill_batch_size = 0)]
    pub zero_batch: String,
    #[column(backfill = "'a'", backfill_batch_size = 4294967296)]
    pub huge_batch: String,
    #[column(backfill_batch_size = 500)]
    pub batch_without_backfill: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Trunk }

fn main() {}
