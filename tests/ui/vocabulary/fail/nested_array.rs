// PostgreSQL arrays are declared one-dimensional.
#[schema_core::table(schema = "telecom", name = "trunks")]
pub struct Trunk {
    pub id: i64,
    pub backup_codecs: Vec<Vec<String>>,
}

schema_core::schema! { Trunk }

fn main() {}
