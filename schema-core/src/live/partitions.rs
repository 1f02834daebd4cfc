//! Monthly partitions at run time (the layout they follow is [`crate::partitions`]).
//!
//! A table declared with `#[table(partition_by(range(column)), monthly_partitions(...))]` gets
//! its first months from the migrations; the months after those are created while the platform
//! runs, by [`ensure`] (`cargo schema partitions ensure`), and old months leave the table by
//! [`retain`] (`cargo schema partitions retain`), which detaches them and drops them only when
//! asked to.
//!
//! A month's partition is `<table>_pYYYY_MM`, bounded `FOR VALUES FROM ('YYYY-MM-01 ...') TO
//! (<next month>)` in UTC, exactly as the declarations name and bound the ones they list, so
//! the partitions made here and the declared ones are indistinguishable, and `cargo schema
//! check --database` accepts both (see [`crate::live::introspect::drift`]).
//!
//! Every partition is protected as its table is: PostgreSQL checks a query that names a
//! partition against the partition's own row-level security, not the parent's, so a new
//! partition gets `ENABLE` and `FORCE ROW LEVEL SECURITY` and a copy of each of the table's
//! policies, and [`ensure`] also repairs partitions that lack them (a policy added by a later
//! migration reaches only the partitions the declarations list). Privileges are copied from
//! the neighbouring month's partition, not from the table: the application role is granted the
//! table only, and reaches the partitions through it.

use crate::ir::{Identity, Partition, Policy, QualifiedName, Schema, Table};
use crate::live::introspect::{self, PartitionState};
use crate::partitions::{monthly_tables, retention_cutoff, Month, MonthlyLayout, MAX_AHEAD};
use crate::plan::LOCK_TIMEOUT;
use crate::render::{self, quote_ident, quote_qualified};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{Bool, Nullable, Text};
use diesel::{sql_query, PgConnection};
use std::collections::BTreeMap;
use std::fmt;

/// What a partition lacks to be protected as its table is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityGap {
    RowSecurityDisabled,
    RowSecurityNotForced,
    MissingPolicy(Policy),
    DifferentPolicy(Policy),
    ExtraPolicy(String),
}

impl fmt::Display for SecurityGap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecurityGap::RowSecurityDisabled => write!(f, "row-level security is disabled"),
            SecurityGap::RowSecurityNotForced => write!(f, "row-level security is not forced"),
            SecurityGap::MissingPolicy(p) => write!(f, "policy `{}` is missing", p.name),
            SecurityGap::DifferentPolicy(p) => {
                write!(f, "policy `{}` differs from the table's", p.name)
            }
            SecurityGap::ExtraPolicy(name) => {
                write!(f, "policy `{name}` is not one of the table's")
            }
        }
    }
}

/// How `partition` differs from the row-level security of `table` (both as the catalog holds
/// them); empty when the partition is protected exactly as its table, or the table has no
/// row-level security.
pub fn security_gaps(table: &Table, partition: &PartitionState) -> Vec<SecurityGap> {
    let Some(rls) = &table.row_security else {
        return Vec::new();
    };
    let mut gaps = Vec::new();
    if !partition.row_security {
        gaps.push(SecurityGap::RowSecurityDisabled);
    }
    if !partition.force_row_security {
        gaps.push(SecurityGap::RowSecurityNotForced);
    }
    for policy in &rls.policies {
        match partition.policies.iter().find(|p| p.name == policy.name) {
            None => gaps.push(SecurityGap::MissingPolicy(policy.clone())),
            Some(p) if p != policy => gaps.push(SecurityGap::DifferentPolicy(policy.clone())),
            Some(_) => {}
        }
    }
    for p in &partition.policies {
        if !rls.policies.iter().any(|policy| policy.name == p.name) {
            gaps.push(SecurityGap::ExtraPolicy(p.name.clone()));
        }
    }
    gaps
}

fn repair_sql(partition: &QualifiedName, gaps: &[SecurityGap]) -> Vec<String> {
    let relation = quote_qualified(partition);
    gaps.iter()
        .flat_map(|gap| match gap {
            SecurityGap::RowSecurityDisabled => {
                vec![format!("ALTER TABLE {relation} ENABLE ROW LEVEL SECURITY;")]
            }
            SecurityGap::RowSecurityNotForced => {
                vec![format!("ALTER TABLE {relation} FORCE ROW LEVEL SECURITY;")]
            }
            SecurityGap::MissingPolicy(policy) => {
                vec![render::render_create_policy(partition, policy)]
            }
            SecurityGap::DifferentPolicy(policy) => vec![
                format!("DROP POLICY {} ON {relation};", quote_ident(&policy.name)),
                render::render_create_policy(partition, policy),
            ],
            SecurityGap::ExtraPolicy(name) => {
                vec![format!("DROP POLICY {} ON {relation};", quote_ident(name))]
            }
        })
        .collect()
}

/// One thing maintenance did, or could not do, to a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A month's partition was created, with the table's row-level security and policies and
    /// the privileges of `privileges_from`'s partition.
    Created {
        month: Month,
        partition: String,
        bound: String,
        /// Whether the table (so the partition) has row-level security, and its policies.
        row_security: bool,
        policies: usize,
        privileges_from: Option<String>,
        /// Rows of the month moved out of the default partition (`--move-from-default`).
        moved_from_default: Option<usize>,
    },
    /// An existing partition was given the table's row-level security.
    Secured {
        partition: String,
        fixed: Vec<String>,
    },
    /// An interrupted `DETACH ... CONCURRENTLY` was completed.
    Finalized { partition: String },
    /// A partition's copy of an index was given the project's name.
    Renamed {
        partition: String,
        from: String,
        to: String,
    },
    /// A month's partition was detached; it is now a table of its own.
    Detached {
        month: Month,
        partition: String,
        concurrently: bool,
    },
    /// A detached month past retention is kept (no `--drop`).
    Kept { month: Month, table: String },
    /// A detached month past retention was dropped (`--drop`).
    Dropped { month: Month, table: String },
    Failed {
        what: String,
        error: String,
        hint: String,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Created {
                partition,
                bound,
                row_security,
                policies,
                privileges_from,
                moved_from_default,
                ..
            } => {
                write!(f, "created {partition} {bound}")?;
                if *row_security {
                    write!(
                        f,
                        ", row-level security forced with {policies} polic{}",
                        if *policies == 1 { "y" } else { "ies" }
                    )?;
                }
                match privileges_from {
                    Some(from) => write!(f, ", privileges as {from}")?,
                    None => write!(f, ", owner's privileges only")?,
                }
                match moved_from_default {
                    Some(rows) => write!(f, ", {rows} row(s) moved from the default partition"),
                    None => Ok(()),
                }
            }
            Event::Renamed {
                partition,
                from,
                to,
            } => write!(f, "renamed {partition}'s index copy {from} to {to}"),
            Event::Secured { partition, fixed } => {
                write!(f, "secured {partition}: {}", fixed.join("; "))
            }
            Event::Finalized { partition } => {
                write!(f, "finalized the interrupted detach of {partition}")
            }
            Event::Detached {
                partition,
                concurrently,
                ..
            } => write!(
                f,
                "detached {partition} {}; kept as a table",
                if *concurrently {
                    "concurrently"
                } else {
                    "under lock_timeout (CONCURRENTLY is not allowed beside a default partition)"
                }
            ),
            Event::Kept { table, .. } => {
                write!(f, "kept {table}, detached earlier (`--drop` drops it)")
            }
            Event::Dropped { table, .. } => write!(f, "dropped {table}"),
            Event::Failed { what, error, hint } => {
                write!(f, "FAILED to {what}: {error}\n      {hint}")
            }
        }
    }
}

/// What maintenance did to one table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableReport {
    pub table: QualifiedName,
    pub column: String,
    pub events: Vec<Event>,
    /// The months with an attached partition, once done.
    pub months: Vec<Month>,
}

/// What [`ensure`] or [`retain`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub current: Month,
    pub tables: Vec<TableReport>,
}

impl Report {
    pub fn failures(&self) -> usize {
        self.tables
            .iter()
            .flat_map(|t| &t.events)
            .filter(|e| matches!(e, Event::Failed { .. }))
            .count()
    }

    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.tables.iter().flat_map(|t| &t.events)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for table in &self.tables {
            let span = match (table.months.first(), table.months.last()) {
                (Some(first), Some(last)) => format!(
                    "{} monthly partition(s), {first} to {last}",
                    table.months.len()
                ),
                _ => "no monthly partition".to_string(),
            };
            writeln!(f, "{} (by month of {}): {span}", table.table, table.column)?;
            if table.events.is_empty() {
                writeln!(f, "  nothing to do")?;
            }
            for event in &table.events {
                writeln!(f, "  - {event}")?;
            }
        }
        Ok(())
    }
}

/// Why a maintenance run did not run. A step that fails during a run (one partition not
/// created, one detach refused) is an [`Event`] of its [`Report`] instead.
#[derive(Debug)]
pub enum MaintenanceError {
    /// `ahead` is more than [`MAX_AHEAD`].
    TooFarAhead { ahead: u32 },
    /// `keep_months` is 0: the current month would go.
    KeepsNothing,
    /// Another `ensure` or `retain` holds the maintenance lock on this database.
    Busy,
    /// The maintenance lock could not be asked for.
    Lock(DieselError),
    /// The database's clock or catalog could not be read.
    Read(introspect::ReadError),
    /// The database's clock says a month outside 0001-01 to 9999-12.
    Clock(String),
}

impl fmt::Display for MaintenanceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MaintenanceError::TooFarAhead { ahead } => write!(
                f,
                "`ahead` is {ahead}; at most {MAX_AHEAD} months ahead are created in one run"
            ),
            MaintenanceError::KeepsNothing => f.write_str(
                "`keep_months` must be at least 1: the current month is never detached",
            ),
            MaintenanceError::Busy => f.write_str("another `partitions ensure` or `partitions retain` is running on this database; run again when it has finished"),
            MaintenanceError::Lock(e) => write!(f, "cannot take the maintenance lock: {e}"),
            MaintenanceError::Read(e) => e.fmt(f),
            MaintenanceError::Clock(e) => write!(f, "the database's clock: {e}"),
        }
    }
}

impl std::error::Error for MaintenanceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MaintenanceError::Lock(e) => Some(e),
            MaintenanceError::Read(e) => Some(e),
            _ => None,
        }
    }
}

/// The current month by the database's clock, in UTC.
pub fn current_month(conn: &mut PgConnection) -> Result<Month, MaintenanceError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        month: String,
    }
    let row: Row = sql_query("SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM') AS month")
        .get_result(conn)
        .map_err(introspect::ReadError::of("the database's clock"))
        .map_err(MaintenanceError::Read)?;
    row.month.parse().map_err(MaintenanceError::Clock)
}

/// The catalog, read in a UTC session so `timestamptz` bounds print as the declarations write
/// them.
fn read_catalog(
    conn: &mut PgConnection,
    declared: &Schema,
) -> Result<(Schema, Vec<PartitionState>), MaintenanceError> {
    let schemas: Vec<&str> = declared.namespaces().into_iter().collect();
    conn.transaction(|conn| {
        conn.batch_execute("SET LOCAL TimeZone = 'UTC'")?;
        Ok((
            introspect::introspect(conn, &schemas)?,
            introspect::partition_states(conn, &schemas)?,
        ))
    })
    .map_err(introspect::ReadError::of("the catalog"))
    .map_err(MaintenanceError::Read)
}

/// PostgreSQL's refusal to create a partition whose range the default partition holds rows of
/// (SQLSTATE 23514, the only check `CREATE TABLE ... PARTITION OF` makes).
fn rows_in_default(error: &DieselError) -> bool {
    matches!(
        error,
        DieselError::DatabaseError(DatabaseErrorKind::CheckViolation, _)
    )
}

fn failure(what: String, error: &DieselError) -> Event {
    let message = error.to_string();
    let hint = match error {
        _ if rows_in_default(error) => {
            "rows of that month were written before it had a partition and sit in the default partition; `--move-from-default` moves them into the new partition in the same transaction (the table is locked while they move)".to_string()
        }
        DieselError::DatabaseError(_, info)
            if info.message().contains("lock timeout") =>
        {
            format!("the table was busy for longer than lock_timeout ({LOCK_TIMEOUT}); nothing was changed, run again")
        }
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
            if info.message().contains("permission denied")
                || info.message().contains("must be owner") =>
        {
            "connect as the role that owns the tables (the one that runs the migrations)".to_string()
        }
        _ => "nothing was changed for this step (it ran in its own transaction)".to_string(),
    };
    Event::Failed {
        what,
        error: message,
        hint,
    }
}

/// Runs `statements` in the current transaction after bounding its lock waits and statements,
/// as the migrations do.
fn run_bounded(conn: &mut PgConnection, statements: &[String]) -> Result<(), DieselError> {
    conn.batch_execute(&format!(
        "SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';\nSET LOCAL statement_timeout = '1min';\n{}",
        statements.join("\n")
    ))
}

/// Runs `statements` in a transaction of their own, bounded as [`run_bounded`] does.
fn with_lock_timeout(conn: &mut PgConnection, statements: &[String]) -> Result<(), DieselError> {
    conn.transaction(|conn| run_bounded(conn, statements))
}

/// `GRANT`s giving `to` the privileges `from` has, other than its owner's.
fn copied_grants(
    conn: &mut PgConnection,
    from: &QualifiedName,
    to: &QualifiedName,
) -> Result<Vec<String>, DieselError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        privilege: String,
        #[diesel(sql_type = Nullable<Text>)]
        grantee: Option<String>,
        #[diesel(sql_type = Bool)]
        grantable: bool,
    }
    let rows: Vec<Row> = sql_query(
        "SELECT a.privilege_type AS privilege, r.rolname::text AS grantee, a.is_grantable AS grantable
         FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
         LEFT JOIN pg_roles r ON r.oid = a.grantee
         WHERE c.oid = $1::regclass AND a.grantee <> c.relowner
         ORDER BY r.rolname NULLS FIRST, a.privilege_type",
    )
    .bind::<Text, _>(quote_qualified(from))
    .get_results(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            format!(
                "GRANT {} ON {} TO {}{};",
                row.privilege,
                quote_qualified(to),
                row.grantee
                    .as_deref()
                    .map(quote_ident)
                    .unwrap_or_else(|| "PUBLIC".into()),
                if row.grantable {
                    " WITH GRANT OPTION"
                } else {
                    ""
                }
            )
        })
        .collect())
}

fn create_month(
    conn: &mut PgConnection,
    layout: &MonthlyLayout,
    table: &Table,
    month: Month,
    sibling: Option<&String>,
    move_from: Option<&QualifiedName>,
) -> Result<Event, DieselError> {
    let partition = Partition {
        name: layout.partition_name(month),
        bound: layout.bound(month),
    };
    let relation = layout.partition(month);
    let mut statements =
        render::render_create_partition(&layout.table, &partition, &table.row_security);
    // CREATE TABLE, then its row-level security and policies.
    let secure = statements.split_off(1);
    let moved = conn.transaction(|conn| {
        let moved = match move_from {
            None => {
                run_bounded(conn, &statements)?;
                None
            }
            Some(default) => {
                let moved = move_out_of_default(conn, layout, table, month, default)?;
                conn.batch_execute(&statements.join("\n"))?;
                conn.batch_execute(&moved_back_sql(table, &relation))?;
                Some(moved)
            }
        };
        if !secure.is_empty() {
            conn.batch_execute(&secure.join("\n"))?;
        }
        // PostgreSQL named the partition's index copies; the project names them.
        conn.batch_execute(&render::name_index_copies(&layout.table))?;
        if let Some(sibling) = sibling {
            let grants = copied_grants(
                conn,
                &QualifiedName::new(&layout.table.schema, sibling),
                &relation,
            )?;
            if !grants.is_empty() {
                conn.batch_execute(&grants.join("\n"))?;
            }
        }
        Ok::<_, DieselError>(moved)
    })?;
    Ok(Event::Created {
        month,
        partition: relation.to_string(),
        bound: partition.bound,
        row_security: table.row_security.is_some(),
        policies: table.row_security.as_ref().map_or(0, |r| r.policies.len()),
        privileges_from: sibling.map(|s| QualifiedName::new(&layout.table.schema, s).to_string()),
        moved_from_default: moved,
    })
}

/// Inserts the rows [`move_out_of_default`] set aside into the month's new partition.
fn moved_back_sql(table: &Table, partition: &QualifiedName) -> String {
    let columns = movable_columns(table);
    let overriding = if table
        .columns
        .iter()
        .any(|c| c.identity == Some(Identity::Always))
    {
        " OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    format!(
        "INSERT INTO {} ({columns}){overriding} SELECT {columns} FROM pg_temp.schema_api_moving;",
        quote_qualified(partition)
    )
}

/// The columns a row can be copied with: all but generated ones.
fn movable_columns(table: &Table) -> String {
    table
        .columns
        .iter()
        .filter(|c| c.generated.is_none())
        .map(|c| quote_ident(&c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Moves the month's rows out of the default partition into a temporary table dropped at
/// commit, so the month's partition can be created (PostgreSQL refuses it while the default
/// partition holds rows of its range). Row-level security is lifted on the default partition
/// for the move only: the owner is subject to it (FORCE) and would see no row.
fn move_out_of_default(
    conn: &mut PgConnection,
    layout: &MonthlyLayout,
    table: &Table,
    month: Month,
    default: &QualifiedName,
) -> Result<usize, DieselError> {
    let default_sql = quote_qualified(default);
    let columns = movable_columns(table);
    let (from, to) = layout.range(month);
    let forced = table.row_security.is_some();
    conn.batch_execute(&format!(
        "SET LOCAL lock_timeout = '{LOCK_TIMEOUT}';
SET LOCAL statement_timeout = '30min';
LOCK TABLE {parent} IN ACCESS EXCLUSIVE MODE;
{no_force}CREATE TEMPORARY TABLE schema_api_moving (LIKE {parent}) ON COMMIT DROP;",
        parent = quote_qualified(&layout.table),
        no_force = if forced {
            format!("ALTER TABLE {default_sql} NO FORCE ROW LEVEL SECURITY;\n")
        } else {
            String::new()
        }
    ))?;
    let moved = sql_query(format!(
        "WITH moved AS (DELETE FROM {default_sql} WHERE {key} >= {from} AND {key} < {to} RETURNING {columns})
         INSERT INTO pg_temp.schema_api_moving ({columns}) SELECT {columns} FROM moved",
        key = quote_ident(&layout.column),
    ))
    .execute(conn)?;
    if forced {
        conn.batch_execute(&format!(
            "ALTER TABLE {default_sql} FORCE ROW LEVEL SECURITY;"
        ))?;
    }
    Ok(moved)
}

/// Gives every partition of `table` the table's row-level security and policies.
/// Gives the table's partitions' index copies the project's names, one event per rename.
fn name_copies(conn: &mut PgConnection, table: &QualifiedName, events: &mut Vec<Event>) {
    let copies =
        match crate::live::introspect::misnamed_index_copies(conn, &[table.schema.as_str()]) {
            Ok(copies) => copies,
            Err(e) => return events.push(failure(format!("read the index copies of {table}"), &e)),
        };
    let copies: Vec<_> = copies.into_iter().filter(|c| c.table == *table).collect();
    if copies.is_empty() {
        return;
    }
    match with_lock_timeout(conn, &[render::name_index_copies(table)]) {
        Ok(()) => events.extend(copies.into_iter().map(|c| Event::Renamed {
            partition: format!("{}.{}", table.schema, c.partition),
            from: c.name,
            to: c.wanted,
        })),
        Err(e) => events.push(failure(format!("name the index copies of {table}"), &e)),
    }
}

fn secure_partitions(
    conn: &mut PgConnection,
    table: &Table,
    states: &[PartitionState],
    events: &mut Vec<Event>,
) {
    let name = table.qualified_name();
    for state in states.iter().filter(|s| s.table == name) {
        let gaps = security_gaps(table, state);
        if gaps.is_empty() {
            continue;
        }
        let partition = state.qualified_name();
        events.push(
            match with_lock_timeout(conn, &repair_sql(&partition, &gaps)) {
                Ok(()) => Event::Secured {
                    partition: partition.to_string(),
                    fixed: gaps.iter().map(|g| g.to_string()).collect(),
                },
                Err(e) => failure(format!("secure {partition}"), &e),
            },
        );
    }
}

/// Creates the partitions of `current` and of the `ahead` months after it that each monthly
/// table lacks, each in its own transaction (`lock_timeout` 5s), and gives every partition of
/// those tables their row-level security and policies. Idempotent; a step that fails is
/// reported in the [`Report`] and the others still run.
///
/// `current` defaults to the database's month in UTC. When the latest attached month is
/// before `current`, the months between are created too (their rows, if any, sit in the
/// default partition: see `move_from_default`); months before the earliest attached one are
/// never created.
pub fn ensure(
    conn: &mut PgConnection,
    declared: &Schema,
    current: Option<Month>,
    ahead: u32,
    move_from_default: bool,
) -> Result<Report, MaintenanceError> {
    if ahead > MAX_AHEAD {
        return Err(MaintenanceError::TooFarAhead { ahead });
    }
    each_monthly_table(conn, declared, current, |conn, current, found, catalog| {
        let (layout, table) = (&found.layout, found.table);
        let mut events = Vec::new();
        secure_partitions(conn, table, catalog.states, &mut events);
        name_copies(conn, &layout.table, &mut events);
        for partition in table.partitions() {
            if let Some(month) = layout.month_named(&partition.name) {
                if layout.month_of(partition).is_none() {
                    events.push(Event::Failed {
                        what: format!("check {}", layout.partition(month)),
                        error: format!("it is attached {}, not {}", partition.bound, layout.bound(month)),
                        hint: "a partition named as a month must hold exactly that month; detach it, move its rows, and run again".into(),
                    });
                }
            }
        }
        let mut months = layout.attached_months(table);
        let detached = layout.detached_months(catalog.live, catalog.declared);
        let default = layout.default_partition(table);
        // From the month after the latest attached one when maintenance fell behind, so no
        // month is left to the default partition for good.
        let first = months.keys().next_back().map_or(current, |latest| {
            latest.plus(1).map_or(current, |m| m.min(current))
        });
        let last = current.plus(i64::from(ahead)).unwrap_or(Month::LAST);
        let span = first.months_until(last) + 1;
        if span > MAX_MONTHS_PER_RUN {
            events.push(Event::Failed {
                what: format!("create the months {first} to {last} of {}", layout.table),
                error: format!("that is {span} months, more than the {MAX_MONTHS_PER_RUN} one run creates"),
                hint: "check `--month` (the current month); to catch up on a long gap, run with earlier `--month` values first".into(),
            });
            return (events, months);
        }
        for month in std::iter::successors(Some(first), |m| m.plus(1)).take_while(|m| *m <= last) {
            if months.contains_key(&month) {
                continue;
            }
            let name = layout.partition(month);
            if let Some(existing) = detached.get(&month) {
                events.push(Event::Failed {
                    what: format!("create {name}"),
                    error: format!(
                        "a table named {existing} exists and is not a partition of {}",
                        layout.table
                    ),
                    hint: format!(
                        "attach it (`ALTER TABLE {} ATTACH PARTITION {} {};`) or rename or drop it",
                        quote_qualified(&layout.table),
                        quote_qualified(&name),
                        layout.bound(month)
                    ),
                });
                continue;
            }
            let sibling = months
                .range(..month)
                .next_back()
                .or_else(|| months.range(month..).next())
                .map(|(_, name)| name.clone());
            let mut created = create_month(conn, layout, table, month, sibling.as_ref(), None);
            if let (Err(e), true, Some(default)) = (&created, move_from_default, &default) {
                if rows_in_default(e) {
                    created =
                        create_month(conn, layout, table, month, sibling.as_ref(), Some(default));
                }
            }
            match created {
                Ok(event) => {
                    months.insert(month, name.name.clone());
                    events.push(event);
                }
                Err(e) => events.push(failure(format!("create {name}"), &e)),
            }
        }
        (events, months)
    })
}

/// The catalog as maintenance reads it once, before changing anything.
struct Catalog<'a> {
    declared: &'a Schema,
    live: &'a Schema,
    states: &'a [PartitionState],
}

/// A declared monthly table and the database's table of that name.
struct Found<'a> {
    layout: MonthlyLayout,
    table: &'a Table,
}

/// Runs `maintain` on every monthly table of the declarations that the database has (a
/// missing one is a failure in the report), and collects what it did and the months it left
/// attached.
fn each_monthly_table(
    conn: &mut PgConnection,
    declared: &Schema,
    current: Option<Month>,
    mut maintain: impl FnMut(
        &mut PgConnection,
        Month,
        &Found<'_>,
        &Catalog<'_>,
    ) -> (Vec<Event>, BTreeMap<Month, String>),
) -> Result<Report, MaintenanceError> {
    let current = match current {
        Some(month) => month,
        None => current_month(conn)?,
    };
    // One maintenance run at a time per database (two schedulers, or a run that overlaps the
    // next): a session-level advisory lock, released below or when the connection ends.
    let lock = format!("hashtext({})", render::quote_literal(MAINTENANCE_LOCK));
    let locked =
        crate::live::state::try_advisory_lock(conn, &lock).map_err(MaintenanceError::Lock)?;
    if !locked {
        return Err(MaintenanceError::Busy);
    }
    let report = maintain_locked(conn, declared, current, &mut maintain);
    let _ = conn.batch_execute(&format!("SELECT pg_advisory_unlock({lock})"));
    report
}

/// The most months `ensure` creates for one table in one run (catching up included).
const MAX_MONTHS_PER_RUN: i64 = 240;

/// The advisory lock key (hashed by PostgreSQL) that serializes maintenance runs.
pub const MAINTENANCE_LOCK: &str = "schema-api partition maintenance";

fn maintain_locked(
    conn: &mut PgConnection,
    declared: &Schema,
    current: Month,
    maintain: &mut impl FnMut(
        &mut PgConnection,
        Month,
        &Found<'_>,
        &Catalog<'_>,
    ) -> (Vec<Event>, BTreeMap<Month, String>),
) -> Result<Report, MaintenanceError> {
    let (live, states) = read_catalog(conn, declared)?;
    let catalog = Catalog {
        declared,
        live: &live,
        states: &states,
    };
    let tables = monthly_tables(declared)
        .into_iter()
        .map(|layout| {
            let (events, months) = match live
                .table(&layout.table)
                .filter(|t| t.partitioning.is_some())
            {
                Some(table) => maintain(
                    conn,
                    current,
                    &Found {
                        layout: layout.clone(),
                        table,
                    },
                    &catalog,
                ),
                None => (
                    vec![Event::Failed {
                        what: format!("maintain {}", layout.table),
                        error: "the database has no partitioned table of that name".into(),
                        hint: "apply the migrations first (`cargo schema migrate`)".into(),
                    }],
                    BTreeMap::new(),
                ),
            };
            TableReport {
                table: layout.table,
                column: layout.column,
                events,
                months: months.into_keys().collect(),
            }
        })
        .collect();
    Ok(Report { current, tables })
}

/// Detaches the partitions of the months before `current - keep_months` (so the current month
/// and the `keep_months` before it stay), and with `drop`, drops them and the months detached
/// earlier. Without `drop` nothing is deleted: a detached month is a table of its own, still
/// under row-level security, that can be archived (`pg_dump -t`) or attached back.
///
/// `DETACH PARTITION ... CONCURRENTLY` is used when the table has no default partition; it is
/// not allowed when there is one, and the detach then runs in a transaction under
/// `lock_timeout` (it holds the table's ACCESS EXCLUSIVE lock only for the catalog update). An
/// interrupted concurrent detach is finalized first.
pub fn retain(
    conn: &mut PgConnection,
    declared: &Schema,
    current: Option<Month>,
    keep_months: u32,
    drop: bool,
) -> Result<Report, MaintenanceError> {
    if keep_months == 0 {
        return Err(MaintenanceError::KeepsNothing);
    }
    each_monthly_table(conn, declared, current, |conn, current, found, catalog| {
        let cutoff = retention_cutoff(current, keep_months);
        let (layout, table) = (&found.layout, found.table);
        let mut events = Vec::new();
        let parent = quote_qualified(&layout.table);
        let mut months = layout.attached_months(table);
        // Detached by earlier runs, and by this one (finalized or detached now).
        let earlier = layout.detached_months(catalog.live, catalog.declared);
        let mut detached = earlier.clone();
        for state in catalog
            .states
            .iter()
            .filter(|s| s.table == layout.table && s.detach_pending)
        {
            let partition = state.qualified_name();
            let sql = format!(
                "ALTER TABLE {parent} DETACH PARTITION {} FINALIZE",
                quote_qualified(&partition)
            );
            events.push(match conn.batch_execute(&sql) {
                Ok(()) => {
                    months.retain(|_, name| *name != state.name);
                    if let Some(month) = layout.month_named(&state.name) {
                        detached.insert(month, state.name.clone());
                    }
                    Event::Finalized {
                        partition: partition.to_string(),
                    }
                }
                Err(e) => failure(format!("finalize the detach of {partition}"), &e),
            });
        }
        let has_default = layout.default_partition(table).is_some();
        let old: Vec<Month> = months.range(..cutoff).map(|(m, _)| *m).collect();
        for month in old {
            let partition = layout.partition(month);
            let detach = format!(
                "ALTER TABLE {parent} DETACH PARTITION {}",
                quote_qualified(&partition)
            );
            // CONCURRENTLY cannot run in a transaction block, so it is sent alone.
            let result = if has_default {
                with_lock_timeout(conn, &[format!("{detach};")])
            } else {
                conn.batch_execute(&format!("{detach} CONCURRENTLY"))
            };
            match result {
                Ok(()) => {
                    months.remove(&month);
                    detached.insert(month, partition.name.clone());
                    events.push(Event::Detached {
                        month,
                        partition: partition.to_string(),
                        concurrently: !has_default,
                    });
                }
                Err(e) => events.push(failure(format!("detach {partition}"), &e)),
            }
        }
        for (month, name) in detached.range(..cutoff) {
            let relation = QualifiedName::new(&layout.table.schema, name);
            if !drop {
                // A month detached by this run is reported as detached already.
                if earlier.contains_key(month) {
                    events.push(Event::Kept {
                        month: *month,
                        table: relation.to_string(),
                    });
                }
                continue;
            }
            events.push(
                match with_lock_timeout(
                    conn,
                    &[format!("DROP TABLE {};", quote_qualified(&relation))],
                ) {
                    Ok(()) => Event::Dropped {
                        month: *month,
                        table: relation.to_string(),
                    },
                    Err(e) => failure(format!("drop {relation}"), &e),
                },
            );
        }
        (events, months)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::SqlType;
    use crate::partitions::tests::table;

    #[test]
    fn a_partition_is_secured_to_exactly_its_tables_policies() {
        let policy = |name: &str, using: &str| Policy {
            name: name.into(),
            command: crate::ir::PolicyCommand::All,
            permissive: true,
            roles: Vec::new(),
            using: Some(using.into()),
            with_check: None,
        };
        let mut t = table(SqlType::Timestamptz, &[]);
        t.row_security = Some(crate::ir::RowSecurity {
            policies: vec![
                policy("tenant", "(account_id = a())"),
                policy("same", "true"),
            ],
        });
        let mut state = PartitionState {
            table: t.qualified_name(),
            name: "call_detail_records_p2027_07".into(),
            row_security: true,
            force_row_security: false,
            detach_pending: false,
            policies: vec![
                policy("same", "true"),
                policy("tenant", "true"),
                policy("leak", "true"),
            ],
        };
        let gaps = security_gaps(&t, &state);
        assert_eq!(
            gaps,
            [
                SecurityGap::RowSecurityNotForced,
                SecurityGap::DifferentPolicy(policy("tenant", "(account_id = a())")),
                SecurityGap::ExtraPolicy("leak".into()),
            ]
        );
        assert_eq!(
            repair_sql(&state.qualified_name(), &gaps),
            [
                "ALTER TABLE \"telecom\".\"call_detail_records_p2027_07\" FORCE ROW LEVEL SECURITY;",
                "DROP POLICY \"tenant\" ON \"telecom\".\"call_detail_records_p2027_07\";",
                "CREATE POLICY \"tenant\" ON \"telecom\".\"call_detail_records_p2027_07\" AS PERMISSIVE FOR ALL TO PUBLIC\n    USING ((account_id = a()));",
                "DROP POLICY \"leak\" ON \"telecom\".\"call_detail_records_p2027_07\";",
            ]
        );
        state.force_row_security = true;
        state.policies = t.row_security.as_ref().unwrap().policies.clone();
        assert_eq!(security_gaps(&t, &state), []);
        t.row_security = None;
        state.policies.clear();
        assert_eq!(security_gaps(&t, &state), []);
    }
}
