// Bounds must fit the strategy, monthly series need a timestamp or date key, and partitions
// need `partition_by`.
#[schema_core::table(
    schema = "telecom",
    name = "numbers",
    primary_key(region, number),
    partition_by(list(region)),
    partition(name = "numbers_low", from = "a", to = "m"),
    partition(name = "numbers_hashed", modulus = 4, remainder = 4),
    partition(name = "numbers_eu", values("de"), default),
    monthly_partitions(from = "2026-13", months = 0),
    global = "ui case",
    append_only
)]
pub struct Number {
    pub region: String,
    pub number: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "telecom", name = "plain", partition(name = "plain_p", default), global = "ui case", append_only)]
pub struct Plain {
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(
    schema = "telecom",
    name = "by_region",
    primary_key(id, region),
    partition_by(range(region)),
    monthly_partitions(from = "2026-01", months = 3),
    global = "ui case",
    append_only
)]
pub struct ByRegion {
    pub id: i64,
    pub region: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Number, Plain, ByRegion }

fn main() {}
