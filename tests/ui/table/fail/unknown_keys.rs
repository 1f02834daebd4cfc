#[schema_core::table(schema = "accounts", name = "accounts", primry_key(id), global = "ui case", append_only)]
pub struct Account {
    #[column(primary_key, defualt = "gen_random_uuid()")]
    pub id: uuid::Uuid,
    #[column(varchar = 10, nullable)]
    pub name: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Account }

fn main() {}
