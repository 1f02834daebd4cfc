#[schema_core::table(schema = "devices", name = "device_kinds", global = "ui case", append_only)]
pub enum DeviceKind {
    DeskPhone,
    Softphone,
}

fn main() {}
