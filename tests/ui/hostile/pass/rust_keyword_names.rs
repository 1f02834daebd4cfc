// Rust keywords as table and column names: raw identifiers, in the DSL and in queries.
#[schema_core::table(schema = "hostile", name = "type", global = "ui case", hard_delete = "ui case")]
pub struct Type {
    #[column(primary_key, identity)]
    pub id: i64,
    pub r#match: i32,
    pub r#fn: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "async", global = "ui case", hard_delete = "ui case")]
pub struct Async {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references = Type)]
    pub type_id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Type, Async }

fn main() {
    use diesel::prelude::*;
    let _query = r#async::table
        .inner_join(r#type::table)
        .filter(r#type::r#match.eq(1))
        .select(r#type::r#fn);
    assert_eq!(schema().unwrap().tables[1].name, "type");
}
