//! Hand-written migrations through the real `schema` command (`online-schema`, v3): `raw`
//! writes the skeleton, `register` runs it on a throwaway PostgreSQL and records it, `check`
//! accepts it and notices an edit, `migrate` and `rollback` run it, and `check --database`
//! expects exactly the functions and triggers it created. Each way a hand-written migration
//! can hide a change from the declarations, fail, or not undo itself is refused, and a refusal
//! records nothing.

mod common;

use common::{cli, run, text};
use diesel::connection::SimpleConnection;
use schema_core::live::hand_written::{register, RegisterError};
use schema_core::live::harness::TestDatabase;
use schema_core::migrations::{self, MigrationError, MigrationState, SNAPSHOT_FILE};
use schema_tests::online::{self, load};
use std::path::{Path, PathBuf};

/// A migrations directory holding v3 (generated in 2020, so anything written now sorts after).
fn project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let migrations = dir.path().join("migrations");
    std::fs::create_dir(&migrations).unwrap();
    load::generate(
        &migrations,
        "devices",
        &online::v3::schema().unwrap(),
        "2020-01-01-000000",
    );
    (dir, migrations)
}

/// A hand-written migration directory with these scripts.
fn hand_written(migrations: &Path, directory: &str, up: &str, down: &str) {
    let path = migrations.join(directory);
    std::fs::create_dir_all(&path).unwrap();
    std::fs::write(path.join("up.sql"), up).unwrap();
    std::fs::write(path.join("down.sql"), down).unwrap();
}

const FUNCTION: &str = "
CREATE FUNCTION online.check_sip_username() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.sip_username !~ '^[a-z0-9._-]+$' THEN
    RAISE EXCEPTION 'invalid SIP username %', NEW.sip_username USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;
";
const TRIGGER: &str = "
CREATE TRIGGER check_sip_username BEFORE INSERT OR UPDATE OF sip_username ON online.devices
  FOR EACH ROW EXECUTE FUNCTION online.check_sip_username();
";
/// A data migration too: the rows already there are made to pass.
const DATA: &str = "
UPDATE online.devices SET sip_username = lower(sip_username) WHERE sip_username <> lower(sip_username);
";
const CHECK_DOWN: &str = "
DROP TRIGGER check_sip_username ON online.devices;
DROP FUNCTION online.check_sip_username();
";

fn check_up() -> String {
    format!("{FUNCTION}{TRIGGER}{DATA}")
}

/// The function again, allowing `+` too.
fn function_v2() -> String {
    FUNCTION
        .replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")
        .replace("^[a-z0-9._-]+$", "^[a-z0-9._+-]+$")
}

fn snapshot_bytes(migrations: &Path) -> Vec<u8> {
    std::fs::read(migrations.join(SNAPSHOT_FILE)).unwrap()
}

#[test]
fn a_hand_written_trigger_is_registered_checked_applied_and_held_to_by_drift() {
    let (_dir, migrations) = project();
    // `raw` writes the skeleton; unregistered, `check` refuses it and says how to register.
    let output = run(cli(&migrations, None).args(["raw", "check_sip_username"]));
    assert!(output.status.success(), "{}", text(&output));
    let directory = migrations::migration_directories(&migrations)
        .unwrap()
        .into_iter()
        .find(|d| d.ends_with("_check_sip_username"))
        .expect("raw wrote the directory");
    assert!(text(&output).contains(&format!("cargo schema register {directory}")));
    let output = run(cli(&migrations, None).arg("check"));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains(&format!("cargo schema register {directory}")),
        "{}",
        text(&output)
    );

    hand_written(&migrations, &directory, &check_up(), CHECK_DOWN);
    let output = run(cli(&migrations, None).args(["register", &directory]));
    assert!(output.status.success(), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("creates function `online.check_sip_username()`")
            && stdout.contains("creates trigger `check_sip_username on online.devices`"),
        "{stdout}"
    );
    let output = run(cli(&migrations, None).arg("check"));
    assert!(output.status.success(), "{}", text(&output));

    // Applied with the rest; the trigger works and drift expects it.
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    let url = Some(db.url());
    let output = run(cli(&migrations, url).arg("migrate"));
    assert!(output.status.success(), "{}", text(&output));
    let output = run(cli(&migrations, url).arg("status"));
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains(&format!("applied  {directory}  [hand-written]")),
        "{}",
        text(&output)
    );
    let bad = conn.batch_execute(
        "INSERT INTO online.devices (sip_username, name, firmware) VALUES ('Bad User', 'x', 'fw')",
    );
    assert!(
        bad.unwrap_err()
            .to_string()
            .contains("invalid SIP username"),
        "the trigger runs"
    );
    conn.batch_execute(
        "INSERT INTO online.devices (sip_username, name, firmware) VALUES ('good.user', 'x', 'fw')",
    )
    .unwrap();
    let check_database =
        |url: &str| run(cli(&migrations, Some(url)).args(["check", "--database", url]));
    let output = check_database(db.url());
    assert!(output.status.success(), "{}", text(&output));

    // Drift: a function replaced by hand, a stray one, a dropped trigger.
    conn.batch_execute(
        "CREATE OR REPLACE FUNCTION online.check_sip_username() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
    )
    .unwrap();
    let output = check_database(db.url());
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains(&format!(
            "function `online.check_sip_username()` is not as hand-written migration {directory} created it"
        )),
        "{}",
        text(&output)
    );
    conn.batch_execute(&format!(
        "DROP TRIGGER check_sip_username ON online.devices; DROP FUNCTION online.check_sip_username(); {}",
        check_up()
    ))
    .unwrap();
    assert!(check_database(db.url()).status.success());
    conn.batch_execute(
        "CREATE FUNCTION online.stray() RETURNS int LANGUAGE sql AS 'SELECT 1';
         DROP TRIGGER check_sip_username ON online.devices;",
    )
    .unwrap();
    let output = check_database(db.url());
    let out = text(&output);
    assert!(
        out.contains("function `online.stray()` was created by no migration")
            && out.contains(&format!(
                "trigger `check_sip_username on online.devices`, which hand-written migration {directory} creates, is missing"
            )),
        "{out}"
    );

    // An edit after registering is noticed, with both ways out.
    let up = migrations.join(&directory).join("up.sql");
    std::fs::write(&up, format!("{}\n-- tweak\n", check_up())).unwrap();
    let output = run(cli(&migrations, None).arg("check"));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("edited after `cargo schema register` recorded it")
            && text(&output).contains(&format!("cargo schema register {directory}` again")),
        "{}",
        text(&output)
    );
    // Registered again (it is the last one), it is accepted.
    let output = run(cli(&migrations, None).args(["register", &directory]));
    assert!(output.status.success(), "{}", text(&output));
    assert!(run(cli(&migrations, None).arg("check")).status.success());
}

#[test]
fn a_rollback_of_a_hand_written_migration_runs_its_down_and_asks_when_it_loses_data() {
    let (_dir, migrations) = project();
    hand_written(
        &migrations,
        "2021-01-01-000000_check_sip_username",
        &check_up(),
        CHECK_DOWN,
    );
    register(
        &migrations,
        "2021-01-01-000000_check_sip_username",
        true,
        &mut |_| {},
    )
    .unwrap();
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    let url = Some(db.url());
    assert!(run(cli(&migrations, url).arg("migrate")).status.success());
    let output = run(cli(&migrations, url).arg("rollback"));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains("registered as losing data"),
        "{}",
        text(&output)
    );
    let output = run(cli(&migrations, url).args(["rollback", "--allow-data-loss"]));
    assert!(output.status.success(), "{}", text(&output));
    let triggers = load::count(
        &mut conn,
        "SELECT count(*) AS n FROM pg_trigger WHERE tgname = 'check_sip_username'",
    );
    assert_eq!(triggers, 0, "its down ran");
}

#[test]
fn later_hand_written_migrations_replace_and_drop_what_earlier_ones_created() {
    let (_dir, migrations) = project();
    hand_written(
        &migrations,
        "2021-01-01-000000_check_sip_username",
        &check_up(),
        CHECK_DOWN,
    );
    register(
        &migrations,
        "2021-01-01-000000_check_sip_username",
        false,
        &mut |_| {},
    )
    .unwrap();
    // Replaced: the new definition is what drift expects from now on.
    let function_v1 = FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION");
    hand_written(
        &migrations,
        "2021-01-02-000000_allow_plus",
        &function_v2(),
        &function_v1,
    );
    let found = register(
        &migrations,
        "2021-01-02-000000_allow_plus",
        false,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(found.creates.len(), 1, "the replaced function: {found:?}");
    assert!(found.drops.is_empty(), "{found:?}");
    // Dropped, function and trigger.
    hand_written(
        &migrations,
        "2021-01-03-000000_no_check",
        CHECK_DOWN,
        &format!("{}{TRIGGER}", function_v2()),
    );
    let found = register(
        &migrations,
        "2021-01-03-000000_no_check",
        false,
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(found.drops.len(), 2, "{found:?}");
    assert!(found.creates.is_empty(), "{found:?}");

    // Drift follows them in order: after the last, neither object is expected.
    let db = TestDatabase::new().unwrap();
    let url = Some(db.url());
    assert!(run(cli(&migrations, url).arg("migrate")).status.success());
    let output = run(cli(&migrations, url).args(["check", "--database", db.url()]));
    assert!(output.status.success(), "{}", text(&output));
    // Rolled back one step, the replaced function and the trigger are expected again...
    assert!(run(cli(&migrations, url).arg("rollback")).status.success());
    let mut conn = db.connect();
    let state = MigrationState::load(&migrations).unwrap();
    let mut applied_only = state.clone();
    applied_only.snapshot.migrations.pop();
    let declared = online::v3::schema().unwrap();
    assert_eq!(
        schema_core::live::hand_written::drift(&mut conn, &declared, Some(&applied_only)).unwrap(),
        Vec::<String>::new()
    );
    // ...and against all three, they are strays.
    assert_eq!(
        schema_core::live::hand_written::drift(&mut conn, &declared, Some(&state))
            .unwrap()
            .len(),
        2
    );
}

/// Registering `up`/`down` as the next migration fails with an error for which `expect` holds,
/// and records nothing.
fn refused(up: &str, down: &str, expect: impl Fn(&RegisterError) -> bool) {
    let (_dir, migrations) = project();
    let before = snapshot_bytes(&migrations);
    hand_written(&migrations, "2021-01-01-000000_hand", up, down);
    let error =
        register(&migrations, "2021-01-01-000000_hand", false, &mut |_| {}).expect_err("refused");
    assert!(expect(&error), "{error}");
    assert_eq!(
        snapshot_bytes(&migrations),
        before,
        "nothing recorded: {error}"
    );
    // And `check` still refuses the unrecorded directory.
    assert!(matches!(
        migrations::check(&migrations, &online::v3::schema().unwrap()),
        Err(MigrationError::Unrecorded { .. })
    ));
}

fn says(error: &RegisterError, words: &[&str]) -> bool {
    let message = error.to_string();
    words.iter().all(|w| message.contains(w))
}

#[test]
fn what_the_declarations_own_cannot_be_created_or_changed_by_hand() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "CREATE TABLE online.sneaky (id int);",
            "DROP TABLE online.sneaky;",
            &["creates table `online.sneaky`", "#[table]"],
        ),
        (
            "ALTER TABLE online.devices ADD COLUMN extra int;",
            "ALTER TABLE online.devices DROP COLUMN extra;",
            &["changes table `online.devices`", "declarations own"],
        ),
        (
            "CREATE INDEX devices_name_idx ON online.devices (name);",
            "DROP INDEX online.devices_name_idx;",
            &["creates index `online.devices_name_idx`"],
        ),
        (
            "ALTER TABLE online.devices ADD CONSTRAINT name_short CHECK (length(name) < 100);",
            "ALTER TABLE online.devices DROP CONSTRAINT name_short;",
            &["creates constraint `name_short on online.devices`"],
        ),
        (
            "CREATE TYPE online.mood AS ENUM ('ok');",
            "DROP TYPE online.mood;",
            &["creates type `online.mood`", "PgEnum"],
        ),
        (
            "CREATE EXTENSION IF NOT EXISTS pgcrypto;",
            "DROP EXTENSION pgcrypto;",
            &["creates extension `pgcrypto`", "extensions("],
        ),
        (
            "CREATE SCHEMA elsewhere; CREATE FUNCTION elsewhere.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
            "DROP SCHEMA elsewhere CASCADE;",
            &["creates schema `elsewhere`"],
        ),
        (
            "CREATE VIEW online.names AS SELECT name FROM online.devices;",
            "DROP VIEW online.names;",
            &["creates view `online.names`"],
        ),
        (
            "GRANT SELECT ON online.devices TO PUBLIC;",
            "REVOKE SELECT ON online.devices FROM PUBLIC;",
            &["changes table `online.devices`"],
        ),
        (
            "COMMENT ON COLUMN online.devices.name IS 'sneaky';",
            "COMMENT ON COLUMN online.devices.name IS NULL;",
            &["changes table `online.devices`"],
        ),
        (
            "ALTER TABLE online.devices ENABLE ROW LEVEL SECURITY;",
            "ALTER TABLE online.devices DISABLE ROW LEVEL SECURITY;",
            &["changes table `online.devices`"],
        ),
        (
            "CREATE POLICY everyone ON online.devices USING (true);",
            "DROP POLICY everyone ON online.devices;",
            &["creates policy `everyone on online.devices`"],
        ),
        (
            // The generator's trigger function, replaced with one that does nothing.
            "CREATE OR REPLACE FUNCTION online.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;",
            "SELECT 1;",
            &["changes function `online.set_updated_at()`", "generator"],
        ),
        (
            "ALTER TABLE online.devices DISABLE TRIGGER USER;",
            "ALTER TABLE online.devices ENABLE TRIGGER USER;",
            &["changes trigger `"],
        ),
        (
            "CREATE RULE no_delete AS ON DELETE TO online.devices DO INSTEAD NOTHING;",
            "DROP RULE no_delete ON online.devices;",
            &["creates rule `no_delete on online.devices`"],
        ),
    ];
    for (up, down, words) in cases {
        refused(up, down, |e| {
            matches!(e, RegisterError::Refused { .. }) && says(e, words)
        });
    }
}

#[test]
fn a_migration_that_fails_does_not_undo_itself_or_runs_out_of_order_is_refused() {
    // up fails.
    refused("CREATE FUNCTION oops(;", "SELECT 1;", |e| {
        matches!(e, RegisterError::Up { .. }) && says(e, &["up.sql fails"])
    });
    // down forgets the function.
    refused(
        "CREATE FUNCTION online.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "SELECT 1;",
        |e| {
            matches!(e, RegisterError::DownLeaves { .. })
                && says(e, &["function `online.f()` is left behind"])
        },
    );
    // down fails.
    refused(
        "CREATE FUNCTION online.f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
        "DROP FUNCTION online.nothing();",
        |e| matches!(e, RegisterError::Down { .. }),
    );
    // down drops more than up created.
    refused(
        "SELECT 1;",
        "DROP TRIGGER devices_set_updated_at ON online.devices;",
        |e| matches!(e, RegisterError::DownLeaves { .. }) && says(e, &["is gone"]),
    );
    // up cannot run again after its down (as after a rollback and a migrate): the down
    // leaves the row it inserted, and the unique key refuses it the second time.
    refused(
        "INSERT INTO online.devices (sip_username, name, firmware) VALUES ('seed', 'x', 'fw');",
        "SELECT 1;",
        |e| matches!(e, RegisterError::Redo { .. }) && says(e, &["cannot run again"]),
    );

    // Out of order: before the last recorded migration.
    let (_dir, migrations) = project();
    hand_written(
        &migrations,
        "2019-01-01-000000_early",
        "SELECT 1;",
        "SELECT 1;",
    );
    let error = register(&migrations, "2019-01-01-000000_early", false, &mut |_| {}).unwrap_err();
    assert!(
        says(&error, &["does not sort after 2020-01-01-000000_devices"]),
        "{error}"
    );
    std::fs::remove_dir_all(migrations.join("2019-01-01-000000_early")).unwrap();
    // Not a migration directory name, or a generated migration.
    for name in [
        "early",
        "2021-01-01-000000_Bad",
        "2021-01-01-000000_",
        "v1_x",
    ] {
        hand_written(&migrations, name, "SELECT 1;", "SELECT 1;");
        let error = register(&migrations, name, false, &mut |_| {}).unwrap_err();
        assert!(says(&error, &["<version>_<name>"]), "{name}: {error}");
        std::fs::remove_dir_all(migrations.join(name)).unwrap();
    }
    let error = register(&migrations, "2020-01-01-000000_devices", false, &mut |_| {}).unwrap_err();
    assert!(
        says(&error, &["written by `cargo schema generate`"]),
        "{error}"
    );
    // A metadata.toml that says anything but the one thing Diesel reads.
    hand_written(
        &migrations,
        "2021-01-01-000000_meta",
        "SELECT 1;",
        "SELECT 1;",
    );
    std::fs::write(
        migrations.join("2021-01-01-000000_meta/metadata.toml"),
        "run_in_transaction = true\n",
    )
    .unwrap();
    let error = register(&migrations, "2021-01-01-000000_meta", false, &mut |_| {}).unwrap_err();
    assert!(says(&error, &["metadata.toml may only say"]), "{error}");
}
