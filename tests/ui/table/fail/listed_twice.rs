#[schema_core::table(schema = "accounts", name = "accounts")]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
}

schema_core::schema! { Account, Account }

fn main() {}
