// PostgreSQL arrays are declared one-dimensional.
#[schema_core::table(schema = "telecom", name = "trunks", global = "ui case", append_only)]
pub struct Trunk {
    pub id: i64,
    pub backup_codecs: Vec<Vec<String>>,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Trunk }

fn main() {}
