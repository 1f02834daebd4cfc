// Two tables of one name in two PostgreSQL schemas: each table's Diesel module is named after
// the table, so the two structs live in Rust modules of their own (as the schemas do).
pub mod billing {
    #[schema_core::table(schema = "billing", name = "calls", global = "ui case", hard_delete = "ui case")]
    pub struct Call {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(default = "now()")]
        pub created_at: chrono::DateTime<chrono::Utc>,
        #[column(default = "now()")]
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }
}

pub mod telecom {
    #[schema_core::table(schema = "telecom", name = "calls", global = "ui case", hard_delete = "ui case")]
    pub struct Call {
        #[column(primary_key, identity)]
        pub id: i64,
        #[column(references = crate::billing::Call)]
        pub billing_call_id: i64,
        #[column(default = "now()")]
        pub created_at: chrono::DateTime<chrono::Utc>,
        #[column(default = "now()")]
        pub updated_at: chrono::DateTime<chrono::Utc>,
    }
}

schema_core::schema! { billing::Call, telecom::Call }

fn main() {
    use diesel::prelude::*;
    let schema = schema().unwrap();
    assert_eq!(schema.tables.len(), 2);
    // Typed queries reach each through its module, and the two join.
    let _query = telecom::calls::table
        .inner_join(billing::calls::table)
        .select((telecom::calls::id, billing::calls::id));
}
