// PostgreSQL names `t.id`'s identity sequence `t_id_seq`: a table of that name beside it
// would fail at migrate, so `schema!` refuses it.
#[schema_core::table(schema = "hostile", name = "t", global = "ui case", hard_delete = "ui case")]
pub struct T {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "t_id_seq", global = "ui case", hard_delete = "ui case")]
pub struct Seq {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { T, Seq }

fn main() {}
