//! The accepted half of the adversarial suite (`schema_tests::hostile`): applied to PostgreSQL
//! both as one transaction of the full SQL (what `cargo schema sql | psql -1` does) and as
//! generated migrations run by Diesel's harness, each beside a canary table that must survive;
//! then verified in the catalog: exact names, the columns every expression names, byte-exact
//! text.

mod common;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text};
use schema_core::ir::{QualifiedName, Schema};
use schema_core::live::harness::TestDatabase;
use schema_core::migrations::render_full;
use schema_tests::online::load::{apply_timed, count, generate};

fn with_canary() -> (TestDatabase, PgConnection) {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    conn.batch_execute(
        "CREATE SCHEMA canary; CREATE TABLE canary.victim (id int); INSERT INTO canary.victim VALUES (1);",
    )
    .unwrap();
    (db, conn)
}

#[derive(QueryableByName)]
struct Names {
    #[diesel(sql_type = Array<Text>)]
    names: Vec<String>,
}

fn names(conn: &mut PgConnection, sql: &str) -> Vec<String> {
    let mut names = diesel::sql_query(sql)
        .get_result::<Names>(conn)
        .unwrap()
        .names;
    names.sort();
    names
}

/// The names of the indexes on `relation` (a `regclass` literal), sorted.
fn indexes_on(conn: &mut PgConnection, relation: &str) -> Vec<String> {
    names(
        conn,
        &format!("SELECT coalesce(array_agg(c.relname::text), '{{}}') AS names FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = {relation}"),
    )
}

#[derive(QueryableByName)]
struct One {
    #[diesel(sql_type = Text)]
    value: String,
}

fn text(conn: &mut PgConnection, sql: &str) -> String {
    diesel::sql_query(sql)
        .get_result::<One>(conn)
        .unwrap()
        .value
}

fn verify(conn: &mut PgConnection, declared: &Schema) {
    assert_eq!(
        count(conn, "SELECT count(*) AS n FROM canary.victim"),
        1,
        "the canary survives"
    );
    common::assert_catalog_matches(conn, declared);
    let compared = common::assert_expressions_name_declared_columns(conn, declared);
    assert!(compared >= 25, "{compared} expressions compared");

    // Every constraint and index has exactly the declared name.
    for table in &declared.tables {
        let relation = format!(
            "'{}'::regclass",
            schema_core::render::quote_qualified(&table.qualified_name()).replace('\'', "''")
        );
        let mut expected: Vec<String> = std::iter::once(table.primary_key.name.clone())
            .chain(table.uniques.iter().map(|u| u.name.clone()))
            .chain(table.foreign_keys.iter().map(|f| f.name.clone()))
            .chain(table.checks.iter().map(|c| c.name.clone()))
            .collect();
        expected.sort();
        assert_eq!(
            names(
                conn,
                &format!("SELECT coalesce(array_agg(conname::text), '{{}}') AS names FROM pg_constraint WHERE conrelid = {relation} AND contype <> 'n'")
            ),
            expected,
            "constraints of {}",
            table.qualified_name()
        );
        let mut expected: Vec<String> = std::iter::once(table.primary_key.name.clone())
            .chain(table.uniques.iter().map(|u| u.name.clone()))
            .chain(table.indexes.iter().map(|i| i.name.clone()))
            .collect();
        expected.sort();
        assert_eq!(
            indexes_on(conn, &relation),
            expected,
            "indexes of {}",
            table.qualified_name()
        );
        // Each partition's copies: the project's names, never PostgreSQL's.
        for partition in table.partitions() {
            let mut wanted: Vec<String> = expected
                .iter()
                .map(|i| schema_core::plan::index_copy_name(&table.name, &partition.name, i))
                .collect();
            wanted.sort();
            let relation = format!("'\"hostile\".\"{}\"'::regclass", partition.name);
            assert_eq!(
                indexes_on(conn, &relation),
                wanted,
                "index copies of {}",
                partition.name
            );
            assert!(wanted.iter().all(|n| n.len() <= 63));
        }
    }
    assert!(
        wanted_63_bytes(declared),
        "the suite has a 63-byte index copy name"
    );

    // Enum values and the comment, byte-exact.
    assert_eq!(
        names(
            conn,
            "SELECT array_agg(enumlabel::text ORDER BY enumsortorder) AS names FROM pg_enum WHERE enumtypid = 'hostile.odd_value'::regtype"
        ),
        {
            let mut v: Vec<String> = [
                "it's",
                "$$dollar$$",
                "-- not a comment",
                "line\nbreak",
                "☎ phone",
                "x'); DROP TABLE canary.victim; --",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect();
            v.sort();
            v
        }
    );
    assert_eq!(
        text(
            conn,
            "SELECT obj_description('hostile.type'::regclass, 'pg_class') AS value"
        ),
        "7. A doc comment with quotes, `$$`, `*/`, `--`, an emoji and a newline:\nit's $$ */ -- ☎\nand a second line."
    );

    // The defaults, evaluated: every one byte-exact.
    conn.batch_execute(
        "INSERT INTO hostile.type (\"current_date\") VALUES ('2026-12-03');
         INSERT INTO hostile.\"select\" (from_type) SELECT id FROM hostile.type;",
    )
    .unwrap();
    let row = text(
        conn,
        "SELECT concat_ws('|', \"user\", \"order\", \"group\", \"match\", note, escaped, symbol, position, user_key, odd, tags::text, codes::text, flag) AS value FROM hostile.type",
    );
    assert_eq!(
        row,
        "--x; DROP TABLE canary.victim|1|g|-1|it's|line\nbreak|☎|0|--x; drop table canary.victim;|it's|{a,b}|{}|t"
    );
    // The checks hold the values they were written against.
    let refused = conn.batch_execute(
        "INSERT INTO hostile.type (\"current_date\", note) VALUES ('2026-12-03', 'C:\\')",
    );
    assert!(refused.is_err(), "the backslash check refuses its string");
    let refused = conn.batch_execute(
        "INSERT INTO hostile.type (\"current_date\", note) VALUES ('2026-12-03', 'no''pe')",
    );
    assert!(
        refused.is_err(),
        "the escape-string check refuses its string"
    );
    let refused = conn.batch_execute(
        "INSERT INTO hostile.type (\"current_date\", \"group\") VALUES ('2026-12-03', '--; DROP TABLE canary.victim')",
    );
    assert!(refused.is_err(), "the key-word check refuses its string");
    assert_eq!(
        count(conn, "SELECT count(*) AS n FROM canary.victim"),
        1,
        "the canary survives the rows too"
    );
}

/// Whether some partition's copy of an index is 63 bytes: the boundary the suite covers.
fn wanted_63_bytes(declared: &Schema) -> bool {
    declared.tables.iter().any(|t| {
        t.partitions().any(|p| {
            t.indexes
                .iter()
                .any(|i| schema_core::plan::index_copy_name(&t.name, &p.name, &i.name).len() == 63)
        })
    })
}

#[test]
fn the_accepted_cases_apply_exactly_as_one_transaction_of_the_full_sql() {
    let (_db, mut conn) = with_canary();
    let declared = schema_tests::hostile::schema().unwrap();
    let up = render_full(&declared).up;
    conn.transaction(|conn| conn.batch_execute(&up)).unwrap();
    verify(&mut conn, &declared);
}

#[test]
fn the_accepted_cases_apply_exactly_as_generated_migrations_run_by_diesel() {
    let (_db, mut conn) = with_canary();
    let declared = schema_tests::hostile::schema().unwrap();
    let dir = tempfile::tempdir().unwrap();
    assert!(generate(dir.path(), "hostile", &declared, "2030-01-01-000000") >= 1);
    apply_timed(&mut conn, dir.path()).unwrap();
    verify(&mut conn, &declared);
    schema_core::migrations::check(dir.path(), &declared).unwrap();
}

#[test]
fn copies_postgres_names_are_renamed_to_the_projects_even_past_63_bytes() {
    let (_db, mut conn) = with_canary();
    let declared = schema_tests::hostile::schema().unwrap();
    conn.batch_execute(&render_full(&declared).up).unwrap();
    // A partition made by hand, with a name long enough that every copy name is shortened
    // (PostgreSQL truncates; the project hashes): the PL/pgSQL and Rust rules must agree.
    let long = "events_a_hand_made_partition_whose_name_is_long_xxxxxxxxxxxxxxx";
    assert_eq!(long.len(), 63);
    conn.batch_execute(&format!(
        "CREATE TABLE hostile.\"{long}\" PARTITION OF hostile.events FOR VALUES FROM ('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00');"
    ))
    .unwrap();
    let misnamed =
        schema_core::live::introspect::misnamed_index_copies(&mut conn, &["hostile"]).unwrap();
    assert_eq!(misnamed.len(), 3, "{misnamed:#?}");
    assert!(misnamed
        .iter()
        .all(|m| m.partition == long && m.wanted.len() == 63));
    // Drift names each one.
    let found = schema_core::live::introspect::drift(&mut conn, &declared).unwrap();
    assert_eq!(
        found.iter().filter(|f| f.contains("is named")).count(),
        3,
        "{found:#?}"
    );
    conn.batch_execute(&schema_core::render::name_index_copies(
        &QualifiedName::new("hostile", "events"),
    ))
    .unwrap();
    assert_eq!(
        schema_core::live::introspect::misnamed_index_copies(&mut conn, &["hostile"]).unwrap(),
        Vec::new()
    );
    let copies = indexes_on(&mut conn, &format!("'hostile.\"{long}\"'::regclass"));
    let mut wanted: Vec<String> = ["events_pkey", "events_code_uidx", "recent_events"]
        .iter()
        .map(|i| schema_core::plan::index_copy_name("events", long, i))
        .collect();
    wanted.sort();
    assert_eq!(copies, wanted);
    // Running it again changes nothing.
    conn.batch_execute(&schema_core::render::name_index_copies(
        &QualifiedName::new("hostile", "events"),
    ))
    .unwrap();
    assert_eq!(
        indexes_on(&mut conn, &format!("'hostile.\"{long}\"'::regclass")),
        wanted
    );
}
