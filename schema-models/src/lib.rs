//! The telecom platform's PostgreSQL schema, one Rust module per PostgreSQL schema.
//!
//! Every table is declared with `#[schema_core::table]` and listed in [`schema!`] below; the
//! committed `migrations/` are generated from these declarations (`cargo schema generate`).

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod billing;
pub mod devices;
pub mod numbers;
pub mod routing;
pub mod telecom;
pub mod trunks;
pub mod voicemail;

schema_core::schema! {
    roles(
        app = "platform_app",
        identity = "platform_identity",
        provisioning = "platform_provisioning",
        monitor = "platform_monitor"
    );
    views(voicemail::VoicemailBoxSummary);
    accounts::Account,
    accounts::AccountContact,
    accounts::AccountSetting,
    audit::AuditLog,
    audit::ApiAuditLog,
    audit::LoginHistory,
    auth::User,
    auth::UserAccount,
    auth::Session,
    auth::Permission,
    auth::PermissionGroup,
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
    billing::BillingPeriod,
    devices::Device,
    devices::DeviceStatus,
    devices::DeviceEvent,
    devices::DeviceDiagnostic,
    devices::DeviceAlert,
    devices::DeviceTag,
    devices::FirmwareVersion,
    devices::DeviceConfiguration,
    numbers::NumberInventory,
    numbers::NumberAssignment,
    numbers::NumberPort,
    routing::Language,
    routing::Provider,
    routing::ProviderRate,
    routing::RoutingPlan,
    routing::RoutingPlanProvider,
    routing::MessageStore,
    routing::MessageKey,
    routing::MessageKeyVersion,
    routing::RoutingTable,
    routing::RoutingTableHistory,
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
    telecom::Extension,
    trunks::Trunk,
    trunks::TrunkAccessList,
    voicemail::VoicemailBox,
    voicemail::VoicemailMessage,
    voicemail::VoicemailGreeting,
}
