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
    monthly_partitions(from = "2026-13", months = 0)
)]
pub struct Number {
    pub region: String,
    pub number: String,
}

#[schema_core::table(schema = "telecom", name = "plain", partition(name = "plain_p", default))]
pub struct Plain {
    pub id: i64,
}

#[schema_core::table(
    schema = "telecom",
    name = "by_region",
    primary_key(id, region),
    partition_by(range(region)),
    monthly_partitions(from = "2026-01", months = 3)
)]
pub struct ByRegion {
    pub id: i64,
    pub region: String,
}

schema_core::schema! { Number, Plain, ByRegion }

fn main() {}
