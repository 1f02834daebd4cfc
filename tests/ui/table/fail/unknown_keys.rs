#[schema_core::table(schema = "accounts", name = "accounts", primry_key(id))]
pub struct Account {
    #[column(primary_key, defualt = "gen_random_uuid()")]
    pub id: uuid::Uuid,
    #[column(varchar = 10, nullable)]
    pub name: String,
}

schema_core::schema! { Account }

fn main() {}
