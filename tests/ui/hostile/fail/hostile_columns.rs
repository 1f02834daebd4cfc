// Column names that clash with what Diesel generates, or with derived names: one error each.
#[schema_core::table(schema = "hostile", name = "cols", global = "ui case", hard_delete = "ui case")]
pub struct Cols {
    #[column(primary_key, identity)]
    pub id: i64,
    pub table: String,
    pub star: String,
    pub columns: String,
    pub dsl: String,
    pub all_columns: String,
    pub cols: String,
    pub CamelCase: String,
    pub a_column_name_that_is_sixty_four_bytes_long_xxxxxxxxxxxxxxxxxxxx: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Cols }

fn main() {}
