// Columns named after PostgreSQL key words work when the expressions quote them, and a
// composite primary key takes the name it is given.
#[schema_core::table(
    schema = "hostile",
    name = "keywords",
    global = "ui case",
    hard_delete = "ui case",
    primary_key(id, order, name = "keywords_custom_pk"),
    check(name = "keywords_user_check", expr = "\"user\" <> '' AND \"order\" >= 0")
)]
pub struct Keyword {
    pub id: i64,
    pub order: i32,
    #[column(default = "'--not a comment'")]
    pub user: String,
    #[column(default = "'{}'::jsonb")]
    pub payload: serde_json::Value,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Keyword }

fn main() {
    let schema = schema().unwrap();
    assert_eq!(schema.tables[0].primary_key.name, "keywords_custom_pk");
}
