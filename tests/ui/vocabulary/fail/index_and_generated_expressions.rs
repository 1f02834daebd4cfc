// Partial-index predicates and generated columns are checked like CHECK expressions; unique
// indexes must be btree; method names are known.
#[schema_core::table(
    schema = "voicemail",
    name = "messages",
    index(box_id, where = "deleted IS NULL"),
    index(payload, method = "gim"),
    unique_index(payload, method = "gin"),
    global = "ui case",
    append_only
)]
pub struct Message {
    #[column(primary_key)]
    pub id: i64,
    pub box_id: i64,
    pub payload: serde_json::Value,
    pub seconds: i32,
    #[column(generated = "second * 1000")]
    pub millis: i64,
    #[column(generated = "seconds * 1000", default = "0")]
    pub millis_again: i64,
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Message, Stat }

fn main() {}

#[schema_core::table(
    schema = "voicemail",
    name = "stats",
    primary_key(id, bucket),
    partition_by(list(bucket)),
    global = "ui case",
    append_only
)]
pub struct Stat {
    pub id: i64,
    pub seconds: i32,
    #[column(generated = "seconds / 60")]
    pub minutes: i32,
    #[column(generated = "minutes / 60")]
    pub hours: i32,
    #[column(generated = "seconds % 10")]
    pub bucket: i32,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}
