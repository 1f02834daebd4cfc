//! The telecom platform's PostgreSQL schema, one Rust module per PostgreSQL schema.
//!
//! Every table is declared with `#[schema_core::table]` and listed in [`schema!`] below; the
//! committed `migrations/` are generated from these declarations (`cargo schema generate`).

pub mod accounts;
pub mod auth;
pub mod billing;
pub mod devices;
pub mod numbers;
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
    devices::DeviceEvent,
    devices::DeviceDiagnostic,
    devices::DeviceAlert,
    devices::DeviceTag,
    numbers::NumberInventory,
    numbers::NumberAssignment,
    numbers::NumberPort,
    telecom::CallDetailRecord,
    telecom::DialPlan,
    telecom::DialPlanVersion,
    telecom::CallRecording,
    telecom::FaxDocument,
    telecom::Conference,
    telecom::CallQueue,
    telecom::QueueMember,
    telecom::RingGroup,
    telecom::RingGroupMember,
    telecom::CallEvent,
    voicemail::VoicemailBox,
    voicemail::VoicemailMessage,
    voicemail::VoicemailGreeting,
}
