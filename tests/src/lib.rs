//! Fixture declarations for the workspace tests: one table per supported column type and key
//! form, so every mapping is applied to PostgreSQL and read back from its catalog.

pub mod hostile;
pub mod online;
pub mod scenario;
pub mod views;

pub mod fixtures {
    use bigdecimal::BigDecimal;
    use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
    use diesel::pg::data_types::PgInterval;
    use ipnetwork::IpNetwork;
    use uuid::Uuid;

    /// Every Rust type the DSL maps, NOT NULL and nullable.
    #[schema_core::table(
        schema = "fixtures",
        name = "every_type",
        global = "test fixture",
        append_only(time = at),
        index(small, big),
        unique_index(label, name = "every_type_label_uidx")
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct EveryType {
        #[column(primary_key, identity)]
        pub id: i64,
        pub small: i16,
        #[column(default = "42")]
        pub int: i32,
        pub big: i64,
        #[column(default = "true")]
        pub flag: bool,
        pub single: f32,
        pub double: f64,
        pub body: String,
        #[column(varchar = 40)]
        pub label: String,
        pub uid: Uuid,
        #[column(default = "now()")]
        pub at: DateTime<Utc>,
        pub local_at: NaiveDateTime,
        pub day: NaiveDate,
        pub amount_any: BigDecimal,
        #[column(numeric(12, 4), default = "0")]
        pub amount: BigDecimal,
        pub address: IpNetwork,
        #[column(default = "'{}'::jsonb")]
        pub payload: serde_json::Value,
        pub maybe_small: Option<i16>,
        pub maybe_int: Option<i32>,
        pub maybe_big: Option<i64>,
        pub maybe_flag: Option<bool>,
        pub maybe_double: Option<f64>,
        #[column(varchar = 8)]
        pub maybe_label: Option<String>,
        pub maybe_uid: Option<Uuid>,
        pub maybe_at: Option<DateTime<Utc>>,
        pub maybe_day: Option<NaiveDate>,
        #[column(numeric(5, 2))]
        pub maybe_amount: Option<BigDecimal>,
        pub maybe_address: Option<IpNetwork>,
        pub maybe_payload: Option<serde_json::Value>,
    }

    /// The types `EveryType` has no room for (Diesel's `table!` takes 32 columns here):
    /// bytea, time, interval and macaddr, NOT NULL with a default, nullable, and as arrays.
    #[schema_core::table(
        schema = "fixtures",
        name = "more_types",
        global = "test fixture",
        append_only(time = recorded_at)
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct MoreTypes {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(default = "now()")]
        pub recorded_at: DateTime<Utc>,
        #[column(default = "'\\x00ff'")]
        pub blob: Vec<u8>,
        #[column(default = "'08:30:00'")]
        pub opens_at: NaiveTime,
        #[column(default = "'1 mon 2 days'")]
        pub period: PgInterval,
        #[column(default = "'08:00:2b:01:02:03'")]
        pub mac: [u8; 6],
        pub maybe_blob: Option<Vec<u8>>,
        pub maybe_time: Option<NaiveTime>,
        pub maybe_period: Option<PgInterval>,
        pub maybe_mac: Option<[u8; 6]>,
        #[column(default = "'{}'")]
        pub blobs: Vec<Vec<u8>>,
        #[column(default = "'{}'")]
        pub times: Vec<NaiveTime>,
        #[column(default = "'{}'")]
        pub periods: Vec<PgInterval>,
        #[column(default = "'{}'")]
        pub macs: Vec<[u8; 6]>,
    }

    /// Serial and by-default identity keys, a composite unique and a composite foreign key.
    #[schema_core::table(
        schema = "fixtures",
        name = "serial_parent",
        global = "test fixture",
        hard_delete = "test fixture",
        unique(tenant, code)
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct SerialParent {
        #[column(primary_key, serial)]
        pub id: i32,
        #[column(identity = "by_default")]
        pub seq: i64,
        pub tenant: i32,
        #[column(varchar = 16)]
        pub code: String,
        #[column(default = "now()")]
        pub created_at: chrono::DateTime<chrono::Utc>,
        #[column(default = "now()")]
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }

    #[schema_core::table(
        schema = "fixtures",
        name = "composite_child",
        primary_key(tenant, code, line),
        foreign_key(
            columns(tenant, code),
            references = SerialParent,
            target_columns(tenant, code),
            on_delete = cascade,
            on_update = cascade,
            name = "composite_child_parent_fkey"
        ),
        global = "test fixture",
        hard_delete = "test fixture"
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct CompositeChild {
        pub tenant: i32,
        #[column(varchar = 16)]
        pub code: String,
        pub line: i16,
        #[column(references(SerialParent, on_delete = set_null))]
        pub parent_id: Option<i32>,
        #[column(default = "now()")]
        pub created_at: chrono::DateTime<chrono::Utc>,
        #[column(default = "now()")]
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }
}

/// The PostgreSQL vocabulary beyond plain columns: enums, typed JSONB, arrays, generated
/// columns, checks, index options, every partitioning strategy, policies and comments.
pub mod vocabulary {
    use chrono::{DateTime, NaiveDate, Utc};
    use ipnetwork::IpNetwork;
    use schema_core::{Jsonb, PgEnum};
    use serde::{Deserialize, Serialize};

    /// A native enum; one value renamed.
    #[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
    #[pg_enum(schema = "vocabulary", name = "line_state")]
    pub enum LineState {
        Idle,
        Ringing,
        #[pg_enum(rename = "off_hook")]
        InCall,
    }

    /// An enum whose type name defaults to the Rust name in snake_case.
    #[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
    #[pg_enum(schema = "vocabulary")]
    pub enum CodecFamily {
        Opus,
        G711,
    }

    #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
    pub struct Limits {
        pub max_calls: u32,
        pub regions: Vec<String>,
    }

    /// Lines of a trunk: one of each column form.
    #[schema_core::table(
        schema = "vocabulary",
        name = "lines",
        global = "test fixture",
        hard_delete = "test fixture",
        row_security,
        policy(name = "lines_read_all", command = select, roles("pg_read_all_data"), using = "true"),
        policy(name = "lines_not_idle_writes", command = update, restrictive, using = "state <> 'idle'", with_check = "state <> 'idle'"),
        policy(name = "lines_insert_small", command = insert, with_check = "channel_count <= 64"),
        check(name = "lines_channels_range", expr = "channel_count BETWEEN 1 AND 1024"),
        check = "cardinality(tags) <= 16",
        index(tags, method = "gin"),
        index(seen_at, method = "brin"),
        index(label, method = "hash"),
        index(state, seen_at(desc), include(label), where = "state <> 'idle'", name = "lines_active_idx"),
        unique_index(label, name = "lines_live_label_key", where = "retired_on IS NULL")
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct Line {
        #[column(primary_key, identity)]
        pub id: i64,
        /// The line's display label.
        #[column(varchar = 40)]
        pub label: String,
        #[column(default = "'idle'")]
        pub state: LineState,
        pub previous_states: Vec<LineState>,
        pub codecs: Option<Vec<CodecFamily>>,
        #[column(default = "'{}'")]
        pub tags: Vec<String>,
        pub slots: Vec<Option<i32>>,
        #[column(default = "'{\"max_calls\": 1, \"regions\": []}'")]
        pub limits: Jsonb<Limits>,
        pub extra: Option<Jsonb<serde_json::Value>>,
        #[column(cidr)]
        pub network: IpNetwork,
        #[column(cidr)]
        pub allowed: Vec<IpNetwork>,
        #[column(check = "channel_count > 0")]
        pub channel_count: i32,
        /// Twice the channels: the RTP port budget.
        #[column(generated = "channel_count * 2")]
        pub port_budget: i32,
        #[column(generated = "lower(label)")]
        pub label_key: Option<String>,
        pub seen_at: DateTime<Utc>,
        pub retired_on: Option<NaiveDate>,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }

    /// LIST partitioning with a default partition.
    #[schema_core::table(
        schema = "vocabulary",
        name = "numbers_by_region",
        primary_key(region, number),
        partition_by(list(region)),
        partition(name = "numbers_by_region_na", values("us", "ca")),
        partition(name = "numbers_by_region_eu", values("de", "fr", "nl")),
        partition(name = "numbers_by_region_other", default),
        global = "test fixture",
        hard_delete = "test fixture"
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct RegionalNumber {
        #[column(varchar = 2)]
        pub region: String,
        #[column(varchar = 20)]
        pub number: String,
        #[column(default = "now()")]
        pub created_at: chrono::DateTime<chrono::Utc>,
        #[column(default = "now()")]
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }

    /// HASH partitioning.
    #[schema_core::table(
        schema = "vocabulary",
        name = "events_by_line",
        primary_key(line_id, id),
        partition_by(hash(line_id)),
        partition(name = "events_by_line_h0", modulus = 2, remainder = 0),
        partition(name = "events_by_line_h1", modulus = 2, remainder = 1),
        global = "test fixture",
        append_only
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct LineEvent {
        pub line_id: i64,
        pub id: i64,
        pub payload: serde_json::Value,
        #[column(default = "now()")]
        pub created_at: chrono::DateTime<chrono::Utc>,
    }

    /// RANGE partitioning with an explicit `MINVALUE` bound and a monthly series on a date.
    #[schema_core::table(
        schema = "vocabulary",
        name = "usage_by_day",
        primary_key(day, line_id),
        partition_by(range(day)),
        partition(name = "usage_by_day_old", from = "MINVALUE", to = "2026-01-01"),
        monthly_partitions(from = "2026-01", months = 2),
        global = "test fixture",
        append_only
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct DailyUsage {
        pub day: NaiveDate,
        pub line_id: i64,
        pub seconds: i64,
        #[column(default = "now()")]
        pub created_at: chrono::DateTime<chrono::Utc>,
    }
}

schema_core::schema! {
    fixtures::EveryType,
    fixtures::MoreTypes,
    fixtures::SerialParent,
    fixtures::CompositeChild,
    vocabulary::Line,
    vocabulary::RegionalNumber,
    vocabulary::LineEvent,
    vocabulary::DailyUsage,
}
