// Every mistake of one struct is reported in one build.
#[schema_core::table(schema = "Billing", name = "invoices", global = "ui case", append_only)]
pub struct Invoice {
    #[column(primary_key, identity, default = "1")]
    pub id: Option<i64>,
    #[column(varchar = 10)]
    pub total_cents: i64,
    #[column(numeric(2, 5))]
    pub amount: bigdecimal::BigDecimal,
    #[column(index, unique, index)]
    pub this_column_name_is_far_too_long_for_postgresql_to_keep_it_whole: i32,
    #[column(references(Customer, on_delete = explode))]
    pub customer_id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Invoice }

fn main() {}
