// Names PostgreSQL refuses are compile errors where they are written.
#[derive(schema_core::PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[pg_enum(schema = "pg_hostile")]
pub enum Mood {
    #[pg_enum(rename = "ha\0ppy")]
    Happy,
}

#[doc = "A comment with a NUL: \0."]
#[schema_core::table(schema = "pg_catalogue", name = "moods", global = "ui case", hard_delete = "ui case")]
pub struct MoodRow {
    #[column(primary_key, identity)]
    pub id: i64,
    pub mood: Mood,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { MoodRow }

fn main() {}
