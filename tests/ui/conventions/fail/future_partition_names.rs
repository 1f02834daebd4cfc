// Partition names maintenance will create later (<table>_pYYYY_MM) must fit 63 bytes too.
use chrono::{DateTime, Utc};

#[schema_core::table(
    schema = "telecom",
    name = "call_detail_records_with_a_rather_long_descriptive_name",
    global = "ui case",
    append_only(time = started_at),
    primary_key(id, started_at),
    partition_by(range(started_at)),
    monthly_partitions(from = "2026-01", months = 1)
)]
pub struct Cdr {
    pub id: i64,
    pub started_at: DateTime<Utc>,
}

schema_core::schema! { Cdr }

fn main() {}
