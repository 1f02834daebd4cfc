//! PostgreSQL schema `voicemail`: voicemail boxes and the messages left in them.

use crate::accounts::Account;
use crate::auth::User;
use bigdecimal::BigDecimal;
use chrono::{DateTime, Utc};
use schema_core::{Jsonb, PgEnum};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where a message's voicemail-to-text transcription stands.
#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[pg_enum(schema = "voicemail", name = "transcription_status")]
pub enum TranscriptionStatus {
    Pending,
    Processing,
    Completed,
    Failed,
    NotRequested,
}

/// How a box greets callers; stored as `jsonb`, read back as this type.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GreetingSettings {
    /// `standard`, `busy`, `unavailable` or `custom`.
    pub active_greeting: Option<String>,
    /// Storage key of a recorded custom greeting.
    pub custom_recording: Option<String>,
    pub play_caller_id: bool,
}

/// A voicemail box: one per extension, owned by an account (and optionally a user).
#[schema_core::table(
    schema = "voicemail",
    name = "voicemail_boxes",
    index(account_id, owner_user_id),
    tenant,
    foreign_key(
        columns(account_id, owner_user_id),
        references = User,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    unique_index(account_id, mailbox_number, where = "deleted_at IS NULL"),
    unique(account_id, id, name = "voicemail_boxes_account_id_id_key"),
    check(
        name = "voicemail_boxes_max_messages_check",
        expr = "max_messages BETWEEN 1 AND 10000"
    )
)]
#[derive(Debug, Clone, PartialEq)]
pub struct VoicemailBox {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(index)]
    pub owner_user_id: Option<Uuid>,
    /// The digits callers dial to reach the box.
    #[column(varchar = 20, check = "mailbox_number ~ '^[0-9]+$'")]
    pub mailbox_number: String,
    /// Hash of the access PIN; never the PIN itself.
    #[column(varchar = 128)]
    pub pin_hash: Option<String>,
    #[column(default = "100")]
    pub max_messages: i32,
    #[column(default = "'{}'")]
    pub greeting: Jsonb<GreetingSettings>,
    /// Addresses notified of new messages.
    #[column(default = "'{}'")]
    pub notify_emails: Vec<String>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// Each voicemail box's live messages: how many, their total length, the newest, and how many
/// still wait for a transcription (the inbox screen's header). It runs as its reader, so the
/// application role sees its own tenant's boxes only.
#[schema_core::view(
    schema = "voicemail",
    name = "voicemail_box_summaries",
    key(box_id),
    read_by(app),
    query = "SELECT m.account_id, m.box_id, count(*) AS messages,
                    sum(m.duration_seconds) AS total_seconds,
                    max(m.received_at) AS newest_received_at,
                    count(*) FILTER (WHERE m.transcription_status IN ('pending', 'processing')) AS pending_transcriptions
             FROM voicemail.voicemail_messages m
             WHERE m.deleted_at IS NULL
             GROUP BY m.account_id, m.box_id"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct VoicemailBoxSummary {
    pub account_id: Uuid,
    pub box_id: Uuid,
    pub messages: i64,
    pub total_seconds: Option<i64>,
    pub newest_received_at: Option<DateTime<Utc>>,
    pub pending_transcriptions: i64,
}

/// A message left in a voicemail box, with its transcription.
#[schema_core::table(
    schema = "voicemail",
    name = "voicemail_messages",
    index(account_id, box_id),
    tenant,
    foreign_key(
        columns(account_id, box_id),
        references = VoicemailBox,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    index(
        box_id,
        received_at(desc),
        name = "voicemail_messages_box_inbox_idx",
        where = "deleted_at IS NULL",
        include(duration_seconds)
    ),
    index(metadata, method = "gin"),
    index(
        transcription_status,
        where = "transcription_status IN ('pending', 'processing')"
    ),
    check = "transcription_confidence BETWEEN 0 AND 1"
)]
#[derive(Debug, Clone, PartialEq)]
pub struct VoicemailMessage {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade), index)]
    pub account_id: Uuid,
    pub box_id: Uuid,
    #[column(varchar = 32)]
    pub caller_number: Option<String>,
    #[column(varchar = 128)]
    pub caller_name: Option<String>,
    #[column(check = "duration_seconds >= 0")]
    pub duration_seconds: i32,
    #[column(default = "now()")]
    pub received_at: DateTime<Utc>,
    /// Storage key of the audio.
    #[column(varchar = 512)]
    pub recording_key: String,
    #[column(default = "'not_requested'")]
    pub transcription_status: TranscriptionStatus,
    pub transcription_text: Option<String>,
    /// The engine's confidence, 0 to 1.
    #[column(numeric(4, 3))]
    pub transcription_confidence: Option<BigDecimal>,
    #[column(varchar = 50)]
    pub transcription_service: Option<String>,
    pub transcription_completed_at: Option<DateTime<Utc>>,
    #[column(default = "'{}'::jsonb")]
    pub metadata: serde_json::Value,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}

/// A recorded greeting of a box; one of each type is active at a time.
#[schema_core::table(
    schema = "voicemail",
    name = "voicemail_greetings",
    index(account_id, box_id),
    tenant,
    foreign_key(
        columns(account_id, box_id),
        references = VoicemailBox,
        target_columns(account_id, id),
        on_delete = cascade
    ),
    unique_index(account_id, box_id, greeting_type, where = "is_active AND deleted_at IS NULL", name = "voicemail_greetings_one_active"),
    check(name = "voicemail_greetings_type_check", expr = "greeting_type IN ('unavailable', 'busy', 'name', 'temporary')")
)]
#[derive(Debug, Clone, PartialEq)]
pub struct VoicemailGreeting {
    #[column(primary_key, default = "gen_random_uuid()")]
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub box_id: Uuid,
    #[column(varchar = 20, default = "'unavailable'")]
    pub greeting_type: String,
    #[column(varchar = 512)]
    pub recording_key: String,
    #[column(default = "false")]
    pub is_active: bool,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
}
