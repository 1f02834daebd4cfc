//! The column types the DSL supports. The macros' "unsupported column type" help, the note of
//! `schema_core::PgEnum`'s `on_unimplemented` and README's Types table are all this table
//! (tests in schema-core check the two that cannot be generated, an attribute's literal and a
//! Markdown file).

/// One row of the table: Rust types and the PostgreSQL type(s) they declare.
pub struct ColumnType {
    /// As a declaration may write them (the macros match the last path segment).
    pub rust: &'static [&'static str],
    /// What README says beside them (Markdown).
    pub postgres: &'static str,
    /// README's remark on the Rust side (Markdown), if any.
    pub remark: Option<&'static str>,
}

pub const COLUMN_TYPES: &[ColumnType] = &[
    ColumnType {
        rust: &["i16", "i32", "i64"],
        postgres: "`smallint`, `integer`, `bigint`",
        remark: None,
    },
    ColumnType {
        rust: &["bool"],
        postgres: "`boolean`",
        remark: None,
    },
    ColumnType {
        rust: &["f32", "f64"],
        postgres: "`real`, `double precision`",
        remark: None,
    },
    ColumnType {
        rust: &["String"],
        postgres: "`text`, or `character varying(n)` with `#[column(varchar = n)]`",
        remark: None,
    },
    ColumnType {
        rust: &["uuid::Uuid"],
        postgres: "`uuid`",
        remark: None,
    },
    ColumnType {
        rust: &["chrono::DateTime<Utc>", "chrono::NaiveDateTime"],
        postgres: "`timestamp with time zone`, `timestamp without time zone`",
        remark: None,
    },
    ColumnType {
        rust: &["chrono::NaiveDate"],
        postgres: "`date`",
        remark: None,
    },
    ColumnType {
        rust: &["chrono::NaiveTime"],
        postgres: "`time without time zone`",
        remark: None,
    },
    ColumnType {
        rust: &["diesel::pg::data_types::PgInterval"],
        postgres: "`interval`, months, days and microseconds kept apart (as PostgreSQL does: a month is not 30 days)",
        remark: None,
    },
    ColumnType {
        rust: &["bigdecimal::BigDecimal"],
        postgres: "`numeric`, or `numeric(p, s)` with `#[column(numeric(p, s))]`",
        remark: None,
    },
    ColumnType {
        rust: &["ipnetwork::IpNetwork"],
        postgres: "`inet`, or `cidr` with `#[column(cidr)]`",
        remark: None,
    },
    ColumnType {
        rust: &["[u8; 6]"],
        postgres: "`macaddr`",
        remark: None,
    },
    ColumnType {
        rust: &["Vec<u8>"],
        postgres: "`bytea`",
        remark: None,
    },
    ColumnType {
        rust: &["serde_json::Value"],
        postgres: "`jsonb`",
        remark: None,
    },
    ColumnType {
        rust: &["schema_core::Jsonb<T>"],
        postgres: "`jsonb`, read back as `T` (a document that does not fit `T` is a read error)",
        remark: Some("(`T: Serialize + Deserialize`)"),
    },
];

/// The supported types in one line, for `help:` lines and notes.
pub fn supported_list() -> String {
    let mut names: Vec<&str> = COLUMN_TYPES
        .iter()
        .flat_map(|t| t.rust.iter().copied())
        .collect();
    names.push("an enum with #[derive(schema_core::PgEnum)]");
    format!(
        "{}, Vec<T> of these, and Option<T> of all of them",
        names.join(", ")
    )
}

/// README's Types table.
pub fn markdown_table() -> String {
    let mut out = String::from("| Rust | PostgreSQL |\n|---|---|\n");
    for t in COLUMN_TYPES {
        let rust: Vec<String> = t.rust.iter().map(|r| format!("`{r}`")).collect();
        let remark = t.remark.map(|r| format!(" {r}")).unwrap_or_default();
        out.push_str(&format!(
            "| {}{remark} | {} |\n",
            rust.join(", "),
            t.postgres
        ));
    }
    out.push_str(
        "| an enum with `#[derive(schema_core::PgEnum)]` | its native enum type |\n\
         | `Vec<T>`, `Vec<Option<T>>` (`T` not `u8`) | `T[]` (one dimension; `varchar`, `numeric` and `cidr` apply to the element). A `varchar(n)[]` column's Diesel type is `Array<schema_core::sql_types::Varchar>`, bound as `varchar[]`, so `eq`, `contains` and `overlaps_with` work on it (Diesel's own `Varchar` is `Text`, and PostgreSQL has no `varchar[] = text[]`) |\n\
         | `Option<T>` | the same type, nullable (every other column is `NOT NULL`) |\n",
    );
    out
}
