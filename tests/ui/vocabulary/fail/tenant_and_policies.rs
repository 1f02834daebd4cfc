// A tenant table filters on `account_id`; policies are checked for shape and syntax.
#[schema_core::table(schema = "voicemail", name = "greetings", tenant, append_only)]
pub struct Greeting {
    pub id: i64,
    pub owner_id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(schema = "voicemail", name = "pins", tenant, append_only)]
pub struct Pin {
    pub id: i64,
    pub account_id: Option<uuid::Uuid>,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

#[schema_core::table(
    schema = "voicemail",
    name = "boxes",
    policy(name = "boxes_read", command = select, using = "true", with_check = "true"),
    policy(name = "boxes_add", command = insert, using = "true"),
    policy(name = "boxes_bad", command = upsert, using = "account_id = ="),
    policy(command = delete, using = "true"),
    policy(name = "boxes_empty", command = update),
    global = "ui case",
    append_only
)]
pub struct VoicemailBox {
    pub id: i64,
    pub mailbox_owner_id: uuid::Uuid,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Greeting, Pin, VoicemailBox }

fn main() {}
