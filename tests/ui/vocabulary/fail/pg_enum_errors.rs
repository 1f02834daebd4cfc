// `#[derive(PgEnum)]`: unit variants, a schema, distinct values.
use schema_core::PgEnum;

#[derive(PgEnum, Debug)]
pub enum NoSchema {
    A,
}

#[derive(PgEnum, Debug)]
#[pg_enum(schema = "telecom", nmae = "x")]
pub enum Dispositions {
    Answered(u8),
    Busy,
    #[pg_enum(rename = "busy")]
    AlsoBusy,
}

#[derive(PgEnum)]
#[pg_enum(schema = "telecom")]
pub struct NotAnEnum;

fn main() {}
