// The declaration around the query: keys, fields, the key and the readers.
#[schema_core::table(schema = "billing", name = "invoices", global = "ui case", append_only)]
pub struct Invoice {
    #[column(primary_key)]
    pub id: i64,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::view(schema = "billing", name = "totals", querry = "SELECT 1 AS id")]
pub struct Misspelt {
    pub id: i64,
}

#[schema_core::view(name = "Totals", query = "SELECT id FROM billing.invoices")]
pub struct NoSchema {
    pub id: i64,
}

#[schema_core::view(
    schema = "billing",
    name = "keyed",
    key(missing),
    read_by(app, auditor),
    query = "SELECT id, 1 AS n FROM billing.invoices"
)]
pub struct Keyed {
    #[column(varchar = 10)]
    pub id: i64,
    pub n: std::collections::HashMap<String, String>,
}

// Listed nowhere: not in `schema!`.
#[schema_core::view(schema = "billing", name = "unlisted", query = "SELECT id FROM billing.invoices")]
pub struct Unlisted {
    pub id: i64,
}

schema_core::schema! {
    views(Misspelt, NoSchema, Keyed);
    Invoice
}

fn main() {}
