#[schema_core::table(schema = "accounts", name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
}

#[schema_core::table(schema = "accounts", name = "account_settings")]
pub struct AccountSetting {
    #[column(primary_key, references = Account)]
    pub id: i64,
}

schema_core::schema! { Account }

fn main() {}
