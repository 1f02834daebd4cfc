// `schema!` names each table through the module that declares it: `#[table]` puts the table's
// Diesel type beside the struct, and `schema!` reaches it there.
mod devices {
    #[schema_core::table(schema = "devices", name = "devices", global = "ui case", append_only)]
    pub struct Device {
        #[column(primary_key)]
        pub id: i64,
    
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}
}

pub use devices::Device;

schema_core::schema! { Device }

fn main() {}
