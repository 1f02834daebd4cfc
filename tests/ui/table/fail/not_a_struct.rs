#[schema_core::table(schema = "devices", name = "device_kinds")]
pub enum DeviceKind {
    DeskPhone,
    Softphone,
}

fn main() {}
