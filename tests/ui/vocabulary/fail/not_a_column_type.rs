// A field type the DSL does not know is taken for an enum; without `#[derive(PgEnum)]` the
// compiler says what a column type can be.
pub struct Codec;

#[schema_core::table(schema = "telecom", name = "trunks", global = "ui case", append_only)]
pub struct Trunk {
    pub id: i64,
    pub codec: Codec,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Trunk }

fn main() {}
