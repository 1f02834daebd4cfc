// Hostile and mistaken CHECK expressions: one compile error each, at the attribute.
#[schema_core::table(
    schema = "hostile",
    name = "checks",
    global = "ui case",
    hard_delete = "ui case",
    check(name = "checks_c00", expr = "note <> '' -- not empty"),
    check(name = "checks_c01", expr = "note <> '' /* not empty */"),
    check(name = "checks_c02", expr = "note <> ''; DROP TABLE canary.victim"),
    check(name = "checks_c03", expr = "note <> '') OR (true"),
    check(name = "checks_c04", expr = "note <> $1"),
    check(name = "checks_c05", expr = "note = $name"),
    check(name = "checks_c06", expr = "note <> :param"),
    check(name = "checks_c07", expr = "notes <> ''"),
    check(name = "checks_c08", expr = "note <> ALL"),
    check(name = "checks_c09", expr = "\"Note\" <> ''"),
    check(name = "checks_c10", expr = "t.note <> ''"),
    check(name = "checks_c11", expr = "hostile.t.note <> ''"),
    check(name = "checks_c12", expr = "EXISTS (SELECT 1 FROM canary.victim)"),
    check(name = "checks_c13", expr = "note IN (SELECT 'x')"),
    check(name = "checks_c14", expr = "(SELECT count(*) FROM canary.victim) = 1"),
    check(name = "checks_c15", expr = "note::jsnob IS NOT NULL"),
    check(name = "checks_c16", expr = "note::varchr <> ''"),
    check(name = "checks_c17", expr = "note <>"),
    check(name = "checks_c18", expr = "note <> 'unterminated"),
    check(name = "checks_c19", expr = "note <> $$unterminated"),
    check(name = "checks_c20", expr = ""),
    check(name = "checks_c21", expr = "   "),
    check(name = "checks_c22", expr = "select > 0"),
    check(name = "checks_c23", expr = "table <> ''"),
    check(name = "checks_c24", expr = "from <> ''"),
    check(name = "checks_c25", expr = "note <> '' garbage"),
    check(name = "checks_c26", expr = "note <> ''; --"),
    check(name = "checks_c27", expr = "note <> '' AND"),
    check(name = "checks_c28", expr = "((note <> '')"),
    check(name = "checks_c29", expr = "note <> ''))"),
    check(name = "checks_c30", expr = "note <> '' UNION SELECT 1"),
    check(name = "checks_c31", expr = "note <> '' \\g"),
)]
pub struct Checks {
    #[column(primary_key, identity)]
    pub id: i64,
    pub note: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Checks }

fn main() {}
