//! Migrations on a live, populated database that an application writes while they run
//! (`schema_tests::online`): batched backfills that never make the writer wait a second nor
//! deadlock with it, keep `updated_at`, resume after being killed, wait for rows the
//! application holds, and refuse what they cannot do.

mod common;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use schema_core::ir::{QualifiedName, Schema};
use schema_core::live::harness::TestDatabase;
use schema_core::migrations::{self, GenerateOptions};
use schema_core::plan::Batched;
use schema_tests::online::load::{apply_timed, generate};
use schema_tests::online::{self, load};
use std::time::{Duration, Instant};

fn rows() -> i64 {
    std::env::var("ONLINE_ROWS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500_000)
}

/// v1 applied and populated with `n` devices; the directory holds v1's migrations.
fn populated(n: i64) -> (TestDatabase, PgConnection, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let (db, conn) = load::populated(n, dir.path());
    (db, conn, dir)
}

#[test]
fn a_batched_backfill_beside_a_writer_blocks_no_statement_for_a_second_and_keeps_updated_at() {
    let n = rows();
    let (db, mut conn, dir) = populated(n);
    let v2 = online::v2::schema().unwrap();
    // main (the nullable column), the backfill, validate.
    assert_eq!(
        generate(dir.path(), "firmware", &v2, "2030-01-02-000000"),
        3
    );

    let writer = load::Writer::start(db.url(), n, Duration::from_millis(100));
    std::thread::sleep(Duration::from_millis(300));
    let applied = apply_timed(&mut conn, dir.path());
    std::thread::sleep(Duration::from_millis(300));
    let report = writer.stop();
    let applied = applied.unwrap_or_else(|e| panic!("the migrations apply beside the writer: {e}"));

    assert!(
        report.errors.is_empty(),
        "the writer failed: {:?}",
        report.errors
    );
    assert!(report.statements > 3, "the writer ran: {report:?}");
    assert!(
        report.worst < Duration::from_secs(1),
        "a writer's statement waited {:?} (of {} statements)",
        report.worst,
        report.statements
    );
    let backfill = applied
        .iter()
        .find(|(name, _)| name.contains("backfill"))
        .expect("a backfill migration ran");
    eprintln!(
        "backfill of {n} rows: {:.1} s ({:.0} rows/s); the writer's worst wait {} ms over {} statements",
        backfill.1.as_secs_f64(),
        n as f64 / backfill.1.as_secs_f64(),
        report.worst.as_millis(),
        report.statements
    );
    assert_eq!(
        load::count(
            &mut conn,
            "SELECT count(*) AS n FROM online.devices WHERE firmware = 'fw-' || id"
        ),
        n,
        "every row backfilled"
    );
    assert_eq!(
        load::rewritten_updated_at(&mut conn, &report.touched),
        0,
        "the backfill left updated_at as it was"
    );
    let touched: Vec<i64> = report.touched.iter().copied().collect();
    let kept = diesel::sql_query(
        "SELECT count(*) AS n FROM online.devices WHERE id = ANY($1) AND updated_at < '2025-01-01'",
    )
    .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(touched)
    .get_result::<Count>(&mut conn)
    .unwrap()
    .n;
    assert_eq!(
        kept, 0,
        "the application's own updates still set updated_at"
    );
    common::assert_catalog_matches(&mut conn, &v2);
}

/// v2's migrations written, and the first (the nullable column) applied: the backfill and the
/// validation are pending.
fn with_firmware_column(conn: &mut PgConnection, dir: &std::path::Path) -> Schema {
    let v2 = online::v2::schema().unwrap();
    assert_eq!(generate(dir, "firmware", &v2, "2030-01-02-000000"), 3);
    let source = FileBasedMigrations::from_path(dir).unwrap();
    let main = conn.pending_migrations(source).unwrap().remove(0);
    conn.run_migration(&main)
        .expect("the main migration adds the column");
    v2
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

#[test]
fn a_backfill_killed_midway_resumes_where_it_stopped() {
    let n = 60_000;
    let (db, mut conn, dir) = populated(n);
    let v2 = with_firmware_column(&mut conn, dir.path());
    // Each batch pauses, so the kill lands between batches that committed and ones that did
    // not: a trigger on the filled column sleeps once per batch.
    conn.batch_execute(
        "CREATE FUNCTION online.slow() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN PERFORM pg_sleep(0.05); RETURN NULL; END $$;
         CREATE TRIGGER slow AFTER UPDATE OF firmware ON online.devices
           FOR EACH STATEMENT EXECUTE FUNCTION online.slow();",
    )
    .unwrap();
    let url = db.url().to_string();
    let dir_path = dir.path().to_path_buf();
    let migrator = std::thread::spawn(move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        conn.batch_execute("SET application_name = 'backfill under test'")
            .unwrap();
        apply_timed(&mut conn, &dir_path)
    });
    // Kill the backend once some batches committed.
    let started = Instant::now();
    loop {
        let filled = load::count(
            &mut conn,
            "SELECT count(*) AS n FROM online.devices WHERE firmware IS NOT NULL",
        );
        if filled >= 15_000 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the backfill started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    conn.batch_execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'backfill under test'",
    )
    .unwrap();
    let outcome = migrator.join().unwrap();
    assert!(outcome.is_err(), "the killed run failed: {outcome:?}");
    let filled = load::count(
        &mut conn,
        "SELECT count(*) AS n FROM online.devices WHERE firmware IS NOT NULL",
    );
    assert!(
        (15_000..n).contains(&filled),
        "the committed batches stay, the rest was not filled: {filled}"
    );
    conn.batch_execute("DROP TRIGGER slow ON online.devices; DROP FUNCTION online.slow();")
        .unwrap();
    let applied = apply_timed(&mut conn, dir.path()).expect("the re-run finishes the backfill");
    assert_eq!(applied.len(), 2, "backfill and validate: {applied:?}");
    assert_eq!(
        load::count(
            &mut conn,
            "SELECT count(*) AS n FROM online.devices WHERE firmware = 'fw-' || id"
        ),
        n
    );
    assert_eq!(
        load::rewritten_updated_at(&mut conn, &Default::default()),
        0,
        "neither run rewrote updated_at"
    );
    common::assert_catalog_matches(&mut conn, &v2);
}

#[test]
fn rows_the_application_holds_are_skipped_then_filled_once_it_lets_go() {
    let n = 20_000;
    let (db, mut conn, dir) = populated(n);
    let v2 = with_firmware_column(&mut conn, dir.path());
    // The application holds rows 10..20 in an open transaction for two seconds: longer than a
    // batch's lock timeout, so the backfill has to skip them and come back.
    let url = db.url().to_string();
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            conn.batch_execute(
                "SELECT id FROM online.devices WHERE id BETWEEN 10 AND 20 FOR UPDATE",
            )?;
            locked_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_secs(2));
            Ok(())
        })
        .unwrap();
    });
    locked_rx.recv().unwrap();
    let started = Instant::now();
    let applied = apply_timed(&mut conn, dir.path()).expect("the backfill waits, then finishes");
    holder.join().unwrap();
    assert_eq!(applied.len(), 2, "backfill, validate");
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "the backfill finished only after the rows were released"
    );
    assert_eq!(
        load::count(
            &mut conn,
            "SELECT count(*) AS n FROM online.devices WHERE firmware = 'fw-' || id"
        ),
        n
    );
    common::assert_catalog_matches(&mut conn, &v2);
}

fn batched(check: &str) -> Batched {
    Batched {
        key: vec!["id".into()],
        batch_size: 1000,
        check: check.into(),
    }
}

#[test]
fn a_backfill_expression_that_gives_null_fails_naming_the_count_and_keeps_what_it_filled() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    conn.batch_execute(
        "CREATE TABLE t (id bigint PRIMARY KEY, v text);
         INSERT INTO t (id) SELECT generate_series(1, 5000);",
    )
    .unwrap();
    let sql = schema_core::backfill::backfill_sql(
        &QualifiedName::new("public", "t"),
        "v",
        Some("CASE WHEN id <= 3000 THEN 'x' END"),
        &batched("t_v_not_null"),
    );
    let err = conn.batch_execute(&sql).unwrap_err().to_string();
    assert!(
        err.contains("gives NULL for 2000 row(s)"),
        "the error counts the rows: {err}"
    );
    assert_eq!(
        load::count(&mut conn, "SELECT count(*) AS n FROM t WHERE v = 'x'"),
        3000,
        "the committed batches keep their values"
    );
    assert_eq!(
        load::count(
            &mut conn,
            "SELECT count(*) AS n FROM pg_constraint WHERE conname = 't_v_not_null'"
        ),
        0,
        "no check was added"
    );
}

#[test]
fn a_backfill_refuses_to_run_where_row_level_security_hides_rows_from_it() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    let owner = format!("{}_owner", db.name());
    conn.batch_execute(&format!(
        "CREATE ROLE \"{owner}\" NOLOGIN;
         CREATE TABLE t (id bigint PRIMARY KEY, v text);
         INSERT INTO t (id) SELECT generate_series(1, 100);
         ALTER TABLE t OWNER TO \"{owner}\";
         ALTER TABLE t ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
         GRANT CREATE ON SCHEMA public TO \"{owner}\";"
    ))
    .unwrap();
    let sql = schema_core::backfill::backfill_sql(
        &QualifiedName::new("public", "t"),
        "v",
        Some("'x'"),
        &batched("t_v_not_null"),
    );
    // The owner is subject to its table's policies (FORCE, no BYPASSRLS): it would see no row.
    conn.batch_execute(&format!("SET ROLE \"{owner}\""))
        .unwrap();
    let err = conn.batch_execute(&sql).unwrap_err().to_string();
    conn.batch_execute("RESET ROLE").unwrap();
    conn.batch_execute(&format!(
        "REVOKE ALL ON SCHEMA public FROM \"{owner}\"; DROP TABLE t; DROP ROLE \"{owner}\";"
    ))
    .unwrap();
    assert!(err.contains("row-level security would hide rows"), "{err}");
}

#[test]
fn the_application_role_cannot_use_the_backfill_setting_to_freeze_updated_at() {
    let (db, mut conn, _dir) = populated(10);
    let app = format!("{}_app", db.name());
    conn.batch_execute(&format!(
        "CREATE ROLE \"{app}\" NOLOGIN;
         GRANT USAGE ON SCHEMA online TO \"{app}\";
         GRANT SELECT, UPDATE ON online.devices TO \"{app}\";"
    ))
    .unwrap();
    let result = conn.batch_execute(&format!(
        "BEGIN; SET LOCAL ROLE \"{app}\"; SET LOCAL schema_api.backfill = 'on';
         UPDATE online.devices SET name = 'forged' WHERE id = 1; COMMIT;"
    ));
    conn.batch_execute(&format!(
        "REVOKE ALL ON online.devices FROM \"{app}\"; REVOKE ALL ON SCHEMA online FROM \"{app}\"; DROP ROLE \"{app}\";"
    ))
    .unwrap();
    result.unwrap();
    assert_eq!(
        load::count(
            &mut conn,
            "SELECT count(*) AS n FROM online.devices WHERE id = 1 AND updated_at > '2025-01-01'"
        ),
        1,
        "the trigger still set updated_at for the application role"
    );
    // The owner (here a superuser) does keep it, which is what backfills rely on.
    conn.batch_execute(
        "BEGIN; SET LOCAL schema_api.backfill = 'on';
         UPDATE online.devices SET name = 'kept' WHERE id = 2; COMMIT;",
    )
    .unwrap();
    assert_eq!(
        load::rewritten_updated_at(&mut conn, &[1].into_iter().collect()),
        0
    );
}

#[test]
fn a_field_added_between_existing_ones_is_refused_at_generate_and_the_fix_migrates_cleanly() {
    let (_db, mut conn, dir) = populated(100);
    let before: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let options = GenerateOptions {
        allow_data_loss: false,
        version: Some("2030-01-02-000000".into()),
    };
    let err = migrations::generate(
        dir.path(),
        "firmware",
        &online::v2_misplaced::schema().unwrap(),
        &options,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("column `online.devices.firmware`"), "{err}");
    assert!(
        err.contains("Move the field to the end of the struct, after `updated_at`"),
        "{err}"
    );
    let after: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(before, after, "nothing was written");
    // `check` says the same, so the declarations cannot be committed and forgotten.
    let check =
        migrations::check(dir.path(), &online::v2_misplaced::schema().unwrap()).unwrap_err();
    assert!(check.to_string().contains("Move the field"), "{check}");
    // Where the error says, it migrates, and the database matches the declarations after.
    let v2 = online::v2::schema().unwrap();
    assert_eq!(
        generate(dir.path(), "firmware", &v2, "2030-01-02-000000"),
        3
    );
    apply_timed(&mut conn, dir.path()).unwrap();
    common::assert_catalog_matches(&mut conn, &v2);
    migrations::check(dir.path(), &v2).unwrap();
}

#[test]
fn key_word_columns_a_named_key_and_a_string_with_comment_marks_apply_exactly_in_public() {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    conn.batch_execute("CREATE SCHEMA canary; CREATE TABLE canary.victim (id int); INSERT INTO canary.victim VALUES (1);")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let declared = online::keywords::schema().unwrap();
    assert_eq!(
        generate(dir.path(), "keywords", &declared, "2030-01-01-000000"),
        1
    );
    apply_timed(&mut conn, dir.path()).unwrap();
    conn.batch_execute("INSERT INTO public.keywords (id, \"order\") VALUES (1, 2)")
        .unwrap();
    assert_eq!(
        load::count(&mut conn, "SELECT count(*) AS n FROM canary.victim"),
        1,
        "the canary survives"
    );
    assert_eq!(
        load::count(
            &mut conn,
            "SELECT count(*) AS n FROM public.keywords WHERE \"user\" = '--not a comment; DROP TABLE canary.victim'"
        ),
        1,
        "the default is stored byte-exact"
    );
    assert_eq!(
        load::count(
            &mut conn,
            "SELECT count(*) AS n FROM pg_constraint WHERE conname = 'keywords_custom_pk' AND contype = 'p'"
        ),
        1,
        "the key has the declared name"
    );
    // The check names the column `user`, not USER (the session's role).
    #[derive(QueryableByName)]
    struct Def {
        #[diesel(sql_type = diesel::sql_types::Text)]
        def: String,
    }
    let def = diesel::sql_query(
        "SELECT pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conname = 'keywords_user_check'",
    )
    .get_result::<Def>(&mut conn)
    .unwrap()
    .def;
    assert!(def.contains("\"user\" <> ''"), "{def}");
    assert!(!def.contains("USER"), "{def}");
    // Diesel's bookkeeping in `public` is neither drift nor one of the tables.
    common::assert_catalog_matches(&mut conn, &declared);
    assert_eq!(
        schema_core::live::introspect::drift(&mut conn, &declared).unwrap(),
        Vec::<String>::new()
    );
    let live = schema_core::live::introspect::introspect(&mut conn, &["public"]).unwrap();
    let names: Vec<String> = live.tables.iter().map(|t| t.name.clone()).collect();
    assert_eq!(names, ["keywords"], "diesel's table is not listed");
}
