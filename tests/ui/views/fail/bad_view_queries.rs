// A view's query: one SELECT, every table named with its schema; each mistake is one error
// at the query.
#[schema_core::table(schema = "billing", name = "invoices", global = "ui case", append_only)]
pub struct Invoice {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::view(
    schema = "billing",
    name = "two_statements",
    query = "SELECT id FROM billing.invoices; DROP TABLE billing.invoices"
)]
pub struct TwoStatements {
    pub id: i64,
}

#[schema_core::view(schema = "billing", name = "not_a_select", query = "DELETE FROM billing.invoices")]
pub struct NotASelect {
    pub id: i64,
}

#[schema_core::view(schema = "billing", name = "unqualified", query = "SELECT id FROM invoices")]
pub struct Unqualified {
    pub id: i64,
}

#[schema_core::view(schema = "billing", name = "broken", query = "SELECT id FROM billing.invoices WHERE")]
pub struct Broken {
    pub id: i64,
}

// A CTE's name needs no schema; the table it reads does.
#[schema_core::view(
    schema = "billing",
    name = "with_cte",
    query = "WITH recent AS (SELECT id FROM billing.invoices) SELECT id FROM recent"
)]
pub struct WithCte {
    pub id: i64,
}

schema_core::schema! {
    views(TwoStatements, NotASelect, Unqualified, Broken, WithCte);
    Invoice
}

fn main() {}
