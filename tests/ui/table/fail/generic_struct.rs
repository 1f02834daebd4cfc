#[schema_core::table(schema = "billing", name = "rates", global = "ui case", append_only)]
pub struct Rate<T> {
    #[column(primary_key)]
    pub id: i64,
    pub amount: T,
}

schema_core::schema! { Rate<f64> }

fn main() {}
