//! The telecom platform's PostgreSQL schema, one Rust module per PostgreSQL schema.
//!
//! Every table is declared with `#[schema_core::table]` and listed in [`schema!`] below; the
//! committed `migrations/` are generated from these declarations (`cargo schema generate`).

pub mod accounts;
pub mod auth;
pub mod billing;
pub mod devices;
pub mod telecom;
pub mod voicemail;

schema_core::schema! {
    accounts::Account,
    accounts::AccountContact,
    accounts::AccountSetting,
    auth::User,
    auth::UserAccount,
    auth::Session,
    auth::Permission,
    auth::Role,
    auth::RolePermission,
    auth::UserPermission,
    billing::BillingAccount,
    billing::BillingRate,
    billing::SubscriptionPlan,
    billing::AccountSubscription,
    billing::BillingEvent,
    billing::BillingTransaction,
    billing::Invoice,
    billing::InvoiceItem,
    billing::PaymentMethod,
    billing::Payment,
    devices::Device,
    devices::DeviceStatus,
    telecom::CallDetailRecord,
    voicemail::VoicemailBox,
    voicemail::VoicemailMessage,
}
