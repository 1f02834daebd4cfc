pub struct NotATable;

#[schema_core::table(schema = "devices", name = "devices")]
pub struct Device {
    #[column(primary_key)]
    pub id: i64,
    #[column(references(NotATable, no_join))]
    pub owner_id: i64,
}

schema_core::schema! { Device }

fn main() {}
