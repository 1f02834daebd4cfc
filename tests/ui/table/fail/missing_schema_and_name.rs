#[schema_core::table]
pub struct Account {
    #[column(primary_key)]
    pub id: i64,
}

fn main() {}
