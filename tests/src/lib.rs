//! Fixture declarations for the workspace tests: one table per supported column type and key
//! form, so every mapping is applied to PostgreSQL and read back from its catalog.

pub mod fixtures {
    use bigdecimal::BigDecimal;
    use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
    use ipnetwork::IpNetwork;
    use uuid::Uuid;

    /// Every Rust type the DSL maps, NOT NULL and nullable.
    #[schema_core::table(
        schema = "fixtures",
        name = "every_type",
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

    /// Serial and by-default identity keys, a composite unique and a composite foreign key.
    #[schema_core::table(schema = "fixtures", name = "serial_parent", unique(tenant, code))]
    #[derive(Debug, Clone, PartialEq)]
    pub struct SerialParent {
        #[column(primary_key, serial)]
        pub id: i32,
        #[column(identity = "by_default")]
        pub seq: i64,
        pub tenant: i32,
        #[column(varchar = 16)]
        pub code: String,
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
        )
    )]
    #[derive(Debug, Clone, PartialEq)]
    pub struct CompositeChild {
        pub tenant: i32,
        #[column(varchar = 16)]
        pub code: String,
        pub line: i16,
        #[column(references(SerialParent, on_delete = set_null))]
        pub parent_id: Option<i32>,
    }
}

schema_core::schema! {
    fixtures::EveryType,
    fixtures::SerialParent,
    fixtures::CompositeChild,
}
