// Hostile and mistaken SQL fragments: each is parsed as exactly one PostgreSQL expression and
// refused at the attribute, so nothing is pasted into a migration. (`user <> ''` and
// `order > 0` on columns of those names are accepted: see `schema_tests::hostile`.)
#[schema_core::table(
    schema = "hostile",
    name = "notes",
    global = "ui case",
    hard_delete = "ui case",
    check(name = "notes_note_check", expr = "note <> '' -- not empty"),
    check(name = "notes_param_check", expr = "id > $1"),
    index(note, where = "note <> '' /* live */")
)]
pub struct Note {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "'x'); DROP TABLE public.victim; CREATE TABLE public.pwned (z text")]
    pub note: String,
    #[column(default = "'[]'::jsnob")]
    pub payload: serde_json::Value,
    #[column(default = "id + 1")]
    pub copy: i64,
    #[column(default = "(SELECT max(id) FROM hostile.notes)")]
    pub next: i64,
    #[column(default = "'a'; SELECT pg_sleep(10)")]
    pub stacked: String,
    #[column(generated = "note || 'x' -- tail")]
    pub tail: String,
    pub user: String,
    pub order: i32,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Note }

fn main() {}
