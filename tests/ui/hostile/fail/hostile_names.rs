// Hostile table and schema names: one compile error each, at the name.
#[schema_core::table(schema = "hostile", name = "a\"b", global = "ui case", hard_delete = "ui case")]
pub struct Name0 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "a;b", global = "ui case", hard_delete = "ui case")]
pub struct Name1 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "a--b", global = "ui case", hard_delete = "ui case")]
pub struct Name2 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "a b", global = "ui case", hard_delete = "ui case")]
pub struct Name3 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "Accounts", global = "ui case", hard_delete = "ui case")]
pub struct Name4 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "café", global = "ui case", hard_delete = "ui case")]
pub struct Name5 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", global = "ui case", hard_delete = "ui case")]
pub struct Name6 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "éééééééééééééééééééééééééééééééé", global = "ui case", hard_delete = "ui case")]
pub struct Name7 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "", global = "ui case", hard_delete = "ui case")]
pub struct Name8 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "1abc", global = "ui case", hard_delete = "ui case")]
pub struct Name9 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "self", global = "ui case", hard_delete = "ui case")]
pub struct Name10 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "crate", global = "ui case", hard_delete = "ui case")]
pub struct Name11 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "super", global = "ui case", hard_delete = "ui case")]
pub struct Name12 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "hostile", name = "a$b", global = "ui case", hard_delete = "ui case")]
pub struct Name13 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "pg_evil", name = "names_14", global = "ui case", hard_delete = "ui case")]
pub struct Name14 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "type", name = "names_15", global = "ui case", hard_delete = "ui case")]
pub struct Name15 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "async", name = "names_16", global = "ui case", hard_delete = "ui case")]
pub struct Name16 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "a\"b", name = "names_17", global = "ui case", hard_delete = "ui case")]
pub struct Name17 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "", name = "names_18", global = "ui case", hard_delete = "ui case")]
pub struct Name18 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", name = "names_19", global = "ui case", hard_delete = "ui case")]
pub struct Name19 {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Name0, Name1, Name2, Name3, Name4, Name5, Name6, Name7, Name8, Name9, Name10, Name11, Name12, Name13, Name14, Name15, Name16, Name17, Name18, Name19 }

fn main() {}
