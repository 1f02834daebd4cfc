//! `migrations/` as the baseline: check, incremental generate, refusal of bad states.

mod common;

use common::*;
use diesel::connection::SimpleConnection;
use diesel_migrations::{FileBasedMigrations, MigrationHarness};
use schema_core::ir::{Column, QualifiedName, Schema, SqlType};
use schema_core::live::harness::TestDatabase;
use schema_core::migrations::{
    self, GenerateOptions, Generated, MigrationError, MigrationState, SNAPSHOT_FILE,
};
use std::fs;
use std::path::Path;

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn repo_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&repo_migrations(), dir.path());
    dir
}

fn at(version: &str) -> GenerateOptions {
    GenerateOptions {
        allow_data_loss: false,
        version: Some(version.into()),
    }
}

fn with_new_device_column(mut schema: Schema) -> Schema {
    let devices = schema
        .tables
        .iter_mut()
        .find(|t| t.qualified_name() == QualifiedName::new("devices", "devices"))
        .unwrap();
    devices
        .columns
        .push(Column::new("firmware_channel", SqlType::Varchar(16), true));
    schema
}

#[test]
fn the_committed_migrations_match_the_declarations() {
    migrations::check(&repo_migrations(), &platform_schema()).unwrap();
}

#[test]
fn a_new_field_fails_check_until_generate_writes_its_migration() {
    let dir = repo_copy();
    let declared = with_new_device_column(platform_schema());

    let err = migrations::check(dir.path(), &declared).unwrap_err();
    assert!(
        matches!(&err, MigrationError::Pending { changes, .. } if changes.len() == 1),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.contains("add column `devices.devices.firmware_channel`"),
        "{err}"
    );
    assert!(err.contains("cargo schema generate"), "{err}");

    let written = migrations::generate(
        dir.path(),
        "add_firmware_channel",
        &declared,
        &at("2099-01-01-000000"),
    )
    .unwrap();
    let Generated::Written(written) = written else {
        panic!("nothing written")
    };
    assert_eq!(written.len(), 1, "one transactional migration");
    let (directory, steps) = (&written[0].directory, &written[0].steps);
    assert_eq!(steps.len(), 1);
    let up = fs::read_to_string(directory.join("up.sql")).unwrap();
    let down = fs::read_to_string(directory.join("down.sql")).unwrap();
    assert!(up.contains(r#"ALTER TABLE "devices"."devices" ADD COLUMN "firmware_channel" character varying(16);"#), "{up}");
    assert!(
        down.contains(r#"ALTER TABLE "devices"."devices" DROP COLUMN "firmware_channel";"#),
        "{down}"
    );
    migrations::check(dir.path(), &declared).unwrap();

    // Regenerating from the same declarations changes nothing.
    let snapshot = fs::read(dir.path().join(SNAPSHOT_FILE)).unwrap();
    assert!(matches!(
        migrations::generate(dir.path(), "again", &declared, &at("2099-01-02-000000")).unwrap(),
        Generated::UpToDate
    ));
    assert_eq!(fs::read(dir.path().join(SNAPSHOT_FILE)).unwrap(), snapshot);

    // The snapshot is written in the current format, and the history it was read from
    // (whatever format the committed one is) reads back step for step.
    let written: serde_json::Value = serde_json::from_slice(&snapshot).unwrap();
    assert_eq!(written["format"], 3);
    assert!(written["migrations"][0].get("changes").is_none());
    let before = MigrationState::load(&repo_migrations()).unwrap().snapshot;
    let after = MigrationState::load(dir.path()).unwrap().snapshot;
    assert_eq!(after.migrations.len(), before.migrations.len() + 1);
    assert_eq!(
        after.migrations[..before.migrations.len()],
        before.migrations[..]
    );
    assert_eq!(
        after.migrations.last().unwrap().steps.len(),
        1,
        "{:?}",
        after.migrations.last()
    );

    // The incremental migration applies on PostgreSQL and produces the declared catalog; its
    // down brings back the previous one.
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    let source = FileBasedMigrations::from_path(dir.path()).unwrap();
    conn.run_pending_migrations(source.clone()).unwrap();
    assert_catalog_matches(&mut conn, &declared);
    conn.revert_last_migration(source).unwrap();
    assert_catalog_matches(&mut conn, &platform_schema());
}

#[test]
fn dropping_a_column_needs_consent_and_says_what_down_cannot_restore() {
    let dir = repo_copy();
    let mut declared = platform_schema();
    let users = declared
        .tables
        .iter_mut()
        .find(|t| t.name == "users")
        .unwrap();
    users.columns.retain(|c| c.name != "mfa_secret");
    let committed = migrations::migration_directories(dir.path()).unwrap().len();

    let err = migrations::generate(
        dir.path(),
        "drop_mfa_secret",
        &declared,
        &at("2099-01-01-000000"),
    )
    .unwrap_err();
    assert!(
        matches!(&err, MigrationError::DataLoss { findings } if findings.iter().all(|f| f.code == "D002")),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.contains("drops column `mfa_secret` of `auth.users`"),
        "{err}"
    );
    assert!(err.contains("--allow-data-loss"), "{err}");
    assert_eq!(
        migrations::migration_directories(dir.path()).unwrap().len(),
        committed,
        "nothing written"
    );

    let options = GenerateOptions {
        allow_data_loss: true,
        ..at("2099-01-01-000000")
    };
    let Generated::Written(written) =
        migrations::generate(dir.path(), "drop_mfa_secret", &declared, &options).unwrap()
    else {
        panic!("nothing written")
    };
    let directory = &written[0].directory;
    let up = fs::read_to_string(directory.join("up.sql")).unwrap();
    let down = fs::read_to_string(directory.join("down.sql")).unwrap();
    assert!(
        up.contains("-- DATA LOSS: drops column `mfa_secret`"),
        "{up}"
    );
    assert!(
        down.contains("the structure comes back, the data does not"),
        "{down}"
    );
    assert!(down.contains(r#"ADD COLUMN "mfa_secret" text;"#), "{down}");
}

#[test]
fn a_hand_edited_migration_is_refused_with_the_fix() {
    let dir = repo_copy();
    let migration = &migrations::migration_directories(dir.path()).unwrap()[0];
    let up = dir.path().join(migration).join("up.sql");
    let mut text = fs::read_to_string(&up).unwrap();
    text.push_str("\nDROP TABLE \"devices\".\"device_status\";\n");
    fs::write(&up, text).unwrap();
    let err = migrations::check(dir.path(), &platform_schema()).unwrap_err();
    assert!(
        matches!(&err, MigrationError::Edited { path } if *path == up),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.contains("was edited after `cargo schema generate` wrote it"),
        "{err}"
    );
    assert!(err.contains("git checkout"), "{err}");
}

#[test]
fn an_unrecorded_migration_or_a_missing_one_is_refused() {
    let dir = repo_copy();
    fs::create_dir(dir.path().join("2099-01-01-000000_by_hand")).unwrap();
    fs::write(
        dir.path().join("2099-01-01-000000_by_hand/up.sql"),
        "SELECT 1;",
    )
    .unwrap();
    let err = migrations::check(dir.path(), &platform_schema()).unwrap_err();
    assert!(
        matches!(&err, MigrationError::Unrecorded { directory } if directory == "2099-01-01-000000_by_hand"),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(
        err.contains("2099-01-01-000000_by_hand is not recorded"),
        "{err}"
    );

    let dir = repo_copy();
    let migration = migrations::migration_directories(dir.path()).unwrap()[0].clone();
    fs::remove_dir_all(dir.path().join(&migration)).unwrap();
    let err = migrations::check(dir.path(), &platform_schema()).unwrap_err();
    assert!(
        matches!(&err, MigrationError::Missing { directory } if *directory == migration),
        "{err:?}"
    );
    let err = err.to_string();
    assert!(err.contains("its directory is missing"), "{err}");
}

#[test]
fn a_failing_migration_leaves_the_database_as_it_was() {
    let dir = repo_copy();
    let db = TestDatabase::new().unwrap();
    let mut conn = db.connect();
    // Occupy a name the migration needs, so its last statements fail.
    conn.batch_execute(r#"CREATE SCHEMA "devices""#).unwrap();
    let source = FileBasedMigrations::from_path(dir.path()).unwrap();
    assert!(conn.run_pending_migrations(source).is_err());
    let declared = platform_schema();
    assert!(
        introspect(&mut conn, &declared).tables.is_empty(),
        "nothing half-applied"
    );
    let accounts_schema: i64 = diesel::RunQueryDsl::get_result(
        diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM pg_namespace WHERE nspname = 'accounts')",
        )),
        &mut conn,
    )
    .unwrap();
    assert_eq!(accounts_schema, 0);
}

#[test]
fn every_platform_foreign_key_leads_an_index_and_only_reference_data_is_read_without_rls() {
    let schema = platform_schema();
    let findings = schema_core::lint::lint_schema(&schema);
    let unindexed: Vec<String> = findings
        .iter()
        .filter(|f| f.code == "L208")
        .map(|f| f.to_string())
        .collect();
    assert!(unindexed.is_empty(), "{unindexed:#?}");
    // Reading global reference data whole is the design (a note); no role writes a table
    // without row-level security.
    let writes: Vec<String> = findings
        .iter()
        .filter(|f| f.code == "G501" && f.severity != schema_core::lint::Severity::Note)
        .map(|f| f.to_string())
        .collect();
    assert!(writes.is_empty(), "{writes:#?}");

    // A tenant table that lost its row-level security is reported for every role that can
    // write it, as a warning.
    let mut unguarded = schema.clone();
    let devices = unguarded
        .tables
        .iter_mut()
        .find(|t| t.qualified_name() == QualifiedName::new("devices", "devices"))
        .unwrap();
    devices.row_security = None;
    let findings = schema_core::lint::lint_schema(&unguarded);
    let reported: Vec<&schema_core::lint::Finding> = findings
        .iter()
        .filter(|f| f.code == "G501" && f.message.contains("`devices.devices`"))
        .collect();
    assert!(
        reported
            .iter()
            .any(|f| f.severity == schema_core::lint::Severity::Warning
                && f.message.contains("platform_app")
                && f.message.contains("DELETE")),
        "{reported:#?}"
    );
}
