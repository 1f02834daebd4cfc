// Unsupported field types: each is the one error of its field.
#[schema_core::table(schema = "hostile", name = "types", global = "ui case", hard_delete = "ui case")]
pub struct Types {
    #[column(primary_key, identity)]
    pub id: i64,
    pub t00: std::time::SystemTime,
    pub t01: std::time::Instant,
    pub t02: std::time::Duration,
    pub t03: u32,
    pub t04: u64,
    pub t05: u8,
    pub t06: i8,
    pub t07: usize,
    pub t08: i128,
    pub t09: char,
    pub t10: std::collections::HashMap<String, String>,
    pub t11: Box<String>,
    pub t12: &'static str,
    pub t13: (i32, i32),
    pub t14: [u8; 4],
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Types }

fn main() {}
