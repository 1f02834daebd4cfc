// A tenant root, a global table, tenant tables referencing each other through account_id,
// an append-only partitioned log and stated exceptions: every convention met. The prelude
// names are shadowed to prove the generated checks use absolute paths.
#![allow(dead_code)]

struct Option;
struct Result;
struct Box;

mod platform {
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    #[schema_core::table(
        schema = "accounts",
        name = "accounts",
        tenant_root,
        unique_index(realm, where = "deleted_at IS NULL")
    )]
    pub struct Account {
        pub id: Uuid,
        pub realm: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub deleted_at: core::option::Option<DateTime<Utc>>,
    }

    #[schema_core::table(
        schema = "billing",
        name = "plans",
        global = "the plan catalogue every account chooses from",
        hard_delete = "a withdrawn plan is removed once no account uses it",
        unique(code, all_rows = "plan codes are printed on invoices and never reused")
    )]
    pub struct Plan {
        pub id: i64,
        pub code: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }

    #[schema_core::table(
        schema = "devices",
        name = "devices",
        tenant,
        unique(account_id, id),
        unique_index(account_id, sip_username, where = "deleted_at IS NULL"),
        unique(serial, across_tenants = "vendor serial numbers are unique worldwide", all_rows = "a serial stays with its device")
    )]
    pub struct Device {
        pub id: Uuid,
        #[column(references(Account, on_delete = cascade))]
        pub account_id: Uuid,
        #[column(references(Plan, on_delete = restrict))]
        pub plan_id: core::option::Option<i64>,
        /// The device this one replaced: a self-reference (`Self`), with its exception stated.
        #[column(references(Self, no_join, across_tenants = "ui case: the pair form is shown by device_events"))]
        pub replaces_id: core::option::Option<Uuid>,
        pub sip_username: String,
        pub serial: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
        pub deleted_at: core::option::Option<DateTime<Utc>>,
    }

    #[schema_core::table(
        schema = "devices",
        name = "device_events",
        tenant,
        append_only(time = occurred_at),
        primary_key(id, occurred_at),
        partition_by(range(occurred_at)),
        monthly_partitions(from = "2026-11", months = 2),
        foreign_key(
            columns(account_id, device_id),
            references = Device,
            target_columns(account_id, id),
            on_delete = cascade
        )
    )]
    pub struct DeviceEvent {
        pub id: i64,
        #[column(references(Account, on_delete = cascade))]
        pub account_id: Uuid,
        pub device_id: Uuid,
        pub occurred_at: DateTime<Utc>,
    }
}

schema_core::schema! {
    platform::Account,
    platform::Plan,
    platform::Device,
    platform::DeviceEvent,
}

fn main() {
    use diesel::prelude::*;
    // The tenant pair (account_id, device_id) -> (account_id, id) still joins.
    let _query = platform::device_events::table
        .inner_join(platform::devices::table)
        .select(platform::devices::sip_username);
    assert_eq!(schema().unwrap().tables.len(), 4);
}
