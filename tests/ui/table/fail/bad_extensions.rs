// Extension names: one error each, and the list still expands (the table is listed).
#[schema_core::table(schema = "accounts", name = "accounts", global = "ui case", append_only)]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! {
    extensions("pgcrypto", "PgCrypto", "plpgsql", "citext\"; DROP", "pgcrypto");
    Account
}

fn main() {}
