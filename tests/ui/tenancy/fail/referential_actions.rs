// A referential action never does what the referencing table refuses: an append-only table
// takes no UPDATE, and SET NULL needs nullable columns.
use chrono::{DateTime, Utc};
use uuid::Uuid;

#[schema_core::table(schema = "accounts", name = "accounts", tenant_root, append_only)]
pub struct Account {
    pub id: Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(
    schema = "telecom",
    name = "lines",
    tenant,
    hard_delete = "ui case",
    unique(account_id, id)
)]
pub struct Line {
    pub id: Uuid,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

#[schema_core::table(
    schema = "audit",
    name = "events",
    tenant,
    append_only,
    foreign_key(
        columns(account_id, line_id),
        references = Line,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    foreign_key(
        columns(account_id, other_line_id),
        references = Line,
        target_columns(account_id, id),
        on_update = cascade,
        name = "events_other_line_fkey",
        no_join
    )
)]
pub struct Event {
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    pub line_id: Option<Uuid>,
    pub other_line_id: Option<Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
}

#[schema_core::table(
    schema = "telecom",
    name = "calls",
    tenant,
    hard_delete = "ui case",
    foreign_key(
        columns(account_id, line_id),
        references = Line,
        target_columns(account_id, id),
        on_delete = set_null
    ),
    foreign_key(
        columns(account_id, spare_line_id),
        references = Line,
        target_columns(account_id, id),
        on_update = set_null,
        name = "calls_spare_line_fkey",
        no_join
    )
)]
pub struct Call {
    pub id: i64,
    #[column(references(Account, on_delete = cascade))]
    pub account_id: Uuid,
    // NOT NULL: deleting the line could not set it to NULL.
    pub line_id: Uuid,
    pub spare_line_id: Option<Uuid>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

schema_core::schema! { Account, Line, Event, Call }

fn main() {}
