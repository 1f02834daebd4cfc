// A view is queried like a table: typed columns, joins with the tables it is listed beside.
use diesel::prelude::*;

#[schema_core::table(schema = "billing", name = "invoices", global = "ui case", append_only)]
pub struct Invoice {
    #[column(primary_key)]
    pub id: i64,
    #[column(numeric(12, 2))]
    pub total: bigdecimal::BigDecimal,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// Invoices over 100.
#[schema_core::view(
    schema = "billing",
    name = "large_invoices",
    key(id),
    read_by(app, monitor),
    query = "SELECT i.id, i.total FROM billing.invoices i WHERE i.total > 100"
)]
#[derive(Debug, Clone)]
pub struct LargeInvoice {
    pub id: i64,
    pub total: bigdecimal::BigDecimal,
}

schema_core::schema! {
    views(LargeInvoice);
    Invoice
}

#[allow(dead_code)]
fn large(conn: &mut PgConnection) -> QueryResult<Vec<(LargeInvoice, i64)>> {
    large_invoices::table
        .inner_join(invoices::table.on(invoices::id.eq(large_invoices::id)))
        .select((LargeInvoice::as_select(), invoices::id))
        .load(conn)
}

fn main() {
    let schema = schema().unwrap();
    assert_eq!(schema.views.len(), 1);
    assert_eq!(schema.views[0].reads[0].to_string(), "billing.invoices");
    assert_eq!(VIEWS[0].read_by.len(), 2);
}
