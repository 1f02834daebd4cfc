//! The telecom platform's PostgreSQL schema, one Rust module per PostgreSQL schema.
//!
//! Every table is declared with `#[schema_core::table]` and listed in [`schema!`] below; the
//! committed `migrations/` are generated from these declarations (`cargo schema generate`).

pub mod accounts;
pub mod auth;
pub mod devices;
pub mod telecom;
pub mod voicemail;

schema_core::schema! {
    accounts::Account,
    auth::User,
    auth::UserAccount,
    devices::Device,
    devices::DeviceStatus,
    telecom::CallDetailRecord,
    voicemail::VoicemailBox,
    voicemail::VoicemailMessage,
}
