#[schema_core::table(schema = "accounts", name = "accounts", global = "ui case", append_only)]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "accounts", name = "account_settings", global = "ui case", append_only)]
pub struct AccountSetting {
    #[column(primary_key, references = Account)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Account }

fn main() {}
