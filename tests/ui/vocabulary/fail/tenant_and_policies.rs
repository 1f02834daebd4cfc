// A tenant table filters on `account_id`; policies are checked for shape and syntax.
#[schema_core::table(schema = "voicemail", name = "greetings", tenant)]
pub struct Greeting {
    pub id: i64,
    pub owner_id: uuid::Uuid,
}

#[schema_core::table(schema = "voicemail", name = "pins", tenant)]
pub struct Pin {
    pub id: i64,
    pub account_id: Option<uuid::Uuid>,
}

#[schema_core::table(
    schema = "voicemail",
    name = "boxes",
    policy(name = "boxes_read", command = select, using = "true", with_check = "true"),
    policy(name = "boxes_add", command = insert, using = "true"),
    policy(name = "boxes_bad", command = upsert, using = "account_id = ="),
    policy(command = delete, using = "true"),
    policy(name = "boxes_empty", command = update)
)]
pub struct VoicemailBox {
    pub id: i64,
    pub account_id: uuid::Uuid,
}

schema_core::schema! { Greeting, Pin, VoicemailBox }

fn main() {}
