// `renamed_from` and `backfill` are migration hints: each is checked where it is written.
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
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Trunk }

fn main() {}
