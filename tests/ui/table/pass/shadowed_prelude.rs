// Generated code must use absolute paths: these shadow the prelude names it could trip on.
#![allow(dead_code)]

struct Option;
struct Result;
struct Box;
struct Some;
struct None;
struct Ok;
struct Err;

mod billing {
    use chrono::{DateTime, Utc};

    #[schema_core::table(
        schema = "billing",
        name = "plans",
        global = "plans are the catalogue every account chooses from",
        append_only
    )]
    pub struct Plan {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(varchar = 100)]
        pub name: String,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        pub retired_at: core::option::Option<DateTime<Utc>>,
    }

    #[schema_core::table(
        schema = "billing",
        name = "plan_prices",
        global = "prices belong to the shared plans",
        hard_delete = "a price nobody pays any more is removed",
        unique(plan_id, currency)
    )]
    pub struct PlanPrice {
        #[column(primary_key, serial)]
        pub id: i32,
        #[column(references(Plan, on_delete = cascade))]
        pub plan_id: i64,
        #[column(varchar = 3, default = "'USD'")]
        pub currency: String,
        #[column(numeric(10, 2))]
        pub amount: bigdecimal::BigDecimal,
        #[column(default = "now()")]
        pub created_at: DateTime<Utc>,
        #[column(default = "now()")]
        pub updated_at: DateTime<Utc>,
    }
}

schema_core::schema! { billing::Plan, billing::PlanPrice }

fn main() {
    use diesel::prelude::*;
    // The generated `joinable!` and `allow_tables_to_appear_in_same_query!` make this typecheck.
    let _query = billing::plan_prices::table
        .inner_join(billing::plans::table)
        .select((billing::plans::name, billing::plan_prices::amount));
    let schema = schema().unwrap();
    assert_eq!(schema.tables.len(), 2);
}
