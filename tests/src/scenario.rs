//! Eleven versions of one small schema, each a step a team takes on a live database: the
//! scenario tests generate the migration of every step, apply it to a database holding rows,
//! and check that the rows stay, the catalog matches and up → down → up is identical.
//!
//! `scenario.trunks` is a plain table and `scenario.calls` a monthly-partitioned, append-only
//! one with an enum column, so every step meets both kinds of table.

/// The columns and attributes every version of `calls` shares are spelled out in each version:
/// a version is exactly what a developer would have declared at that point.
macro_rules! call_status {
    ($($value:ident),*) => {
        #[derive(schema_core::PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
        #[pg_enum(schema = "scenario")]
        pub enum CallStatus {
            $($value),*
        }
    };
}

/// v01: the starting point.
pub mod v01 {
    use chrono::{DateTime, Utc};
    call_status!(Ringing, Answered);

    #[schema_core::table(
        schema = "scenario",
        name = "trunks",
        global = "scenario",
        hard_delete = "scenario",
        index(name)
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40)]
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)),
        monthly_partitions(from = "2026-01", months = 2), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx")
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    schema_core::schema! { Trunk, Call }
}

/// v02: new columns, one nullable, one NOT NULL with a default.
pub mod v02 {
    use chrono::{DateTime, Utc};
    call_status!(Ringing, Answered);

    #[schema_core::table(
        schema = "scenario",
        name = "trunks",
        global = "scenario",
        hard_delete = "scenario",
        index(name)
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40)]
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub region: Option<String>,
        #[column(default = "30")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)),
        monthly_partitions(from = "2026-01", months = 2), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx")
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    schema_core::schema! { Trunk, Call }
}

/// v03: enum values added before the first and after the last existing one.
pub mod v03 {
    use chrono::{DateTime, Utc};
    call_status!(Dialing, Ringing, Answered, Busy);

    #[schema_core::table(
        schema = "scenario",
        name = "trunks",
        global = "scenario",
        hard_delete = "scenario",
        index(name)
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40)]
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub region: Option<String>,
        #[column(default = "30")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)),
        monthly_partitions(from = "2026-01", months = 2), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx")
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    schema_core::schema! { Trunk, Call }
}

/// v04: CHECKs on populated tables, a plain and a partitioned one.
pub mod v04 {
    use chrono::{DateTime, Utc};
    call_status!(Dialing, Ringing, Answered, Busy);

    #[schema_core::table(
        schema = "scenario",
        name = "trunks",
        global = "scenario",
        hard_delete = "scenario",
        index(name)
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40)]
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub region: Option<String>,
        #[column(default = "30", check = "max_channels BETWEEN 1 AND 10000")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)), check = "id > 0",
        monthly_partitions(from = "2026-01", months = 2), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx")
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    schema_core::schema! { Trunk, Call }
}

/// v05: row-level security with a policy.
pub mod v05 {
    use chrono::{DateTime, Utc};
    call_status!(Dialing, Ringing, Answered, Busy);

    #[schema_core::table(
        schema = "scenario", name = "trunks", global = "scenario", hard_delete = "scenario", index(name),
        row_security, policy(name = "trunks_read", command = select, using = "true")
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40)]
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub region: Option<String>,
        #[column(default = "30", check = "max_channels BETWEEN 1 AND 10000")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)), check = "id > 0",
        monthly_partitions(from = "2026-01", months = 2), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx")
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    schema_core::schema! { Trunk, Call }
}

/// v06: two more months of partitions.
pub mod v06 {
    use chrono::{DateTime, Utc};
    call_status!(Dialing, Ringing, Answered, Busy);

    #[schema_core::table(
        schema = "scenario", name = "trunks", global = "scenario", hard_delete = "scenario", index(name),
        row_security, policy(name = "trunks_read", command = select, using = "true")
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40)]
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub region: Option<String>,
        #[column(default = "30", check = "max_channels BETWEEN 1 AND 10000")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)), check = "id > 0",
        monthly_partitions(from = "2026-01", months = 4), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx")
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    schema_core::schema! { Trunk, Call }
}

/// v07: `name` renamed to `label`; its index follows.
pub mod v07 {
    use chrono::{DateTime, Utc};
    call_status!(Dialing, Ringing, Answered, Busy);

    #[schema_core::table(
        schema = "scenario", name = "trunks", global = "scenario", hard_delete = "scenario", index(label),
        row_security, policy(name = "trunks_read", command = select, using = "true")
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40, renamed_from = "name")]
        pub label: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub region: Option<String>,
        #[column(default = "30", check = "max_channels BETWEEN 1 AND 10000")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)), check = "id > 0",
        monthly_partitions(from = "2026-01", months = 4), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx")
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    schema_core::schema! { Trunk, Call }
}

/// v08: indexes on populated tables, one plain and one partitioned.
pub mod v08 {
    use chrono::{DateTime, Utc};
    call_status!(Dialing, Ringing, Answered, Busy);

    #[schema_core::table(
        schema = "scenario", name = "trunks", global = "scenario", hard_delete = "scenario", index(label),
        index(region), row_security, policy(name = "trunks_read", command = select, using = "true")
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40, renamed_from = "name")]
        pub label: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub region: Option<String>,
        #[column(default = "30", check = "max_channels BETWEEN 1 AND 10000")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)), check = "id > 0",
        monthly_partitions(from = "2026-01", months = 4), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx"), index(trunk_id, started_at)
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    schema_core::schema! { Trunk, Call }
}

/// v09: `region` becomes NOT NULL, existing NULLs backfilled.
pub mod v09 {
    use chrono::{DateTime, Utc};
    call_status!(Dialing, Ringing, Answered, Busy);

    #[schema_core::table(
        schema = "scenario", name = "trunks", global = "scenario", hard_delete = "scenario", index(label),
        index(region), row_security, policy(name = "trunks_read", command = select, using = "true")
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40, renamed_from = "name")]
        pub label: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        #[column(backfill = "'unknown'")]
        pub region: String,
        #[column(default = "30", check = "max_channels BETWEEN 1 AND 10000")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)), check = "id > 0",
        monthly_partitions(from = "2026-01", months = 4), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx"), index(trunk_id, started_at)
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    schema_core::schema! { Trunk, Call }
}

/// v10: a unique key and a foreign key onto the populated tables.
pub mod v10 {
    use chrono::{DateTime, Utc};
    call_status!(Dialing, Ringing, Answered, Busy);

    #[schema_core::table(
        schema = "scenario", name = "trunks", global = "scenario", hard_delete = "scenario", index(label),
        index(region), unique(label), row_security, policy(name = "trunks_read", command = select, using = "true")
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 40, renamed_from = "name")]
        pub label: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        #[column(backfill = "'unknown'")]
        pub region: String,
        #[column(default = "30", check = "max_channels BETWEEN 1 AND 10000")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)), check = "id > 0",
        monthly_partitions(from = "2026-01", months = 4), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx"), index(trunk_id, started_at)
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        #[column(references(Trunk))]
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    /// Rates per trunk: a new table with a foreign key onto an existing one.
    #[schema_core::table(
        schema = "scenario",
        name = "trunk_rates",
        global = "scenario",
        hard_delete = "scenario"
    )]
    pub struct TrunkRate {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(references(Trunk, on_delete = cascade), index)]
        pub trunk_id: i64,
        #[column(numeric(10, 4))]
        pub per_minute: bigdecimal::BigDecimal,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }

    schema_core::schema! { Trunk, Call, TrunkRate }
}

/// v11: `trunks` renamed to `carrier_trunks` (keys, indexes, check and trigger follow), and
/// `label` widened.
pub mod v11 {
    use chrono::{DateTime, Utc};
    call_status!(Dialing, Ringing, Answered, Busy);

    #[schema_core::table(
        schema = "scenario", name = "carrier_trunks", renamed_from = "trunks", global = "scenario",
        hard_delete = "scenario", index(label), index(region), unique(label), row_security,
        policy(name = "trunks_read", command = select, using = "true")
    )]
    pub struct Trunk {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 80)]
        pub label: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub region: String,
        #[column(default = "30", check = "max_channels BETWEEN 1 AND 10000")]
        pub max_channels: i32,
    }

    #[schema_core::table(
        schema = "scenario", name = "calls", global = "scenario", append_only(time = started_at),
        primary_key(id, started_at), partition_by(range(started_at)), check = "id > 0",
        monthly_partitions(from = "2026-01", months = 4), partition(name = "calls_default", default),
        index(status, where = "status = 'ringing'", name = "calls_ringing_idx"), index(trunk_id, started_at)
    )]
    pub struct Call {
        pub id: i64,
        pub started_at: DateTime<Utc>,
        #[column(references(Trunk))]
        pub trunk_id: i64,
        #[column(default = "'ringing'")]
        pub status: CallStatus,
    }

    #[schema_core::table(
        schema = "scenario",
        name = "trunk_rates",
        global = "scenario",
        hard_delete = "scenario"
    )]
    pub struct TrunkRate {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(references(Trunk, on_delete = cascade), index)]
        pub trunk_id: i64,
        #[column(numeric(10, 4))]
        pub per_minute: bigdecimal::BigDecimal,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }

    schema_core::schema! { Trunk, Call, TrunkRate }
}
