// Mistakes only the compiler can see, because they need another declaration: an enum default
// that is not one of the enum's values, and relation names that clash across partitions'
// index copies. Each is one error that names what clashes.
#[derive(schema_core::PgEnum, Debug, Clone, Copy, PartialEq, Eq)]
#[pg_enum(schema = "hostile")]
pub enum TicketStatus {
    Backlog,
    Done,
}

#[schema_core::table(schema = "hostile", name = "tickets", global = "ui case", hard_delete = "ui case")]
pub struct Ticket {
    #[column(primary_key, identity)]
    pub id: i64,
    #[column(default = "'backlogg'")]
    pub status: TicketStatus,
    #[column(default = "'done'::hostile.ticket_status")]
    pub last: TicketStatus,
    #[column(default = "now()")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(default = "now()")]
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

// A unique index named `pkey`: every partition's copy of it is `<partition>_pkey`, the name of
// the partition's copy of the primary key.
#[schema_core::table(
    schema = "hostile",
    name = "calls",
    global = "ui case",
    append_only(time = at),
    primary_key(id, at),
    partition_by(range(at)),
    unique_index(code, at, name = "pkey"),
    partition(name = "calls_other", default)
)]
pub struct Call {
    #[column(identity)]
    pub id: i64,
    pub code: String,
    #[column(default = "now()")]
    pub at: chrono::DateTime<chrono::Utc>,
}

schema_core::schema! { Ticket, Call }

fn main() {}
