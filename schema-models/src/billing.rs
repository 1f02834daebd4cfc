//! PostgreSQL schema `billing`: subscriptions, usage events, invoices and payments.
//!
//! Money is `numeric` (`BigDecimal`), never floating point; currencies are ISO 4217 codes.

use crate::accounts::Account;
use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use schema_core::PgEnum;
use uuid::Uuid;

/// Where a subscription is in its life.
#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[pg_enum(schema = "billing")]
pub enum SubscriptionStatus {
    Trialing,
    Active,
    PastDue,
    Cancelled,
    Expired,
}

/// Where an invoice is in its life.
#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[pg_enum(schema = "billing")]
pub enum InvoiceStatus {
    Draft,
    Issued,
    Paid,
    Void,
    Overdue,
}

/// The billing profile of an account: one per account.
#[schema_core::table(
    schema = "billing",
    name = "billing_accounts",
    tenant,
    unique(account_id, id),
    unique_index(
        account_id,
        where = "deleted_at IS NULL",
        name = "billing_accounts_one_per_account"
    ),
    check(
        name = "billing_accounts_currency_check",
        expr = "currency ~ '^[A-Z]{3}$'"
    ),
    check(
        name = "billing_accounts_credit_limit_check",
        expr = "credit_limit >= 0"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct BillingAccount {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 128)]
    pub billing_email: String,
    #[column(varchar = 3, default = "'USD'")]
    pub currency: String,
    /// Prepaid balance; negative when the account owes.
    #[column(numeric(14, 4), default = "0")]
    pub balance: BigDecimal,
    #[column(numeric(14, 2), default = "0")]
    pub credit_limit: BigDecimal,
    #[column(default = "30")]
    pub payment_terms_days: i32,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Per-minute rates by destination prefix, shared by every account.
#[schema_core::table(
    schema = "billing",
    name = "billing_rates",
    global = "the platform's rate deck; accounts pick a plan, not their own rates",
    unique_index(prefix, effective_from, where = "deleted_at IS NULL"),
    check(name = "billing_rates_per_minute_check", expr = "per_minute >= 0"),
    check(
        name = "billing_rates_currency_check",
        expr = "currency ~ '^[A-Z]{3}$'"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct BillingRate {
    #[column(primary_key, identity)]
    pub id: i64,
    /// E.164 destination prefix without `+`, e.g. `4420`.
    #[column(varchar = 16)]
    pub prefix: String,
    #[column(varchar = 128)]
    pub description: String,
    #[column(numeric(10, 6))]
    pub per_minute: BigDecimal,
    #[column(varchar = 3, default = "'USD'")]
    pub currency: String,
    #[column(default = "60")]
    pub billing_increment_seconds: i32,
    pub effective_from: NaiveDate,
    pub effective_until: Option<NaiveDate>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// The plans accounts subscribe to.
#[schema_core::table(
    schema = "billing",
    name = "subscription_plans",
    global = "the plan catalogue is the same for every account",
    unique_index(code, where = "deleted_at IS NULL"),
    check(name = "subscription_plans_base_price_check", expr = "base_price >= 0"),
    check(
        name = "subscription_plans_currency_check",
        expr = "currency ~ '^[A-Z]{3}$'"
    ),
    check(
        name = "subscription_plans_cycle_check",
        expr = "billing_cycle_days BETWEEN 1 AND 366"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct SubscriptionPlan {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(varchar = 32)]
    pub code: String,
    #[column(varchar = 100)]
    pub name: String,
    pub description: Option<String>,
    #[column(default = "30")]
    pub billing_cycle_days: i32,
    #[column(numeric(10, 2))]
    pub base_price: BigDecimal,
    #[column(varchar = 3, default = "'USD'")]
    pub currency: String,
    /// Included features and limits, e.g. `{"seats": 10, "recording": true}`.
    #[column(default = "'{}'::jsonb")]
    pub features: serde_json::Value,
    #[column(default = "true")]
    pub is_active: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// An account's subscription to a plan.
#[schema_core::table(
    schema = "billing",
    name = "account_subscriptions",
    tenant,
    unique(account_id, id),
    index(
        account_id,
        status,
        where = "deleted_at IS NULL",
        name = "account_subscriptions_live_idx"
    ),
    check(
        name = "account_subscriptions_period_check",
        expr = "expires_at IS NULL OR expires_at > started_at"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct AccountSubscription {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(references(SubscriptionPlan, on_delete = restrict), index)]
    pub plan_id: Uuid,
    #[column(default = "'active'")]
    pub status: SubscriptionStatus,
    pub started_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    #[column(default = "true")]
    pub auto_renew: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Usage and subscription charges as they happen; invoices sum them.
#[schema_core::table(
    schema = "billing",
    name = "billing_events",
    index(account_id, subscription_id),
    tenant,
    append_only(time = occurred_at),
    foreign_key(
        columns(account_id, subscription_id),
        references = AccountSubscription,
        target_columns(account_id, id),
        on_delete = restrict
    ),
    index(account_id, occurred_at(desc), name = "billing_events_account_recent_idx"),
    index(occurred_at, method = "brin"),
    index(account_id, where = "processed_at IS NULL", name = "billing_events_unprocessed_idx"),
    check(name = "billing_events_currency_check", expr = "currency ~ '^[A-Z]{3}$'"),
    check(name = "billing_events_quantity_check", expr = "quantity >= 0")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct BillingEvent {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub subscription_id: Option<Uuid>,
    #[column(varchar = 50)]
    pub event_type: String,
    /// Signed: credits are negative.
    #[column(numeric(12, 4))]
    pub amount: BigDecimal,
    #[column(varchar = 3, default = "'USD'")]
    pub currency: String,
    #[column(numeric(12, 4), default = "1")]
    pub quantity: BigDecimal,
    #[column(varchar = 20)]
    pub unit_type: Option<String>,
    pub description: Option<String>,
    #[column(default = "'{}'::jsonb")]
    pub metadata: serde_json::Value,
    #[column(default = "now()")]
    pub occurred_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// Usage-based charges of the first billing system, kept for their history; `billing_events`
/// replaced them.
#[schema_core::table(
    schema = "billing",
    name = "billing_transactions_legacy",
    renamed_from = "billing_transactions",
    tenant,
    append_only(time = created_at),
    index(account_id, created_at(desc)),
    check(name = "billing_transactions_currency_check", expr = "currency ~ '^[A-Z]{3}$'")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct BillingTransaction {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 50)]
    pub transaction_type: String,
    #[column(numeric(12, 4))]
    pub amount: BigDecimal,
    #[column(varchar = 3, default = "'USD'")]
    pub currency: String,
    pub description: Option<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

/// A monthly invoice.
#[schema_core::table(
    schema = "billing",
    name = "invoices",
    tenant,
    unique(account_id, id),
    unique_index(account_id, invoice_number, where = "deleted_at IS NULL"),
    index(
        account_id,
        status,
        due_on,
        where = "deleted_at IS NULL",
        name = "invoices_open_idx"
    ),
    check(
        name = "invoices_amounts_check",
        expr = "subtotal >= 0 AND tax >= 0 AND total = subtotal + tax"
    ),
    check(name = "invoices_period_check", expr = "period_end > period_start"),
    check(name = "invoices_currency_check", expr = "currency ~ '^[A-Z]{3}$'")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Invoice {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 32)]
    pub invoice_number: String,
    #[column(default = "'draft'")]
    pub status: InvoiceStatus,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub due_on: NaiveDate,
    #[column(numeric(12, 2), default = "0")]
    pub subtotal: BigDecimal,
    #[column(numeric(12, 2), default = "0")]
    pub tax: BigDecimal,
    #[column(numeric(12, 2), default = "0")]
    pub total: BigDecimal,
    #[column(varchar = 3, default = "'USD'")]
    pub currency: String,
    pub issued_at: Option<DateTime<Utc>>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One line of an invoice.
#[schema_core::table(
    schema = "billing",
    name = "invoice_items",
    index(account_id, invoice_id),
    tenant,
    hard_delete = "lines belong to their invoice and go with it",
    foreign_key(
        columns(account_id, invoice_id),
        references = Invoice,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    index(invoice_id),
    check(name = "invoice_items_quantity_check", expr = "quantity >= 0"),
    check(name = "invoice_items_unit_price_check", expr = "unit_price >= 0")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct InvoiceItem {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub invoice_id: Uuid,
    #[column(varchar = 255)]
    pub description: String,
    #[column(numeric(12, 4), default = "1")]
    pub quantity: BigDecimal,
    #[column(numeric(12, 6))]
    pub unit_price: BigDecimal,
    #[column(numeric(12, 2), generated = "round(quantity * unit_price, 2)")]
    pub amount: Option<BigDecimal>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// A stored way to pay: a card or bank account, by the processor's token only.
#[schema_core::table(
    schema = "billing",
    name = "payment_methods",
    tenant,
    unique(account_id, id),
    unique_index(
        account_id,
        where = "is_default AND deleted_at IS NULL",
        name = "payment_methods_one_default"
    ),
    check(
        name = "payment_methods_kind_check",
        expr = "kind IN ('card', 'bank_account', 'wallet')"
    ),
    check(
        name = "payment_methods_expiry_check",
        expr = "expires_month IS NULL OR expires_month BETWEEN 1 AND 12"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct PaymentMethod {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 20)]
    pub kind: String,
    /// The payment processor's token; card numbers are never stored.
    #[column(varchar = 128)]
    pub processor_token: String,
    #[column(varchar = 4)]
    pub last4: Option<String>,
    pub expires_month: Option<i16>,
    pub expires_year: Option<i16>,
    #[column(default = "false")]
    pub is_default: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A payment received against an invoice.
#[schema_core::table(
    schema = "billing",
    name = "payments",
    index(account_id, invoice_id),
    index(account_id, payment_method_id),
    tenant,
    append_only(time = received_at),
    foreign_key(
        columns(account_id, invoice_id),
        references = Invoice,
        target_columns(account_id, id),
        on_delete = restrict
    ),
    foreign_key(
        columns(account_id, payment_method_id),
        references = PaymentMethod,
        target_columns(account_id, id),
        on_delete = restrict
    ),
    unique(account_id, processor_reference),
    index(invoice_id),
    check(name = "payments_amount_check", expr = "amount > 0"),
    check(name = "payments_currency_check", expr = "currency ~ '^[A-Z]{3}$'")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Payment {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub invoice_id: Option<Uuid>,
    pub payment_method_id: Option<Uuid>,
    #[column(numeric(12, 2))]
    pub amount: BigDecimal,
    #[column(varchar = 3, default = "'USD'")]
    pub currency: String,
    #[column(varchar = 64)]
    pub processor_reference: String,
    #[column(default = "now()")]
    pub received_at: DateTime<Utc>,
}

/// A subscription's billing period: what was charged for which dates.
#[schema_core::table(
    schema = "billing",
    name = "billing_periods",
    index(account_id, invoice_id),
    tenant,
    hard_delete = "periods go with their subscription",
    foreign_key(
        columns(account_id, subscription_id),
        references = AccountSubscription,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    foreign_key(
        columns(account_id, invoice_id),
        references = Invoice,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    unique(account_id, subscription_id, starts_on),
    check(name = "billing_periods_dates_check", expr = "ends_on > starts_on"),
    check(name = "billing_periods_amount_check", expr = "amount >= 0")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct BillingPeriod {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub subscription_id: Uuid,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    #[column(numeric(10, 2))]
    pub amount: BigDecimal,
    pub invoice_id: Option<Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}
