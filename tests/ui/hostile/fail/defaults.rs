// Hostile and mistaken defaults: each is one compile error at its attribute, never SQL.
#[schema_core::table(schema = "hostile", name = "defaults", global = "ui case", hard_delete = "ui case")]
pub struct Defaults {
    #[column(primary_key, identity)]
    pub id: i64,
    pub note: String,
    #[column(default = "'x'); DROP TABLE canary.victim; CREATE TABLE public.pwned (z text")]
    pub d00: String,
    #[column(default = "'x'; DELETE FROM canary.victim")]
    pub d01: String,
    #[column(default = "'x' -- trailing comment")]
    pub d02: String,
    #[column(default = "/* lead */ 'x'")]
    pub d03: String,
    #[column(default = "$1")]
    pub d04: String,
    #[column(default = "'unterminated")]
    pub d05: String,
    #[column(default = "$$unterminated")]
    pub d06: String,
    #[column(default = "'a' 'b' 'c' ; SELECT 1")]
    pub d07: String,
    #[column(default = "note")]
    pub d08: String,
    #[column(default = "(SELECT 'x')")]
    pub d09: String,
    #[column(default = "'x')::text; DROP SCHEMA canary CASCADE; SELECT ('")]
    pub d10: String,
    #[column(default = "'[]'::jsnob")]
    pub d11: serde_json::Value,
    #[column(default = "'x'::txt")]
    pub d12: String,
    #[column(default = "'abc'")]
    pub d13: i32,
    #[column(default = "true")]
    pub d14: i32,
    #[column(default = "40000")]
    pub d15: i16,
    #[column(default = "'70000'")]
    pub d16: i16,
    #[column(default = "1.5e400 x")]
    pub d17: i64,
    #[column(default = "1")]
    pub d18: bool,
    #[column(default = "'maybe'")]
    pub d19: bool,
    #[column(default = "'not-a-uuid'")]
    pub d20: uuid::Uuid,
    #[column(default = "42")]
    pub d21: uuid::Uuid,
    #[column(default = "'a,b'")]
    pub d22: Vec<String>,
    #[column(default = "0")]
    pub d23: Vec<i32>,
    #[column(default = "true")]
    pub d24: serde_json::Value,
    #[column(default = "1")]
    pub d25: chrono::DateTime<chrono::Utc>,
    #[column(default = "'fast'")]
    pub d26: f64,
    #[column(default = "'ten'")]
    pub d27: bigdecimal::BigDecimal,
    #[column(default = "")]
    pub d28: String,
    #[column(default = "   ")]
    pub d29: String,
    #[column(varchar = 3, default = "'four'")]
    pub d_varchar: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Defaults }

fn main() {}
