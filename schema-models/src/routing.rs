//! PostgreSQL schema `routing`: carriers and their rates, routing plans, and the IVR routing
//! data layer (routing tables with history, versioned message stores).

use crate::accounts::Account;
use crate::auth::User;
use bigdecimal::BigDecimal;
use chrono::{DateTime, NaiveDate, Utc};
use ipnetwork::IpNetwork;
use uuid::Uuid;

/// A language callers can be served in, by BCP 47 code (`nl-BE`, `en-US`).
#[schema_core::table(
    schema = "routing",
    name = "languages",
    global = "a dictionary shared by every account",
    hard_delete = "a language is retired with is_active, and removed only when nothing uses it",
    check(
        name = "languages_code_check",
        expr = "code ~ '^[a-z]{2,3}(-[A-Z]{2})?$'"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Language {
    #[column(primary_key, varchar = 10)]
    pub code: String,
    #[column(varchar = 100)]
    pub display_name: String,
    #[column(default = "true")]
    pub is_active: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// A carrier the platform terminates calls through.
#[schema_core::table(
    schema = "routing",
    name = "providers",
    global = "carriers are the platform's contracts, shared by every account's routing",
    unique_index(name, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct Provider {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(varchar = 64)]
    pub name: String,
    /// Points of interconnection: the carrier's signalling addresses.
    pub signalling_ips: Vec<IpNetwork>,
    #[column(varchar = 16, default = "'udp'")]
    pub transport: String,
    #[column(default = "true")]
    pub is_active: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A carrier's rate deck: cost per minute by destination prefix.
#[schema_core::table(
    schema = "routing",
    name = "provider_rates",
    global = "carrier costs are the platform's, not an account's",
    hard_delete = "rate decks are replaced whole when a carrier sends a new one",
    unique(provider_id, prefix, effective_from),
    check(name = "provider_rates_cost_check", expr = "cost_per_minute >= 0")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderRate {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Provider, on_delete = cascade))]
    pub provider_id: Uuid,
    #[column(varchar = 16)]
    pub prefix: String,
    #[column(numeric(10, 6))]
    pub cost_per_minute: BigDecimal,
    pub effective_from: NaiveDate,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// How an account's outbound calls pick carriers.
#[schema_core::table(
    schema = "routing",
    name = "routing_plans",
    tenant,
    unique(account_id, id),
    unique_index(account_id, name, where = "deleted_at IS NULL"),
    check(
        name = "routing_plans_strategy_check",
        expr = "strategy IN ('least_cost', 'priority', 'quality')"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingPlan {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 64)]
    pub name: String,
    #[column(varchar = 16, default = "'least_cost'")]
    pub strategy: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A carrier in a routing plan, with its priority.
#[schema_core::table(
    schema = "routing",
    name = "routing_plan_providers",
    tenant,
    hard_delete = "removing a carrier from a plan is the change itself",
    primary_key(account_id, routing_plan_id, provider_id),
    foreign_key(
        columns(account_id, routing_plan_id),
        references = RoutingPlan,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    check(name = "routing_plan_providers_priority_check", expr = "priority BETWEEN 1 AND 100")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingPlanProvider {
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub routing_plan_id: Uuid,
    #[column(references(Provider, on_delete = cascade), index)]
    pub provider_id: Uuid,
    #[column(default = "1")]
    pub priority: i16,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// A library of prompts an IVR plays, in several languages.
#[schema_core::table(
    schema = "routing",
    name = "message_stores",
    index(default_language),
    tenant,
    unique(account_id, id),
    unique_index(account_id, name, where = "deleted_at IS NULL")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct MessageStore {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 128)]
    pub name: String,
    #[column(varchar = 10)]
    pub allowed_languages: Vec<String>,
    #[column(references(Language, on_delete = restrict), varchar = 10)]
    pub default_language: String,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One prompt of a message store; `published_version` says which of its versions plays.
#[schema_core::table(
    schema = "routing",
    name = "message_keys",
    index(account_id, message_store_id),
    tenant,
    unique(account_id, id),
    foreign_key(
        columns(account_id, message_store_id),
        references = MessageStore,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    unique_index(account_id, message_store_id, message_key, where = "deleted_at IS NULL"),
    check(name = "message_keys_published_version_check", expr = "published_version IS NULL OR published_version BETWEEN 1 AND 10"),
    check(name = "message_keys_type_check", expr = "message_type IN ('tts', 'audio_url', 'llm_message', 'llm_prompt')")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct MessageKey {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub message_store_id: Uuid,
    #[column(varchar = 128)]
    pub message_key: String,
    #[column(varchar = 16)]
    pub message_type: String,
    pub published_version: Option<i32>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// One version (1–10) of a prompt, with its text per language.
#[schema_core::table(
    schema = "routing",
    name = "message_key_versions",
    index(account_id, created_by),
    tenant,
    foreign_key(
        columns(account_id, created_by),
        references = User,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    hard_delete = "at most ten versions are kept; the oldest is removed to make room",
    foreign_key(
        columns(account_id, message_key_id),
        references = MessageKey,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    unique(account_id, message_key_id, version),
    check(name = "message_key_versions_version_check", expr = "version BETWEEN 1 AND 10")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct MessageKeyVersion {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub message_key_id: Uuid,
    pub version: i32,
    #[column(varchar = 128)]
    pub version_name: Option<String>,
    /// The prompt per language: `{"nl-BE": {"content": "...", "voice": "..."}}`.
    pub contents: serde_json::Value,
    pub created_by: Option<Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// An IVR entry point: an inbound source mapped to a flow. Segment changes are staged under a
/// change set (`change_set_id`; NULL is the published flow).
#[schema_core::table(
    schema = "routing",
    name = "routing_tables",
    index(account_id, message_store_id),
    index(language_code),
    tenant,
    unique(account_id, id),
    unique_index(account_id, source_id, where = "deleted_at IS NULL"),
    foreign_key(
        columns(account_id, message_store_id),
        references = MessageStore,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    index(feature_flags, method = "gin")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingTable {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(varchar = 100)]
    pub source_id: String,
    #[column(varchar = 100)]
    pub routing_id: String,
    pub message_store_id: Option<Uuid>,
    #[column(references(Language, on_delete = restrict), varchar = 10)]
    pub language_code: String,
    #[column(varchar = 100)]
    pub init_segment: String,
    #[column(default = "'{}'::jsonb")]
    pub config: serde_json::Value,
    #[column(default = "'{}'::jsonb")]
    pub feature_flags: serde_json::Value,
    pub change_set_id: Option<Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Every published state of a routing table, as a snapshot.
#[schema_core::table(
    schema = "routing",
    name = "routing_table_history",
    tenant,
    append_only(time = action_at),
    foreign_key(
        columns(account_id, routing_table_id),
        references = RoutingTable,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    unique(account_id, routing_table_id, version_number, name = "routing_table_history_version_key"),
    check(name = "routing_table_history_action_check", expr = "action_type IN ('created', 'updated', 'published', 'rolled_back')")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct RoutingTableHistory {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub routing_table_id: Uuid,
    pub version_number: i32,
    pub snapshot: serde_json::Value,
    #[column(varchar = 16)]
    pub action_type: String,
    /// Kept without a foreign key, for audit retention: the entry outlives the user.
    pub action_by: Option<Uuid>,
    #[column(default = "now()")]
    pub action_at: DateTime<Utc>,
}
