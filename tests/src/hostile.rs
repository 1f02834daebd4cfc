//! Accepted declarations of the adversarial suite: names and fragments that look hostile but
//! are valid, each applied to PostgreSQL by `tests/hostile.rs` and verified in the catalog
//! (exact names, the columns every expression names, byte-exact text, a canary table that must
//! survive). The rejected ones are the UI cases in `tests/ui/hostile/fail/`.
//!
//! Each numbered comment is one case of the suite.

use chrono::{DateTime, Utc};
use schema_core::PgEnum;

/// 1–6. Enum values PostgreSQL stores byte-exact: quotes, dollar quotes, comment marks, a
/// newline, an emoji, a semicolon with a payload.
#[derive(PgEnum, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[pg_enum(schema = "hostile", name = "odd_value")]
pub enum OddValue {
    #[pg_enum(rename = "it's")]
    Quote,
    #[pg_enum(rename = "$$dollar$$")]
    Dollar,
    #[pg_enum(rename = "-- not a comment")]
    Dashes,
    #[pg_enum(rename = "line\nbreak")]
    Newline,
    #[pg_enum(rename = "☎ phone")]
    Emoji,
    #[pg_enum(rename = "x'); DROP TABLE canary.victim; --")]
    Payload,
}

/// 7. A doc comment with quotes, `$$`, `*/`, `--`, an emoji and a newline:
/// it's $$ */ -- ☎
/// and a second line.
#[schema_core::table(
    schema = "hostile",
    // 8. A table named after a Rust keyword: its Diesel module is `r#type`.
    name = "type",
    global = "adversarial suite",
    hard_delete = "adversarial suite",
    // 9–11. Unquoted key-word columns in a CHECK mean the columns; a string with `--` and `;`.
    check(
        name = "type_keywords_check",
        expr = "user <> '' AND order >= 0 AND \"group\" <> '--; DROP TABLE canary.victim'"
    ),
    // 12. A dollar-quoted string holding a payload.
    check(
        name = "type_dollar_check",
        expr = "note <> $$'); DROP TABLE canary.victim; --$$"
    ),
    // 13. An escape string whose `\'` is a quote inside it.
    check(name = "type_escape_check", expr = "note <> E'no\\'pe'"),
    // 14. A backslash at the end of a standard string (no escape: standard_conforming_strings).
    check(name = "type_backslash_check", expr = "note <> 'C:\\'"),
    // 15. `position`, a key word PostgreSQL allows as a column name.
    check(name = "type_position_check", expr = "position >= 0"),
    // 16. `current_date` as a column, quoted in the SQL written.
    check(name = "type_current_date_check", expr = "current_date IS NOT NULL"),
    // 17. A partial index whose predicate names key-word columns.
    index(user, order, name = "type_live_users_idx", where = "order > 0 AND user <> '--'"),
    // 18. A 63-byte index name, exactly the limit.
    index(note, name = "type_note_idx_padded_to_exactly_sixty_three_bytes_xxxxxxxxxxxxx")
)]
pub struct Type {
    #[column(primary_key, identity)]
    pub id: i64,
    // 19. A column named `user`, with a string default holding comment marks and a payload.
    #[column(default = "'--x; DROP TABLE canary.victim'")]
    pub user: String,
    // 20. A column named `order`.
    #[column(default = "1")]
    pub order: i32,
    // 21. A column named `group`.
    #[column(default = "'g'")]
    pub group: String,
    // 22. A Rust-keyword column, a raw identifier (`type` would share the table's name, which
    // Diesel refuses), with a negative default.
    #[column(default = "-1")]
    pub r#match: i32,
    // 23. A dollar-quoted default with a quote inside.
    #[column(default = "$$it's$$")]
    pub note: String,
    // 24. An escape-string default with a newline.
    #[column(default = "E'line\\nbreak'")]
    pub escaped: String,
    // 25. A default with an emoji.
    #[column(default = "'☎'")]
    pub symbol: String,
    // 26. `position` as a column.
    #[column(default = "0")]
    pub position: i32,
    // 27. `current_date` as a column.
    pub current_date: chrono::NaiveDate,
    // 28. A generated column over a key-word column, with `;` in a string.
    #[column(generated = "lower(user) || ';'")]
    pub user_key: Option<String>,
    // 29. An enum default whose value holds a quote.
    #[column(default = "'it''s'")]
    pub odd: OddValue,
    // 30. An array default written as an array literal.
    #[column(default = "'{a,b}'")]
    pub tags: Vec<String>,
    // 31. A varchar array with an empty-array default.
    #[column(varchar = 8, default = "'{}'")]
    pub codes: Vec<String>,
    // 32. A boolean default written as a string PostgreSQL reads as true.
    #[column(default = "'t'")]
    pub flag: bool,
    // 33. A 63-byte column name.
    pub a_column_name_that_is_exactly_sixty_three_bytes_long_xxxxxxxxx: Option<i32>,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// 34. A table named after an SQL reserved word, referencing the keyword-named table.
#[schema_core::table(
    schema = "hostile",
    name = "select",
    global = "adversarial suite",
    hard_delete = "adversarial suite",
    // 35. A policy whose `using` names a key-word column and holds comment marks in a string.
    row_security,
    policy(
        name = "select_visible",
        command = "select",
        using = "from_type IS NOT NULL AND current_setting('app.note', true) IS DISTINCT FROM '--'"
    )
)]
pub struct Select {
    #[column(primary_key, identity)]
    pub id: i64,
    // 36. A foreign key onto the keyword-named table, from a column named with a key word.
    #[column(references = Type)]
    pub from_type: i64,
    #[column(default = "now()")]
    pub created_at: DateTime<Utc>,
    #[column(default = "now()")]
    pub updated_at: DateTime<Utc>,
}

/// 37–40. A partitioned table whose partitions' index copies are named by the project: a
/// custom-named unique index, an index whose name does not start with the table's, and a
/// partition name long enough that the copies are 63 bytes exactly.
#[schema_core::table(
    schema = "hostile",
    name = "events",
    global = "adversarial suite",
    append_only(time = at),
    primary_key(id, at),
    partition_by(range(at)),
    // 37. A unique index with a custom name.
    unique_index(code, at, name = "events_code_uidx"),
    // 38. An index named without the table's prefix.
    index(at, name = "recent_events"),
    // 39. A partition whose copies' names are 63 bytes.
    partition(
        name = "events_partition_copies_fill_63_bytesxxxxxxxxxxxx",
        from = "2026-01-01 00:00:00+00",
        to = "2026-02-01 00:00:00+00"
    ),
    // 40. A default partition.
    partition(name = "events_other", default)
)]
pub struct Event {
    #[column(identity)]
    pub id: i64,
    pub code: String,
    #[column(default = "now()")]
    pub at: DateTime<Utc>,
}

schema_core::schema! { Type, Select, Event }
