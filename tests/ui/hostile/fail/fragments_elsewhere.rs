// Hostile index predicates, generated expressions, policies and backfills: one error each.
#[schema_core::table(
    schema = "hostile",
    name = "fragments2",
    global = "ui case",
    hard_delete = "ui case",
    row_security,
    index(note, name = "fragments2_w0", where = "note <> '' -- live"),
    index(note, name = "fragments2_w1", where = "note <> ''; DROP TABLE canary.victim"),
    index(note, name = "fragments2_w2", where = "EXISTS (SELECT 1)"),
    index(note, name = "fragments2_w3", where = "note = $1"),
    index(note, name = "fragments2_w4", where = "nope IS NULL"),
    index(note, name = "fragments2_w5", where = "note::jsnob IS NULL"),
    policy(name = "fragments2_p0", command = "select", using = "note <> '' -- all"),
    policy(name = "fragments2_p1", command = "select", using = "true; DROP TABLE canary.victim"),
    policy(name = "fragments2_p2", command = "select", using = "nope = 1"),
    policy(name = "fragments2_p3", command = "select", using = "note = $1"),
    policy(name = "fragments2_p4", command = "select", using = "victim.id = 1"),
    policy(name = "fragments2_p5", command = "select", using = "note <> ''/*"),
    policy(name = "fragments2_q0", command = "insert", with_check = "true -- x"),
    policy(name = "fragments2_q1", command = "insert", with_check = "note = $1"),
    policy(name = "fragments2_q2", command = "insert", with_check = "nope <> ''"),
)]
pub struct Fragments2 {
    #[column(primary_key, identity)]
    pub id: i64,
    pub note: String,
    #[column(generated = "note || 'x' -- tail")]
    pub g0: String,
    #[column(generated = "note || 'x'; DROP TABLE canary.victim")]
    pub g1: String,
    #[column(generated = "(SELECT note)")]
    pub g2: String,
    #[column(generated = "note || $1")]
    pub g3: String,
    #[column(generated = "nope || 'x'")]
    pub g4: String,
    #[column(generated = "g1 || 'x'")]
    pub g5: String,
    #[column(backfill = "'x' -- tail")]
    pub b0: String,
    #[column(backfill = "'x'; DROP TABLE canary.victim")]
    pub b1: String,
    #[column(backfill = "$1")]
    pub b2: String,
    #[column(backfill = "nope")]
    pub b3: String,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Fragments2 }

fn main() {}
