//! What `migrate` and `check --database` need to know about a live database beyond its
//! declared objects: the lock that keeps one migrate at a time, the state of indexes left by
//! interrupted concurrent builds, constraints left `NOT VALID`, and which migrations Diesel has
//! recorded.

use crate::ir::{QualifiedName, Schema};
use crate::render::quote_qualified;
use diesel::prelude::*;
use diesel::sql_query;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The key of the session-level advisory lock `migrate` holds for its whole run.
pub const MIGRATE_LOCK: i64 = 0x7363_6865_6d61_6d67; // "schemamg"

#[derive(QueryableByName)]
struct Flag {
    #[diesel(sql_type = Bool)]
    flag: bool,
}

#[derive(QueryableByName)]
struct Holder {
    #[diesel(sql_type = Integer)]
    pid: i32,
    #[diesel(sql_type = Nullable<Text>)]
    since: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    query: Option<String>,
}

/// Takes the migrate lock, waiting up to `wait` (polling: a session blocked in
/// `pg_advisory_lock` would hold a snapshot that a concurrent index build of the run it waits
/// for must outlive, so it would wait for itself). `say` reports who holds it, once.
pub fn lock_migrations(
    conn: &mut PgConnection,
    wait: Duration,
    say: &mut dyn FnMut(String),
) -> Result<(), String> {
    let started = Instant::now();
    let mut told = false;
    loop {
        if try_advisory_lock(conn, &MIGRATE_LOCK.to_string())
            .map_err(|e| format!("cannot take the migrate lock: {e}"))?
        {
            return Ok(());
        }
        let holder = lock_holder(conn);
        if started.elapsed() >= wait {
            return Err(format!(
                "another `cargo schema migrate` is running on this database{holder} and did not finish within {}s; let it finish (or stop it), then run again (`--wait-for-lock <SECONDS>` waits longer)",
                wait.as_secs()
            ));
        }
        if !told {
            say(format!(
                "another `cargo schema migrate` is running on this database{holder}; waiting for it to finish (up to {}s, `--wait-for-lock`)",
                wait.as_secs()
            ));
            told = true;
        }
        std::thread::sleep(Duration::from_millis(250));
    }
}

/// `pg_try_advisory_lock(key)`, a session-level lock (`key`: a SQL expression of type bigint).
pub fn try_advisory_lock(conn: &mut PgConnection, key: &str) -> QueryResult<bool> {
    let locked: Flag =
        sql_query(format!("SELECT pg_try_advisory_lock({key}) AS flag")).get_result(conn)?;
    Ok(locked.flag)
}

/// Releases the migrate lock (it also goes with the connection).
pub fn unlock_migrations(conn: &mut PgConnection) {
    let _ = sql_query(format!("SELECT pg_advisory_unlock({MIGRATE_LOCK})")).execute(conn);
}

fn lock_holder(conn: &mut PgConnection) -> String {
    let holder: Option<Holder> = sql_query(format!(
        "SELECT l.pid, a.backend_start::text AS since, left(a.query, 120) AS query
         FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND l.classid = {} AND l.objid = {} AND l.objsubid = 1
         LIMIT 1",
        (MIGRATE_LOCK >> 32) as u32,
        (MIGRATE_LOCK & 0xffff_ffff) as u32
    ))
    .get_result(conn)
    .optional()
    .ok()
    .flatten();
    match holder {
        Some(h) => format!(
            " (backend pid {}, connected since {}, running: {})",
            h.pid,
            h.since.as_deref().unwrap_or("?"),
            h.query.as_deref().unwrap_or("?").replace('\n', " ")
        ),
        None => String::new(),
    }
}

/// The state of an index a concurrent build creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexState {
    Missing,
    /// Valid and ready: the build finished. With what it is: its table, key columns (`?` for
    /// an expression) and uniqueness, to tell it from another index of the same name.
    Valid {
        table: String,
        columns: Vec<String>,
        unique: bool,
    },
    /// Being built right now by this backend.
    Building(i32),
    /// Left INVALID (or not ready) by a build that failed or was interrupted.
    Invalid,
}

#[derive(QueryableByName)]
struct IndexRow {
    #[diesel(sql_type = Bool)]
    valid: bool,
    #[diesel(sql_type = Nullable<Integer>)]
    building: Option<i32>,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Array<Text>)]
    columns: Vec<String>,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
}

pub fn index_state(conn: &mut PgConnection, index: &QualifiedName) -> QueryResult<IndexState> {
    let row: Option<IndexRow> = sql_query(
        "SELECT i.indisvalid AND i.indisready AS valid,
                (SELECT p.pid FROM pg_stat_progress_create_index p WHERE p.index_relid = c.oid LIMIT 1) AS building,
                t.relname::text AS table_name, i.indisunique AS is_unique,
                ARRAY(SELECT coalesce(a.attname::text, '?')
                      FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                      LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                      WHERE k.ord <= i.indnkeyatts
                      ORDER BY k.ord) AS columns
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relname = $2",
    )
    .bind::<Text, _>(&index.schema)
    .bind::<Text, _>(&index.name)
    .get_result(conn)
    .optional()?;
    Ok(match row {
        None => IndexState::Missing,
        Some(IndexRow {
            building: Some(pid),
            ..
        }) => IndexState::Building(pid),
        Some(IndexRow {
            valid: true,
            table_name,
            columns,
            is_unique,
            ..
        }) => IndexState::Valid {
            table: table_name,
            columns,
            unique: is_unique,
        },
        Some(_) => IndexState::Invalid,
    })
}

/// `DROP INDEX CONCURRENTLY "schema"."name";`
pub fn drop_index_sql(index: &QualifiedName) -> String {
    format!("DROP INDEX CONCURRENTLY {};", quote_qualified(index))
}

#[derive(QueryableByName)]
struct Broken {
    #[diesel(sql_type = Text)]
    schema_name: String,
    #[diesel(sql_type = Text)]
    relation: String,
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Nullable<Integer>)]
    building: Option<i32>,
}

/// What no declaration describes but a broken migration leaves: INVALID or not-ready indexes,
/// and `NOT VALID` constraints, in the declared schemas; each with the statement that fixes it.
pub fn broken_state(conn: &mut PgConnection, declared: &Schema) -> QueryResult<Vec<String>> {
    let schemas: Vec<String> = declared
        .namespaces()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let indexes: Vec<Broken> = sql_query(
        "SELECT n.nspname AS schema_name, c.relname::text AS relation, t.relname::text AS table_name,
                (SELECT p.pid FROM pg_stat_progress_create_index p WHERE p.index_relid = c.oid LIMIT 1) AS building
         FROM pg_index i
         JOIN pg_class c ON c.oid = i.indexrelid
         JOIN pg_class t ON t.oid = i.indrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY($1) AND NOT (i.indisvalid AND i.indisready)
           AND c.relkind = 'i'
         ORDER BY 1, 2",
    )
    .bind::<Array<Text>, _>(&schemas)
    .load(conn)?;
    let constraints: Vec<Broken> = sql_query(
        "SELECT n.nspname AS schema_name, k.conname::text AS relation, t.relname::text AS table_name,
                NULL::integer AS building
         FROM pg_constraint k
         JOIN pg_class t ON t.oid = k.conrelid
         JOIN pg_namespace n ON n.oid = t.relnamespace
         WHERE n.nspname = ANY($1) AND NOT k.convalidated
         ORDER BY 1, 3, 2",
    )
    .bind::<Array<Text>, _>(&schemas)
    .load(conn)?;
    let mut problems = Vec::new();
    for i in indexes {
        let index = QualifiedName::new(&i.schema_name, &i.relation);
        problems.push(match i.building {
            Some(pid) => format!(
                "index `{index}` on `{}` is being built concurrently (backend pid {pid}) and is not usable yet; let the build finish, then check again",
                i.table_name
            ),
            None => format!(
                "index `{index}` on `{}` is INVALID: a concurrent build failed or was interrupted, so it enforces and speeds up nothing. Drop it with `{}` and run `cargo schema migrate`, which builds it again",
                i.table_name,
                drop_index_sql(&index)
            ),
        });
    }
    for c in constraints {
        let table = QualifiedName::new(&c.schema_name, &c.table_name);
        problems.push(format!(
            "constraint `{}` on `{table}` is NOT VALID: rows that were there when it was added were never checked. Validate it with `ALTER TABLE {} VALIDATE CONSTRAINT {};` (or run `cargo schema migrate` if its validate migration is pending)",
            c.relation,
            quote_qualified(&table),
            crate::render::quote_ident(&c.relation)
        ));
    }
    Ok(problems)
}

#[derive(QueryableByName)]
struct Version {
    #[diesel(sql_type = Text)]
    version: String,
}

/// The versions Diesel recorded as applied (`__diesel_schema_migrations`); `None` when the
/// table does not exist (no migration ran here).
pub fn applied_versions(conn: &mut PgConnection) -> QueryResult<Option<BTreeSet<String>>> {
    let exists: Flag =
        sql_query("SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS flag")
            .get_result(conn)?;
    if !exists.flag {
        return Ok(None);
    }
    let versions: Vec<Version> =
        sql_query("SELECT version::text AS version FROM __diesel_schema_migrations").load(conn)?;
    Ok(Some(versions.into_iter().map(|v| v.version).collect()))
}

/// Records `version` as applied, as Diesel does after running a migration.
pub fn record_applied(conn: &mut PgConnection, version: &str) -> QueryResult<()> {
    sql_query("INSERT INTO __diesel_schema_migrations (version) VALUES ($1) ON CONFLICT DO NOTHING")
        .bind::<Text, _>(version)
        .execute(conn)
        .map(|_| ())
}
