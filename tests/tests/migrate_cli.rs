//! The real `schema` command (`online-schema`, over `schema_tests::online`) against a live
//! database: five `migrate` runs at once, a run killed (client or backend) in the middle of a
//! concurrent index build, `check --database` on broken and partly migrated databases, and
//! arguments and environments that must not be able to aim it at the wrong place.

mod common;

use common::{cli, run, text};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use schema_core::live::harness::TestDatabase;
use schema_tests::online::load::generate;
use schema_tests::online::{self, load};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

fn spawn(command: &mut Command) -> Child {
    command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the command starts")
}

/// A database with v1 applied and `rows` devices, and a directory holding the migrations of
/// v1, v2 and v3 (v2's and v3's pending unless `apply_v2`).
fn setup(rows: i64, apply_v2: bool) -> (TestDatabase, PgConnection, tempfile::TempDir) {
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    generate(
        &migrations,
        "devices",
        &online::v1::schema().unwrap(),
        "2030-01-01-000000",
    );
    conn.run_pending_migrations(FileBasedMigrations::from_path(&migrations).unwrap())
        .unwrap();
    load::populate(&mut conn, rows);
    generate(
        &migrations,
        "firmware",
        &online::v2::schema().unwrap(),
        "2030-01-02-000000",
    );
    if apply_v2 {
        conn.run_pending_migrations(FileBasedMigrations::from_path(&migrations).unwrap())
            .unwrap();
    }
    // The unique index built concurrently, then the constraint made from it.
    assert_eq!(
        generate(
            &migrations,
            "unique_usernames",
            &online::v3::schema().unwrap(),
            "2030-01-03-000000"
        ),
        2
    );
    (db, conn, dir)
}

fn applied(conn: &mut PgConnection) -> i64 {
    load::count(conn, "SELECT count(*) AS n FROM __diesel_schema_migrations")
}

#[test]
fn five_migrate_runs_at_once_apply_everything_once_and_all_succeed() {
    let (db, mut conn, dir) = setup(30_000, false);
    let migrations = dir.path().join("migrations");
    let children: Vec<Child> = (0..5)
        .map(|_| spawn(cli(&migrations, Some(db.url())).arg("migrate")))
        .collect();
    let outputs: Vec<Output> = children
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    for output in &outputs {
        assert!(
            output.status.success(),
            "every run succeeds:\n{}",
            text(output)
        );
    }
    let waited = outputs
        .iter()
        .filter(|o| String::from_utf8_lossy(&o.stderr).contains("waiting for it to finish"))
        .count();
    assert!(waited >= 1, "the runs queued behind the lock");
    // v1 (1), v2 (main, backfill, validate), v3 (index, validate): each applied once.
    assert_eq!(applied(&mut conn), 6);
    common::assert_catalog_matches(&mut conn, &online::v3::schema().unwrap());
    assert_eq!(
        schema_core::live::state::broken_state(&mut conn, &online::v3::schema().unwrap()).unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn a_run_that_cannot_get_the_lock_in_time_says_who_holds_it() {
    let (db, mut conn, dir) = setup(10, true);
    let migrations = dir.path().join("migrations");
    conn.batch_execute(&format!(
        "SELECT pg_advisory_lock({})",
        schema_core::live::state::MIGRATE_LOCK
    ))
    .unwrap();
    let output = run(cli(&migrations, Some(db.url())).args(["migrate", "--wait-for-lock", "1"]));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("another `cargo schema migrate` is running on this database (backend pid"),
        "{stderr}"
    );
    assert_eq!(applied(&mut conn), 4, "nothing more was applied");
}

#[derive(QueryableByName)]
struct Pid {
    #[diesel(sql_type = Integer)]
    pid: i32,
}

/// Holds a write on `online.devices` open, so a concurrent index build waits for it.
fn block_index_builds(url: &str) -> PgConnection {
    let mut blocker = PgConnection::establish(url).unwrap();
    blocker
        .batch_execute("BEGIN; UPDATE online.devices SET name = name WHERE id = 1;")
        .unwrap();
    blocker
}

/// Waits until a concurrent index build is in progress, returning its backend's pid.
fn building(conn: &mut PgConnection) -> i32 {
    let started = Instant::now();
    loop {
        if let Some(p) = diesel::sql_query(
            "SELECT pid FROM pg_stat_progress_create_index WHERE datname = current_database()",
        )
        .get_result::<Pid>(conn)
        .optional()
        .unwrap()
        {
            return p.pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "a build starts"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn index_valid(conn: &mut PgConnection) -> Option<bool> {
    #[derive(QueryableByName)]
    struct Valid {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        valid: bool,
    }
    diesel::sql_query(
        "SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = to_regclass('online.devices_sip_username_key')",
    )
    .get_result::<Valid>(conn)
    .optional()
    .unwrap()
    .map(|v| v.valid)
}

#[test]
fn a_migrate_killed_while_its_index_builds_is_finished_by_the_next_run() {
    let (db, mut conn, dir) = setup(20_000, true);
    let migrations = dir.path().join("migrations");
    let blocker = block_index_builds(db.url());
    let mut first = spawn(cli(&migrations, Some(db.url())).arg("migrate"));
    let backend = building(&mut conn);
    // kill -9 of the client: its backend goes on building, holding the migrate lock.
    first.kill().unwrap();
    first.wait().unwrap();
    let second = spawn(cli(&migrations, Some(db.url())).arg("migrate"));
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(building(&mut conn), backend, "the orphaned build goes on");
    drop(blocker); // the write rolls back; the orphaned build finishes
    let output = second.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("waiting for it to finish"), "{stderr}");
    assert!(
        stderr.contains("was built by an earlier run that was interrupted"),
        "{stderr}"
    );
    assert_eq!(index_valid(&mut conn), Some(true));
    assert_eq!(applied(&mut conn), 6);
    common::assert_catalog_matches(&mut conn, &online::v3::schema().unwrap());
}

#[test]
fn a_build_whose_backend_is_killed_is_reported_with_the_exact_fix_and_repaired_by_the_next_run() {
    let (db, mut conn, dir) = setup(20_000, true);
    let migrations = dir.path().join("migrations");
    let blocker = block_index_builds(db.url());
    let first = spawn(cli(&migrations, Some(db.url())).arg("migrate"));
    let backend = building(&mut conn);
    // Wait until the build's catalog entry exists, then kill the backend mid-build.
    std::thread::sleep(Duration::from_millis(300));
    diesel::sql_query("SELECT pg_terminate_backend($1)::int AS pid")
        .bind::<Integer, _>(backend)
        .execute(&mut conn)
        .unwrap();
    let output = first.wait_with_output().unwrap();
    drop(blocker);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("DROP INDEX CONCURRENTLY \"online\".\"devices_sip_username_key\";"),
        "the fix names the index with its schema: {stderr}"
    );
    assert_eq!(index_valid(&mut conn), Some(false), "left INVALID");

    // check --database sees it, with the statement that fixes it.
    let check = run(cli(&migrations, None)
        .args(["check", "--database"])
        .arg(db.url()));
    assert_eq!(check.status.code(), Some(1), "{}", text(&check));
    let report = text(&check);
    assert!(
        report.contains("not applied"),
        "the pending migrations are listed: {report}"
    );
    assert!(
        report.contains("2030-01-03-000000-01_unique_usernames_index_devices_sip_username_key"),
        "{report}"
    );

    let again = run(cli(&migrations, Some(db.url())).arg("migrate"));
    assert!(again.status.success(), "{}", text(&again));
    assert!(
        String::from_utf8_lossy(&again.stderr)
            .contains("left it INVALID; dropping it to build it again"),
        "{}",
        text(&again)
    );
    assert_eq!(index_valid(&mut conn), Some(true));
    common::assert_catalog_matches(&mut conn, &online::v3::schema().unwrap());
    let check = run(cli(&migrations, None)
        .args(["check", "--database"])
        .arg(db.url()));
    assert!(check.status.success(), "{}", text(&check));
}

#[test]
fn check_database_reports_invalid_indexes_and_not_valid_constraints_with_their_fixes() {
    let (db, mut conn, dir) = setup(100, false);
    let migrations = dir.path().join("migrations");
    let output = run(cli(&migrations, Some(db.url())).arg("migrate"));
    assert!(output.status.success(), "{}", text(&output));
    let check = || {
        run(cli(&migrations, None)
            .args(["check", "--database"])
            .arg(db.url()))
    };
    assert!(check().status.success(), "{}", text(&check()));
    // Break it the ways an interrupted or failed run does: a unique build that met duplicates
    // (left INVALID), a constraint left NOT VALID.
    conn.batch_execute(
        "INSERT INTO online.devices (sip_username, name, firmware) VALUES ('a', 'same', 'f'), ('b', 'same', 'f');
         ALTER TABLE online.devices ADD CONSTRAINT devices_name_check CHECK (name <> '') NOT VALID;",
    )
    .unwrap();
    let failed = conn.batch_execute(
        "CREATE UNIQUE INDEX CONCURRENTLY devices_name_key ON online.devices (name)",
    );
    assert!(failed.is_err(), "the duplicates stop the build");
    let output = check();
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let report = text(&output);
    for expected in [
        "index `online.devices_name_key` on `devices` is INVALID",
        "`DROP INDEX CONCURRENTLY \"online\".\"devices_name_key\";`",
        "constraint `devices_name_check` on `online.devices` is NOT VALID",
        "`ALTER TABLE \"online\".\"devices\" VALIDATE CONSTRAINT \"devices_name_check\";`",
    ] {
        assert!(
            report.contains(expected),
            "`{expected}` missing from:\n{report}"
        );
    }
    // The statements it prints fix it (the extra objects then show as plain drift).
    conn.batch_execute("DROP INDEX CONCURRENTLY \"online\".\"devices_name_key\";")
        .unwrap();
    conn.batch_execute(
        "ALTER TABLE \"online\".\"devices\" VALIDATE CONSTRAINT \"devices_name_check\";
         ALTER TABLE online.devices DROP CONSTRAINT devices_name_check;",
    )
    .unwrap();
    assert!(check().status.success(), "{}", text(&check()));
}

#[test]
fn no_target_is_ever_chosen_silently() {
    let (db, _conn, dir) = setup(10, true);
    let migrations = dir.path().join("migrations");
    // An empty DATABASE_URL would be libpq's default server.
    let output = run(cli(&migrations, Some("")).arg("migrate"));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("DATABASE_URL is set but empty"),
        "{}",
        text(&output)
    );
    let output = run(cli(&migrations, None).args(["check", "--database", ""]));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    // A misspelt DATABASE_URL: the first line says the target is a throwaway server, and the
    // misspelling is named.
    let output = run(cli(&migrations, None)
        .env("DATABSE_URL", db.url())
        .arg("migrate"));
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert!(
        stderr
            .lines()
            .next()
            .unwrap_or_default()
            .contains("THROWAWAY"),
        "{}",
        text(&output)
    );
    assert!(
        stderr.contains("DATABASE_URL is not set, but DATABSE_URL is: did you mean DATABASE_URL?"),
        "{}",
        text(&output)
    );
    // generate with no migrations directory anywhere above: an error, unless told to create.
    let empty = tempfile::tempdir().unwrap();
    let mut generate = Command::new(env!("CARGO_BIN_EXE_online-schema"));
    generate
        .current_dir(empty.path())
        .env_remove("MIGRATION_DIRECTORY")
        .args(["generate", "devices"]);
    let output = run(&mut generate);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("--init"), "{}", text(&output));
    assert!(!empty.path().join("migrations").exists());
    let output = run(generate.arg("--init"));
    assert!(output.status.success(), "{}", text(&output));
    assert!(empty
        .path()
        .join("migrations")
        .join("schema.snapshot.json")
        .exists());
}

#[test]
fn numeric_arguments_out_of_range_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &[
            "partitions",
            "retain",
            "--keep-months",
            "3000000000",
            "--drop",
        ][..],
        &["partitions", "retain", "--keep-months", "4294967295"],
        &["partitions", "retain", "--keep-months", "2147483648"],
        &["partitions", "retain", "--keep-months", "0", "--drop"],
        &["partitions", "ensure", "--ahead", "2147483647"],
        &["partitions", "ensure", "--ahead", "121"],
        &["migrate", "--wait-for-lock", "86401"],
    ] {
        let output = run(Command::new(env!("CARGO_BIN_EXE_online-schema"))
            .env("ONLINE_VERSION", "scenario")
            .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
            .arg("--migrations-dir")
            .arg(dir.path())
            .args(args));
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("error: invalid value"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn operators_step_through_the_history_with_status_migrate_to_and_rollback() {
    let (db, mut conn, dir) = setup(100, false);
    let migrations = dir.path().join("migrations");
    let url = Some(db.url());
    let v2_phases = std::fs::read_dir(&migrations)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with("firmware")
                || e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .contains("_firmware_")
        })
        .count() as i64;
    assert!(
        v2_phases >= 3,
        "v2 adds a NOT NULL column: main, backfill, validate"
    );
    let has_firmware = |conn: &mut PgConnection| {
        load::count(
            conn,
            "SELECT count(*) AS n FROM information_schema.columns WHERE column_name = 'firmware'",
        ) == 1
    };

    // status: what is applied and what is not, and what runs outside a transaction.
    let output = run(cli(&migrations, url).arg("status"));
    assert!(output.status.success(), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("applied  2030-01-01-000000_devices"),
        "{stdout}"
    );
    assert!(stdout.contains("pending  2030-01-02-000000-"), "{stdout}");
    assert!(stdout.contains("[outside a transaction]"), "{stdout}");
    assert!(
        stdout.contains(&format!("1 applied, {} pending", v2_phases + 2)),
        "{stdout}"
    );

    // migrate --to a generate's version: all of its phases, nothing after.
    let output = run(cli(&migrations, url).args(["migrate", "--to", "2030-01-02-000000"]));
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(applied(&mut conn), 1 + v2_phases, "{}", text(&output));
    assert!(has_firmware(&mut conn));
    // An unknown target is refused before anything runs.
    let output = run(cli(&migrations, url).args(["migrate", "--to", "2099-01-01-000000"]));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("no migration in"),
        "{}",
        text(&output)
    );
    assert_eq!(applied(&mut conn), 1 + v2_phases);

    // rollback needs the database it rolls back; it never picks a throwaway one.
    let output = run(cli(&migrations, None).arg("rollback"));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("set DATABASE_URL"),
        "{}",
        text(&output)
    );

    // Reverting all of v2 would drop `firmware` and its values: refused, nothing reverted.
    let steps = v2_phases.to_string();
    let output = run(cli(&migrations, url).args(["rollback", "--steps", &steps]));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("drops column `firmware`")
            && text(&output).contains("--allow-data-loss"),
        "{}",
        text(&output)
    );
    assert_eq!(applied(&mut conn), 1 + v2_phases);

    // All but its first phase reverts without loss; then the last one with consent.
    let steps = (v2_phases - 1).to_string();
    let output = run(cli(&migrations, url).args(["rollback", "--steps", &steps]));
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("reverted 2030-01-02-000000-"),
        "{}",
        text(&output)
    );
    assert_eq!(applied(&mut conn), 2);
    let output = run(cli(&migrations, url).args(["rollback", "--allow-data-loss"]));
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(applied(&mut conn), 1);
    assert!(!has_firmware(&mut conn));

    // And forward again, to the end.
    let output = run(cli(&migrations, url).arg("migrate"));
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(applied(&mut conn), 1 + v2_phases + 2);
    let output = run(cli(&migrations, url).arg("status"));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains(&format!("{} applied, 0 pending", 1 + v2_phases + 2)),
        "{}",
        text(&output)
    );
}
