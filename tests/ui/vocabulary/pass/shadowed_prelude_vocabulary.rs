// The code generated for enums, typed JSONB, arrays, checks, partitions and policies uses
// absolute paths too: these shadow the prelude names it could trip on.
#![allow(dead_code)]

struct Option;
struct Result;
struct Box;
struct Some;
struct None;
struct Ok;
struct Err;
struct Vec;
struct String;

mod calls {
    use chrono::{DateTime, Utc};
    use schema_core::{Jsonb, PgEnum};

    #[derive(PgEnum, Debug, Clone, Copy, PartialEq)]
    #[pg_enum(schema = "calls", name = "call_state")]
    pub enum CallState {
        Ringing,
        #[pg_enum(rename = "up")]
        Answered,
    }

    #[derive(Debug, serde::Serialize, serde::Deserialize)]
    pub struct Meta {
        pub hops: u8,
    }

    #[schema_core::table(schema = "calls", name = "accounts", tenant_root, append_only)]
    pub struct Account {
        pub id: uuid::Uuid,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
    }

    /// Calls, partitioned by month.
    #[schema_core::table(
        schema = "calls",
        name = "calls",
        tenant,
        hard_delete = "calls are removed by dropping old partitions",
        primary_key(id, started_at),
        partition_by(range(started_at)),
        monthly_partitions(from = "2026-11", months = 2),
        partition(name = "calls_default", default),
        check(name = "calls_hops_check", expr = "hop_count BETWEEN 0 AND 70"),
        index(account_id, started_at(desc), where = "state <> 'ringing'", include(hop_count)),
        policy(name = "calls_admin", command = select, restrictive, using = "true")
    )]
    pub struct Call {
        #[column(serial)]
        pub id: i64,
        #[column(references(Account))]
        pub account_id: uuid::Uuid,
        pub started_at: DateTime<Utc>,
        pub state: CallState,
        pub history: std::vec::Vec<CallState>,
        pub meta: Jsonb<Meta>,
        #[column(check = "hop_count >= 0")]
        pub hop_count: i32,
        #[column(generated = "hop_count * 2")]
        pub doubled: i32,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }
}

schema_core::schema! { calls::Account, calls::Call }

fn main() {
    use diesel::prelude::*;
    let _query = calls::calls::table
        .filter(calls::calls::state.eq(calls::CallState::Answered))
        .select(calls::calls::history);
    let schema = schema().unwrap();
    assert_eq!(schema.enums.len(), 1);
    assert_eq!(schema.tables[1].partitions().count(), 3);
}
